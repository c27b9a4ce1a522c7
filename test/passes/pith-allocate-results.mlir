// RUN: pith-opt %s --pith-allocate-results --split-input-file | FileCheck %s

// A result returned through reshapes of an allocation is allocated in its
// own shape; the producer writes into a view of it.
// CHECK-LABEL: func.func @reshaped_result
//       CHECK: %[[RESULT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x8x8x8xf32>
//       CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[RESULT]] {{\[\[}}0, 1, 2, 3]] : memref<1x8x8x8xf32> into memref<512xf32>
//       CHECK: %[[VIEW:.*]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2, 3]] output_shape [1, 1, 8, 64]
//       CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[VIEW]] : memref<1x1x8x64xf32>)
//       CHECK: return %[[RESULT]] : memref<1x8x8x8xf32>
func.func @reshaped_result() -> memref<1x8x8x8xf32> {
  %one = arith.constant 1.0 : f32
  %product = memref.alloc() {alignment = 64 : i64} : memref<1x1x8x64xf32>
  linalg.fill ins(%one : f32) outs(%product : memref<1x1x8x64xf32>)
  %flat = memref.collapse_shape %product [[0, 1, 2, 3]] : memref<1x1x8x64xf32> into memref<512xf32>
  %image = memref.expand_shape %flat [[0, 1, 2, 3]] output_shape [1, 8, 8, 8] : memref<512xf32> into memref<1x8x8x8xf32>
  return %image : memref<1x8x8x8xf32>
}

// -----

// An allocation returned as it is, and a reshape of an argument (not an
// allocation), stay.
// CHECK-LABEL: func.func @left_alone
//       CHECK: %[[BUFFER:.*]] = memref.alloc() : memref<4x4xf32>
//       CHECK: %[[VIEW:.*]] = memref.collapse_shape %arg0
//       CHECK: return %[[BUFFER]], %[[VIEW]]
func.func @left_alone(%arg: memref<2x8xf32>) -> (memref<4x4xf32>, memref<16xf32>) {
  %buffer = memref.alloc() : memref<4x4xf32>
  %view = memref.collapse_shape %arg [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  return %buffer, %view : memref<4x4xf32>, memref<16xf32>
}
