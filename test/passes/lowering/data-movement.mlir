// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_transpose
func.func @reshape_transpose(%x: tensor<2x6xf32>) -> tensor<3x2x2xf32> {
  // CHECK: %[[FLAT:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
  // CHECK: %[[R:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1, 2]] output_shape [2, 3, 2]
  %0 = pith.reshape %x : tensor<2x6xf32> to tensor<2x3x2xf32>
  // CHECK: linalg.transpose ins(%[[R]] : tensor<2x3x2xf32>) outs(%{{.*}} : tensor<3x2x2xf32>) permutation = [1, 0, 2]
  %1 = pith.transpose %0 {permutation = array<i64: 1, 0, 2>} : (tensor<2x3x2xf32>) -> tensor<3x2x2xf32>
  return %1 : tensor<3x2x2xf32>
}

// -----

// CHECK-LABEL: func.func @concat_split
func.func @concat_split(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  // CHECK: %[[C:.*]] = tensor.concat dim(1) %arg0, %arg1 : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %0 = pith.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  // CHECK: tensor.extract_slice %[[C]][0, 0] [2, 2] [1, 1]
  // CHECK: tensor.extract_slice %[[C]][0, 2] [2, 2] [1, 1]
  %1:2 = pith.split %0 {axis = 1 : i64} : (tensor<2x4xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>)
  return %1#0, %1#1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// gather reads the table at each index, negative indices counting from the
// end; indices out of range are clamped rather than read out of bounds.
// CHECK-LABEL: func.func @gather
func.func @gather(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%arg1 : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3x4xf32>)
  // CHECK: ^bb0(%[[IDX:.*]]: i64, %{{.*}}: f32):
  // CHECK: %[[COL:.*]] = linalg.index 2 : index
  // CHECK: %[[I:.*]] = arith.index_cast %[[IDX]] : i64 to index
  // CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : index
  // CHECK: %[[WRAPPED:.*]] = arith.addi %[[I]], %{{.*}} : index
  // CHECK: %[[J:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[I]] : index
  // CHECK: %[[LO:.*]] = arith.maxsi %[[J]], %{{.*}} : index
  // CHECK: %[[IN:.*]] = arith.minsi %[[LO]], %{{.*}} : index
  // CHECK: tensor.extract %arg0[%[[IN]], %[[COL]]] : tensor<10x4xf32>
  %0 = pith.gather %t[%i] {axis = 0 : i64} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// expand broadcasts through the input's indexing map.
// CHECK: #[[MAP:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @expand
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[MAP]], #{{.*}}]
  // CHECK-SAME: ins(%arg0 : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
  %0 = pith.expand %x : tensor<3x1xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Positive steps are a strided extract_slice; negative steps read
// start + i * step element by element.
// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<4x6xf32>) -> (tensor<2x3xf32>, tensor<4x6xf32>) {
  // CHECK: tensor.extract_slice %arg0[1, 0] [2, 3] [1, 2] : tensor<4x6xf32> to tensor<2x3xf32>
  %0 = pith.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 3, 6>, steps = array<i64: 1, 2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  // CHECK: linalg.generic
  // CHECK: %[[ROW:.*]] = linalg.index 0 : index
  // CHECK: %[[STEP:.*]] = arith.constant -1 : index
  // CHECK: %[[OFF:.*]] = arith.muli %[[ROW]], %[[STEP]] : index
  // CHECK: %[[START:.*]] = arith.constant 3 : index
  // CHECK: %[[R:.*]] = arith.addi %[[OFF]], %[[START]] : index
  // CHECK: tensor.extract %arg0[%[[R]], %{{.*}}]
  %1 = pith.slice %x {starts = array<i64: 3, 0>, limits = array<i64: -1, 6>, steps = array<i64: -1, 1>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x6xf32>
}

// -----

// Constant padding is tensor.pad; reflect, edge and wrap compute the source
// index of every element.
// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<2x3xf32>) -> (tensor<2x6xf32>, tensor<2x5xf32>) {
  // CHECK: %[[V:.*]] = arith.constant -1.000000e+00 : f32
  // CHECK: tensor.pad %arg0 low[0, 1] high[0, 2]
  // CHECK: tensor.yield %[[V]] : f32
  %0 = pith.pad constant %x {pads = array<i64: 0, 1, 0, 2>, value = -1.0 : f64} : (tensor<2x3xf32>) -> tensor<2x6xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: outs(%{{.*}} : tensor<2x5xf32>)
  // CHECK: tensor.extract %arg0
  %1 = pith.pad reflect %x {pads = array<i64: 0, 1, 0, 1>} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x6xf32>, tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func.func @gathers
// CHECK-NOT: pith.
func.func @gathers(%x: tensor<4x5xf32>, %ie: tensor<4x2xi64>, %nd: tensor<3x2xi64>) -> (tensor<4x2xf32>, tensor<3xf32>) {
  // CHECK: tensor.extract %arg0
  %0 = pith.gather_elements %x[%ie] {axis = 1 : i64} : (tensor<4x5xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  // CHECK: tensor.extract %arg2
  // CHECK: tensor.extract %arg0
  %1 = pith.gather_nd %x[%nd] : (tensor<4x5xf32>, tensor<3x2xi64>) -> tensor<3xf32>
  return %0, %1 : tensor<4x2xf32>, tensor<3xf32>
}
