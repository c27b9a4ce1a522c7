// RUN: pith-opt %s --pith-lower-vectors | FileCheck %s

// A contraction of A [2, 2] and B [2, 16] into a 2x16 tile: for each k, a
// row of B is taken once and each row of the tile gets one FMA with A's
// element broadcast. (The 2-D reads are unrolled into rows later, by
// convert-vector-to-scf.)
// CHECK-LABEL: func.func @tile
// CHECK: %[[VB:.*]] = vector.transfer_read %arg1{{.*}} : memref<2x16xf32>, vector<2x16xf32>
// CHECK: %[[B0:.*]] = vector.extract %[[VB]][0] : vector<16xf32> from vector<2x16xf32>
// CHECK: %[[A00:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: vector.fma %[[A00]], %[[B0]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-3: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.contract
// CHECK-NOT: vector.outerproduct
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @tile(%a: memref<2x2xf32>, %b: memref<2x16xf32>, %acc: vector<2x16xf32>) -> vector<2x16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %va = vector.transfer_read %a[%c0, %c0], %pad {in_bounds = [true, true]} : memref<2x2xf32>, vector<2x2xf32>
  %vb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true, true]} : memref<2x16xf32>, vector<2x16xf32>
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %va, %vb, %acc : vector<2x2xf32>, vector<2x16xf32> into vector<2x16xf32>
  return %r : vector<2x16xf32>
}
