// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --split-input-file | FileCheck %s

// W [2, 40], feature 0 nonzero at inputs 0 and 33 (1, 2), feature 1 at
// 1, 2 and 39 (3, 4, 5), as its nonzeros and mask, multiplied into 64
// rows: indexed. The nonzeros go per panel of 16 features and chunk of 32
// inputs, features in turn: chunk 0 holds feature 0's input 0 and feature
// 1's inputs 1 and 2, chunk 1 feature 0's input 33 and feature 1's 39
// (places 1 and 7 in the chunk), then one zero of place 0. Per (panel,
// chunk) run its first nonzero (0, 3); per feature of the run its first
// in the run (0, 1, then 3 for the empty padding features in chunk 0; 0,
// 1, then 2 in chunk 1) and count (1, 2, then 0; 1, 1, then 0); the
// slots' numbers up to the most any feature has in a chunk (2). x is
// transposed to [K, M]; the body reads slot s of the feature in the
// chunk, its input's row of x transposed (chunk times 32 plus its place)
// at row m, and adds the product where s < count. The bias is added after
// the padding features are sliced off.
// CHECK-DAG: #[[RUNS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3)>
// CHECK-DAG: #[[FEATURE:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d2)>
// CHECK-DAG: #[[SLOT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @indexed_linear
//   CHECK-DAG: %[[SLOTS:.*]] = arith.constant dense<[0, 1]> : tensor<2xi32>
//   CHECK-DAG: %[[COUNTS:.*]] = arith.constant dense_resource<w_nonzeros_counts_indexed> : tensor<1x2x16xi8>
//   CHECK-DAG: %[[OFFSETS:.*]] = arith.constant dense_resource<w_nonzeros_offsets_indexed> : tensor<1x2x16xi16>
//   CHECK-DAG: %[[STARTS:.*]] = arith.constant dense_resource<w_nonzeros_starts_indexed> : tensor<1x2xi32>
//   CHECK-DAG: %[[INPUTS:.*]] = arith.constant dense_resource<w_nonzeros_inputs_indexed> : tensor<6xi8>
//   CHECK-DAG: %[[VALUES:.*]] = arith.constant dense_resource<w_nonzeros_indexed> : tensor<6xf32>
//       CHECK: %[[XT:.*]] = linalg.transpose ins(%{{.*}} : tensor<64x40xf32>) outs(%{{.*}} : tensor<40x64xf32>) permutation = [1, 0]
//       CHECK: linalg.generic {indexing_maps = [#[[RUNS]], #[[FEATURE]], #[[FEATURE]], #[[SLOT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[STARTS]], %[[OFFSETS]], %[[COUNTS]], %[[SLOTS]] : tensor<1x2xi32>, tensor<1x2x16xi16>, tensor<1x2x16xi8>, tensor<2xi32>) outs(%{{.*}} : tensor<64x1x16xf32>) attrs = {pith.indexed_matmul}
//       CHECK: ^bb0(%[[START:.*]]: i32, %[[OFFSET:.*]]: i16, %[[COUNT:.*]]: i8, %[[S:.*]]: i32, %[[ACC:.*]]: f32):
//       CHECK:   %[[COUNT32:.*]] = arith.extui %[[COUNT]] : i8 to i32
//       CHECK:   %[[IN_RANGE:.*]] = arith.cmpi slt, %[[S]], %[[COUNT32]] : i32
//       CHECK:   %[[OFFSET32:.*]] = arith.extui %[[OFFSET]] : i16 to i32
//       CHECK:   %[[FIRST:.*]] = arith.addi %[[START]], %[[OFFSET32]] : i32
//       CHECK:   %[[AT:.*]] = arith.addi %[[FIRST]], %[[S]] : i32
//       CHECK:   %[[SAFE:.*]] = arith.select %[[IN_RANGE]], %[[AT]], %c5_i32 : i32
//       CHECK:   %[[I:.*]] = arith.index_cast %[[SAFE]] : i32 to index
//       CHECK:   %[[W:.*]] = tensor.extract %[[VALUES]][%[[I]]]
//       CHECK:   %[[PLACE8:.*]] = tensor.extract %[[INPUTS]][%[[I]]]
//       CHECK:   %[[PLACE:.*]] = arith.index_castui %[[PLACE8]] : i8 to index
//       CHECK:   %[[CHUNK:.*]] = linalg.index 3 : index
//       CHECK:   %[[CHUNK0:.*]] = arith.muli %[[CHUNK]], %c32 : index
//       CHECK:   %[[INPUT:.*]] = arith.addi %[[CHUNK0]], %[[PLACE]] : index
//       CHECK:   %[[M:.*]] = linalg.index 0 : index
//       CHECK:   %[[X:.*]] = tensor.extract %[[XT]][%[[INPUT]], %[[M]]]
//       CHECK:   %[[P:.*]] = arith.mulf %[[X]], %[[W]] : f32
//       CHECK:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[P]] : f32
//       CHECK:   arith.select %[[IN_RANGE]], %[[SUM]], %[[ACC]] : f32
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [64, 2] [1, 1] : tensor<64x16xf32> to tensor<64x2xf32>
//       CHECK: arith.addf
//   CHECK-DAG: w_nonzeros_counts_indexed: "0x400000000102000000000000000000000000000001010000000000000000000000000000"
//   CHECK-DAG: w_nonzeros_offsets_indexed: "0x4000000000000100030003000300030003000300030003000300030003000300030003000000010002000200020002000200020002000200020002000200020002000200"
//   CHECK-DAG: w_nonzeros_starts_indexed: "0x400000000000000003000000"
//   CHECK-DAG: w_nonzeros_inputs_indexed: "0x40000000000102010700"
//   CHECK-DAG: w_nonzeros_indexed: "0x400000000000803F0000404000008040000000400000A04000000000"
func.func @indexed_linear(%x: tensor<64x40xf32>, %b: tensor<2xf32>) -> tensor<64x2xf32> {
  %v = pith.constant dense_resource<w_nonzeros> : tensor<5xf32>
  %m = pith.constant dense<[[true, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, true, false, false, false, false, false, false], [false, true, true, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, true]]> : tensor<2x40xi1>
  %w = pith.masked_densify %v, %m : (tensor<5xf32>, tensor<2x40xi1>) -> tensor<2x40xf32>
  %y = pith.linear %x, %w, %b : (tensor<64x40xf32>, tensor<2x40xf32>, tensor<2xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_nonzeros: "0x400000000000803F0000004000004040000080400000A040"
    }
  }
