// RUN: pith-opt %s --pith-factorize="rank=1" --split-input-file --verify-diagnostics --mlir-print-debuginfo | FileCheck %s --check-prefix=RANK1
// RUN: pith-opt %s --pith-factorize="energy=0.999" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=ENERGY
// RUN: pith-opt %s --pith-factorize="parameters=0.5 skip=fc*" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=SKIP
// RUN: pith-opt %s --pith-factorize="rank=1" --pith-quantize --split-input-file | FileCheck %s --check-prefix=BOTH
// RUN: not pith-opt %s --pith-factorize 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not pith-opt %s --pith-factorize="rank=2 energy=0.5" 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: not pith-opt %s --pith-factorize="energy=1.5" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not pith-opt %s --pith-factorize="rank=-1" 2>&1 | FileCheck %s --check-prefix=NEGATIVE

// A rank-1 weight [4, 6] = u vᵀ with u = (1, 2, 3, 4), v = (1, -1, 2, 0, 1, 1):
// rank 1 holds it exactly in 4 + 6 = 10 parameters instead of 24.
func.func @rank_one(%x: tensor<2x6xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<[[1.0, -1.0, 2.0, 0.0, 1.0, 1.0],
                            [2.0, -2.0, 4.0, 0.0, 2.0, 2.0],
                            [3.0, -3.0, 6.0, 0.0, 3.0, 3.0],
                            [4.0, -4.0, 8.0, 0.0, 4.0, 4.0]]> : tensor<4x6xf32>
  %b = pith.constant dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>
  %y = pith.linear %x, %w, %b : (tensor<2x6xf32>, tensor<4x6xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("fc1")
  return %y : tensor<2x4xf32>
}

// RANK1-LABEL: func.func @rank_one
//   RANK1-DAG: %[[V:.*]] = pith.constant dense_resource<fc1_svd_v> : tensor<1x6xf32>
//   RANK1-DAG: %[[U:.*]] = pith.constant dense_resource<fc1_svd_u> : tensor<4x1xf32>
//   RANK1-DAG: %[[B:.*]] = pith.constant dense<5.000000e-01> : tensor<4xf32>
//       RANK1: %[[H:.*]] = pith.linear %arg0, %[[V]] {pith.part_of = "fc1"} : (tensor<2x6xf32>, tensor<1x6xf32>) -> tensor<2x1xf32> loc(#[[VLOC:.*]])
//       RANK1: %[[Y:.*]] = pith.linear %[[H]], %[[U]], %[[B]] {pith.compression = [{bytes_after = 40 : i64, bytes_before = 96 : i64, layer = "fc1", method = "svd rank 1", relative_error = {{[0-9.e+-]+}} : f64, sqnr_db = {{.*}} : f64}], pith.part_of = "fc1"} : (tensor<2x1xf32>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc(#[[ULOC:.*]])
//       RANK1: return %[[Y]]
//       RANK1: #[[VLOC]] = loc("fc1/svd_v"
//       RANK1: #[[ULOC]] = loc("fc1/svd_u"

// Quantizing after factorizing quantizes the factors; their lines refine
// the layer's own, so that totals count its weight once. U [4, 1] would
// grow (4 bytes and 4 scales against 16 bytes) and stays f32.
//  BOTH-LABEL: func.func @rank_one
//        BOTH: pith.linear %arg0, %{{.*}} {pith.compression = [{bytes_after = 10 : i64, bytes_before = 24 : i64, layer = "fc1/svd_v", method = "int8 per-channel", refines = "fc1", relative_error = {{.*}}}], pith.part_of = "fc1"}
//        BOTH: pith.linear %{{.*}}, %{{.*}}, %{{.*}} {pith.compression = [{bytes_after = 40 : i64, bytes_before = 96 : i64, layer = "fc1", method = "svd rank 1", {{.*}}}], pith.part_of = "fc1"}

// The energy budget finds rank 1 too: it holds all of it.
// ENERGY-LABEL: func.func @rank_one
//       ENERGY: method = "svd rank 1"

// SKIP-LABEL: func.func @rank_one
//   SKIP-NOT: pith.compression

// NONE: error: pith-factorize: give exactly one of energy, max-error, parameters and rank; got 0
// TWO: error: pith-factorize: give exactly one of energy, max-error, parameters and rank; got 2
// RANGE: error: pith-factorize: energy must lie in (0, 1], got 1.5
// NEGATIVE: error: pith-factorize: rank must be positive, got -1
