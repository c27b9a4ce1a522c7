// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file -verify-diagnostics

// An unsigned constant becomes signless by reinterpreting its storage,
// which dense and resource constants have and a sparse one does not.
func.func @sparse_unsigned_constant() -> tensor<4xui8> {
  // expected-error @+1 {{failed to legalize operation 'pith.constant'}}
  %0 = pith.constant sparse<[[1]], [7]> : tensor<4xui8>
  return %0 : tensor<4xui8>
}
