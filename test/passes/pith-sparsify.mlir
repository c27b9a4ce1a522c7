// RUN: pith-opt %s --pith-sparsify --split-input-file | FileCheck %s --check-prefix=HALF
// RUN: pith-opt %s --pith-sparsify="pattern=2:4" --split-input-file | FileCheck %s --check-prefix=TWO-FOUR
// RUN: pith-opt %s --pith-sparsify="pattern=block2x2 sparsity=0.5" --split-input-file | FileCheck %s --check-prefix=BLOCK
// RUN: pith-opt %s --pith-sparsify="sparsity=0.25 global=true" --split-input-file | FileCheck %s --check-prefix=GLOBAL
// RUN: pith-opt %s --pith-sparsify --pith-quantize --split-input-file | FileCheck %s --check-prefix=THEN-INT8
// RUN: pith-opt %s --pith-sparsify="pattern=2:4" --pith-quantize --split-input-file | FileCheck %s --check-prefix=TWO-FOUR-INT8
// RUN: not pith-opt %s --pith-sparsify="pattern=3:2" 2>&1 | FileCheck %s --check-prefix=PATTERN
// RUN: not pith-opt %s --pith-sparsify="sparsity=1.0" 2>&1 | FileCheck %s --check-prefix=FRACTION

// Two layers: fc1 [2, 4] with magnitudes 1..8, fc2 [2, 4] with 10..80.
func.func @layers(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w1 = pith.constant dense<[[1.0, -2.0, 3.0, -4.0], [5.0, 6.0, -7.0, 8.0]]> : tensor<2x4xf32>
  %w2 = pith.constant dense<[[10.0, -80.0, 30.0, 40.0], [-50.0, 60.0, 70.0, 20.0]]> : tensor<2x4xf32>
  %h = pith.linear %x, %w1 : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc1")
  %h2 = pith.concat %h, %h {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  %y = pith.linear %h2, %w2 : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc2")
  return %y : tensor<1x2xf32>
}

// Half of each layer's weights, the smallest: fc1 keeps 5..8, stored as
// its nonzeros in row-major order and a mask (pith.masked_densify puts
// them back): 16 bytes of values, and on the CPU a 16-bit mask for each
// of the 4 inputs of the one panel of 16 features and the panel's 4-byte
// start, 28 bytes in all.
//  HALF-LABEL: func.func @layers
//       HALF: %[[V:.*]] = pith.constant dense_resource<fc1_nonzeros> : tensor<4xf32>
//       HALF: %[[M:.*]] = pith.constant dense_resource<fc1_mask> : tensor<2x4xi1>
//       HALF: %[[W:.*]] = pith.masked_densify %[[V]], %[[M]] : (tensor<4xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
//       HALF: pith.linear %{{.*}}, %[[W]] {pith.compression = [{bytes_after = 28 : i64, bytes_before = 32 : i64, layer = "fc1", method = "sparse 50% unstructured"
//       HALF: fc1_nonzeros: "0x400000000000A0400000C0400000E0C000000041"
//       HALF: fc1_mask: "0x400000000000000001010101"

// 2:4: in each 4 of a row, the 2 smallest go: fc2's rows keep -80, 40
// (positions 1, 3) and 60, 70 (1, 2). The kept values and their positions
// are stored (8 values of 4 bytes, a byte of positions for each of 2
// groups) and pith.densify puts them back.
//  TWO-FOUR-LABEL: func.func @layers
//       TWO-FOUR: %[[V1:.*]] = pith.constant dense_resource<fc1_kept> : tensor<2x2xf32>
//       TWO-FOUR: %[[P1:.*]] = pith.constant dense_resource<fc1_positions> : tensor<2x2xui2>
//       TWO-FOUR: %[[W1:.*]] = pith.densify %[[V1]], %[[P1]] {m = 4 : i64, n = 2 : i64} : (tensor<2x2xf32>, tensor<2x2xui2>) -> tensor<2x4xf32>
//       TWO-FOUR: pith.linear %{{.*}}, %[[W1]] {pith.compression = [{bytes_after = 18 : i64, bytes_before = 32 : i64, layer = "fc1", method = "sparse 50% 2:4"
//       TWO-FOUR: method = "sparse 50% 2:4"
//       TWO-FOUR: fc1_kept: "0x4000000000004040000080C00000E0C000000041"
//       TWO-FOUR: fc1_positions: "0x4000000002030203"
//       TWO-FOUR: fc2_kept: "0x400000000000A0C2000020420000704200008C42"
//       TWO-FOUR: fc2_positions: "0x4000000001030102"

// Quantizing a 2:4 layer to int8 per channel quantizes its kept values
// alone (a row's extreme is among them; zero stays zero): fc1's rows
// (3, -4) and (-7, 8) become (96, -128) and (112, -128), with their
// positions as they were; 4 integers, 2 scales and 2 bytes of positions
// take 14 bytes, from the 18 the pruning stored.
//  TWO-FOUR-INT8-LABEL: func.func @layers
//       TWO-FOUR-INT8: %[[Q:.*]] = pith.constant dense_resource<fc1_kept_q8> : tensor<2x2xi8>
//       TWO-FOUR-INT8: %[[D:.*]] = pith.dequantize %[[Q]], %{{.*}} {axis = 0 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
//       TWO-FOUR-INT8: pith.densify %[[D]], %{{.*}} {m = 4 : i64, n = 2 : i64}
//       TWO-FOUR-INT8: pith.compression = [{bytes_after = 18 : i64, bytes_before = 32 : i64, layer = "fc1", method = "sparse 50% 2:4", {{.*}}}, {bytes_after = 14 : i64, bytes_before = 18 : i64, layer = "fc1", method = "int8 per-channel", refines = "fc1"
//       TWO-FOUR-INT8: fc1_kept_q8: "0x4000000060807080"

// Blocks of 2x2 by L2 norm: fc1's left block (1, 2, 5, 6) goes, and
// fc2's right one (30, 40, 70, 20).
//  BLOCK-LABEL: func.func @layers
//       BLOCK: fc1_nonzeros: "0x4000000000004040000080C00000E0C000000041"
//       BLOCK: fc1_mask: "0x400000000000010100000101"
//       BLOCK: fc2_nonzeros: "0x40000000000020410000A0C2000048C200007042"
//       BLOCK: fc2_mask: "0x400000000101000001010000"

// One threshold for both: a quarter of all 16 weights are fc1's 1..4.
// fc2 loses none: its mask would only add bytes, so it stays dense.
//  GLOBAL-LABEL: func.func @layers
//       GLOBAL: bytes_after = 28 : i64, bytes_before = 32 : i64, layer = "fc1", method = "sparse 50% unstructured"
//       GLOBAL: bytes_after = 32 : i64, bytes_before = 32 : i64, layer = "fc2", method = "sparse 0% unstructured"
//       GLOBAL: fc2_sparse: "0x40000000000020410000A0C20000F04100002042000048C20000704200008C420000A041"

// Quantizing after pruning keeps the zeros (the integers are stored
// dense); the second line refines the layer's first.
//  THEN-INT8-LABEL: func.func @layers
//   THEN-INT8-NOT: pith.masked_densify
//       THEN-INT8: pith.compression = [{bytes_after = 28 : i64, bytes_before = 32 : i64, layer = "fc1", method = "sparse 50% unstructured", {{.*}}}, {bytes_after = 16 : i64, bytes_before = 28 : i64, layer = "fc1", method = "int8 per-channel", refines = "fc1", {{.*}}}]
//       THEN-INT8: fc1_nonzeros_q8: "0x4000000000000000B0A07080"

// PATTERN: error: pith-sparsify: pattern must be unstructured, N:M with N < M (2:4) or blockRxC (block4x4), got '3:2'
// FRACTION: error: pith-sparsify: sparsity must lie in (0, 1), got 1
