// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=512 --canonicalize | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=256 --canonicalize | FileCheck %s --check-prefix=AVX2

// A masked [20, 64] weight (2 panels of 16 features, 2 chunks of 32
// inputs) times x [128, 64]: indexed. One block of 128 rows (8 vectors
// of 16): its loop folds away. Per panel, a [16, 128] buffer the loops
// carry is zeroed; per chunk, the walk starts at the (panel, chunk) run's
// first nonzero, and each of the 16 features takes its count of the
// nonzeros that follow: where that is not none, its sums are read from
// the buffer's row f and each nonzero is broadcast and multiplied into
// the 8 vectors of its input's row of x transposed (the chunk's first
// input plus the nonzero's place in the chunk; 8 chains), and the sums go
// back to the buffer. Only the starts and the counts are read: the
// features' offsets in their runs, which give the generic its meaning,
// are left behind with it. Then, in a loop over the 8 blocks, each 16x16
// block of the buffer is transposed by shuffles and added to 16 rows of
// the panel's output.
// CHECK-LABEL: func.func @indexed_linear
//   CHECK-NOT: offsets_indexed
//       CHECK: %[[XT:.*]] = linalg.transpose
//       CHECK: %[[BUFFER:.*]] = tensor.empty() : tensor<16x128xf32>
//       CHECK: scf.for %[[PANEL:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}, %[[BUF:.*]] = %[[BUFFER]])
//       CHECK:   %[[ZEROED:.*]] = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args(%{{.*}} = %[[BUF]])
// CHECK-COUNT-8:   vector.transfer_write %{{.*}} : vector<16xf32>, tensor<16x128xf32>
//       CHECK:   scf.for %[[CHUNK:.*]] = %c0 to %c2 step %c1 iter_args(%[[CBUF:.*]] = %[[ZEROED]])
//       CHECK:     %[[INPUT0:.*]] = arith.muli %[[CHUNK]], %c32 : index
//       CHECK:     %[[START32:.*]] = tensor.extract %[[STARTS:.*]][%[[PANEL]], %[[CHUNK]]] : tensor<2x2xi32>
//       CHECK:     %[[START:.*]] = arith.index_castui %[[START32]] : i32 to index
//       CHECK:     scf.for %[[F:.*]] = %c0 to %c16 step %c1 iter_args(%[[FBUF:.*]] = %[[CBUF]], %[[AT:.*]] = %[[START]])
//       CHECK:       %[[COUNT8:.*]] = tensor.extract %{{.*}}[%[[PANEL]], %[[CHUNK]], %[[F]]] : tensor<2x2x16xi8>
//       CHECK:       %[[COUNT:.*]] = arith.index_castui %[[COUNT8]] : i8 to index
//       CHECK:       %[[END:.*]] = arith.addi %[[AT]], %[[COUNT]] : index
//       CHECK:       %[[ANY:.*]] = arith.cmpi ult, %[[AT]], %[[END]] : index
//       CHECK:       %[[SUMS:.*]] = scf.if %[[ANY]] -> (tensor<16x128xf32>)
//       CHECK:         %[[SUM0:.*]] = vector.transfer_read %[[FBUF]][%[[F]], %c0]
//       CHECK:         %[[WALK:.*]]:8 = scf.for %[[J:.*]] = %[[AT]] to %[[END]] step %c1 iter_args(%{{.*}} = %[[SUM0]], {{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       CHECK:           %[[PLACE8:.*]] = tensor.extract %[[INPUTS:.*]][%[[J]]] : tensor<1281xi8>
//       CHECK:           %[[PLACE:.*]] = arith.index_castui %[[PLACE8]] : i8 to index
//       CHECK:           %[[INPUT:.*]] = arith.addi %[[INPUT0]], %[[PLACE]] : index
//       CHECK:           %[[W:.*]] = tensor.extract %{{.*}}[%[[J]]] : tensor<1281xf32>
//       CHECK:           %[[WS:.*]] = vector.broadcast %[[W]] : f32 to vector<16xf32>
//       CHECK:           %[[X0:.*]] = vector.transfer_read %[[XT]][%[[INPUT]], %c0]{{.*}} : tensor<64x128xf32>, vector<16xf32>
//       CHECK:           vector.fma %[[X0]], %[[WS]], %{{.*}} : vector<16xf32>
//       CHECK:           %[[X1:.*]] = vector.transfer_read %[[XT]][%[[INPUT]], %c16]{{.*}} : tensor<64x128xf32>, vector<16xf32>
//       CHECK:           vector.fma %[[X1]], %[[WS]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-6:           vector.fma %{{.*}}, %[[WS]], %{{.*}} : vector<16xf32>
//       CHECK:           scf.yield
//       CHECK:         vector.transfer_write %[[WALK]]#0, %[[FBUF]][%[[F]], %c0]
// CHECK-COUNT-7:       vector.transfer_write
//       CHECK:       } else {
//       CHECK:         scf.yield %[[FBUF]]
//       CHECK:       scf.yield %[[SUMS]], %[[END]] : tensor<16x128xf32>, index
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
//       AVX2:   scf.for %{{.*}} = %c0 to %c2 step %c1
//       AVX2:     scf.for %{{.*}} = %c0 to %c2 step %c1
//       AVX2:       scf.for %{{.*}} = %c0 to %c16 step %c1
//       AVX2:         scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX2-COUNT-4:         vector.fma
func.func @indexed_linear(%x: tensor<128x64xf32>) -> tensor<128x20xf32> {
  %v = pith.constant dense<1.0> : tensor<1280xf32>
  %m = pith.constant dense<true> : tensor<20x64xi1>
  %w = pith.masked_densify %v, %m : (tensor<1280xf32>, tensor<20x64xi1>) -> tensor<20x64xf32>
  %y = pith.linear %x, %w : (tensor<128x64xf32>, tensor<20x64xf32>) -> tensor<128x20xf32>
  return %y : tensor<128x20xf32>
}

