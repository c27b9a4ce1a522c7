// RUN: pith-opt %s --pith-lower-strided-copies | FileCheck %s
// RUN: pith-opt %s --pith-lower-strided-copies=all | FileCheck %s --check-prefix=ALL

// With `all` (for GPUs), every copy is a linalg.copy.
// ALL-LABEL: func.func @copies
// ALL-COUNT-3: linalg.copy
// ALL-NOT: memref.copy

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
