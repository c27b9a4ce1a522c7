// RUN: pith-opt %s --pith-lower-strided-copies | FileCheck %s
// RUN: pith-opt %s --pith-lower-strided-copies=all | FileCheck %s --check-prefix=ALL

// With `all` (for GPUs), every copy is a linalg.copy.
// ALL-LABEL: func.func @copies
// ALL-COUNT-3: linalg.copy
// ALL-NOT: memref.copy
// ALL-LABEL: func.func @into_padding
// ALL: linalg.copy

// CHECK-LABEL: func.func @copies
func.func @copies(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<2x4xf32>) {
  // Contiguous to contiguous stays a memcpy-able copy.
  // CHECK: memref.copy %arg0, %arg1 : memref<4x4xf32> to memref<4x4xf32>
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32>
  // A full-width row block is still contiguous.
  // CHECK: memref.copy %{{.*}}, %arg2 : memref<2x4xf32, strided<[4, 1], offset: 4>> to memref<2x4xf32>
  %rows = memref.subview %a[1, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 4>>
  memref.copy %rows, %c : memref<2x4xf32, strided<[4, 1], offset: 4>> to memref<2x4xf32>
  // A column block is strided: linalg.copy.
  // CHECK: %[[COLS:.*]] = memref.subview %arg1
  // CHECK: linalg.copy ins(%arg2 : memref<2x4xf32>) outs(%{{.*}} : memref<2x4xf32, strided<[1, 4]>>)
  %cols = memref.subview %b[0, 0] [4, 2] [1, 1] : memref<4x4xf32> to memref<4x2xf32, strided<[4, 1]>>
  %t = memref.reinterpret_cast %cols to offset: [0], sizes: [2, 4], strides: [1, 4] : memref<4x2xf32, strided<[4, 1]>> to memref<2x4xf32, strided<[1, 4]>>
  memref.copy %c, %t : memref<2x4xf32> to memref<2x4xf32, strided<[1, 4]>>
  // CHECK-NOT: memref.copy
  return
}

// A copy into the middle of a padded buffer has contiguous rows of 56:
// loops over the rows, each moved by vectors of 8 (the largest power of
// two dividing 56).
// CHECK-LABEL: func.func @into_padding
//       CHECK: scf.for %[[C:.*]] = %{{.*}} to %c2 step
//       CHECK:   scf.for %[[H:.*]] = %{{.*}} to %c56 step
//       CHECK:     scf.for %[[W:.*]] = %{{.*}} to %{{.*}} step %c8
//       CHECK:       %[[ROW:.*]] = vector.load %arg0[%[[C]], %[[H]], %[[W]]] : memref<2x56x56xf32>, vector<8xf32>
//       CHECK:       vector.store %[[ROW]], %{{.*}}[%[[C]], %[[H]], %[[W]]] : memref<2x56x56xf32, strided<[3364, 58, 1], offset: 59>>, vector<8xf32>
//   CHECK-NOT: linalg.copy
func.func @into_padding(%x: memref<2x56x56xf32>, %padded: memref<2x58x58xf32>) {
  %middle = memref.subview %padded[0, 1, 1] [2, 56, 56] [1, 1, 1] : memref<2x58x58xf32> to memref<2x56x56xf32, strided<[3364, 58, 1], offset: 59>>
  memref.copy %x, %middle : memref<2x56x56xf32> to memref<2x56x56xf32, strided<[3364, 58, 1], offset: 59>>
  return
}
