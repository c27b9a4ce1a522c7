// RUN: pith-opt %s --split-input-file --pith-quantize="rotate=true" --verify-diagnostics | FileCheck %s

// 16 input features: one block of 16, one product.
// CHECK-LABEL: func.func @one_vector
//       CHECK: pith.reshape %arg0 : tensor<1x16xf32> to tensor<1x1x16xf32>
//   CHECK-NOT: pith.matmul {{.*}} -> tensor<1x1x16xf32>
//       CHECK: pith.matmul %{{.*}}, %{{.*}} : (tensor<1x1x16xf32>, tensor<16x16xf32>) -> tensor<1x1x16xf32>
//   CHECK-NOT: pith.matmul
//       CHECK: pith.reshape %{{.*}} : tensor<1x1x16xf32> to tensor<1x16xf32>
func.func @one_vector(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x16xf32>
  %y = pith.linear %x, %w : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// An odd number of input features has no block to rotate: the layer is
// quantized as it is, and a warning says so.
// CHECK-LABEL: func.func @odd
//   CHECK-NOT: pith.matmul
//       CHECK: method = "int8 per-channel hadamard-rotated"
func.func @odd(%x: tensor<1x3xf32>) -> tensor<1x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x3xf32>
  // expected-warning @+1 {{layer 'pith.linear@26:8' has 3 input features, an odd number; it is quantized without rotation}}
  %y = pith.linear %x, %w : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
