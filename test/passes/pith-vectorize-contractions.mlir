// RUN: pith-opt %s --pith-vectorize-contractions=vector-bits=512 --canonicalize --loop-invariant-subset-hoisting --canonicalize --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-vectorize-contractions=vector-bits=256 --split-input-file | FileCheck %s --check-prefix=AVX2

// A matmul becomes loops over N tiles of 32 (two 16-lane vectors) and M
// tiles of up to 8 rows (7 divides 126, 8 does not; 49 rows, a 7x7
// image's, take 7 too, not 1); the K loop, in steps of 4, carries the
// 7x32 output tile in registers: one vector.contract of A [7, 4] and B
// [4, 32] per step. The zeros the sum starts from are each tile's, filled
// before its K loop (here folded into the loop's first value): the output
// is written once, not filled whole first and read back. With 256-bit
// vectors (and 16 registers, which 7 rows of 2 vectors would not leave
// room beside), tiles of 6x16.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<7x32xf32>
// CHECK-DAG: %[[EMPTY:.*]] = tensor.empty() : tensor<126x1536xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.for %[[N:.*]] = %c0 to %c1536 step %c32 iter_args(%{{.*}} = %[[EMPTY]])
// CHECK:   scf.for %[[M:.*]] = %c0 to %c126 step %c7
// CHECK:     %[[ACC:.*]] = scf.for %{{.*}} = %c0 to %c384 step %c4 iter_args(%[[T:.*]] = %[[ZEROS]]) -> (vector<7x32xf32>)
// CHECK:       %[[A:.*]] = vector.transfer_read {{.*}} : tensor<7x4xf32>, vector<7x4xf32>
// CHECK:       %[[B:.*]] = vector.transfer_read {{.*}} : tensor<4x32xf32>, vector<4x32xf32>
// CHECK:       %[[R:.*]] = vector.contract {{.*}} %[[A]], %[[B]], %[[T]] : vector<7x4xf32>, vector<4x32xf32> into vector<7x32xf32>
// CHECK:       scf.yield %[[R]]
// CHECK:     vector.transfer_write %[[ACC]]
// AVX2-LABEL: func.func @matmul
// AVX2: scf.for {{.*}} step %c16
// AVX2: scf.for {{.*}} step %c6
func.func @matmul(%a: tensor<126x384xf32>, %b: tensor<384x1536xf32>) -> tensor<126x1536xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<126x1536xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<126x1536xf32>) -> tensor<126x1536xf32>
  %r = linalg.matmul ins(%a, %b : tensor<126x384xf32>, tensor<384x1536xf32>) outs(%f : tensor<126x1536xf32>) -> tensor<126x1536xf32>
  return %r : tensor<126x1536xf32>
}

// -----

// Tiles divide the extents: 10 columns take tiles of 2, a single row 1.
// CHECK-LABEL: func.func @narrow
// CHECK: scf.for %{{.*}} = %c0 to %c10 step %c2
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<4x2xf32> into vector<1x2xf32>
func.func @narrow(%a: tensor<1x64xf32>, %b: tensor<64x10xf32>) -> tensor<1x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x10xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x10xf32>) -> tensor<1x10xf32>
  %r = linalg.matmul ins(%a, %b : tensor<1x64xf32>, tensor<64x10xf32>) outs(%f : tensor<1x10xf32>) -> tensor<1x10xf32>
  return %r : tensor<1x10xf32>
}

// -----

