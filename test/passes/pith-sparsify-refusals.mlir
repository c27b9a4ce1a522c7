// RUN: pith-opt %s --pith-sparsify="pattern=2:4" --verify-diagnostics | FileCheck %s
// RUN: pith-opt %s --pith-sparsify="pattern=1:3" | FileCheck %s --check-prefix=DENSE

// K = 6 does not divide into groups of 4: the layer stays dense.
// CHECK-LABEL: func.func @ragged
//   CHECK-NOT: pith.compression
func.func @ragged(%x: tensor<1x6xf32>) -> tensor<1x2xf32> {
  %w = pith.constant dense<1.0> : tensor<2x6xf32>
  // expected-warning @+1 {{layer 'pith.linear@10:8' (2x6) does not divide into 2:4 groups; it stays dense}}
  %y = pith.linear %x, %w : (tensor<1x6xf32>, tensor<2x6xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// 1:3 divides K = 6, but M = 3 is no power of two: there are no packed
// positions (no pith.densify), and the pruned weight is stored as its 4
// nonzeros and a mask: 16 bytes of values, 12 of masks for the panel's 6
// inputs and its 4-byte start.
// DENSE-LABEL: func.func @ragged
//   DENSE-NOT: pith.densify
//       DENSE: pith.masked_densify %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<2x6xi1>) -> tensor<2x6xf32>
//       DENSE: bytes_after = 32 : i64, bytes_before = 48 : i64, layer = "pith.linear@{{.*}}", method = "sparse 67% 1:3"
