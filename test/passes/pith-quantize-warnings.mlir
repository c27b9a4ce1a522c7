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

