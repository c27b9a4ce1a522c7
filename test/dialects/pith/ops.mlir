// Every pith op round-trips: through the custom assembly, the generic form
// and bytecode, printing the same text each time.
// RUN: pith-opt %s | pith-opt | FileCheck %s
// RUN: pith-opt %s --mlir-print-op-generic | pith-opt | FileCheck %s
// RUN: pith-opt %s --emit-bytecode | pith-opt | FileCheck %s

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x2xf32>, tensor<i64>, tensor<3xi4>) {
  // CHECK: pith.constant dense_resource<fc1.weight> : tensor<2x2xf32>
  %w = pith.constant dense_resource<fc1.weight> : tensor<2x2xf32>
  // CHECK: pith.constant dense<7> : tensor<i64>
  %c = pith.constant dense<7> : tensor<i64>
  // CHECK: pith.constant dense<[-8, 0, 7]> : tensor<3xi4>
  %q = pith.constant dense<[-8, 0, 7]> : tensor<3xi4>
  return %w, %c, %q : tensor<2x2xf32>, tensor<i64>, tensor<3xi4>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) {
  // CHECK: pith.neg %{{.*}} : tensor<4xi32>
  %0 = pith.neg %i : tensor<4xi32>
  // CHECK: pith.abs %{{.*}} : tensor<4xf32>
  %1 = pith.abs %x : tensor<4xf32>
  // CHECK: pith.sign %{{.*}} : tensor<4xi32>
  %2 = pith.sign %i : tensor<4xi32>
  // CHECK: pith.exp %{{.*}} : tensor<4xf32>
  %3 = pith.exp %x : tensor<4xf32>
  // CHECK: pith.log
  %4 = pith.log %x : tensor<4xf32>
  // CHECK: pith.sqrt
  %5 = pith.sqrt %x : tensor<4xf32>
  // CHECK: pith.rsqrt
  %6 = pith.rsqrt %x : tensor<4xf32>
  // CHECK: pith.reciprocal
  %7 = pith.reciprocal %x : tensor<4xf32>
  // CHECK: pith.tanh
  %8 = pith.tanh %x : tensor<4xf32>
  // CHECK: pith.sigmoid
  %9 = pith.sigmoid %x : tensor<4xf32>
  // CHECK: pith.relu %{{.*}} : tensor<4xi32>
  %10 = pith.relu %i : tensor<4xi32>
  // CHECK: pith.erf
  %11 = pith.erf %x : tensor<4xf32>
  // CHECK: pith.sin
  %12 = pith.sin %x : tensor<4xf32>
  // CHECK: pith.cos
  %13 = pith.cos %x : tensor<4xf32>
  // CHECK: pith.atan
  %atan = pith.atan %x : tensor<4xf32>
  // CHECK: pith.floor
  %14 = pith.floor %x : tensor<4xf32>
  // CHECK: pith.ceil
  %15 = pith.ceil %x : tensor<4xf32>
  // CHECK: pith.round
  %16 = pith.round %x : tensor<4xf32>
  // CHECK: pith.softplus
  %17 = pith.softplus %x : tensor<4xf32>
  // CHECK: pith.silu
  %18 = pith.silu %x : tensor<4xf32>
  // CHECK: pith.hard_swish
  %19 = pith.hard_swish %x : tensor<4xf32>
  // CHECK: pith.not %{{.*}} : tensor<4xi1>
  %20 = pith.not %b : tensor<4xi1>
  // CHECK: pith.gelu %{{.*}} : tensor<4xf32>
  %21 = pith.gelu %x : tensor<4xf32>
  // CHECK: pith.gelu %{{.*}} approximation = tanh : tensor<4xf32>
  %22 = pith.gelu %x approximation = tanh : tensor<4xf32>
  // CHECK: pith.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<4xf32>
  %23 = pith.leaky_relu %x {alpha = 0.1 : f64} : tensor<4xf32>
  // CHECK: pith.leaky_relu %{{.*}} : tensor<4xf32>
  %24 = pith.leaky_relu %x : tensor<4xf32>
  // CHECK: pith.elu %{{.*}} {alpha = 2.000000e+00 : f64} : tensor<4xf32>
  %25 = pith.elu %x {alpha = 2.0 : f64} : tensor<4xf32>
  // CHECK: pith.hard_sigmoid %{{.*}} {alpha = 1.000000e+00 : f64, beta = 0.000000e+00 : f64}
  %26 = pith.hard_sigmoid %x {alpha = 1.0 : f64, beta = 0.0 : f64} : tensor<4xf32>
  // CHECK: pith.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<4xf32>
  %27 = pith.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  // CHECK: pith.clamp %{{.*}} {min = -3 : i32} : tensor<4xi32>
  %28 = pith.clamp %i {min = -3 : i32} : tensor<4xi32>
  return
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2x1xi64>,
                  %j: tensor<1x5xi64>, %p: tensor<2xi1>, %q: tensor<2xi1>) {
  // CHECK: pith.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = pith.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.sub %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = pith.sub %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.mul %{{.*}}, %{{.*}} : (tensor<2x1xi64>, tensor<1x5xi64>) -> tensor<2x5xi64>
  %2 = pith.mul %i, %j : (tensor<2x1xi64>, tensor<1x5xi64>) -> tensor<2x5xi64>
  // CHECK: pith.div
  %3 = pith.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.rem
  %4 = pith.rem %i, %j : (tensor<2x1xi64>, tensor<1x5xi64>) -> tensor<2x5xi64>
  // CHECK: pith.pow
  %5 = pith.pow %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.max
  %6 = pith.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.min
  %7 = pith.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.and %{{.*}}, %{{.*}} : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %8 = pith.and %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  // CHECK: pith.or
  %9 = pith.or %p, %q : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  // CHECK: pith.xor %{{.*}}, %{{.*}} : (tensor<2x1xi64>, tensor<1x5xi64>) -> tensor<2x5xi64>
  %10 = pith.xor %i, %j : (tensor<2x1xi64>, tensor<1x5xi64>) -> tensor<2x5xi64>
  // CHECK: pith.compare lt, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %11 = pith.compare lt, %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: pith.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %12 = pith.where %11, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: pith.cast %{{.*}} : tensor<2x3xf32> to tensor<2x3xf16>
  %13 = pith.cast %a : tensor<2x3xf32> to tensor<2x3xf16>
  // CHECK: pith.cast %{{.*}} : tensor<2xi1> to tensor<2xui8>
  %14 = pith.cast %p : tensor<2xi1> to tensor<2xui8>
  return
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%q: tensor<12x128x64xf32>, %k: tensor<12x64x128xf32>,
                        %x: tensor<1x128x384xf32>, %w: tensor<1536x384xf32>,
                        %bias: tensor<1536xf32>, %img: tensor<1x3x224x224xf32>,
                        %f: tensor<64x3x3x3xf32>, %fb: tensor<64xf32>,
                        %dw: tensor<64x1x3x3xf32>, %seq: tensor<2x8x100xf32>,
                        %f1: tensor<16x8x5xf32>) {
  // CHECK: pith.matmul %{{.*}}, %{{.*}} : (tensor<12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<12x128x128xf32>
  %0 = pith.matmul %q, %k : (tensor<12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<12x128x128xf32>
  // CHECK: pith.matmul %{{.*}}, %{{.*}} : (tensor<12x128x64xf32>, tensor<64x384xf32>) -> tensor<12x128x384xf32>
  %m = pith.constant dense<0.0> : tensor<64x384xf32>
  %1 = pith.matmul %q, %m : (tensor<12x128x64xf32>, tensor<64x384xf32>) -> tensor<12x128x384xf32>
  // CHECK: pith.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x128x384xf32>, tensor<1536x384xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
  %2 = pith.linear %x, %w, %bias : (tensor<1x128x384xf32>, tensor<1536x384xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
  // CHECK: pith.linear %{{.*}}, %{{.*}} : (tensor<1x128x384xf32>, tensor<1536x384xf32>) -> tensor<1x128x1536xf32>
  %3 = pith.linear %x, %w : (tensor<1x128x384xf32>, tensor<1536x384xf32>) -> tensor<1x128x1536xf32>
  // CHECK: pith.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  %4 = pith.conv %img, %f, %fb {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  // A depthwise convolution: one group per channel.
  // CHECK: pith.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 64 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x64x112x112xf32>, tensor<64x1x3x3xf32>) -> tensor<1x64x112x112xf32>
  %5 = pith.conv %4, %dw {strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>, groups = 64 : i64} : (tensor<1x64x112x112xf32>, tensor<64x1x3x3xf32>) -> tensor<1x64x112x112xf32>
  // CHECK: pith.conv %{{.*}}, %{{.*}} {{.*}} : (tensor<2x8x100xf32>, tensor<16x8x5xf32>) -> tensor<2x16x48xf32>
  %6 = pith.conv %seq, %f1 {strides = array<i64: 2>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : (tensor<2x8x100xf32>, tensor<16x8x5xf32>) -> tensor<2x16x48xf32>
  return
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x64x112x112xf32>, %y: tensor<1x8x5x5xf32>) {
  // CHECK: pith.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %0 = pith.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  // ceil_mode rounds the output extent up: ceil((5 - 2) / 2) + 1 = 3.
  // CHECK: pith.avg_pool %{{.*}} {ceil_mode = true, count_include_pad = true, {{.*}}} : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  %1 = pith.avg_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true, count_include_pad = true} : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  // Without it the last partial window is dropped.
  // CHECK: pith.avg_pool %{{.*}} : (tensor<1x8x5x5xf32>) -> tensor<1x8x2x2xf32>
  %2 = pith.avg_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>) -> tensor<1x8x2x2xf32>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<1x128x384xf32>, %g: tensor<384xf32>,
                      %c: tensor<2x16x8x8xf32>, %s: tensor<16xf32>) {
  // CHECK: pith.reduce mean %{{.*}} {axes = array<i64: 2>, keepdims = true} : (tensor<1x128x384xf32>) -> tensor<1x128x1xf32>
  %0 = pith.reduce mean %x {axes = array<i64: 2>, keepdims = true} : (tensor<1x128x384xf32>) -> tensor<1x128x1xf32>
  // CHECK: pith.reduce sum %{{.*}} {axes = array<i64: 0, 2>} : (tensor<1x128x384xf32>) -> tensor<128xf32>
  %1 = pith.reduce sum %x {axes = array<i64: 0, 2>} : (tensor<1x128x384xf32>) -> tensor<128xf32>
  // CHECK: pith.reduce log_sum_exp
  %2 = pith.reduce log_sum_exp %x {axes = array<i64: 1>} : (tensor<1x128x384xf32>) -> tensor<1x384xf32>
  // CHECK: pith.arg_max %{{.*}} {axis = 2 : i64} : (tensor<1x128x384xf32>) -> tensor<1x128xi64>
  %3 = pith.arg_max %x {axis = 2 : i64} : (tensor<1x128x384xf32>) -> tensor<1x128xi64>
  // CHECK: pith.arg_min %{{.*}} {axis = 0 : i64, keepdims = true, select_last_index = true} : (tensor<1x128x384xf32>) -> tensor<1x128x384xi64>
  %4 = pith.arg_min %x {axis = 0 : i64, keepdims = true, select_last_index = true} : (tensor<1x128x384xf32>) -> tensor<1x128x384xi64>
  // CHECK: pith.top_k %{{.*}} {axis = 2 : i64, k = 5 : i64} : (tensor<1x128x384xf32>) -> (tensor<1x128x5xf32>, tensor<1x128x5xi64>)
  %tv, %ti = pith.top_k %x {axis = 2 : i64, k = 5 : i64} : (tensor<1x128x384xf32>) -> (tensor<1x128x5xf32>, tensor<1x128x5xi64>)
  // CHECK: pith.top_k %{{.*}} {axis = 0 : i64, k = 1 : i64, largest = false, sorted = false}
  %bv, %bi = pith.top_k %x {axis = 0 : i64, k = 1 : i64, largest = false, sorted = false} : (tensor<1x128x384xf32>) -> (tensor<1x128x384xf32>, tensor<1x128x384xi64>)
  // CHECK: pith.softmax %{{.*}} {axis = 2 : i64} : tensor<1x128x384xf32>
  %5 = pith.softmax %x {axis = 2 : i64} : tensor<1x128x384xf32>
  // CHECK: pith.log_softmax %{{.*}} {axis = 1 : i64} : tensor<1x128x384xf32>
  %6 = pith.log_softmax %x {axis = 1 : i64} : tensor<1x128x384xf32>
  // CHECK: pith.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} {axis = 2 : i64, epsilon = 9.9999999999999998E-13 : f64} : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  %7 = pith.layer_norm %x scale %g bias %g {axis = 2 : i64, epsilon = 1.0e-12 : f64} : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  // CHECK: pith.layer_norm %{{.*}} {axis = 2 : i64} : (tensor<1x128x384xf32>) -> tensor<1x128x384xf32>
  %8 = pith.layer_norm %x {axis = 2 : i64} : (tensor<1x128x384xf32>) -> tensor<1x128x384xf32>
  // CHECK: pith.layer_norm %{{.*}} bias %{{.*}} {axis = 2 : i64}
  %9 = pith.layer_norm %x bias %g {axis = 2 : i64} : (tensor<1x128x384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
  // CHECK: pith.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
  %10 = pith.batch_norm %c, %s, %s, %s, %s : (tensor<2x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
  return
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<1x128x384xf32>, %ids: tensor<1x128xi64>,
                         %table: tensor<30522x384xf32>, %v: tensor<3x1xi32>,
                         %q: tensor<8x8xi4>) {
  // CHECK: pith.reshape %{{.*}} : tensor<1x128x384xf32> to tensor<1x128x12x32xf32>
  %0 = pith.reshape %x : tensor<1x128x384xf32> to tensor<1x128x12x32xf32>
  // CHECK: pith.transpose %{{.*}} {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x32xf32>) -> tensor<1x12x128x32xf32>
  %1 = pith.transpose %0 {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x32xf32>) -> tensor<1x12x128x32xf32>
  // Data movement works on quantized storage too.
  // CHECK: pith.transpose %{{.*}} {permutation = array<i64: 1, 0>} : (tensor<8x8xi4>) -> tensor<8x8xi4>
  %2 = pith.transpose %q {permutation = array<i64: 1, 0>} : (tensor<8x8xi4>) -> tensor<8x8xi4>
  // CHECK: pith.concat %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<1x128x384xf32>, tensor<1x128x384xf32>) -> tensor<1x128x768xf32>
  %3 = pith.concat %x, %x {axis = 2 : i64} : (tensor<1x128x384xf32>, tensor<1x128x384xf32>) -> tensor<1x128x768xf32>
  // CHECK: pith.split %{{.*}} {axis = 2 : i64} : (tensor<1x128x768xf32>) -> (tensor<1x128x384xf32>, tensor<1x128x256xf32>, tensor<1x128x128xf32>)
  %4:3 = pith.split %3 {axis = 2 : i64} : (tensor<1x128x768xf32>) -> (tensor<1x128x384xf32>, tensor<1x128x256xf32>, tensor<1x128x128xf32>)
  // CHECK: pith.slice %{{.*}} {limits = array<i64: 1, 128, 384>, starts = array<i64: 0, 1, 0>, steps = array<i64: 1, 2, 3>} : (tensor<1x128x384xf32>) -> tensor<1x64x128xf32>
  %5 = pith.slice %x {starts = array<i64: 0, 1, 0>, limits = array<i64: 1, 128, 384>, steps = array<i64: 1, 2, 3>} : (tensor<1x128x384xf32>) -> tensor<1x64x128xf32>
  // A negative step walks backwards, down to the position after the limit.
  // CHECK: pith.slice %{{.*}} {limits = array<i64: 1, -1, 384>, starts = array<i64: 0, 127, 0>, steps = array<i64: 1, -1, 1>} : (tensor<1x128x384xf32>) -> tensor<1x128x384xf32>
  %6 = pith.slice %x {starts = array<i64: 0, 127, 0>, limits = array<i64: 1, -1, 384>, steps = array<i64: 1, -1, 1>} : (tensor<1x128x384xf32>) -> tensor<1x128x384xf32>
  // CHECK: pith.gather %{{.*}}[%{{.*}}] {axis = 0 : i64} : (tensor<30522x384xf32>, tensor<1x128xi64>) -> tensor<1x128x384xf32>
  %7 = pith.gather %table[%ids] {axis = 0 : i64} : (tensor<30522x384xf32>, tensor<1x128xi64>) -> tensor<1x128x384xf32>
  // CHECK: pith.gather_elements %{{.*}}[%{{.*}}] {axis = 1 : i64} : (tensor<30522x384xf32>, tensor<1x128xi64>) -> tensor<1x128xf32>
  %ge = pith.gather_elements %table[%ids] {axis = 1 : i64} : (tensor<30522x384xf32>, tensor<1x128xi64>) -> tensor<1x128xf32>
  // CHECK: pith.gather_nd %{{.*}}[%{{.*}}] : (tensor<1x128x384xf32>, tensor<1x128x2xi64>) -> tensor<1x128x384xf32>
  %nd_indices = pith.constant dense<0> : tensor<1x128x2xi64>
  %nd = pith.gather_nd %x[%nd_indices] : (tensor<1x128x384xf32>, tensor<1x128x2xi64>) -> tensor<1x128x384xf32>
  // CHECK: pith.gather_nd %{{.*}}[%{{.*}}] {batch_dims = 1 : i64} : (tensor<1x128x384xf32>, tensor<1x5x1xi64>) -> tensor<1x5x384xf32>
  %bi = pith.constant dense<0> : tensor<1x5x1xi64>
  %nb = pith.gather_nd %x[%bi] {batch_dims = 1 : i64} : (tensor<1x128x384xf32>, tensor<1x5x1xi64>) -> tensor<1x5x384xf32>
  // CHECK: pith.expand %{{.*}} : tensor<3x1xi32> to tensor<2x3x4xi32>
  %8 = pith.expand %v : tensor<3x1xi32> to tensor<2x3x4xi32>
  // CHECK: pith.pad constant %{{.*}} {pads = array<i64: 0, 1, 2, 0, 1, 2>, value = -1.000000e+00 : f64} : (tensor<1x128x384xf32>) -> tensor<1x130x388xf32>
  %9 = pith.pad constant %x {pads = array<i64: 0, 1, 2, 0, 1, 2>, value = -1.0 : f64} : (tensor<1x128x384xf32>) -> tensor<1x130x388xf32>
  // CHECK: pith.pad reflect %{{.*}} {pads = array<i64: 2, 0, 1, 0>} : (tensor<3x1xi32>) -> tensor<6x1xi32>
  %10 = pith.pad reflect %v {pads = array<i64: 2, 0, 1, 0>} : (tensor<3x1xi32>) -> tensor<6x1xi32>
  // CHECK: pith.pad edge %{{.*}} {pads = array<i64: 0, 2, 0, 1>} : (tensor<3x1xi32>) -> tensor<3x4xi32>
  %11 = pith.pad edge %v {pads = array<i64: 0, 2, 0, 1>} : (tensor<3x1xi32>) -> tensor<3x4xi32>
  return
}

// CHECK-LABEL: func.func @quantization
func.func @quantization(%w: tensor<256x128xf32>, %s0: tensor<f32>,
                        %s1: tensor<256xf32>, %sb: tensor<256x4xf32>,
                        %z1: tensor<256xui8>, %zb: tensor<256x4xui4>,
                        %odd: tensor<256x100xf32>, %so: tensor<256x4xf32>) {
  // CHECK: pith.quantize %{{.*}}, %{{.*}} : (tensor<256x128xf32>, tensor<f32>) -> tensor<256x128xi8>
  %0 = pith.quantize %w, %s0 : (tensor<256x128xf32>, tensor<f32>) -> tensor<256x128xi8>
  // CHECK: pith.dequantize %{{.*}}, %{{.*}} : (tensor<256x128xi8>, tensor<f32>) -> tensor<256x128xf32>
  %1 = pith.dequantize %0, %s0 : (tensor<256x128xi8>, tensor<f32>) -> tensor<256x128xf32>
  // CHECK: pith.quantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<256x128xf32>, tensor<256xf32>, tensor<256xui8>) -> tensor<256x128xui8>
  %2 = pith.quantize %w, %s1, %z1 {axis = 0 : i64} : (tensor<256x128xf32>, tensor<256xf32>, tensor<256xui8>) -> tensor<256x128xui8>
  // CHECK: pith.dequantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<256x128xui8>, tensor<256xf32>, tensor<256xui8>) -> tensor<256x128xf32>
  %3 = pith.dequantize %2, %s1, %z1 {axis = 0 : i64} : (tensor<256x128xui8>, tensor<256xf32>, tensor<256xui8>) -> tensor<256x128xf32>
  // Group-wise int4: blocks of 32 along the reduction axis.
  // CHECK: pith.quantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x128xf32>, tensor<256x4xf32>, tensor<256x4xui4>) -> tensor<256x128xui4>
  %4 = pith.quantize %w, %sb, %zb {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x128xf32>, tensor<256x4xf32>, tensor<256x4xui4>) -> tensor<256x128xui4>
  // CHECK: pith.dequantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x128xui4>, tensor<256x4xf32>, tensor<256x4xui4>) -> tensor<256x128xf32>
  %5 = pith.dequantize %4, %sb, %zb {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x128xui4>, tensor<256x4xf32>, tensor<256x4xui4>) -> tensor<256x128xf32>
  // The last block may be partial: 100 = 3 * 32 + 4.
  // CHECK: pith.quantize %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x100xf32>, tensor<256x4xf32>) -> tensor<256x100xi2>
  %6 = pith.quantize %odd, %so {axis = 1 : i64, block_size = 32 : i64} : (tensor<256x100xf32>, tensor<256x4xf32>) -> tensor<256x100xi2>
  return
}

// N:M sparse rows: the kept values and their positions in each group.
// CHECK-LABEL: func.func @sparsity
func.func @sparsity(%v: tensor<8x32xf32>, %p: tensor<8x32xui2>, %v8: tensor<8x16xf32>, %p8: tensor<8x16xui4>) {
  // CHECK: pith.densify %{{.*}}, %{{.*}} {m = 4 : i64, n = 2 : i64} : (tensor<8x32xf32>, tensor<8x32xui2>) -> tensor<8x64xf32>
  %0 = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<8x32xf32>, tensor<8x32xui2>) -> tensor<8x64xf32>
  // CHECK: pith.densify %{{.*}}, %{{.*}} {m = 8 : i64, n = 4 : i64} : (tensor<8x16xf32>, tensor<8x16xui4>) -> tensor<8x32xf32>
  %1 = pith.densify %v8, %p8 {n = 4 : i64, m = 8 : i64} : (tensor<8x16xf32>, tensor<8x16xui4>) -> tensor<8x32xf32>
  return
}

// Other sparse matrices: the nonzeros in row-major order and a mask.
// CHECK-LABEL: func.func @masked_sparsity
func.func @masked_sparsity(%v: tensor<7xf32>, %m: tensor<4x6xi1>) -> tensor<4x6xf32> {
  // CHECK: pith.masked_densify %{{.*}}, %{{.*}} : (tensor<7xf32>, tensor<4x6xi1>) -> tensor<4x6xf32>
  %0 = pith.masked_densify %v, %m : (tensor<7xf32>, tensor<4x6xi1>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc1.weight: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
