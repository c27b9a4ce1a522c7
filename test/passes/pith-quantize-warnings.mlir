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

// Groups are for linear layers and 1x1 convolutions: a 3x3 convolution
// gets one scale per output channel, and one warning says so. A 1x1
// convolution's groups of input channels take blocked scales
// [F, C / group, 1, 1].
// CHECK-LABEL: func.func @conv_groups
//       CHECK: pith.dequantize {{.*}} {axis = 0 : i64} : (tensor<2x4x3x3xi4>, tensor<2xf32>)
//       CHECK: pith.dequantize {{.*}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x8x1x1xi4>, tensor<2x2x1x1xf32>)
//       CHECK: method = "int4 g4"
func.func @conv_groups(%x: tensor<1x4x3x3xf32>, %z: tensor<1x8x3x3xf32>) -> (tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>) {
  %w = pith.constant dense<0.5> : tensor<2x4x3x3xf32>
  // expected-warning @+1 {{and the others get int4 per-channel weights: groups are for linear layers and 1x1 convolutions, input scaling or rotation and static int8 activations for linear layers}}
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x1x1xf32>
  %p = pith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]]], [[[-1.0]], [[0.5]], [[0.25]], [[2.0]], [[1.0]], [[1.0]], [[1.0]], [[1.0]]]]> : tensor<2x8x1x1xf32>
  %q = pith.conv %z, %p {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x3x3xf32>, tensor<2x8x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y, %q : tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>
}
