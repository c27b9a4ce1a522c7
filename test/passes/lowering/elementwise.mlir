// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s

// Broadcasting is in the indexing maps: the [3] operand reads (d1).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
  // CHECK: arith.addf
  %0 = pith.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Unsigned types become signless, in the signature too; the pith op's
// types choose unsigned arithmetic.
// CHECK-LABEL: func.func @unsigned_div
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
func.func @unsigned_div(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // CHECK: arith.divui %{{.*}}, %{{.*}} : i8
  %0 = pith.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @signed_div_rem
func.func @signed_div_rem(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  // CHECK: arith.divsi
  %0 = pith.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.remsi
  %1 = pith.rem %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1 : tensor<4xi32>, tensor<4xi32>
}

// -----

// Exact GELU: x/2 * (1 + erf(x/sqrt(2))).
// CHECK-LABEL: func.func @gelu
func.func @gelu(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK: %[[HALF:.*]] = arith.mulf %[[IN]], %{{.*}} : f32
  // CHECK: %[[SCALED:.*]] = arith.mulf %[[IN]], %{{.*}} : f32
  // CHECK: %[[ERF:.*]] = math.erf %[[SCALED]] : f32
  // CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[ERF]] : f32
  // CHECK: %[[R:.*]] = arith.mulf %[[HALF]], %[[SUM]] : f32
  // CHECK: linalg.yield %[[R]]
  %0 = pith.gelu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: math.tanh
  // CHECK-NOT: math.erf
  %0 = pith.gelu %x approximation = tanh : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @clamp
func.func @clamp(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[A:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
  // CHECK: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
  // CHECK: arith.minimumf %[[A]], %[[HI]] : f32
  %0 = pith.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @compare_where
func.func @compare_where(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[C:.*]] = linalg.generic
  // CHECK-SAME: outs(%{{.*}} : tensor<2x3xi1>)
  // CHECK: arith.cmpf olt
  %c = pith.compare lt, %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[C]], %arg0, %arg1 : tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>)
  // CHECK: arith.select
  %w = pith.where %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %w : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @compare_unsigned
func.func @compare_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xi1> {
  // CHECK: arith.cmpi ult
  %c = pith.compare lt, %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  return %c : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @cast
func.func @cast(%a: tensor<2xf32>, %p: tensor<2xi1>, %u: tensor<2xui8>) -> (tensor<2xui8>, tensor<2xi32>, tensor<2xf32>, tensor<2xf16>) {
  // CHECK: arith.extui %{{.*}} : i1 to i8
  %0 = pith.cast %p : tensor<2xi1> to tensor<2xui8>
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %1 = pith.cast %a : tensor<2xf32> to tensor<2xi32>
  // CHECK: arith.uitofp %{{.*}} : i8 to f32
  %2 = pith.cast %u : tensor<2xui8> to tensor<2xf32>
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %3 = pith.cast %a : tensor<2xf32> to tensor<2xf16>
  return %0, %1, %2, %3 : tensor<2xui8>, tensor<2xi32>, tensor<2xf32>, tensor<2xf16>
}

// -----

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<2xf32> {
  // CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: return %[[C]]
  %0 = pith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Every unary op has a lowering.
// CHECK-LABEL: func.func @unary
// CHECK-NOT: pith.
func.func @unary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = pith.neg %x : tensor<4xf32>
  %1 = pith.abs %0 : tensor<4xf32>
  %2 = pith.relu %1 : tensor<4xf32>
  %3 = pith.sign %2 : tensor<4xf32>
  %4 = pith.exp %3 : tensor<4xf32>
  %5 = pith.log %4 : tensor<4xf32>
  %6 = pith.sqrt %5 : tensor<4xf32>
  %7 = pith.rsqrt %6 : tensor<4xf32>
  %8 = pith.reciprocal %7 : tensor<4xf32>
  %9 = pith.tanh %8 : tensor<4xf32>
  %10 = pith.sigmoid %9 : tensor<4xf32>
  %11 = pith.erf %10 : tensor<4xf32>
  %12 = pith.sin %11 : tensor<4xf32>
  %13 = pith.atan %12 : tensor<4xf32>
  %14 = pith.cos %13 : tensor<4xf32>
  %15 = pith.floor %14 : tensor<4xf32>
  %16 = pith.ceil %15 : tensor<4xf32>
  %17 = pith.round %16 : tensor<4xf32>
  %18 = pith.softplus %17 : tensor<4xf32>
  %19 = pith.silu %18 : tensor<4xf32>
  %20 = pith.hard_swish %19 : tensor<4xf32>
  return %20 : tensor<4xf32>
}