#-}

// -----

// Fewer than 64 rows: the bitmap form.
// CHECK-LABEL: func.func @few_rows
//   CHECK-NOT: pith.indexed_matmul
//       CHECK: pith.bitmap_matmul
func.func @few_rows(%x: tensor<63x4xf32>) -> tensor<63x2xf32> {
  %v = pith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %m = pith.constant dense<[[true, false, false, true], [false, true, true, true]]> : tensor<2x4xi1>
  %w = pith.masked_densify %v, %m : (tensor<5xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  %y = pith.linear %x, %w : (tensor<63x4xf32>, tensor<2x4xf32>) -> tensor<63x2xf32>
  return %y : tensor<63x2xf32>
}

// -----

// 100 rows are multiplied indexed as 128 (8 vectors of 16; 7 would leave
// no block of 3 or 4): x is inserted into zeros before it is transposed,
// and the sums of the 28 zero rows are sliced off.
// CHECK-LABEL: func.func @padded_rows
//       CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<128x4xf32>)
//       CHECK: %[[PADDED:.*]] = tensor.insert_slice %{{.*}} into %[[ZEROS]][0, 0] [100, 4] [1, 1] : tensor<100x4xf32> into tensor<128x4xf32>
//       CHECK: linalg.transpose ins(%[[PADDED]] : tensor<128x4xf32>) outs(%{{.*}} : tensor<4x128xf32>)
//       CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<128x1x16xf32>) attrs = {pith.indexed_matmul}
//       CHECK: tensor.extract_slice %[[SUMS]][0, 0, 0] [100, 1, 16] [1, 1, 1] : tensor<128x1x16xf32> to tensor<100x1x16xf32>
func.func @padded_rows(%x: tensor<100x4xf32>) -> tensor<100x2xf32> {
  %v = pith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %m = pith.constant dense<[[true, false, false, true], [false, true, true, true]]> : tensor<2x4xi1>
  %w = pith.masked_densify %v, %m : (tensor<5xf32>, tensor<2x4xi1>) -> tensor<2x4xf32>
  %y = pith.linear %x, %w : (tensor<100x4xf32>, tensor<2x4xf32>) -> tensor<100x2xf32>
  return %y : tensor<100x2xf32>
}

// -----

// An N:M weight of f32 kept values over 64 rows is indexed too: its kept
// values are its nonzeros, in input order within each group (row 0 keeps
// inputs 0, 3, 5 and 6, listed as positions 0, 3, 1, 2; row 1 inputs 3
// and 2 of its first group, listed in that order, and 4 and 5). Per chunk
// (one), features 0 and 1 take 4 each in turn; the packed form's
// positions are gone.
// CHECK-LABEL: func.func @two_of_four
//   CHECK-NOT: pith.sparse_matmul
//   CHECK-DAG: arith.constant dense_resource<{{.*}}_counts_indexed> : tensor<1x1x16xi8>
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<64x1x16xf32>) attrs = {pith.indexed_matmul}
//   CHECK-DAG: _counts_indexed: "0x400000000404{{(00)+}}"
//   CHECK-DAG: _inputs_indexed: "0x40000000000305060203040500"
//   CHECK-DAG: _indexed: "0x400000000000803F000080400000003F0000803E000000400000E0400000A0400000C04000000000"
func.func @two_of_four(%x: tensor<64x8xf32>) -> tensor<64x2xf32> {
  %v = pith.constant dense<[[1.0, 4.0, 0.5, 0.25], [7.0, 2.0, 5.0, 6.0]]> : tensor<2x4xf32>
  %p = pith.constant dense<[[0, 3, 1, 2], [3, 2, 0, 1]]> : tensor<2x4xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<64x8xf32>, tensor<2x8xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

// -----

// Int8 kept values (a scale per row) over 64 rows are indexed as int8
// nonzeros, in input order within each group, with each feature's scale
// an operand ([panels, 16], zero for the padding features); the body
// reads the nonzero as a float times its feature's scale.
// CHECK-LABEL: func.func @two_of_four_int8
//   CHECK-NOT: pith.sparse_matmul
//   CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<{{.*}}_scales_indexed> : tensor<1x16xf32>
//   CHECK-DAG: %[[VALUES:.*]] = arith.constant dense_resource<sparse_weight_indexed> : tensor<9xi8>
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SCALES]] : {{.*}}, tensor<1x16xf32>) outs(%{{.*}} : tensor<64x1x16xf32>) attrs = {pith.indexed_matmul}
//       CHECK: ^bb0({{.*}}, %[[SCALE:.*]]: f32, %{{.*}}: f32):
//       CHECK:   %[[Q:.*]] = tensor.extract %[[VALUES]]
//       CHECK:   %[[QF:.*]] = arith.sitofp %[[Q]] : i8 to f32
//       CHECK:   %[[W:.*]] = arith.mulf %[[QF]], %[[SCALE]] : f32
//       CHECK:   arith.mulf %{{.*}}, %[[W]] : f32
//   CHECK-DAG: _scales_indexed: "0x400000000000003F0000803E{{(00000000)+}}"
//   CHECK-DAG: _inputs_indexed: "0x40000000000305060203040500"
//   CHECK-DAG: _indexed: "0x40000000010203040506070800"
func.func @two_of_four_int8(%x: tensor<64x8xf32>) -> tensor<64x2xf32> {
  %q = pith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi8>
  %s = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %v = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<2x4xi8>, tensor<2xf32>) -> tensor<2x4xf32>
  %p = pith.constant dense<[[0, 3, 1, 2], [2, 3, 0, 1]]> : tensor<2x4xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<64x8xf32>, tensor<2x8xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

