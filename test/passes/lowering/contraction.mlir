// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s

// A 2-D matmul is linalg.matmul on a zero-filled accumulator.
// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
  // CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>)
  %0 = pith.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batched and broadcast matmuls are contractions over (batch, m, n, k).
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul
func.func @batch_matmul(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<5x2x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
  // CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
  // CHECK: arith.addf %[[ACC]], %[[P]] : f32
  %0 = pith.matmul %a, %b : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// linear reads the [N, K] weight as stored: x[m, k] * w[n, k], then the
// bias broadcast over rows.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[MM:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "reduction"]}
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}]
  // CHECK-SAME: ins(%[[MM]], %arg2 : tensor<2x4xf32>, tensor<4xf32>)
  // CHECK: arith.addf
  %0 = pith.linear %x, %w, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// conv pads its input, copies its windows into columns (n, g, c, kh, kw,
// oh, ow), reading input position o * stride + k * dilation, and multiplies
// the weight [g, f, c*kh*kw] by the columns [n, g, c*kh*kw, oh*ow].
// CHECK-DAG: #[[WINDOWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d5 * 2 + d3, d6 * 2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-DAG: #[[COLUMNS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: %[[PAD:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  // CHECK: %[[COPY:.*]] = linalg.generic {indexing_maps = [#[[WINDOWS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
  // CHECK-SAME: ins(%{{.*}} : tensor<1x1x3x10x10xf32>) outs(%{{.*}} : tensor<1x1x3x3x3x4x4xf32>)
  // CHECK: %[[COLS:.*]] = tensor.expand_shape {{.*}} : tensor<432xf32> into tensor<1x1x27x16xf32>
  // CHECK: %[[WEIGHT:.*]] = tensor.expand_shape {{.*}} : tensor<108xf32> into tensor<1x4x27xf32>
  // CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[W]], #[[COLUMNS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
  // CHECK-SAME: ins(%[[WEIGHT]], %[[COLS]] : tensor<1x4x27xf32>, tensor<1x1x27x16xf32>)
  // CHECK: %[[NCHW:.*]] = tensor.expand_shape {{.*}} : tensor<64xf32> into tensor<1x4x4x4xf32>
  // CHECK: %[[BIAS:.*]] = tensor.expand_shape %arg2 {{.*}} : tensor<4xf32> into tensor<4x1x1xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[NCHW]], %[[BIAS]]
  %0 = pith.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// A depthwise conv (a filter per channel) with unit strides multiplies its
// windows in place, no copy: loops (n, c, oh, kh, kw, ow), the window's
// reductions before ow, reading the padded input at (oh + 2 kh, ow + 2 kw)
// (dilation scales the window).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d3 * 2, d5 + d4 * 2)>
// CHECK-DAG: #[[TAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
// CHECK-LABEL: func.func @depthwise
func.func @depthwise(%x: tensor<1x4x10x10xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: %[[PADDED:.*]] = tensor.pad
  // CHECK: %[[TAPS:.*]] = tensor.expand_shape %{{.*}} output_shape [4, 3, 3] : tensor<36xf32> into tensor<4x3x3xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[TAP]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
  // CHECK-SAME: ins(%[[PADDED]], %[[TAPS]] : tensor<1x4x12x12xf32>, tensor<4x3x3xf32>) outs(%{{.*}} : tensor<1x4x8x8xf32>)
  // CHECK-NOT: linalg.generic
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 2, 2>, groups = 4 : i64} : (tensor<1x4x10x10xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A depthwise conv of stride 2 multiplies in place too, reading the padded
// input at (2 oh + kh, 2 ow + kw): one pass, 9 multiply-adds an output,
// the input not copied (pith-vectorize-rows picks each row's values apart
// in registers). Stride and dilation together scale both.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[TAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4)>
// CHECK-DAG: #[[DILATED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3 * 2, d5 * 2 + d4 * 2)>
// CHECK-LABEL: func.func @strided_depthwise
func.func @strided_depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x2x2xf32>) {
  // CHECK: %[[PADDED:.*]] = tensor.pad
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[TAP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]}
  // CHECK-SAME: ins(%[[PADDED]], %{{.*}} : tensor<1x4x10x10xf32>, tensor<4x3x3xf32>) outs(%{{.*}} : tensor<1x4x4x4xf32>)
  // CHECK: linalg.generic {indexing_maps = [#[[DILATED]], #[[TAP]], #{{.*}}]
  // CHECK-SAME: outs(%{{.*}} : tensor<1x4x2x2xf32>)
  %0 = pith.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = pith.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x4x2x2xf32>
}

// -----

