// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s

// quantize: round half to even of x / scale, saturated to the type.
// CHECK: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @quantize
func.func @quantize(%w: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}]
  // CHECK: %[[Q:.*]] = arith.divf
  // CHECK: %[[R:.*]] = math.roundeven %[[Q]] : f32
  // CHECK: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
  // CHECK: %[[A:.*]] = arith.maximumf %[[R]], %[[LO]] : f32
  // CHECK: %[[HI:.*]] = arith.constant 1.270000e+02 : f32
  // CHECK: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]] : f32
  // CHECK: arith.fptosi %[[B]] : f32 to i8
  %0 = pith.quantize %w, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi8>
  return %0 : tensor<4x8xi8>
}

// -----

// Per-axis parameters are read along their axis; unsigned values convert
// with uitofp.
// CHECK: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @dequantize_axis
// CHECK-SAME: (%{{.*}}: tensor<4x8xi8>, %{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xi8>)
func.func @dequantize_axis(%q: tensor<4x8xui8>, %s: tensor<4xf32>, %z: tensor<4xui8>) -> tensor<4x8xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #[[ROW]], #{{.*}}]
  // CHECK: ^bb0(%[[QV:.*]]: i8, %[[SV:.*]]: f32, %[[ZV:.*]]: i8, %{{.*}}: f32):
  // CHECK: %[[QF:.*]] = arith.uitofp %[[QV]] : i8 to f32
  // CHECK: %[[ZF:.*]] = arith.uitofp %[[ZV]] : i8 to f32
  // CHECK: %[[D:.*]] = arith.subf %[[QF]], %[[ZF]] : f32
  // CHECK: arith.mulf %[[D]], %[[SV]] : f32
  %0 = pith.dequantize %q, %s, %z {axis = 0 : i64} : (tensor<4x8xui8>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Blocks of 4 along axis 1: parameter column j / 4, a partial last block.
// CHECK: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-LABEL: func.func @dequantize_blocked
func.func @dequantize_blocked(%q: tensor<2x10xi4>, %s: tensor<2x3xf32>) -> tensor<2x10xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #{{.*}}]
  // CHECK: arith.sitofp %{{.*}} : i4 to f32
  %0 = pith.dequantize %q, %s {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x10xi4>, tensor<2x3xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}
