// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=512 --canonicalize | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg --canonicalize --pith-vectorize-contractions=vector-bits=256 --canonicalize | FileCheck %s --check-prefix=AVX2

// A bitmap-sparse [20, 16] weight (2 panels, 2 chunks of 8 inputs) times
// x [4, 16]: per panel, the 4 rows in one block (the loop over blocks
// folds away; AVX2 too, within its 6 accumulators) and 2 chains each; a
// running offset starts at the panel's first nonzero. A chunk whose 8 masks are all zero is skipped;
// otherwise each input's mask expands the next nonzeros (a gather whose
// lane f index counts the mask's bits below f, masked by bit f), the
// offset moves on by the mask's count, and every row's input multiplies
// them.
// CHECK-LABEL: func.func @bitmap_linear
//       CHECK: scf.for %[[PANEL:.*]] = %c0 to %c2 step %c1
//       CHECK:   %[[START:.*]] = tensor.extract %{{.*}}[%[[PANEL]]] : tensor<2xi32>
//       CHECK:     scf.for %[[CHUNK:.*]] = %c0 to %c2 step %c1 iter_args(%[[OFFSET:[a-z0-9_]+]] = %{{.*}}, {{.*}}) -> (index, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
//       CHECK:       %[[MASKS:.*]] = vector.transfer_read %{{.*}}[%[[PANEL]], %[[CHUNK]], %c0]{{.*}} : tensor<2x2x8xi16>, vector<8xi16>
//       CHECK:       %[[ANY:.*]] = vector.reduction <or>, %[[MASKS]] : vector<8xi16> into i16
//       CHECK:       %[[NONZERO:.*]] = arith.cmpi ne, %[[ANY]], %{{.*}} : i16
//       CHECK:       scf.if %[[NONZERO]]
//       CHECK:         %[[MASK16:.*]] = tensor.extract %{{.*}}[%[[PANEL]], %[[CHUNK]], %c0] : tensor<2x2x8xi16>
//       CHECK:         %[[MASK:.*]] = arith.extui %[[MASK16]] : i16 to i32
//       CHECK:         %[[SPREAD:.*]] = vector.broadcast %[[MASK]] : i32 to vector<16xi32>
//       CHECK:         %[[BELOW:.*]] = arith.andi %[[SPREAD]], %{{.*}} : vector<16xi32>
//       CHECK:         %[[COUNTS:.*]] = math.ctpop %[[BELOW]] : vector<16xi32>
//       CHECK:         %[[BIT:.*]] = arith.andi %[[SPREAD]], %{{.*}} : vector<16xi32>
//       CHECK:         %[[SET:.*]] = arith.cmpi ne, %[[BIT]], %{{.*}} : vector<16xi32>
//       CHECK:         %[[W:.*]] = vector.gather %{{.*}}[%[[OFFSET]]] [%[[COUNTS]]], %[[SET]], %{{.*}} : tensor<{{[0-9]+}}xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//       CHECK:         %[[COUNT:.*]] = math.ctpop %[[MASK]] : i32
//       CHECK:         %[[STEP:.*]] = arith.index_castui %[[COUNT]] : i32 to index
//       CHECK:         arith.addi %[[OFFSET]], %[[STEP]] : index
//       CHECK:         %[[X:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[CHUNK]], %c0] : tensor<4x2x8xf32>
//       CHECK:         %[[XB:.*]] = vector.broadcast %[[X]] : f32 to vector<16xf32>
//       CHECK:         vector.fma %[[XB]], %[[W]], %{{.*}} : vector<16xf32>
//       CHECK-COUNT-31: vector.fma
//   CHECK-NOT:         vector.fma
//       CHECK:       } else {
//       CHECK:         scf.yield %[[OFFSET]],
//   CHECK-NOT: linalg.generic
// AVX2-LABEL: func.func @bitmap_linear
//       AVX2: vector.gather
//   AVX2-NOT: linalg.generic
func.func @bitmap_linear(%x: tensor<4x16xf32>) -> tensor<4x20xf32> {
  %v = pith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %mask = pith.constant dense_resource<w_mask> : tensor<20x16xi1>
  %w = pith.masked_densify %v, %mask : (tensor<6xf32>, tensor<20x16xi1>) -> tensor<20x16xf32>
  %y = pith.linear %x, %w : (tensor<4x16xf32>, tensor<20x16xf32>) -> tensor<4x20xf32>
  return %y : tensor<4x20xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w_mask: "0x400000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
    }
  }
#-}
