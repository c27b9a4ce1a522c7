// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=512 --canonicalize | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=256 --canonicalize | FileCheck %s --check-prefix=AVX2

// A masked [20, 16] weight (2 panels of 16 features) times x [128, 16]:
// indexed. One block of 128 rows (8 vectors of 16), one span and one
// chunk of inputs (16 inputs of x transposed take 8 KiB): their loops
// fold away. Each feature's cursor starts at its first nonzero. Per
// panel, a [16, 128] buffer the loops carry is zeroed; for each of the 16
// features where the nonzero at its cursor is its own (cursor < first +
// count) and its input lies in the chunk, its sums are read from the
// buffer's row f and its nonzeros walked from the cursor while that
// holds: each broadcast and multiplied into the 8 vectors of its input's
// row of x transposed (8 chains). The sums go back to the buffer and the
// cursor on (a feature with nothing in the chunk leaves both as they
// are); then, in a loop over the 8 blocks, each 16x16 block of the
// buffer is transposed by shuffles and added to 16 rows of the panel's
// output.
// CHECK-LABEL: func.func @indexed_linear
//       CHECK: %[[XT:.*]] = linalg.transpose
//       CHECK: %[[BUFFER:.*]] = tensor.empty() : tensor<16x128xf32>
//       CHECK: %[[EMPTY_CURSORS:.*]] = tensor.empty() : tensor<32xindex>
//       CHECK: %[[CURSORS:.*]] = scf.for %[[I:.*]] = %c0 to %c32 step %c1 iter_args(%[[C:.*]] = %[[EMPTY_CURSORS]])
//       CHECK:   %[[FIRST0:.*]] = tensor.extract %[[FIRSTS:.*]][%{{.*}}, %{{.*}}] : tensor<2x16xi32>
//       CHECK:   %[[FIRST0_INDEX:.*]] = arith.index_castui %[[FIRST0]]
//       CHECK:   tensor.insert %[[FIRST0_INDEX]] into %[[C]][%[[I]]] : tensor<32xindex>
//       CHECK: scf.for %[[PANEL:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}, %[[BUF:.*]] = %[[BUFFER]], %[[PCUR:.*]] = %[[CURSORS]])
//       CHECK:   %[[ZEROED:.*]] = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args(%{{.*}} = %[[BUF]])
// CHECK-COUNT-8:   vector.transfer_write %{{.*}} : vector<16xf32>, tensor<16x128xf32>
//       CHECK:   scf.for %[[F:.*]] = %c0 to %c16 step %c1 iter_args(%[[FBUF:.*]] = %[[ZEROED]], %[[FCUR:.*]] = %[[PCUR]])
//       CHECK:     %[[FIRST32:.*]] = tensor.extract %[[FIRSTS]][%[[PANEL]], %[[F]]] : tensor<2x16xi32>
//       CHECK:     %[[FIRST:.*]] = arith.index_castui %[[FIRST32]]
//       CHECK:     %[[COUNT32:.*]] = tensor.extract %{{.*}}[%[[PANEL]], %[[F]]] : tensor<2x16xi32>
//       CHECK:     %[[COUNT:.*]] = arith.index_castui %[[COUNT32]]
//       CHECK:     %[[END:.*]] = arith.addi %[[FIRST]], %[[COUNT]]
//       CHECK:     %[[CURSOR:.*]] = tensor.extract %[[FCUR]][%[[AT_FEATURE:.*]]] : tensor<32xindex>
//       CHECK:     %[[ANY_LEFT:.*]] = arith.cmpi ult, %[[CURSOR]], %[[END]] : index
//       CHECK:     %[[ANY_NEXT16:.*]] = tensor.extract %[[INPUTS:.*]][%[[CURSOR]]] : tensor<321xi16>
//       CHECK:     %[[ANY_NEXT:.*]] = arith.index_castui %[[ANY_NEXT16]] : i16 to index
//       CHECK:     %[[ANY_IN_CHUNK:.*]] = arith.cmpi ult, %[[ANY_NEXT]], %c16 : index
//       CHECK:     %[[ANY:.*]] = arith.andi %[[ANY_LEFT]], %[[ANY_IN_CHUNK]] : i1
//       CHECK:     scf.if %[[ANY]] -> (tensor<16x128xf32>, tensor<32xindex>)
//       CHECK:     %[[SUM0:.*]] = vector.transfer_read %[[FBUF]][%[[F]], %c0]
//       CHECK:     %[[WALK:.*]]:9 = scf.while (%[[AT:.*]] = %[[CURSOR]], %{{.*}} = %[[SUM0]], {{.*}}) : (index, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       CHECK:       %[[LEFT:.*]] = arith.cmpi ult, %[[AT]], %[[END]] : index
//       CHECK:       %[[NEXT16:.*]] = tensor.extract %[[INPUTS]][%[[AT]]] : tensor<321xi16>
//       CHECK:       %[[NEXT:.*]] = arith.index_castui %[[NEXT16]] : i16 to index
//       CHECK:       %[[IN_CHUNK:.*]] = arith.cmpi ult, %[[NEXT]], %c16 : index
//       CHECK:       %[[MORE:.*]] = arith.andi %[[LEFT]], %[[IN_CHUNK]] : i1
//       CHECK:       scf.condition(%[[MORE]])
//       CHECK:     } do {
//       CHECK:     ^bb0(%[[AT2:.*]]: index,
//       CHECK:       %[[INPUT16:.*]] = tensor.extract %[[INPUTS]][%[[AT2]]] : tensor<321xi16>
//       CHECK:       %[[INPUT:.*]] = arith.index_castui %[[INPUT16]] : i16 to index
//       CHECK:       %[[W:.*]] = tensor.extract %{{.*}}[%[[AT2]]] : tensor<321xf32>
//       CHECK:       %[[WS:.*]] = vector.broadcast %[[W]] : f32 to vector<16xf32>
//       CHECK:       %[[ON:.*]] = arith.addi %[[AT2]], %c1 : index
//       CHECK:       %[[X0:.*]] = vector.transfer_read %[[XT]][%[[INPUT]], %c0]{{.*}} : tensor<16x128xf32>, vector<16xf32>
//       CHECK:       vector.fma %[[X0]], %[[WS]], %{{.*}} : vector<16xf32>
//       CHECK:       %[[X1:.*]] = vector.transfer_read %[[XT]][%[[INPUT]], %c16]{{.*}} : tensor<16x128xf32>, vector<16xf32>
//       CHECK:       vector.fma %[[X1]], %[[WS]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-6:       vector.fma %{{.*}}, %[[WS]], %{{.*}} : vector<16xf32>
//       CHECK:       scf.yield %[[ON]],
//       CHECK:     vector.transfer_write %[[WALK]]#1, %[[FBUF]][%[[F]], %c0]
// CHECK-COUNT-7:   vector.transfer_write
//       CHECK:     tensor.insert %[[WALK]]#0 into %[[FCUR]][%[[AT_FEATURE]]] : tensor<32xindex>
//       CHECK:   } else {
//       CHECK:     scf.yield %[[FBUF]], %[[FCUR]]
//       CHECK:   scf.for %[[COLUMN:.*]] = %c0 to %c128 step %c16 iter_args(%[[OUT:.*]] = %{{.*}}) -> (tensor<128x2x16xf32>)
//       CHECK:     vector.transfer_read %{{.*}}[%c0, %[[COLUMN]]]{{.*}} : tensor<16x128xf32>, vector<16xf32>
//       CHECK:     vector.shuffle
//       CHECK:     vector.transfer_read %[[OUT]][%[[COLUMN]], %[[PANEL]], %c0]
//       CHECK:     arith.addf
//       CHECK:     vector.transfer_write %{{.*}}, %[[OUT]][%[[COLUMN]], %[[PANEL]], %c0] {in_bounds = [true]} : vector<16xf32>, tensor<128x2x16xf32>
//   CHECK-NOT: linalg.generic {{.*}}pith.indexed_matmul
// With AVX2, blocks of 4 vectors (64 rows): two of them.
// AVX2-LABEL: func.func @indexed_linear
//       AVX2: tensor.empty() : tensor<16x64xf32>
//       AVX2: scf.for %{{.*}} = %c0 to %c128 step %c64
//       AVX2:   scf.for %{{.*}} = %c0 to %c32 step %c1
//       AVX2:   scf.for %{{.*}} = %c0 to %c2 step %c1
//       AVX2:     scf.for %{{.*}} = %c0 to %c16 step %c1
//       AVX2:       scf.while {{.*}} -> (index, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX2-COUNT-4:       vector.fma
func.func @indexed_linear(%x: tensor<128x16xf32>) -> tensor<128x20xf32> {
  %v = pith.constant dense<1.0> : tensor<320xf32>
  %m = pith.constant dense<true> : tensor<20x16xi1>
  %w = pith.masked_densify %v, %m : (tensor<320xf32>, tensor<20x16xi1>) -> tensor<20x16xf32>
  %y = pith.linear %x, %w : (tensor<128x16xf32>, tensor<20x16xf32>) -> tensor<128x20xf32>
  return %y : tensor<128x20xf32>
}

