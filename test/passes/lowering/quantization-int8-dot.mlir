// RUN: pith-opt %s --pith-lower-to-linalg="int8-dot=true" --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s --check-prefix=FLOAT
// RUN: pith-opt %s --pith-lower-to-linalg="int8-dot=true int8-dot-bits=4" --split-input-file | FileCheck %s --check-prefix=AVX2

// A layer whose input is int8 per token (W4A8): with int8-dot the
// contraction reads the int8 values [M, groups, blocks, values a byte, 4]
// and the row scales, and the weights are packed for dot products: a block
// of 8 values of K is 16 columns x 4 bytes, byte t of a column holding
// values t (low bits) and t + 4 (high bits), stored plus 8. Column 0 is
// (-8, -7, ..., -1) + 8 = (0, ..., 7): bytes 0x40, 0x51, 0x62, 0x73; the
// padding columns are 0. The offset 8 times each group's sum of inputs is
// taken away at the group's first value: the sums [M, groups] are one
// reduction before the contraction, not one per panel.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d4, d5, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d2, d6)>
// CHECK-DAG: #[[SUMS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0)>
// CHECK-DAG: #[[GROUP_IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[GROUP_OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @w4a8
//       CHECK: %[[PACKED:.*]] = arith.constant dense_resource<quantized_weight_packed_dot> : tensor<1x1x1x16x4xi8>
//       CHECK: %[[Q:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 1, 1, 2, 4] : tensor<16xi8> into tensor<2x1x1x2x4xi8>
//       CHECK: %[[GROUPS:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 1, 8] : tensor<16xi8> into tensor<2x1x8xi8>
//       CHECK: %[[XSUMS:.*]] = linalg.generic {indexing_maps = [#[[GROUP_IN]], #[[GROUP_OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[GROUPS]] : tensor<2x1x8xi8>) outs(%{{.*}} : tensor<2x1xi32>)
//       CHECK:   arith.extsi %{{.*}} : i8 to i32
//       CHECK:   arith.addi
//       CHECK: %[[S:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x1xf32> into tensor<2xf32>
//       CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #{{.*}}, #[[SUMS]], #[[ROWS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[Q]], %[[PACKED]], %{{.*}}, %[[XSUMS]], %[[S]] : tensor<2x1x1x2x4xi8>, tensor<1x1x1x16x4xi8>, tensor<1x1x16xf32>, tensor<2x1xi32>, tensor<2xf32>)
//  CHECK-SAME: pith.quantized_matmul = {bits = 4 : i64, dot = true, unsigned = false}
//       CHECK: ^bb0(%[[QX:.*]]: i8, %{{.*}}: i8, %[[WSCALE:.*]]: f32, %[[XSUM:.*]]: i32, %[[XSCALE:.*]]: f32, %[[ACC:.*]]: f32):
//       CHECK:   %[[PARTIAL:.*]] = arith.addf %[[ACC]], %{{.*}} : f32
//       CHECK:   %[[EIGHT:.*]] = arith.constant 8.000000e+00 : f32
//       CHECK:   %[[SUMF:.*]] = arith.sitofp %[[XSUM]] : i32 to f32
//       CHECK:   %[[SUM:.*]] = arith.mulf %[[SUMF]], %[[XSCALE]] : f32
//       CHECK:   %[[CS:.*]] = arith.mulf %[[EIGHT]], %[[WSCALE]] : f32
//       CHECK:   %[[CORRECTION:.*]] = arith.mulf %[[CS]], %[[SUM]] : f32
//       CHECK:   %[[B4:.*]] = linalg.index 4 : index
//       CHECK:   %[[AT4:.*]] = arith.cmpi eq, %[[B4]], %[[C0:.*]] : index
//       CHECK:   %[[B5:.*]] = linalg.index 5 : index
//       CHECK:   %[[AT5:.*]] = arith.cmpi eq, %[[B5]], %[[C0]] : index
//       CHECK:   %[[AT45:.*]] = arith.andi %[[AT4]], %[[AT5]] : i1
//       CHECK:   %[[B6:.*]] = linalg.index 6 : index
//       CHECK:   %[[AT6:.*]] = arith.cmpi eq, %[[B6]], %[[C0]] : index
//       CHECK:   %[[FIRST:.*]] = arith.andi %[[AT45]], %[[AT6]] : i1
//       CHECK:   %[[CORRECTED:.*]] = arith.subf %[[PARTIAL]], %[[CORRECTION]] : f32
//       CHECK:   arith.select %[[FIRST]], %[[CORRECTED]], %[[PARTIAL]] : f32
//       CHECK: quantized_weight_packed_dot: "0x4000000040516273{{0+}}"
// FLOAT-LABEL: func.func @w4a8
//   FLOAT-NOT: dot = true
// AVX2-LABEL: func.func @w4a8
//       AVX2: pith.quantized_matmul = {bits = 4 : i64, dot = true, unsigned = false}
func.func @w4a8(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %q = pith.constant dense<[[-8, -7, -6, -5, -4, -3, -2, -1]]> : tensor<1x8xi4>
  %w_s = pith.constant dense<[[0.5]]> : tensor<1x1xf32>
  %w = pith.dequantize %q, %w_s {axis = 1 : i64, block_size = 8 : i64} : (tensor<1x8xi4>, tensor<1x1xf32>) -> tensor<1x8xf32>
  %peak = pith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %xq = pith.quantize %x, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xi8>
  %xd = pith.dequantize %xq, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = pith.linear %xd, %w : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32> loc("fc")
  return %y : tensor<2x1xf32>
}

