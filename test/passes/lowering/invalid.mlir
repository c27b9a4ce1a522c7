// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file -verify-diagnostics

func.func @top_k(%x: tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x1xf32>) {
  // Every op without a lowering is reported, not just the first.
  // expected-error @+1 {{'pith.top_k' has no lowering to linalg yet}}
  %v, %i = pith.top_k %x {axis = 1 : i64, k = 2 : i64} : (tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x2xi64>)
  // expected-error @+1 {{'pith.top_k' has no lowering to linalg yet}}
  %w, %j = pith.top_k %x {axis = 1 : i64, k = 1 : i64} : (tensor<2x5xf32>) -> (tensor<2x1xf32>, tensor<2x1xi64>)
  return %v, %w : tensor<2x2xf32>, tensor<2x1xf32>
}
