// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file -verify-diagnostics

// An unsigned constant becomes signless by reinterpreting its storage,
// which dense and resource constants have and a sparse one does not.
func.func @sparse_unsigned_constant() -> tensor<4xui8> {
  // expected-error @+1 {{failed to legalize operation 'pith.constant'}}
  %0 = pith.constant sparse<[[1]], [7]> : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// A mask with more nonzeros than values.
func.func @masked_densify_count(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %v = pith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %m = pith.constant dense<[[true, false, false, true], [false, true, false, false]]> : tensor<2x4xi1>
  // expected-error @+2 {{the mask's nonzeros are not the 2 values}}
  // expected-error @+1 {{failed to legalize operation 'pith.masked_densify'}}
  %w = pith.masked_densify %v, %m : (tensor<2xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  %y = pith.linear %x, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The nonzeros' places are a count over the mask, which lowering takes
// from constants only.
func.func @masked_densify_arguments(%v: tensor<3xf32>, %m: tensor<2x4xi1>) -> tensor<2x4xf32> {
  // expected-error @+2 {{pith.masked_densify lowers from f32 or int8 constants only}}
  // expected-error @+1 {{failed to legalize operation 'pith.masked_densify'}}
  %w = pith.masked_densify %v, %m : (tensor<3xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  return %w : tensor<2x4xf32>
}