// Where the output positions do not fill 16-lane vectors (7x7 = 49) and
// the filters do, the filters are the product's last axis: windows are
// copied by loops (n, g, oh, ow, c, kh, kw), the last along a window's row
// of both, into [n, g, oh, ow, c, kh, kw]; the product is [n, o, f] over
// r = c*kh*kw with the weight transposed to [r, f], then transposed back
// to [n, f, o].
// CHECK-DAG: #[[WINDOWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4, d5, d6)>
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @small_image
func.func @small_image(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[WINDOWS]], #[[ROWS]]]
  // CHECK-SAME: outs(%{{.*}} : tensor<1x1x7x7x8x3x3xf32>)
  // CHECK: %[[COLS:.*]] = tensor.expand_shape {{.*}} : tensor<3528xf32> into tensor<1x49x72xf32>
  // CHECK: %[[W:.*]] = tensor.expand_shape {{.*}} : tensor<1152xf32> into tensor<16x72xf32>
  // CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<16x72xf32>) outs(%{{.*}} : tensor<72x16xf32>) permutation = [1, 0]
  // CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
  // CHECK-SAME: ins(%[[COLS]], %[[WT]] : tensor<1x49x72xf32>, tensor<72x16xf32>) outs(%{{.*}} : tensor<1x49x16xf32>)
  // CHECK: linalg.transpose ins(%[[PRODUCT]] : tensor<1x49x16xf32>) outs(%{{.*}} : tensor<1x16x49xf32>) permutation = [0, 2, 1]
  // CHECK: tensor<784xf32> into tensor<1x16x7x7xf32>
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// A constant weight is transposed at compile time; a 1x1 convolution's
// input is transposed into [n, o, c] instead of copied by windows.
// CHECK-LABEL: func.func @small_pointwise
func.func @small_pointwise(%x: tensor<2x8x7x7xf32>) -> tensor<2x16x7x7xf32> {
  // CHECK-NOT: tensor.pad
  // CHECK: %[[COLS:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x8x49xf32>) outs(%{{.*}} : tensor<2x49x8xf32>) permutation = [0, 2, 1]
  // CHECK: %[[WT:.*]] = arith.constant dense<1.000000e+00> : tensor<8x16xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[COLS]], %[[WT]] : tensor<2x49x8xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<2x49x16xf32>)
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<2x49x16xf32>) outs(%{{.*}} : tensor<2x16x49xf32>) permutation = [0, 2, 1]
  %w = pith.constant dense<1.0> : tensor<16x8x1x1xf32>
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x8x7x7xf32>, tensor<16x8x1x1xf32>) -> tensor<2x16x7x7xf32>
  return %0 : tensor<2x16x7x7xf32>
}

// -----

// A weight dequantized per filter from constant integers and scales makes
// the product a quantized linear layer over the columns [n, o, c*k...],
// its weight the integers viewed [f, c*k...] and packed into panels of 16
// filters: the float weight is never materialized.
// CHECK-LABEL: func.func @small_image_quantized
func.func @small_image_quantized(%x: tensor<1x8x7x7xf32>) -> tensor<1x16x7x7xf32> {
  // CHECK-DAG: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weight_packed> : tensor<1x1x72x16xi8>
  // CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<quantized_weight_scale_packed> : tensor<1x1x16xf32>
  // CHECK: %[[COLUMNS:.*]] = tensor.expand_shape %{{.*}} output_shape [49, 1, 72, 1] : tensor<3528xf32> into tensor<49x1x72x1xf32>
  // CHECK: %[[PRODUCT:.*]] = linalg.generic
  // CHECK-SAME: ins(%[[COLUMNS]], %[[PACKED]], %[[SCALES]] : tensor<49x1x72x1xf32>, tensor<1x1x72x16xi8>, tensor<1x1x16xf32>)
  // CHECK-SAME: pith.quantized_matmul = {bits = 8 : i64, unsigned = false}
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<1x49x16xf32>) outs(%{{.*}} : tensor<1x16x49xf32>) permutation = [0, 2, 1]
  %s = pith.constant dense<0.5> : tensor<16xf32>
  %q = pith.constant dense<3> : tensor<16x8x3x3xi8>
  %w = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<16x8x3x3xi8>, tensor<16xf32>) -> tensor<16x8x3x3xf32>
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// A 1x1 weight dequantized per filter and group of 16 input channels
// (scales [16, 2, 1, 1]) is a quantized linear layer with groups: its
// integers packed two to a byte, one scale per group and filter.
// CHECK-LABEL: func.func @small_image_quantized_in_groups
func.func @small_image_quantized_in_groups(%x: tensor<1x32x7x7xf32>) -> tensor<1x16x7x7xf32> {
  // CHECK-DAG: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weight_packed> : tensor<1x2x8x16xi8>
  // CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<quantized_weight_scale_packed> : tensor<1x2x16xf32>
  // CHECK: linalg.generic {{.*}}ins(%{{.*}}, %[[PACKED]], %[[SCALES]], %{{.*}} : tensor<49x2x8x2xf32>, tensor<1x2x8x16xi8>, tensor<1x2x16xf32>, tensor<49x2xf32>)
  // CHECK-SAME: pith.quantized_matmul = {bits = 4 : i64
  %s = pith.constant dense<0.5> : tensor<16x2x1x1xf32>
  %q = pith.constant dense<3> : tensor<16x32x1x1xi4>
  %w = pith.dequantize %q, %s {axis = 1 : i64, block_size = 16 : i64} : (tensor<16x32x1x1xi4>, tensor<16x2x1x1xf32>) -> tensor<16x32x1x1xf32>
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x32x7x7xf32>, tensor<16x32x1x1xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// Scales that are not constants cannot be packed: the weight is
// dequantized, then transposed to [c*k..., f].
// CHECK-LABEL: func.func @small_image_quantized_by_argument
func.func @small_image_quantized_by_argument(%x: tensor<1x8x7x7xf32>, %s: tensor<16xf32>) -> tensor<1x16x7x7xf32> {
  // CHECK: %[[W:.*]] = linalg.generic
  // CHECK-SAME: outs(%{{.*}} : tensor<16x8x3x3xf32>)
  // CHECK: arith.sitofp
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<16x72xf32>) outs(%{{.*}} : tensor<72x16xf32>) permutation = [1, 0]
  // CHECK-NOT: pith.quantized_matmul
  %q = pith.constant dense<3> : tensor<16x8x3x3xi8>
  %w = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<16x8x3x3xi8>, tensor<16xf32>) -> tensor<16x8x3x3xf32>
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x7x7xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x7x7xf32>
  return %0 : tensor<1x16x7x7xf32>
}

