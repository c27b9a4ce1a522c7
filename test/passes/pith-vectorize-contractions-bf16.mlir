// RUN: pith-opt %s --pith-vectorize-contractions="vector-bits=512 bf16-dot=true" --canonicalize --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-vectorize-contractions=vector-bits=512 --split-input-file | FileCheck %s --check-prefix=NOBF16

// With AVX-512 BF16, weight-only 4-bit layers at one or two rows multiply
// by vdpbf16ps. First x is split, per group and block of 8 values, into
// pairs of values p and p + 4 (as the weights' lanes pair them), each pair
// rounded to bf16 and what it left rounded again, with each group's sum of
// the two parts.
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#xsums = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gemv
//  CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x2xf32>, %[[Q:.*]]: tensor<2x2x8x16xi8>, %[[S:.*]]: tensor<2x2x16xf32>, %[[Z:.*]]: tensor<2x2x16xi8>, %{{.*}}: tensor<1x2xf32>
//   CHECK-DAG: %[[MAGIC:.*]] = arith.constant dense<1065369472> : vector<16xi32>
//   CHECK-DAG: %[[FIELDS:.*]] = arith.constant dense<7864440> : vector<16xi32>
//   CHECK-DAG: %[[SIXTEEN:.*]] = arith.constant dense<1.600000e+01> : vector<16xf32>
//       CHECK: %[[FLATX:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2, 3]] : tensor<1x2x8x2xf32> into tensor<1x32xf32>
//       CHECK: %[[SPLIT:.*]]:2 = scf.for %[[G:[a-z0-9_]+]] = {{.*}} -> (tensor<1x2x2x8xi32>, tensor<1x2xf32>)
//       CHECK:   scf.for %[[B:[a-z0-9_]+]] = {{.*}} -> (tensor<1x2x2x8xi32>, vector<8xf32>)
//       CHECK:     %[[EIGHT:.*]] = vector.transfer_read %[[FLATX]]{{.*}} : tensor<1x32xf32>, vector<8xf32>
//       CHECK:     %[[PAIRED:.*]] = vector.shuffle %[[EIGHT]], %[[EIGHT]] [0, 4, 1, 5, 2, 6, 3, 7]
//       CHECK:     %[[HIGH:.*]] = arith.truncf %[[PAIRED]] : vector<8xf32> to vector<8xbf16>
//       CHECK:     %[[HIGHF:.*]] = arith.extf %[[HIGH]]
//       CHECK:     %[[REST:.*]] = arith.subf %[[PAIRED]], %[[HIGHF]]
//       CHECK:     %[[LOW:.*]] = arith.truncf %[[REST]] : vector<8xf32> to vector<8xbf16>
//       CHECK:     %[[LOWF:.*]] = arith.extf %[[LOW]]
//       CHECK:     %[[BOTH:.*]] = arith.addf %[[HIGHF]], %[[LOWF]]
//       CHECK:     vector.bitcast %[[HIGH]] : vector<8xbf16> to vector<4xi32>
//       CHECK:     vector.transfer_write {{.*}}[%{{.*}}, %[[G]], %[[B]], %c0]
//       CHECK:     vector.bitcast %[[LOW]] : vector<8xbf16> to vector<4xi32>
//       CHECK:     vector.transfer_write {{.*}}[%{{.*}}, %[[G]], %[[B]], %c4]
//       CHECK:     arith.addf %{{.*}}, %[[BOTH]] : vector<8xf32>
//       CHECK:   vector.reduction <add>
//       CHECK:   tensor.insert
// Then per panel and group, 8 accumulators (4 pairs, 2 parts); per block of
// 4 rows of bytes (64), the bytes permuted so that each feature's 4 share
// a lane (vpermb), and each pair of values shifted under bf16 1.0: 1 + n/16.
//       CHECK: %[[FLATQ:.*]] = tensor.collapse_shape %[[Q]] {{\[\[}}0], [1, 2, 3]] : tensor<2x2x8x16xi8> into tensor<2x256xi8>
//       CHECK: scf.for %[[P:[a-z0-9_]+]] = {{.*}} -> (tensor<1x2x16xf32>)
//       CHECK:   scf.for %[[G2:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>)
//       CHECK:     %[[SUMS:.*]]:8 = scf.for %[[B2:[a-z0-9_]+]] = {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       CHECK:       %[[RAW:.*]] = vector.transfer_read %[[FLATQ]][%[[P]], %[[AT:[a-z0-9_]+]]]{{.*}} : tensor<2x256xi8>, vector<64xi8>
// The weights 4096 bytes ahead are prefetched, through a read-only buffer
// of any layout.
//       CHECK:       %[[AHEAD:.*]] = arith.addi %[[AT]], %c4096
//       CHECK:       %[[BUF:.*]] = bufferization.to_buffer %[[FLATQ]] read_only : tensor<2x256xi8> to memref<2x256xi8, strided<[?, ?], offset: ?>>
//       CHECK:       memref.prefetch %[[BUF]][%[[P]], %[[AHEAD]]], read, locality<3>, data
//       CHECK:       %[[LANES:.*]] = vector.shuffle %[[RAW]], %[[RAW]] [0, 16, 32, 48, 1, 17, 33, 49, 2, 18, 34, 50,
//       CHECK:       %[[WORDS:.*]] = vector.bitcast %[[LANES]] : vector<64xi8> to vector<16xi32>
//       CHECK:       %[[F0:.*]] = arith.shli %[[WORDS]], %{{.*}} : vector<16xi32>
//       CHECK:       %[[M0:.*]] = arith.andi %[[F0]], %[[FIELDS]]
//       CHECK:       %[[W0:.*]] = arith.ori %[[M0]], %[[MAGIC]]
//       CHECK:       %[[PAIR0:.*]] = vector.bitcast %[[W0]] : vector<16xi32> to vector<32xbf16>
//       CHECK:       %[[X0:.*]] = tensor.extract %[[SPLIT]]#0[%{{.*}}, %[[G2]], %[[B2]], %c0]
//       CHECK:       %[[XB:.*]] = vector.broadcast %[[X0]] : i32 to vector<16xi32>
//       CHECK:       %[[XP:.*]] = vector.bitcast %[[XB]] : vector<16xi32> to vector<32xbf16>
//       CHECK:       %[[WW:.*]] = arith.extf %[[PAIR0]] : vector<32xbf16> to vector<32xf32>
//       CHECK:       %[[XW:.*]] = arith.extf %[[XP]] : vector<32xbf16> to vector<32xf32>
//       CHECK:       %[[PROD:.*]] = arith.mulf %[[WW]], %[[XW]]
//       CHECK:       %[[PAIRS:.*]] = vector.shape_cast %[[PROD]] : vector<32xf32> to vector<16x2xf32>
//       CHECK:       vector.multi_reduction <add>, %[[PAIRS]], %{{.*}} {pith.bf16_dot} [1] : vector<16x2xf32> to vector<16xf32>
//       CHECK:       tensor.extract %[[SPLIT]]#0[%{{.*}}, %[[G2]], %[[B2]], %c4]
//       CHECK:       arith.shrui %[[WORDS]]
// CHECK-COUNT-6:     {pith.bf16_dot}
// At the group's end, Σ n·x = 16·(S - Σ x): 16·S minus (16 + the center)
// times the split inputs' sum, scaled.
//       CHECK:     vector.transfer_read %[[Z]][%[[P]], %[[G2]], %{{.*}}]
//       CHECK:     %[[CENTER:.*]] = arith.addf
//       CHECK:     %[[OFFSET:.*]] = arith.addf %[[CENTER]], %[[SIXTEEN]]
//       CHECK:     %[[SCALE:.*]] = vector.transfer_read %[[S]][%[[P]], %[[G2]], %{{.*}}]
// CHECK-COUNT-7:   arith.addf %{{.*}}, %[[SUMS]]#
//       CHECK:     %[[S16:.*]] = arith.mulf %{{.*}}, %[[SIXTEEN]]
//       CHECK:     tensor.extract %[[SPLIT]]#1[%{{.*}}, %[[G2]]]
//       CHECK:     %[[SHIFT:.*]] = arith.mulf %[[OFFSET]]
//       CHECK:     %[[CENTERED:.*]] = arith.subf %[[S16]], %[[SHIFT]]
//       CHECK:     vector.fma %[[CENTERED]], %[[SCALE]]
// Without the option, the same layer unpacks to f32 and multiplies by FMAs.
// NOBF16-LABEL: func.func @gemv
//   NOBF16-NOT: bf16
//       NOBF16: vector.fma
func.func @gemv(%x: tensor<1x2x8x2xf32>, %q: tensor<2x2x8x16xi8>, %s: tensor<2x2x16xf32>, %z: tensor<2x2x16xi8>, %sums: tensor<1x2xf32>, %init: tensor<1x2x16xf32>) -> tensor<1x2x16xf32> {
  %c4 = arith.constant 4 : i8
  %c15 = arith.constant 15 : i8
  %c8f = arith.constant 8.0 : f32
  %0 = linalg.generic {indexing_maps = [#x, #q, #s, #s, #xsums, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s, %z, %sums : tensor<1x2x8x2xf32>, tensor<2x2x8x16xi8>, tensor<2x2x16xf32>, tensor<2x2x16xi8>, tensor<1x2xf32>) outs(%init : tensor<1x2x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
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
  } -> tensor<1x2x16xf32>
  return %0 : tensor<1x2x16xf32>
}

// -----

// At 4 rows a tile shares each unpacking and FMAs on f32 weights are
// faster (the dot products multiply each weight twice, once per part).
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @four_rows
//   CHECK-NOT: bf16
//       CHECK: vector.fma
func.func @four_rows(%x: tensor<4x1x8x2xf32>, %q: tensor<1x1x8x16xi8>, %s: tensor<1x1x16xf32>, %init: tensor<4x1x16xf32>) -> tensor<4x1x16xf32> {
  %c4 = arith.constant 4 : i8
  %c15 = arith.constant 15 : i8
  %0 = linalg.generic {indexing_maps = [#x, #q, #s, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s : tensor<4x1x8x2xf32>, tensor<1x1x8x16xi8>, tensor<1x1x16xf32>) outs(%init : tensor<4x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = true}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %sub = linalg.index 5 : index
    %subi = arith.index_cast %sub : index to i8
    %shift = arith.muli %subi, %c4 : i8
    %field = arith.shrui %byte, %shift : i8
    %v = arith.andi %field, %c15 : i8
    %vf = arith.uitofp %v : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<4x1x16xf32>
  return %0 : tensor<4x1x16xf32>
}

// -----

// 2 rows go to the dot products together, each row's pairs into 2
// accumulators per part; unsigned values without zero points take only
// 16·Σ x away.
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @two_rows
//   CHECK-DAG: %[[SIXTEEN:.*]] = arith.constant dense<1.600000e+01> : vector<16xf32>
//       CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK-COUNT-16: {pith.bf16_dot}
//   CHECK-NOT: {pith.bf16_dot}
//       CHECK: %[[S16:.*]] = arith.mulf %{{.*}}, %[[SIXTEEN]] : vector<16xf32>
//       CHECK: %[[X16:.*]] = arith.mulf %{{.*}}, %[[SIXTEEN]] : vector<16xf32>
//  CHECK-NEXT: arith.subf %[[S16]], %[[X16]]
func.func @two_rows(%x: tensor<2x1x8x2xf32>, %q: tensor<1x1x8x16xi8>, %s: tensor<1x1x16xf32>, %init: tensor<2x1x16xf32>) -> tensor<2x1x16xf32> {
  %c4 = arith.constant 4 : i8
  %c15 = arith.constant 15 : i8
  %0 = linalg.generic {indexing_maps = [#x, #q, #s, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s : tensor<2x1x8x2xf32>, tensor<1x1x8x16xi8>, tensor<1x1x16xf32>) outs(%init : tensor<2x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = true}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %sub = linalg.index 5 : index
    %subi = arith.index_cast %sub : index to i8
    %shift = arith.muli %subi, %c4 : i8
    %field = arith.shrui %byte, %shift : i8
    %v = arith.andi %field, %c15 : i8
    %vf = arith.uitofp %v : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x1x16xf32>
  return %0 : tensor<2x1x16xf32>
}

// -----

// Groups of 6 rows of bytes are not whole blocks of 4: FMAs.
#x = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#q = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#s = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#o = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @partial_blocks
//   CHECK-NOT: bf16
//       CHECK: vector.fma
func.func @partial_blocks(%x: tensor<1x1x6x2xf32>, %q: tensor<1x1x6x16xi8>, %s: tensor<1x1x16xf32>, %init: tensor<1x1x16xf32>) -> tensor<1x1x16xf32> {
  %c4 = arith.constant 4 : i8
  %c15 = arith.constant 15 : i8
  %0 = linalg.generic {indexing_maps = [#x, #q, #s, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s : tensor<1x1x6x2xf32>, tensor<1x1x6x16xi8>, tensor<1x1x16xf32>) outs(%init : tensor<1x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = true}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %sub = linalg.index 5 : index
    %subi = arith.index_cast %sub : index to i8
    %shift = arith.muli %subi, %c4 : i8
    %field = arith.shrui %byte, %shift : i8
    %v = arith.andi %field, %c15 : i8
    %vf = arith.uitofp %v : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<1x1x16xf32>
  return %0 : tensor<1x1x16xf32>
}
