// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg="pack-sparse=false" --canonicalize --split-input-file | FileCheck %s --check-prefix=EXPAND

// A linear layer over the densification of constants multiplies the kept
// values alone: values packed [panels, groups, n, 16], positions a byte
// per feature and group (slot s in bits 2s, 2s + 1), and x viewed
// [M, groups, m]; each offset of a group adds x's element there times the
// slot's value whose position it is.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d5)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
// CHECK-DAG: #[[P:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
// CHECK-LABEL: func.func @sparse_linear
//   CHECK-DAG: %[[POS:.*]] = arith.constant dense_resource<sparse_weight_positions_packed> : tensor<1x2x16xi8>
//   CHECK-DAG: %[[VAL:.*]] = arith.constant dense_resource<sparse_weight_packed> : tensor<1x2x2x16xf32>
//       CHECK: %[[XG:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [3, 2, 4]
//       CHECK: linalg.generic {indexing_maps = [#[[X]], #[[V]], #[[P]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XG]], %[[VAL]], %[[POS]] : tensor<3x2x4xf32>, tensor<1x2x2x16xf32>, tensor<1x2x16xi8>) outs(%{{.*}} : tensor<3x1x16xf32>) attrs = {pith.sparse_matmul = {m = 4 : i64, n = 2 : i64}}
//       CHECK:   %[[SLOT:.*]] = linalg.index 4
//       CHECK:   arith.shrui
//       CHECK:   %[[FIELD:.*]] = arith.andi
//       CHECK:   %[[OFFSET:.*]] = linalg.index 5
//       CHECK:   %[[OFF8:.*]] = arith.index_cast %[[OFFSET]] : index to i8
//       CHECK:   %[[HERE:.*]] = arith.cmpi eq, %[[FIELD]], %[[OFF8]] : i8
//       CHECK:   arith.select %[[HERE]]
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 2] [1, 1] : tensor<3x16xf32> to tensor<3x2xf32>
// Feature 0 keeps (1 at 0, 2 at 3), then (3 at 1, 4 at 2); feature 1
// (5 at 2, 6 at 3), then (7 at 0, 8 at 1): bytes 0x0C 0x0E, then 0x09 0x04.
//       CHECK: sparse_weight_positions_packed: "0x400000000C0E000000000000000000000000000009040000
//       CHECK: sparse_weight_packed: "0x400000000000803F0000A040{{(00000000)+}}00000040
// Without packing (GPUs), the weight is expanded at compile time and
// multiplied densely: rows (1, 0, 0, 2, 0, 3, 4, 0) and (0, 0, 5, 6, 7, 8,
// 0, 0).
// EXPAND-LABEL: func.func @sparse_linear
//   EXPAND-NOT: pith.sparse_matmul
//       EXPAND: %[[DENSE:.*]] = arith.constant dense_resource<sparse_weight_dense> : tensor<2x8xf32>
//       EXPAND: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[DENSE]] : tensor<3x8xf32>, tensor<2x8xf32>)
//       EXPAND: sparse_weight_dense: "0x400000000000803F0000000000000000000000400000000000004040000080400000000000000000000000000000A0400000C0400000E040000000410000000000000000"
func.func @sparse_linear(%x: tensor<3x8xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %v = pith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %p = pith.constant dense<[[0, 3, 1, 2], [2, 3, 0, 1]]> : tensor<2x4xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w, %b : (tensor<3x8xf32>, tensor<2x8xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// 4:8 takes 12 bits of positions a group: 16-bit integers.
// CHECK-LABEL: func.func @four_of_eight
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x1x8xf32>, tensor<1x1x4x16xf32>, tensor<1x1x16xi16>) {{.*}} attrs = {pith.sparse_matmul = {m = 8 : i64, n = 4 : i64}}
func.func @four_of_eight(%x: tensor<1x8xf32>) -> tensor<1x1xf32> {
  %v = pith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %p = pith.constant dense<[[0, 3, 5, 7]]> : tensor<1x4xui4>
  %w = pith.densify %v, %p {n = 4 : i64, m = 8 : i64} : (tensor<1x4xf32>, tensor<1x4xui4>) -> tensor<1x8xf32>
  %y = pith.linear %x, %w : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// Int8 kept values with a scale per row: packed as bytes, their scales
// [panels, 16] read per feature; each kept value is converted and scaled.
// CHECK-LABEL: func.func @quantized_kept
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<3x2x4xf32>, tensor<1x2x2x16xi8>, tensor<1x2x16xi8>, tensor<1x16xf32>) {{.*}} attrs = {pith.sparse_matmul = {m = 4 : i64, n = 2 : i64}}
//       CHECK:   ^bb0(%{{.*}}: f32, %[[Q:.*]]: i8, %{{.*}}: i8, %[[S:.*]]: f32, %{{.*}}: f32):
//       CHECK:   %[[QF:.*]] = arith.sitofp %[[Q]] : i8 to f32
//       CHECK:   arith.mulf %[[QF]], %[[S]] : f32
//       CHECK: sparse_weight_scale_packed: "0x400000000000003F0000803E
func.func @quantized_kept(%x: tensor<3x8xf32>) -> tensor<3x2xf32> {
  %q = pith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi8>
  %s = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %v = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<2x4xi8>, tensor<2xf32>) -> tensor<2x4xf32>
  %p = pith.constant dense<[[0, 3, 1, 2], [2, 3, 0, 1]]> : tensor<2x4xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// pith.densify on its own: for each slot of a group, value and position
// g n + s are read; the element at column c is the value whose position is
// c mod m, else zero.
// CHECK-DAG: #[[SLOT0:.*]] = affine_map<(d0, d1) -> (d0, (d1 floordiv 4) * 2)>
// CHECK-DAG: #[[SLOT1:.*]] = affine_map<(d0, d1) -> (d0, (d1 floordiv 4) * 2 + 1)>
// CHECK-LABEL: func.func @densify
//  CHECK-SAME: (%[[V:.*]]: tensor<2x4xf32>, %[[P:.*]]: tensor<2x4xi8>)
//       CHECK: linalg.generic {indexing_maps = [#[[SLOT0]], #[[SLOT0]], #[[SLOT1]], #[[SLOT1]], #{{.*}}], {{.*}} ins(%[[V]], %[[P]], %[[V]], %[[P]] : {{.*}}) outs(%{{.*}} : tensor<2x8xf32>)
//       CHECK: ^bb0(%[[V0:.*]]: f32, %[[P0:.*]]: i8, %[[V1:.*]]: f32, %[[P1:.*]]: i8, %{{.*}}: f32):
//       CHECK:   %[[COL:.*]] = linalg.index 1
//       CHECK:   %[[OFF:.*]] = arith.remui %[[COL]]
//       CHECK:   %[[OFF64:.*]] = arith.index_castui %[[OFF]] : index to i64
//       CHECK:   %[[Q1:.*]] = arith.extui %[[P1]] : i8 to i64
//       CHECK:   %[[AT1:.*]] = arith.cmpi eq, %[[Q1]], %[[OFF64]]
//       CHECK:   %[[S1:.*]] = arith.select %[[AT1]], %[[V1]], %{{.*}}
//       CHECK:   %[[Q0:.*]] = arith.extui %[[P0]] : i8 to i64
//       CHECK:   %[[AT0:.*]] = arith.cmpi eq, %[[Q0]], %[[OFF64]]
//       CHECK:   %[[S0:.*]] = arith.select %[[AT0]], %[[V0]], %[[S1]]
//       CHECK:   linalg.yield %[[S0]]
func.func @densify(%v: tensor<2x4xf32>, %p: tensor<2x4xui2>) -> tensor<2x8xf32> {
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  return %w : tensor<2x8xf32>
}