// Int8 nonzeros (2:4 int8 kept values of 2 panels, a scale per feature,
// over 128 rows): each is converted to a float before it is broadcast,
// and after the panel's chunks each row of the transposed sums is
// multiplied by the panel's 16 scales, read once, before it is added to
// the output.
// CHECK-LABEL: func.func @indexed_int8
//       CHECK: scf.for %[[PANEL:.*]] = %c0 to %c2 step %c1
//       CHECK:   scf.for %{{.*}} = %c0 to %c2 step %c1
//       CHECK:     scf.for %{{.*}} = %c0 to %c16 step %c1
//       CHECK:         scf.for
//       CHECK:           %[[QF:.*]] = arith.sitofp %{{.*}} : i8 to f32
//       CHECK:           vector.broadcast %[[QF]] : f32 to vector<16xf32>
//       CHECK:   %[[SCALES:.*]] = vector.transfer_read %{{.*}}[%[[PANEL]], %c0]{{.*}} : tensor<2x16xf32>, vector<16xf32>
//       CHECK:   scf.for %{{.*}} = %c0 to %c128 step %c16
//       CHECK:     vector.shuffle
//       CHECK:     %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[SCALES]] : vector<16xf32>
//       CHECK:     arith.addf %{{.*}}, %[[SCALED]] : vector<16xf32>
//   CHECK-NOT: linalg.generic {{.*}}pith.indexed_matmul
func.func @indexed_int8(%x: tensor<128x64xf32>) -> tensor<128x32xf32> {
  %q = pith.constant dense<3> : tensor<32x32xi8>
  %s = pith.constant dense<0.5> : tensor<32xf32>
  %v = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<32x32xi8>, tensor<32xf32>) -> tensor<32x32xf32>
  %p = pith.constant dense<[[0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3], [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3]]> : tensor<32x32xui2>
  %w = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<32x32xf32>, tensor<32x32xui2>) -> tensor<32x64xf32>
  %y = pith.linear %x, %w : (tensor<128x64xf32>, tensor<32x64xf32>) -> tensor<128x32xf32>
  return %y : tensor<128x32xf32>
}
