// RUN: pith-opt %s --pith-factorize="energy=0.999" --verify-diagnostics | FileCheck %s

// An identity has no smaller rank: the energy budget needs all 3 singular
// values, and rank 3 factors (3 * (3 + 3) = 18 >= 9) would not be smaller.
// CHECK-LABEL: func.func @identity
//   CHECK-NOT: pith.compression
func.func @identity(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  %w = pith.constant dense<[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]> : tensor<3x3xf32>
  // expected-warning @+1 {{layer 'pith.linear@10:8': rank 3 factors of a 3x3 weight would not be smaller (r(N+K) >= NK); it stays as it is}}
  %y = pith.linear %x, %w : (tensor<1x3xf32>, tensor<3x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// Wider than the built-in decomposition takes (a smaller side of 513).
// CHECK-LABEL: func.func @too_wide
//   CHECK-NOT: pith.compression
func.func @too_wide(%x: tensor<1x513xf32>) -> tensor<1x600xf32> {
  %w = pith.constant dense<1.0> : tensor<600x513xf32>
  // expected-warning @+1 {{layer 'pith.linear@20:8' (600x513) is larger than pith-factorize decomposes (a side of at most 512); it stays as it is}}
  %y = pith.linear %x, %w : (tensor<1x513xf32>, tensor<600x513xf32>) -> tensor<1x600xf32>
  return %y : tensor<1x600xf32>
}
