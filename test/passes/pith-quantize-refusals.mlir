// RUN: pith-opt %s --pith-quantize --verify-diagnostics | FileCheck %s

// One input feature: per output feature, an int8 value and an f32 scale
// (5 bytes) are more than the f32 weight (4 bytes).
// CHECK-LABEL: func.func @single_input
//   CHECK-NOT: pith.dequantize
func.func @single_input(%x: tensor<1x1xf32>) -> tensor<1x2xf32> {
  %w = pith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  // expected-warning @+1 {{layer 'pith.linear@10:8': int8 per-channel would not make its 2x1 weight smaller (10 bytes, now 8); it stays as it is}}
  %y = pith.linear %x, %w : (tensor<1x1xf32>, tensor<2x1xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