// 2048 inputs, 64 rows (4 vectors): the inputs go by spans of 1024 (256
// KiB of x transposed, for L2) and, within one, by chunks of 64 (16 KiB,
// for L1); the span loop is outside the panels', so that each span of x
// transposed serves every panel while L2 holds it (the one panel's loop
// folds away).
// CHECK-LABEL: func.func @indexed_spans
//       CHECK: scf.for %[[SPAN:.*]] = %c0 to %c2048 step %c1024
//       CHECK:   %[[SPAN_NEXT:.*]] = arith.addi %[[SPAN]], %c1024
//       CHECK:   %[[SPAN_END:.*]] = arith.minui %[[SPAN_NEXT]], %c2048
//       CHECK:   scf.for %[[CHUNK:.*]] = %[[SPAN]] to %[[SPAN_END]] step %c64
//       CHECK:       %[[CHUNK_END:.*]] = arith.addi %[[CHUNK]], %c64
//       CHECK:       scf.for %{{.*}} = %c0 to %c16 step %c1
//       CHECK:         scf.while
//       CHECK:           arith.cmpi ult, %{{.*}}, %[[CHUNK_END]] : index
func.func @indexed_spans(%x: tensor<64x2048xf32>) -> tensor<64x16xf32> {
  %v = pith.constant dense<1.0> : tensor<32768xf32>
  %m = pith.constant dense<true> : tensor<16x2048xi1>
  %w = pith.masked_densify %v, %m : (tensor<32768xf32>, tensor<16x2048xi1>) -> tensor<16x2048xf32>
  %y = pith.linear %x, %w : (tensor<64x2048xf32>, tensor<16x2048xf32>) -> tensor<64x16xf32>
  return %y : tensor<64x16xf32>
}
