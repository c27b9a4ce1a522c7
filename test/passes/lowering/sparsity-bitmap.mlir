// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg="pack-sparse=false" --canonicalize | FileCheck %s --check-prefix=EXPAND

// W = [[1, 0, 0, 2], [0, 3, 4, 5]] as its nonzeros and mask. The linear
// layer multiplies the nonzeros alone: per panel of 16 features and input
// a 16-bit mask of the features with a nonzero (input 0: feature 0, 0x1;
// inputs 1 and 2: feature 1, 0x2; input 3: both, 0x3), in chunks of 4
// inputs (K = 4 has no chunk of 8); the panel's first nonzero (0); and
// the nonzeros in panel, input, feature order (1, 3, 4, 2, 5) with a zero
// appended. Feature f's weight for an input is the nonzero its mask bit
// marks, found by counting the panel's earlier bits.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-DAG: #[[M:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1)>
// CHECK-LABEL: func.func @bitmap_linear
//   CHECK-DAG: %[[MASKS:.*]] = arith.constant dense_resource<w_nonzeros_masks_packed> : tensor<1x1x4xi16>
//   CHECK-DAG: %[[STARTS:.*]] = arith.constant dense_resource<w_nonzeros_starts_packed> : tensor<1xi32>
//   CHECK-DAG: %[[NONZEROS:.*]] = arith.constant dense_resource<w_nonzeros_packed> : tensor<6xf32>
//       CHECK: %[[XC:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [3, 1, 4]
//       CHECK: linalg.generic {indexing_maps = [#[[X]], #[[M]], #[[S]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XC]], %[[MASKS]], %[[STARTS]] : tensor<3x1x4xf32>, tensor<1x1x4xi16>, tensor<1xi32>) outs(%{{.*}} : tensor<3x1x16xf32>) attrs = {pith.bitmap_matmul}
//       CHECK:   math.ctpop
//       CHECK:   scf.for
//       CHECK:     tensor.extract %[[MASKS]]
//       CHECK:   tensor.extract %[[NONZEROS]]
//       CHECK:   arith.select
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [3, 2] [1, 1] : tensor<3x16xf32> to tensor<3x2xf32>
//   CHECK-DAG: w_nonzeros_masks_packed: "0x400000000100020002000300"
//   CHECK-DAG: w_nonzeros_starts_packed: "0x4000000000000000"
//   CHECK-DAG: w_nonzeros_packed: "0x400000000000803F0000404000008040000000400000A04000000000"
// Without packing (GPUs) the weight is expanded at compile time.
// EXPAND-LABEL: func.func @bitmap_linear
//   EXPAND-NOT: pith.bitmap_matmul
//       EXPAND: arith.constant dense_resource<w_nonzeros_dense> : tensor<2x4xf32>
//       EXPAND: w_nonzeros_dense: "0x400000000000803F0000000000000000000000400000000000004040000080400000A040"
func.func @bitmap_linear(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %v = pith.constant dense_resource<w_nonzeros> : tensor<5xf32>
  %m = pith.constant dense<[[true, false, false, true], [false, true, true, true]]> : tensor<2x4xi1>
  %w = pith.masked_densify %v, %m : (tensor<5xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  %y = pith.linear %x, %w : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_nonzeros: "0x400000000000803F0000004000004040000080400000A040"
    }
  }
#-}