// One row over weights packed in panels of 8 columns (a classifier's 1000
// classes, 125 panels): a tile of one panel would leave one chain of
// multiply-adds, each waiting on the last; a tile takes 5 panels, the most
// of 8 or fewer that divide 125, so 5 accumulators run side by side.
// CHECK-LABEL: func.func @one_row_of_panels
// CHECK: scf.for %{{.*}} = %c0 to %c125 step %c5
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c4 iter_args(%{{.*}} = %{{.*}}) -> (vector<1x5x8xf32>)
// CHECK: vector.contract {{.*}} : vector<1x4xf32>, vector<5x4x8xf32> into vector<1x5x8xf32>
#row = affine_map<(m, p, c, k) -> (m, k)>
#panels = affine_map<(m, p, c, k) -> (p, k, c)>
#out = affine_map<(m, p, c, k) -> (m, p, c)>
func.func @one_row_of_panels(%a: tensor<1x64xf32>, %b: tensor<125x64x8xf32>) -> tensor<1x125x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x125x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x125x8xf32>) -> tensor<1x125x8xf32>
  %r = linalg.generic {indexing_maps = [#row, #panels, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : tensor<1x64xf32>, tensor<125x64x8xf32>) outs(%f : tensor<1x125x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x125x8xf32>
  return %r : tensor<1x125x8xf32>
}

// -----

// Batched: the batch loop is outermost.
// CHECK-LABEL: func.func @batch
// CHECK: scf.for %{{.*}} = %c0 to %c12 step %c1
// CHECK: vector.contract {{.*}} into vector<1x8x32xf32>
func.func @batch(%a: tensor<12x128x32xf32>, %b: tensor<12x32x128xf32>) -> tensor<12x128x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x128x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %r = linalg.batch_matmul ins(%a, %b : tensor<12x128x32xf32>, tensor<12x32x128xf32>) outs(%f : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  return %r : tensor<12x128x128xf32>
}

// -----

// B read transposed ([N, K]) and integer contractions are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK: linalg.matmul
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @left_alone(%a: tensor<8x16xf32>, %b: tensor<32x16xf32>, %c: tensor<8x32xf32>, %i: tensor<8x16xi32>, %j: tensor<16x32xi32>, %k: tensor<8x32xi32>) -> (tensor<8x32xf32>, tensor<8x32xi32>) {
  %r = linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x16xf32>, tensor<32x16xf32>) outs(%c : tensor<8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x32xf32>
  %q = linalg.matmul ins(%i, %j : tensor<8x16xi32>, tensor<16x32xi32>) outs(%k : tensor<8x32xi32>) -> tensor<8x32xi32>
  return %r, %q : tensor<8x32xf32>, tensor<8x32xi32>
}

// -----

// A quantized contraction (pith-lower-to-linalg's, over 6 rows, 2 panels
// of 16 features, 2 groups of 4 bytes, two 4-bit values a byte, stored
// unsigned) is written as loops: panel, blocks of rows (3 with AVX2),
// group, row of bytes. Each row of bytes is loaded once and widened; each
// value is shifted down and masked, converted, and multiplied into its own
// accumulator per row (one per value in the byte: independent chains).
// At the group's end the chains are added, the offset 8 plus the zero
// point times the group's sum of x taken away, and the result scaled into
// the row's accumulator. The sums of x over each group ([rows, groups])
// are an operand: pith-lower-to-linalg takes them once, before the panels.
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#xsums = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// AVX2-LABEL: func.func @quantized
//  AVX2-SAME: (%[[X:.*]]: tensor<6x2x4x2xf32>, %[[Q:.*]]: tensor<2x2x4x16xi8>, %[[S:.*]]: tensor<2x2x16xf32>, %[[Z:.*]]: tensor<2x2x16xi8>, %[[SUMS:.*]]: tensor<6x2xf32>
//       AVX2: scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step
//       AVX2:   scf.for %[[M:.*]] = %{{.*}} to %{{.*}} step %[[THREE:.*]] iter_args
// AVX2-COUNT-3:     vector.transfer_read {{.*}} : tensor<6x2x16xf32>, vector<16xf32>
//       AVX2:     scf.for %[[G:.*]] = %{{.*}} to %{{.*}} step
//       AVX2:       scf.for %[[B:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       AVX2:         %[[BYTES:.*]] = vector.transfer_read %[[Q]][%[[P]], %[[G]], %[[B]], %{{.*}}]{{.*}} : tensor<2x2x4x16xi8>, vector<16xi8>
//       AVX2:         %[[WIDE:.*]] = arith.extui %[[BYTES]] : vector<16xi8> to vector<16xi32>
//       AVX2:         %[[LOW:.*]] = arith.andi %[[WIDE]], %{{.*}} : vector<16xi32>
//       AVX2:         %[[LOWF:.*]] = arith.sitofp %[[LOW]]
//       AVX2:         tensor.extract %[[X]][%[[M]], %[[G]], %[[B]], %{{.*}}]
// AVX2-COUNT-3:         vector.fma %{{.*}}, %[[LOWF]]
//       AVX2:         %[[HIGH:.*]] = arith.shrui %[[WIDE]], %{{.*}} : vector<16xi32>
//       AVX2:         %[[HIGHF:.*]] = arith.sitofp %[[HIGH]]
// AVX2-COUNT-3:         vector.fma %{{.*}}, %[[HIGHF]]
//       AVX2:       vector.transfer_read %[[Z]][%[[P]], %[[G]], %{{.*}}]
//       AVX2:       %[[CENTER:.*]] = arith.addf
//       AVX2:       %[[SCALE:.*]] = vector.transfer_read %[[S]][%[[P]], %[[G]], %{{.*}}]
//       AVX2:       %[[CHAINS:.*]] = arith.addf
//       AVX2:       tensor.extract %[[SUMS]][%[[M]], %[[G]]]
//       AVX2:       %[[SHIFT:.*]] = arith.mulf %[[CENTER]]
//       AVX2:       %[[CENTERED:.*]] = arith.subf %[[CHAINS]], %[[SHIFT]]
//       AVX2:       vector.fma %[[CENTERED]], %[[SCALE]]
// AVX2-COUNT-3:     vector.transfer_write
//   AVX2-NOT: linalg.generic
func.func @quantized(%x: tensor<6x2x4x2xf32>, %q: tensor<2x2x4x16xi8>, %s: tensor<2x2x16xf32>, %z: tensor<2x2x16xi8>, %sums: tensor<6x2xf32>, %init: tensor<6x2x16xf32>) -> tensor<6x2x16xf32> {
  %c4 = arith.constant 4 : i8
  %c15 = arith.constant 15 : i8
  %c8f = arith.constant 8.0 : f32
  %0 = linalg.generic {indexing_maps = [#x, #q, #s, #s, #xsums, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s, %z, %sums : tensor<6x2x4x2xf32>, tensor<2x2x4x16xi8>, tensor<2x2x16xf32>, tensor<2x2x16xi8>, tensor<6x2xf32>) outs(%init : tensor<6x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %zp: i8, %xsum: f32, %out: f32):
    %sub = linalg.index 5 : index
    %subi = arith.index_cast %sub : index to i8
    %shift = arith.muli %subi, %c4 : i8
    %field = arith.shrui %byte, %shift : i8
    %v = arith.andi %field, %c15 : i8
    %vf = arith.uitofp %v : i8 to f32
    %vc = arith.subf %vf, %c8f : f32
    %zf = arith.sitofp %zp : i8 to f32
    %d = arith.subf %vc, %zf : f32
    %w = arith.mulf %d, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<6x2x16xf32>
  return %0 : tensor<6x2x16xf32>
}

// -----

// From 8 rows on, each panel's weights are dequantized once into a buffer
// [K, 16] carried by the panel loop, then multiplied into blocks of rows
// (8 with AVX-512) as a float contraction's register tiles are.
// CHECK-LABEL: func.func @quantized_buffered
//       CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<8x16xf32>
//       CHECK: scf.for %[[P:.*]] = %c0 to %c2 step %c1 iter_args(%[[OUT:.*]] = %{{.*}}, %[[BUF:.*]] = %[[EMPTY]])
//       CHECK:   scf.for %{{.*}} iter_args(%[[BUF1:.*]] = %[[BUF]])
//       CHECK:     arith.extui
//       CHECK:     arith.andi
//       CHECK:     arith.subf
//       CHECK:     arith.mulf
//       CHECK:     vector.transfer_write %{{.*}}, %[[BUF1]]
//       CHECK:     arith.shrui
//       CHECK:     vector.transfer_write
//       CHECK:   scf.for %[[M:.*]] = %c0 to %c16 step %c8
// CHECK-COUNT-8:     vector.transfer_read {{.*}} : tensor<16x2x16xf32>, vector<16xf32>
//       CHECK:     scf.for
//       CHECK:       vector.transfer_read %{{.*}} : tensor<8x16xf32>, vector<16xf32>
// CHECK-COUNT-8:       vector.fma
//       CHECK:       vector.transfer_read %{{.*}} : tensor<8x16xf32>, vector<16xf32>
// CHECK-COUNT-8:       vector.fma
// CHECK-COUNT-8:     vector.transfer_write
//   CHECK-NOT: linalg.generic
#bx = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#bq = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#bs = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#bsums = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3)>
#bo = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @quantized_buffered(%x: tensor<16x1x4x2xf32>, %q: tensor<2x1x4x16xi8>, %s: tensor<2x1x16xf32>, %sums: tensor<16x1xf32>, %init: tensor<16x2x16xf32>) -> tensor<16x2x16xf32> {
  %0 = linalg.generic {indexing_maps = [#bx, #bq, #bs, #bsums, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s, %sums : tensor<16x1x4x2xf32>, tensor<2x1x4x16xi8>, tensor<2x1x16xf32>, tensor<16x1xf32>) outs(%init : tensor<16x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %xsum: f32, %out: f32):
    %vf = arith.uitofp %byte : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<16x2x16xf32>
  return %0 : tensor<16x2x16xf32>
}

// -----

// 23 rows (a prime) would take tiles of one row: the contraction is split
// into the 16 rows that tiles of 8 cover and the 7 left, each with its own
// zeros to start from and tiles (8 and 7 rows); the output they are
// inserted into is never filled. With 256-bit vectors (tiles of at most
// 6 rows of 2 vectors), 18 rows and 5.
// CHECK-LABEL: func.func @prime_rows
//   CHECK-NOT: linalg.fill
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [16, 64] [1, 1] : tensor<23x64xf32> to tensor<16x64xf32>
//       CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
//       CHECK:   vector.contract {{.*}} : vector<8x4xf32>, vector<4x32xf32> into vector<8x32xf32>
//       CHECK: %[[OUT:.*]] = tensor.empty() : tensor<23x32xf32>
//       CHECK: %[[FIRST:.*]] = tensor.insert_slice %{{.*}} into %[[OUT]][0, 0] [16, 32] [1, 1]
//       CHECK: tensor.extract_slice %{{.*}}[16, 0] [7, 64] [1, 1] : tensor<23x64xf32> to tensor<7x64xf32>
//       CHECK: vector.contract {{.*}} : vector<7x4xf32>, vector<4x32xf32> into vector<7x32xf32>
//       CHECK: tensor.insert_slice %{{.*}} into %[[FIRST]][16, 0] [7, 32] [1, 1]
// AVX2-LABEL: func.func @prime_rows
//       AVX2: tensor.extract_slice %{{.*}}[0, 0] [18, 64] [1, 1]
//       AVX2: scf.for {{.*}} step %c6
//       AVX2: tensor.extract_slice %{{.*}}[18, 0] [5, 64] [1, 1]
func.func @prime_rows(%a: tensor<23x64xf32>, %b: tensor<64x32xf32>) -> tensor<23x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<23x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<23x32xf32>) -> tensor<23x32xf32>
  %r = linalg.matmul ins(%a, %b : tensor<23x64xf32>, tensor<64x32xf32>) outs(%f : tensor<23x32xf32>) -> tensor<23x32xf32>
  return %r : tensor<23x32xf32>
}

// -----

// 13 rows split into 8 and 5 (both at the full FMA rate, against 13
// tiles of one row); 9 rows take tiles of 3 (6 of the 8 accumulators
// that hide the latency), where 8 and 1 would take as long.
// CHECK-LABEL: func.func @thirteen_rows
//       CHECK: vector.contract {{.*}} into vector<8x32xf32>
//       CHECK: vector.contract {{.*}} into vector<5x32xf32>
// CHECK-LABEL: func.func @nine_rows
//   CHECK-NOT: tensor.extract_slice %{{.*}}[0, 0] [8, 64]
//       CHECK: scf.for %{{.*}} = %c0 to %c9 step %c3
func.func @thirteen_rows(%a: tensor<13x64xf32>, %b: tensor<64x32xf32>, %c: tensor<13x32xf32>) -> tensor<13x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<13x64xf32>, tensor<64x32xf32>) outs(%c : tensor<13x32xf32>) -> tensor<13x32xf32>
  return %r : tensor<13x32xf32>
}
func.func @nine_rows(%a: tensor<9x64xf32>, %b: tensor<64x32xf32>, %c: tensor<9x32xf32>) -> tensor<9x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<9x64xf32>, tensor<64x32xf32>) outs(%c : tensor<9x32xf32>) -> tensor<9x32xf32>
  return %r : tensor<9x32xf32>
}

