// RUN: pith-opt %s --pith-quantize="bits=4 group-size=4" --verify-diagnostics | FileCheck %s

// K = 6 is not a multiple of the group size: the layer stays f32.
// CHECK-LABEL: func.func @ragged
//   CHECK-NOT: pith.dequantize
func.func @ragged(%x: tensor<1x6xf32>) -> tensor<1x2xf32> {
  %w = pith.constant dense<1.0> : tensor<2x6xf32>
  // A layer without a name is named by its op and position.
  // expected-warning @+1 {{layer 'pith.linear@10:8' has 6 input features, not a multiple of the group size 4; it stays f32}}
  %y = pith.linear %x, %w : (tensor<1x6xf32>, tensor<2x6xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}


// -----

// Groups are for linear layers: a convolution gets one scale per output
// channel, and one warning says so.
// CHECK-LABEL: func.func @conv_groups
//       CHECK: pith.dequantize {{.*}} {axis = 0 : i64} : (tensor<2x4x1x1xi4>, tensor<2xf32>)
func.func @conv_groups(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = pith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]], [[[-1.0]], [[0.5]], [[0.25]], [[2.0]]]]> : tensor<2x4x1x1xf32>
  // expected-warning @+1 {{and the others get int4 per-channel weights: groups, input scaling or rotation, and static int8 activations are for linear layers}}
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