// -----

// Masked int8 nonzeros (pith-quantize's dequantize(masked_densify(q,
// mask), s) with a scale per row) over 64 rows are indexed as the N:M ones
// are: feature 0's 3 and -4 at inputs 0 and 3, feature 1's 5 and 7 at 1
// and 6.
// CHECK-LABEL: func.func @masked_int8
//   CHECK-NOT: pith.quantized_matmul
//   CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<{{.*}}_scales_indexed> : tensor<1x16xf32>
//   CHECK-DAG: %[[VALUES:.*]] = arith.constant dense_resource<sparse_weight_indexed> : tensor<5xi8>
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SCALES]] : {{.*}}, tensor<1x16xf32>) outs(%{{.*}} : tensor<64x1x16xf32>) attrs = {pith.indexed_matmul}
//       CHECK:   arith.sitofp %{{.*}} : i8 to f32
//   CHECK-DAG: _scales_indexed: "0x400000000000003F0000803E{{(00000000)+}}"
//   CHECK-DAG: _inputs_indexed: "0x400000000003010600"
//   CHECK-DAG: _indexed: "0x4000000003FC050700"
func.func @masked_int8(%x: tensor<64x8xf32>) -> tensor<64x2xf32> {
  %q = pith.constant dense<[3, -4, 5, 7]> : tensor<4xi8>
  %m = pith.constant dense<[[true, false, false, true, false, false, false, false], [false, true, false, false, false, false, true, false]]> : tensor<2x8xi1>
  %s = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %d = pith.masked_densify %q, %m : (tensor<4xi8>, tensor<2x8xi1>) -> tensor<2x8xi8>
  %w = pith.dequantize %d, %s {axis = 0 : i64} : (tensor<2x8xi8>, tensor<2xf32>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<64x8xf32>, tensor<2x8xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

// -----

// Into one row they are expanded at compile time and multiplied as dense
// int8 weights, packed as quantized layers' are.
// CHECK-LABEL: func.func @masked_int8_one_row
//   CHECK-NOT: pith.indexed_matmul
//       CHECK: arith.constant dense_resource<{{.*}}_packed> : tensor<1x1x8x16xi8>
//       CHECK: pith.quantized_matmul = {bits = 8 : i64, unsigned = false}
func.func @masked_int8_one_row(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %q = pith.constant dense<[3, -4, 5, 7]> : tensor<4xi8>
  %m = pith.constant dense<[[true, false, false, true, false, false, false, false], [false, true, false, false, false, false, true, false]]> : tensor<2x8xi1>
  %s = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %d = pith.masked_densify %q, %m : (tensor<4xi8>, tensor<2x8xi1>) -> tensor<2x8xi8>
  %w = pith.dequantize %d, %s {axis = 0 : i64} : (tensor<2x8xi8>, tensor<2xf32>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Scales that are no constants cannot be packed with the nonzeros: the
// integers are expanded into a dense constant and dequantized as they are.
// CHECK-LABEL: func.func @masked_int8_scales_unknown
//   CHECK-NOT: pith.indexed_matmul
//       CHECK: arith.constant dense_resource<sparse_weight_dense> : tensor<2x8xi8>
func.func @masked_int8_scales_unknown(%x: tensor<64x8xf32>, %s: tensor<2xf32>) -> tensor<64x2xf32> {
  %q = pith.constant dense<[3, -4, 5, 7]> : tensor<4xi8>
  %m = pith.constant dense<[[true, false, false, true, false, false, false, false], [false, true, false, false, false, false, true, false]]> : tensor<2x8xi1>
  %d = pith.masked_densify %q, %m : (tensor<4xi8>, tensor<2x8xi1>) -> tensor<2x8xi8>
  %w = pith.dequantize %d, %s {axis = 0 : i64} : (tensor<2x8xi8>, tensor<2xf32>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<64x8xf32>, tensor<2x8xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}

// -----

// A group that lists one position twice is no set of nonzeros: the layer
// is neither indexed nor packed, and its weight is densified as
// pith.densify says (the first slot of a position wins).
// CHECK-LABEL: func.func @position_kept_twice
//   CHECK-NOT: pith.indexed_matmul
//   CHECK-NOT: pith.sparse_matmul
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x8xf32>)
func.func @position_kept_twice(%x: tensor<64x8xf32>) -> tensor<64x2xf32> {
  %v = pith.constant dense<[[1.0, 4.0, 0.5, 0.25], [7.0, 2.0, 5.0, 6.0]]> : tensor<2x4xf32>
  %p = pith.constant dense<[[0, 0, 1, 2], [3, 2, 0, 1]]> : tensor<2x4xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<2x4xf32>, tensor<2x4xui2>) -> tensor<2x8xf32>
  %y = pith.linear %x, %w : (tensor<64x8xf32>, tensor<2x8xf32>) -> tensor<64x2xf32>
  return %y : tensor<64x2xf32>
}
