// RUN: pith-opt %s --pith-fill-per-use --split-input-file | FileCheck %s

// One fill (as CSE leaves it) starting two sums: each gets a fill of its
// own, just before it, so that neither copies the other's buffer.
// CHECK-LABEL: func.func @shared_zeros
//       CHECK: %[[FIRST:.*]] = linalg.fill
//  CHECK-NEXT: linalg.matmul {{.*}} outs(%[[FIRST]] : tensor<8x8xf32>)
//  CHECK-NEXT: %[[SECOND:.*]] = linalg.fill
//  CHECK-NEXT: linalg.matmul {{.*}} outs(%[[SECOND]] : tensor<8x8xf32>)
func.func @shared_zeros(%a: tensor<8x4xf32>, %b: tensor<4x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %x = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  %y = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %x, %y : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// A fill of one use, and a fill of a buffer, stay as they are.
// CHECK-LABEL: func.func @left_alone
//   CHECK-COUNT-2: linalg.fill
//       CHECK-NOT: linalg.fill
func.func @left_alone(%a: tensor<8x4xf32>, %b: tensor<4x8xf32>, %m: memref<8x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  linalg.fill ins(%zero : f32) outs(%m : memref<8x8xf32>)
  %x = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %x : tensor<8x8xf32>
}
