// RUN: pith-opt %s --split-input-file --verify-diagnostics --pith-sparsify="pattern=2:4 compensate=true damping=0" | FileCheck %s --check-prefix=SPARSEGPT
// RUN: pith-opt %s --split-input-file --pith-sparsify="pattern=2:4" | FileCheck %s --check-prefix=MAGNITUDE
// RUN: not pith-opt %s --split-input-file --pith-sparsify="pattern=block2x2 compensate=true" 2>&1 | FileCheck %s --check-prefix=BLOCKS
// RUN: not pith-opt %s --split-input-file --pith-sparsify="sparsity=0.5 global=true compensate=true" 2>&1 | FileCheck %s --check-prefix=GLOBAL
// RUN: not pith-opt %s --split-input-file --pith-sparsify="compensate=true damping=-1" 2>&1 | FileCheck %s --check-prefix=DAMPING

// Weights (0.3, 1.0, 0.9, 0.2); inputs 0 and 1 correlate (0.9), the others
// stand alone. Both ways 0.3 and 0.2 go (least w_j^2 / [H^-1]_jj, and
// least magnitude). SparseGPT then moves 0.3's contribution onto the
// weight of the input that carries most of it: 1.0 + 0.3 * 0.9 = 1.27
// (U = chol(H^-1)^T, U01 / U00 = -0.9), and the outputs err less (0.152
// against 0.229) while the weight errs more.
// SPARSEGPT-LABEL: func.func @compensated
//       SPARSEGPT: bytes_after = 9 : i64, bytes_before = 16 : i64, layer = "fc", method = "sparse 50% 2:4 sparsegpt", output_error = 0.1517
//       SPARSEGPT: fc_kept: "0x400000005C8FA23F6666663F"
//       SPARSEGPT: fc_positions: "0x400000000102"
// MAGNITUDE-LABEL: func.func @compensated
//       MAGNITUDE: method = "sparse 50% 2:4", output_error = 0.2289
//       MAGNITUDE: fc_kept: "0x400000000000803F6666663F"
func.func @compensated(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[0.3, 1.0, 0.9, 0.2]]> : tensor<1x4xf32>
  %y = pith.linear %x, %w {pith.calibration = {second_moment = dense<[[1.0, 0.9, 0.0, 0.0], [0.9, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc("fc")
  return %y : tensor<1x1xf32>
}

// -----

// Without calibration there is nothing to compensate through.
func.func @uncalibrated(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[0.3, 1.0, 0.9, 0.2]]> : tensor<1x4xf32>
  // expected-error @+1 {{layer 'pith.linear@32:8' has no calibration statistics; SparseGPT pruning (compensate) needs pith-calibrate to run first (pith-compile --calibrate)}}
  %y = pith.linear %x, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// BLOCKS: error: pith-sparsify: compensate prunes each row unstructured or N:M by its own saliencies, not by blocks
// GLOBAL: error: pith-sparsify: compensate prunes each row unstructured or N:M by its own saliencies, not with one global threshold
// DAMPING: error: pith-sparsify: damping must not be negative, got -1

// -----

// Inputs 0 and 1 are always equal: without damping E[x x^T] is singular.
func.func @singular(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[0.3, 1.0, 0.9, 0.2]]> : tensor<1x4xf32>
  // expected-error @+1 {{E[x x^T] of its inputs is not positive definite even with damping 0.000000e+00; raise damping}}
  %y = pith.linear %x, %w {pith.calibration = {second_moment = dense<[[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]> : tensor<4x4xf32>}} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