// -----

// Groups of 4 int4 values cannot fill a block of 8: the float form.
// CHECK-LABEL: func.func @small_groups
//   CHECK-NOT: dot = true
func.func @small_groups(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %q = pith.constant dense<[[-8, -7, -6, -5, -4, -3, -2, -1]]> : tensor<1x8xi4>
  %w_s = pith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = pith.dequantize %q, %w_s {axis = 1 : i64, block_size = 4 : i64} : (tensor<1x8xi4>, tensor<1x2xf32>) -> tensor<1x8xf32>
  %peak = pith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %xq = pith.quantize %x, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xi8>
  %xd = pith.dequantize %xq, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = pith.linear %xd, %w : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32> loc("fc")
  return %y : tensor<2x1xf32>
}

// -----

// 8-bit weights multiply as integers only where 8-bit products cannot
// overflow the 16-bit pair sums of AVX2's vpmaddubsw: with int8-dot-bits=4
// they stay in float.
// CHECK-LABEL: func.func @w8a8
//       CHECK: pith.quantized_matmul = {bits = 8 : i64, dot = true, unsigned = false}
// AVX2-LABEL: func.func @w8a8
//   AVX2-NOT: dot = true
func.func @w8a8(%x: tensor<2x8xf32>) -> tensor<2x1xf32> {
  %q = pith.constant dense<[[-128, -7, 6, -5, 100, -3, 2, 127]]> : tensor<1x8xi8>
  %w_s = pith.constant dense<[0.5]> : tensor<1xf32>
  %w = pith.dequantize %q, %w_s {axis = 0 : i64} : (tensor<1x8xi8>, tensor<1xf32>) -> tensor<1x8xf32>
  %peak = pith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %xq = pith.quantize %x, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xi8>
  %xd = pith.dequantize %xq, %peak {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xi8>, tensor<2x1xf32>) -> tensor<2x8xf32>
  %y = pith.linear %xd, %w : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x1xf32> loc("fc")
  return %y : tensor<2x1xf32>
}

// -----