// -----

// 127 columns (a prime) would take tiles of one column: split into the
// 112 that whole vectors cover (tiles of 16) and the 15 left.
// CHECK-LABEL: func.func @prime_columns
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [32, 112] [1, 1] : tensor<32x127xf32> to tensor<32x112xf32>
//       CHECK: vector.contract {{.*}} : vector<8x4xf32>, vector<4x16xf32> into vector<8x16xf32>
//       CHECK: tensor.extract_slice %{{.*}}[0, 112] [32, 15] [1, 1] : tensor<32x127xf32> to tensor<32x15xf32>
//       CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 112] [16, 15] [1, 1] : tensor<16x15xf32> into tensor<16x127xf32>
func.func @prime_columns(%a: tensor<16x32xf32>, %b: tensor<32x127xf32>) -> tensor<16x127xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x127xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16x127xf32>) -> tensor<16x127xf32>
  %r = linalg.matmul ins(%a, %b : tensor<16x32xf32>, tensor<32x127xf32>) outs(%f : tensor<16x127xf32>) -> tensor<16x127xf32>
  return %r : tensor<16x127xf32>
}

// -----

// A quantized contraction of 23 rows is split likewise: 16 rows multiply
// a buffered panel in tiles of 8, the 7 left unpack it per row.
// CHECK-LABEL: func.func @quantized_prime_rows
//       CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [16, 1, 4, 2] [1, 1, 1, 1] : tensor<23x1x4x2xf32> to tensor<16x1x4x2xf32>
//       CHECK: tensor.empty() : tensor<8x16xf32>
//       CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
//       CHECK: tensor.extract_slice %{{.*}}[16, 0, 0, 0] [7, 1, 4, 2] [1, 1, 1, 1] : tensor<23x1x4x2xf32> to tensor<7x1x4x2xf32>
//   CHECK-NOT: linalg.generic
#px = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#pq = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#ps = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#psums = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3)>
#po = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @quantized_prime_rows(%x: tensor<23x1x4x2xf32>, %q: tensor<2x1x4x16xi8>, %s: tensor<2x1x16xf32>, %sums: tensor<23x1xf32>, %init: tensor<23x2x16xf32>) -> tensor<23x2x16xf32> {
  %0 = linalg.generic {indexing_maps = [#px, #pq, #ps, #psums, #po], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s, %sums : tensor<23x1x4x2xf32>, tensor<2x1x4x16xi8>, tensor<2x1x16xf32>, tensor<23x1xf32>) outs(%init : tensor<23x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %xsum: f32, %out: f32):
    %vf = arith.uitofp %byte : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<23x2x16xf32>
  return %0 : tensor<23x2x16xf32>
}

// -----

// One row (M = 1) of int8 weights: rows of bytes are unrolled by 4, each
// into an accumulator of its own, so that 4 FMA chains run side by side.
// AVX2-LABEL: func.func @quantized_gemv
//   AVX2-NOT: vector.reduction
//       AVX2: scf.for %{{.*}} = %c0 to %c8 step %c4 iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}, %[[A2:.*]] = %{{.*}}, %[[A3:.*]] = %{{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       AVX2:   arith.extsi {{.*}} : vector<16xi8> to vector<16xi32>
//       AVX2:   vector.fma %{{.*}}, %{{.*}}, %[[A0]]
//       AVX2:   arith.extsi
//       AVX2:   vector.fma %{{.*}}, %{{.*}}, %[[A1]]
//       AVX2:   arith.extsi
//       AVX2:   vector.fma %{{.*}}, %{{.*}}, %[[A2]]
//       AVX2:   arith.extsi
//       AVX2:   vector.fma %{{.*}}, %{{.*}}, %[[A3]]
#gx = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#gq = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#gs = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#go = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @quantized_gemv(%x: tensor<1x1x8x1xf32>, %q: tensor<2x1x8x16xi8>, %s: tensor<2x1x16xf32>, %init: tensor<1x2x16xf32>) -> tensor<1x2x16xf32> {
  %0 = linalg.generic {indexing_maps = [#gx, #gq, #gs, #go], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s : tensor<1x1x8x1xf32>, tensor<2x1x8x16xi8>, tensor<2x1x16xf32>) outs(%init : tensor<1x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 8 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %vf = arith.sitofp %byte : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x2x16xf32>
  return %0 : tensor<1x2x16xf32>
}

// -----

// A contraction of int8 inputs (2 rows) with int4 weights packed for dot
// products (1 panel, 2 groups of 1 block of 8 values), the inputs' sums
// per group an operand: with 512-bit vectors, per panel, block of rows and
// group, each block's 64 bytes are read once, each value of a
// byte shifted out in all of them, and multiplied with the row's 4 inputs
// broadcast as a dot product of bytes into 32-bit lanes, marked for VNNI.
// At the group's end 8 times the inputs' sum is taken away and the sum
// converted and scaled; at the end each row is scaled by its input scale.
// With 256-bit vectors the contraction is left as it is.
#dx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d4, d5, d6)>
#dw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d2, d6)>
#ds = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d2)>
#dsums = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3)>
#dr = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0)>
#do = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @quantized_dot
//  CHECK-SAME: (%[[X:.*]]: tensor<2x2x1x2x4xi8>, %[[W:.*]]: tensor<1x2x1x16x4xi8>, %[[S:.*]]: tensor<1x2x16xf32>, %[[SUMS:.*]]: tensor<2x2xi32>, %[[R:.*]]: tensor<2xf32>
//       CHECK: %[[FLATW:.*]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<1x2x1x64xi8>
//       CHECK: %[[FLATX:.*]] = tensor.collapse_shape %[[X]] {{.*}} into tensor<2x2x1x8xi8>
// (One panel, one block of rows, one block a group: those loops fold.)
//       CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>)
//       CHECK:     %[[BYTES:.*]] = vector.transfer_read %[[FLATW]]{{.*}} : tensor<1x2x1x64xi8>, vector<64xi8>
//       CHECK:     %[[LOW:.*]] = arith.andi %[[BYTES]], %{{.*}} : vector<64xi8>
//       CHECK:     %[[LOWW:.*]] = arith.extui %[[LOW]] : vector<64xi8> to vector<64xi32>
//       CHECK:     vector.transfer_read %[[FLATX]]{{.*}} : tensor<2x2x1x8xi8>, vector<4xi8>
//       CHECK:     vector.bitcast {{.*}} : vector<4xi8> to vector<1xi32>
//       CHECK:     arith.muli %[[LOWW]]
//       CHECK:     vector.multi_reduction <add>, {{.*}} {pith.vnni_dot} [1] : vector<16x4xi32> to vector<16xi32>
//       CHECK:     %[[HIGH:.*]] = arith.shrui %[[BYTES]], %{{.*}} : vector<64xi8>
//       CHECK:     vector.multi_reduction <add>, {{.*}} {pith.vnni_dot} [1] : vector<16x4xi32> to vector<16xi32>
//       CHECK:     tensor.extract %[[SUMS]]
//       CHECK:     arith.muli
//       CHECK:     arith.subi
//       CHECK:     arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
//       CHECK:     vector.fma
//       CHECK:   tensor.extract %[[R]]
//       CHECK:   vector.fma
//   CHECK-NOT: linalg.generic
// With AVX2 the same dot products (pith-lower-vectors makes them
// vpmaddubsw and vpmaddwd), in smaller blocks of rows: a 16-lane vector
// takes two of AVX2's 16 registers.
// AVX2-LABEL: func.func @quantized_dot
//       AVX2: vector.multi_reduction <add>, {{.*}} {pith.vnni_dot} [1] : vector<16x4xi32> to vector<16xi32>
//   AVX2-NOT: linalg.generic
func.func @quantized_dot(%x: tensor<2x2x1x2x4xi8>, %w: tensor<1x2x1x16x4xi8>, %s: tensor<1x2x16xf32>, %sums: tensor<2x2xi32>, %r: tensor<2xf32>, %init: tensor<2x1x16xf32>) -> tensor<2x1x16xf32> {
  %0 = linalg.generic {indexing_maps = [#dx, #dw, #ds, #dsums, #dr, #do], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w, %s, %sums, %r : tensor<2x2x1x2x4xi8>, tensor<1x2x1x16x4xi8>, tensor<1x2x16xf32>, tensor<2x2xi32>, tensor<2xf32>) outs(%init : tensor<2x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, dot = true, unsigned = false}} {
  ^bb0(%in: i8, %byte: i8, %scale: f32, %xsum: i32, %row: f32, %out: f32):
    %sub = linalg.index 5 : index
    %sub8 = arith.index_cast %sub : index to i8
    %c4 = arith.constant 4 : i8
    %shift = arith.muli %sub8, %c4 : i8
    %shifted = arith.shrui %byte, %shift : i8
    %c15 = arith.constant 15 : i8
    %field = arith.andi %shifted, %c15 : i8
    %wf = arith.uitofp %field : i8 to f32
    %c8 = arith.constant 8.0 : f32
    %centered = arith.subf %wf, %c8 : f32
    %weight = arith.mulf %centered, %scale : f32
    %xf = arith.sitofp %in : i8 to f32
    %xs = arith.mulf %xf, %row : f32
    %p = arith.mulf %xs, %weight : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x1x16xf32>
  return %0 : tensor<2x1x16xf32>
}

// -----

// Two panels pair up: each block reads both panels' bytes, and each row's
// 4 inputs, broadcast once, feed a dot product for each panel. (The one
// pair's panel loop and the two blocks' loop fold.)
// CHECK-LABEL: func.func @quantized_dot_two_panels
//       CHECK:   vector.transfer_read %{{.*}}[%c0, %c0, %c0, %c0]{{.*}} : tensor<2x1x2x64xi8>, vector<64xi8>
//       CHECK:   vector.transfer_read %{{.*}}[%c1, %c0, %c0, %c0]{{.*}} : tensor<2x1x2x64xi8>, vector<64xi8>
//       CHECK:   vector.bitcast {{.*}} : vector<4xi8> to vector<1xi32>
//   CHECK-NOT:   vector.bitcast {{.*}} : vector<4xi8> to vector<1xi32>
//       CHECK:   vector.multi_reduction <add>, {{.*}} {pith.vnni_dot}
//       CHECK:   vector.multi_reduction <add>, {{.*}} {pith.vnni_dot}
#tx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d4, d5, d6)>
#tw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d2, d6)>
#ts = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d2)>
#tsums = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3)>
#tr = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0)>
#to = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2)>
func.func @quantized_dot_two_panels(%x: tensor<1x1x2x1x4xi8>, %w: tensor<2x1x2x16x4xi8>, %s: tensor<2x1x16xf32>, %sums: tensor<1x1xi32>, %r: tensor<1xf32>, %init: tensor<1x2x16xf32>) -> tensor<1x2x16xf32> {
  %0 = linalg.generic {indexing_maps = [#tx, #tw, #ts, #tsums, #tr, #to], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w, %s, %sums, %r : tensor<1x1x2x1x4xi8>, tensor<2x1x2x16x4xi8>, tensor<2x1x16xf32>, tensor<1x1xi32>, tensor<1xf32>) outs(%init : tensor<1x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 8 : i64, dot = true, unsigned = false}} {
  ^bb0(%in: i8, %byte: i8, %scale: f32, %xsum: i32, %row: f32, %out: f32):
    %wf = arith.uitofp %byte : i8 to f32
    %c128 = arith.constant 128.0 : f32
    %centered = arith.subf %wf, %c128 : f32
    %weight = arith.mulf %centered, %scale : f32
    %xf = arith.sitofp %in : i8 to f32
    %xs = arith.mulf %xf, %row : f32
    %p = arith.mulf %xs, %weight : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  } -> tensor<1x2x16xf32>
  return %0 : tensor<1x2x16xf32>
}

// -----

// At 5 rows the two panels do not pair: a tile of 5 rows by one panel
// loads 1.2 times a dot product (its 64 bytes once for 5 rows), two panels
// by 1 row 1.5 times. The panel loop steps by 1, and each block's bytes
// feed the 5 rows' broadcast inputs.
// CHECK-LABEL: func.func @quantized_dot_five_rows
//       CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
//       CHECK:   vector.transfer_read {{.*}} : tensor<2x1x2x64xi8>, vector<64xi8>
//   CHECK-NOT:   vector.transfer_read {{.*}} : tensor<2x1x2x64xi8>, vector<64xi8>
// CHECK-COUNT-5:   vector.bitcast {{.*}} : vector<4xi8> to vector<1xi32>
// CHECK-COUNT-5:   vector.multi_reduction <add>, {{.*}} {pith.vnni_dot}
#fx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d4, d5, d6)>
#fw = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d2, d6)>
#fs = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d2)>
#fsums = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3)>
#fr = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0)>
#fo = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2)>
func.func @quantized_dot_five_rows(%x: tensor<5x1x2x1x4xi8>, %w: tensor<2x1x2x16x4xi8>, %s: tensor<2x1x16xf32>, %sums: tensor<5x1xi32>, %r: tensor<5xf32>, %init: tensor<5x2x16xf32>) -> tensor<5x2x16xf32> {
  %0 = linalg.generic {indexing_maps = [#fx, #fw, #fs, #fsums, #fr, #fo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w, %s, %sums, %r : tensor<5x1x2x1x4xi8>, tensor<2x1x2x16x4xi8>, tensor<2x1x16xf32>, tensor<5x1xi32>, tensor<5xf32>) outs(%init : tensor<5x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 8 : i64, dot = true, unsigned = false}} {
  ^bb0(%in: i8, %byte: i8, %scale: f32, %xsum: i32, %row: f32, %out: f32):
    %wf = arith.uitofp %byte : i8 to f32
    %c128 = arith.constant 128.0 : f32
    %centered = arith.subf %wf, %c128 : f32
    %weight = arith.mulf %centered, %scale : f32
    %xf = arith.sitofp %in : i8 to f32
    %xs = arith.mulf %xf, %row : f32
    %p = arith.mulf %xs, %weight : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  } -> tensor<5x2x16xf32>
  return %0 : tensor<5x2x16xf32>
}

// -----

// 2:4-sparse weights (pith.sparse_matmul): per panel, block of rows (2)
// and group (unrolled by 2, so that 8 FMA chains run side by side), the
// positions' byte is widened once, slot 0's position masked out and slot
// 1's shifted down; each slot's values multiply x's group gathered by
// those positions, from its 4 elements alone: 2 FMAs per group of 4.
// CHECK-LABEL: func.func @sparse
//       CHECK: scf.for %[[P:.*]] = %c0 to %c3 step %c1
//       CHECK:   %[[ACC0:.*]] = vector.transfer_read %{{.*}}[%c0, %[[P]], %c0]
//       CHECK:   scf.for %[[G:.*]] = %c0 to %c8 step %c2 iter_args(%[[A0:.*]] = %[[ACC0]], %[[A1:.*]] = %{{.*}}, %[[A2:.*]] = %{{.*}}, %[[A3:.*]] = %{{.*}}, %[[A4:.*]] = %{{.*}}, %[[A5:.*]] = %{{.*}}, %[[A6:.*]] = %{{.*}}, %[[A7:.*]] = %{{.*}})
//       CHECK:     %[[BYTES:.*]] = vector.transfer_read %{{.*}}[%[[P]], %[[G]], %c0]{{.*}} : tensor<3x8x16xi8>, vector<16xi8>
//       CHECK:     %[[WIDE:.*]] = arith.extui %[[BYTES]] : vector<16xi8> to vector<16xi32>
//       CHECK:     %[[SLOT0:.*]] = arith.andi %[[WIDE]], %{{.*}} : vector<16xi32>
//       CHECK:     %[[SLOT1:.*]] = arith.shrui %[[WIDE]], %{{.*}} : vector<16xi32>
//       CHECK:     %[[W0:.*]] = vector.transfer_read %{{.*}}[%[[P]], %[[G]], %c0, %c0]{{.*}} : tensor<3x8x2x16xf32>, vector<16xf32>
//       CHECK:     %[[GROUP:.*]] = tensor.extract_slice %{{.*}}[0, %[[G]], 0] [1, 1, 4] [1, 1, 1] : tensor<2x8x4xf32> to tensor<4xf32>
//       CHECK:     %[[XS:.*]] = vector.gather %[[GROUP]][%c0] [%[[SLOT0]]]
//       CHECK:     vector.fma %[[XS]], %[[W0]], %[[A0]]
//       CHECK:     vector.gather
//       CHECK:     vector.fma %{{.*}}, %[[W0]], %[[A4]]
//       CHECK:     vector.transfer_read %{{.*}}[%[[P]], %[[G]], %c1, %c0]
//       CHECK:     vector.gather %{{.*}}[%c0] [%[[SLOT1]]]
//   CHECK-NOT: linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d5)>
#v = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#p = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @sparse(%x: tensor<2x8x4xf32>, %v: tensor<3x8x2x16xf32>, %p: tensor<3x8x16xi8>, %init: tensor<2x3x16xf32>) -> tensor<2x3x16xf32> {
  %c2 = arith.constant 2 : i8
  %c3 = arith.constant 3 : i8
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#x, #v, #p, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %v, %p : tensor<2x8x4xf32>, tensor<3x8x2x16xf32>, tensor<3x8x16xi8>) outs(%init : tensor<2x3x16xf32>) attrs = {pith.sparse_matmul = {m = 4 : i64, n = 2 : i64}} {
  ^bb0(%in: f32, %w: f32, %pos: i8, %out: f32):
    %slot = linalg.index 4 : index
    %s8 = arith.index_cast %slot : index to i8
    %shift = arith.muli %s8, %c2 : i8
    %field = arith.shrui %pos, %shift : i8
    %at = arith.andi %field, %c3 : i8
    %off = linalg.index 5 : index
    %o8 = arith.index_cast %off : index to i8
    %here = arith.cmpi eq, %at, %o8 : i8
    %wv = arith.select %here, %w, %zero : f32
    %prod = arith.mulf %in, %wv : f32
    %r = arith.addf %out, %prod : f32
    linalg.yield %r : f32
  } -> tensor<2x3x16xf32>
  return %0 : tensor<2x3x16xf32>
}

// -----

// Int8 kept values: each converted exactly, the row's sums scaled once by
// the features' scales and added to the output.
// CHECK-LABEL: func.func @sparse_int8
//       CHECK: %[[ACC:.*]] = vector.transfer_read %{{.*}}[%c0, %[[P:.*]], %c0]{{.*}} : tensor<1x1x16xf32>, vector<16xf32>
//       CHECK: scf.for
//       CHECK:   %[[BYTES:.*]] = vector.transfer_read {{.*}} : tensor<1x16x2x16xi8>, vector<16xi8>
//       CHECK:   %[[WIDE:.*]] = arith.extsi %[[BYTES]] : vector<16xi8> to vector<16xi32>
//       CHECK:   arith.sitofp %[[WIDE]] : vector<16xi32> to vector<16xf32>
//       CHECK: %[[SCALE:.*]] = vector.transfer_read %{{.*}}[%[[P]], %c0]{{.*}} : tensor<1x16xf32>, vector<16xf32>
//       CHECK: vector.fma %{{.*}}, %[[SCALE]], %[[ACC]]
#qx = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d5)>
#qv = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#qp = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#qs = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2)>
#qo = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @sparse_int8(%x: tensor<1x16x4xf32>, %v: tensor<1x16x2x16xi8>, %p: tensor<1x16x16xi8>, %s: tensor<1x16xf32>, %init: tensor<1x1x16xf32>) -> tensor<1x1x16xf32> {
  %c2 = arith.constant 2 : i8
  %c3 = arith.constant 3 : i8
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#qx, #qv, #qp, #qs, #qo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %v, %p, %s : tensor<1x16x4xf32>, tensor<1x16x2x16xi8>, tensor<1x16x16xi8>, tensor<1x16xf32>) outs(%init : tensor<1x1x16xf32>) attrs = {pith.sparse_matmul = {m = 4 : i64, n = 2 : i64}} {
  ^bb0(%in: f32, %q: i8, %pos: i8, %scale: f32, %out: f32):
    %slot = linalg.index 4 : index
    %s8 = arith.index_cast %slot : index to i8
    %shift = arith.muli %s8, %c2 : i8
    %field = arith.shrui %pos, %shift : i8
    %at = arith.andi %field, %c3 : i8
    %off = linalg.index 5 : index
    %o8 = arith.index_cast %off : index to i8
    %here = arith.cmpi eq, %at, %o8 : i8
    %qf = arith.sitofp %q : i8 to f32
    %w = arith.mulf %qf, %scale : f32
    %wv = arith.select %here, %w, %zero : f32
    %prod = arith.mulf %in, %wv : f32
    %r = arith.addf %out, %prod : f32
    linalg.yield %r : f32
  } -> tensor<1x1x16xf32>
  return %0 : tensor<1x1x16xf32>
}

// -----

// A chunk of pith-parallelize's scf.forall that fills its slice of the
// shared output: the fill moves into each tile, before its K loop.
// CHECK-LABEL: func.func @chunk_of_filled_output
// CHECK-DAG: %[[ZEROS:.*]] = arith.constant dense<0.000000e+00> : vector<8x32xf32>
// CHECK-DAG: %[[EMPTY:.*]] = tensor.empty() : tensor<16x64xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) = (0) to (16) step (8) shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c4 iter_args(%{{.*}} = %[[ZEROS]]) -> (vector<8x32xf32>)
func.func @chunk_of_filled_output(%a: tensor<16x32xf32>, %b: tensor<32x64xf32>) -> tensor<16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %r = scf.forall (%i) = (0) to (16) step (8) shared_outs(%out = %e) -> (tensor<16x64xf32>) {
    %rows = tensor.extract_slice %a[%i, 0] [8, 32] [1, 1] : tensor<16x32xf32> to tensor<8x32xf32>
    %chunk = tensor.extract_slice %out[%i, 0] [8, 64] [1, 1] : tensor<16x64xf32> to tensor<8x64xf32>
    %f = linalg.fill ins(%zero : f32) outs(%chunk : tensor<8x64xf32>) -> tensor<8x64xf32>
    %m = linalg.matmul ins(%rows, %b : tensor<8x32xf32>, tensor<32x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %out[%i, 0] [8, 64] [1, 1] : tensor<8x64xf32> into tensor<16x64xf32>
    }
  }
  return %r : tensor<16x64xf32>
}

// -----

// An elementwise op on a contraction's result (a bias and a clamp) is its
// epilogue: each register tile's sums, once the loop over K is done, get
// the bias and the clamp in registers and are stored once; the product
// itself is never stored, nor any zeros.
// CHECK-LABEL: func.func @epilogue_in_registers
//   CHECK-NOT: linalg.
//       CHECK: scf.for %{{.*}} = %c0 to %c64 step %c32
//       CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
//       CHECK: %[[SUMS:.*]] = scf.for {{.*}} -> (vector<1x1x8x32xf32>)
//       CHECK:   vector.contract
//       CHECK: %[[BIASED:.*]] = arith.addf %[[SUMS]], %{{.*}} : vector<1x1x8x32xf32>
//       CHECK: %[[LOW:.*]] = arith.maximumf %[[BIASED]]
//       CHECK: %[[HIGH:.*]] = arith.minimumf %[[LOW]]
//       CHECK: vector.transfer_write %[[HIGH]]
//   CHECK-NOT: vector.transfer_write
//   CHECK-NOT: linalg.
#vw = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
#vx = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#vo = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#vid = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#vbias = affine_map<(d0, d1, d2, d3) -> (d2)>
func.func @epilogue_in_registers(%w: tensor<1x16x8xf32>, %x: tensor<1x1x8x64xf32>, %b: tensor<16xf32>) -> tensor<1x1x16x64xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x1x16x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x16x64xf32>) -> tensor<1x1x16x64xf32>
  %p = linalg.generic {indexing_maps = [#vw, #vx, #vo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<1x16x8xf32>, tensor<1x1x8x64xf32>) outs(%f : tensor<1x1x16x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x16x64xf32>
  %out = tensor.empty() : tensor<1x1x16x64xf32>
  %y = linalg.generic {indexing_maps = [#vid, #vbias, #vid], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p, %b : tensor<1x1x16x64xf32>, tensor<16xf32>) outs(%out : tensor<1x1x16x64xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %lo = arith.maximumf %s, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<1x1x16x64xf32>
  return %y : tensor<1x1x16x64xf32>
}