// -----

// A 1x1 convolution with unit strides multiplies the input itself: no copy.
// CHECK-LABEL: func.func @pointwise
func.func @pointwise(%x: tensor<1x8x4x4xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32> {
  // CHECK-NOT: tensor.pad
  // CHECK: %[[COLS:.*]] = tensor.expand_shape %{{.*}} : tensor<128xf32> into tensor<1x1x8x16xf32>
  // CHECK-NOT: linalg.generic
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%{{.*}}, %[[COLS]] : tensor<1x16x8xf32>, tensor<1x1x8x16xf32>) outs(%{{.*}} : tensor<1x1x16x16xf32>)
  // CHECK-NOT: linalg.generic
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// Output rows of whole vectors (32 wide here, 112 in MobileNetV2) keep the
// positions as the image's rows and columns: the product is [n, f, oh, ow]
// itself, read by its bias as it lies, with no reshape between them, so a
// register tile never spans two rows and can be stored into a padded
// buffer.
// CHECK-DAG: #[[ROWW:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4)>
// CHECK-DAG: #[[ROWX:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d2, d3)>
// CHECK-DAG: #[[ROWOUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @pointwise_rows
func.func @pointwise_rows(%x: tensor<1x8x4x32xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<16xf32>) -> tensor<1x16x4x32xf32> {
  // CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[ROWW]], #[[ROWX]], #[[ROWOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<16x8xf32>, tensor<1x8x4x32xf32>) outs(%{{.*}} : tensor<1x16x4x32xf32>)
  // CHECK-NOT: tensor.expand_shape {{.*}} into tensor<1x16x4x32xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[PRODUCT]], %{{.*}} : tensor<1x16x4x32xf32>, tensor<16x1x1xf32>)
  %0 = pith.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x8x4x32xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x4x32xf32>
  return %0 : tensor<1x16x4x32xf32>
}

// -----

// max_pool pads with -inf and takes the maximum over a window given by a
// kernel-shaped empty tensor.
// CHECK-LABEL: func.func @max_pool
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: tensor.pad
  // CHECK: tensor.yield %[[NEGINF]]
  // CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<3x3xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%{{.*}}, %[[WINDOW]] : tensor<1x2x10x10xf32>, tensor<3x3xf32>)
  // CHECK: arith.maximumf
  %0 = pith.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// avg_pool sums, then divides by the window's size at each output position;
// with ceil_mode the last windows hang over the edge and count less.
// CHECK-LABEL: func.func @avg_pool_ceil
func.func @avg_pool_ceil(%y: tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32> {
  // CHECK: tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 1, 1]
  // CHECK: arith.addf
  // CHECK: arith.constant dense<{{\[}}[4.000000e+00, 4.000000e+00, 2.000000e+00], [4.000000e+00, 4.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<3x3xf32>
  // CHECK: arith.divf
  %1 = pith.avg_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  return %1 : tensor<1x8x3x3xf32>
}

// -----

// With count_include_pad, padding counts toward the divisor.
// CHECK-LABEL: func.func @avg_pool_count_pad
func.func @avg_pool_count_pad(%y: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: arith.constant dense<9.000000e+00> : tensor<4x4xf32>
  %1 = pith.avg_pool %y {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, count_include_pad = true} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  return %1 : tensor<1x1x4x4xf32>
}