// A convolution of int8 inputs (one scale per tensor) and int8 weights per
// filter multiplies as integers: the int8 input is padded with zeros and
// its windows copied as int8 [n, o..., c, k...], the scale is each row's,
// and the product, the filters its lanes (even at a 16x16 image, whose
// positions would fill vectors), is a W8A8 linear layer; then transposed
// back to [n, f, o]. Without int8 products (or with 4-bit ones only) the
// positions are the lanes of a float product of the dequantized input.
// CHECK-LABEL: func.func @int8_conv
//       CHECK: %[[PADDED:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
//       CHECK:   tensor.yield %{{.*}} : i8
//       CHECK: } : tensor<1x4x16x16xi8> to tensor<1x4x18x18xi8>
//       CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x4x18x18xi8>) outs(%{{.*}} : tensor<1x1x16x16x4x3x3xi8>)
//       CHECK: %[[ROWSCALES:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<1x256x1xf32>)
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<256x1x9x1x4xi8>, tensor<1x1x9x16x4xi8>, tensor<1x1x16xf32>, tensor<256x1xi32>, tensor<256xf32>)
//  CHECK-SAME: pith.quantized_matmul = {bits = 8 : i64, dot = true, unsigned = false}
//       CHECK: linalg.transpose ins(%{{.*}} : tensor<1x256x16xf32>) outs(%{{.*}} : tensor<1x16x256xf32>) permutation = [0, 2, 1]
// FLOAT-LABEL: func.func @int8_conv
//   FLOAT-NOT: dot = true
//       FLOAT: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x36xf32>, tensor<1x36x16x16xf32>) outs(%{{.*}} : tensor<1x16x16x16xf32>)
// AVX2-LABEL: func.func @int8_conv
//   AVX2-NOT: dot = true
func.func @int8_conv(%x: tensor<1x4x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %q = pith.constant dense<3> : tensor<16x4x3x3xi8>
  %w_s = pith.constant dense<0.5> : tensor<16xf32>
  %w = pith.dequantize %q, %w_s {axis = 0 : i64} : (tensor<16x4x3x3xi8>, tensor<16xf32>) -> tensor<16x4x3x3xf32>
  %s = pith.constant dense<0.25> : tensor<f32>
  %xq = pith.quantize %x, %s : (tensor<1x4x16x16xf32>, tensor<f32>) -> tensor<1x4x16x16xi8>
  %xd = pith.dequantize %xq, %s : (tensor<1x4x16x16xi8>, tensor<f32>) -> tensor<1x4x16x16xf32>
  %y = pith.conv %xd, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x16x16xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x16x16xf32>
  return %y : tensor<1x16x16x16xf32>
}

// -----

// An image's 3 channels of 3x3 windows (27 values) are not a multiple of
// the 4 a dot product takes: a zero channel is added to the int8 input
// (with the spatial padding) and to the filters' integers, 36 a window.
// CHECK-LABEL: func.func @int8_conv_of_three_channels
//       CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 1, 1, 1]
//       CHECK: } : tensor<1x3x8x8xi8> to tensor<1x4x10x10xi8>
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x1x9x1x4xi8>, tensor<1x1x9x16x4xi8>, tensor<1x1x16xf32>, tensor<64x1xi32>, tensor<64xf32>)
//  CHECK-SAME: dot = true
func.func @int8_conv_of_three_channels(%x: tensor<1x3x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %q = pith.constant dense<3> : tensor<16x3x3x3xi8>
  %w_s = pith.constant dense<0.5> : tensor<16xf32>
  %w = pith.dequantize %q, %w_s {axis = 0 : i64} : (tensor<16x3x3x3xi8>, tensor<16xf32>) -> tensor<16x3x3x3xf32>
  %s = pith.constant dense<0.25> : tensor<f32>
  %xq = pith.quantize %x, %s : (tensor<1x3x8x8xf32>, tensor<f32>) -> tensor<1x3x8x8xi8>
  %xd = pith.dequantize %xq, %s : (tensor<1x3x8x8xi8>, tensor<f32>) -> tensor<1x3x8x8xf32>
  %y = pith.conv %xd, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}
