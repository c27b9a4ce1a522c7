// RUN: pith-opt %s --pith-lower-vectors | FileCheck %s
// RUN: pith-opt %s --pith-lower-vectors=vnni=false | FileCheck %s --check-prefix=AVX2
// RUN: pith-opt %s --pith-lower-vectors="vector-bits=256" | FileCheck %s --check-prefix=PERM-AVX2
// RUN: pith-opt %s --pith-lower-vectors="vector-bits=128" | FileCheck %s --check-prefix=PERM-SSE

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

// A reduction marked pith.vnni_dot, over products of widened unsigned and
// signed bytes in lanes of 4, becomes VNNI's vpdpbusd on the bytes; an
// unmarked one, or one over other products, is lowered like any other.
// CHECK-LABEL: func.func @vnni_dot
//  CHECK-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[U:.*]]: vector<64xi8>, %[[S:.*]]: vector<64xi8>)
//       CHECK: %[[DOT:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[U]], %[[S]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
//   CHECK-NOT: vector.multi_reduction
//       CHECK: return %[[DOT]]
// Without VNNI, each half of 32 bytes: vpmaddubsw (pairs into 16 bits),
// vpmaddwd by ones (pairs of those into the lane of 4), added into that
// half of the accumulator.
// AVX2-LABEL: func.func @vnni_dot
//  AVX2-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[U:.*]]: vector<64xi8>, %[[S:.*]]: vector<64xi8>)
//   AVX2-DAG: %[[ONES:.*]] = arith.constant dense<1> : vector<16xi16>
//   AVX2-DAG: %[[U0:.*]] = vector.extract_strided_slice %[[U]] {offsets = [0], sizes = [32], strides = [1]}
//   AVX2-DAG: %[[S0:.*]] = vector.extract_strided_slice %[[S]] {offsets = [0], sizes = [32], strides = [1]}
//       AVX2: %[[P0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[U0]], %[[S0]]) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
//       AVX2: %[[Q0:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P0]], %[[ONES]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
//       AVX2: arith.addi %{{.*}}, %[[Q0]] : vector<8xi32>
//       AVX2: vector.extract_strided_slice %[[U]] {offsets = [32], sizes = [32], strides = [1]}
//       AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"
//       AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
//   AVX2-NOT: vpdpbusd
func.func @vnni_dot(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %uw = arith.extui %u : vector<64xi8> to vector<64xi32>
  %sw = arith.extsi %s : vector<64xi8> to vector<64xi32>
  %p = arith.muli %uw, %sw : vector<64xi32>
  %lanes = vector.shape_cast %p : vector<64xi32> to vector<16x4xi32>
  %r = vector.multi_reduction <add>, %lanes, %acc {pith.vnni_dot} [1] : vector<16x4xi32> to vector<16xi32>
  return %r : vector<16xi32>
}

// A reduction marked pith.bf16_dot, over products of widened bf16 in lanes
// of 2, becomes AVX-512 BF16's vdpbf16ps on the pairs; one over pairs of
// other types is lowered like any other.
// CHECK-LABEL: func.func @bf16_dot
//  CHECK-SAME: (%[[ACC:.*]]: vector<16xf32>, %[[W:.*]]: vector<32xbf16>, %[[X:.*]]: vector<32xbf16>)
//       CHECK: %[[DOT:.*]] = llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"(%[[ACC]], %[[W]], %[[X]]) : (vector<16xf32>, vector<32xbf16>, vector<32xbf16>) -> vector<16xf32>
//   CHECK-NOT: vector.multi_reduction
//       CHECK: return %[[DOT]]
func.func @bf16_dot(%acc: vector<16xf32>, %w: vector<32xbf16>, %x: vector<32xbf16>) -> vector<16xf32> {
  %ww = arith.extf %w : vector<32xbf16> to vector<32xf32>
  %xw = arith.extf %x : vector<32xbf16> to vector<32xf32>
  %p = arith.mulf %ww, %xw : vector<32xf32>
  %lanes = vector.shape_cast %p : vector<32xf32> to vector<16x2xf32>
  %r = vector.multi_reduction <add>, %lanes, %acc {pith.bf16_dot} [1] : vector<16x2xf32> to vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @f16_pairs
//   CHECK-NOT: llvm.call_intrinsic
func.func @f16_pairs(%acc: vector<16xf32>, %w: vector<32xf16>, %x: vector<32xf16>) -> vector<16xf32> {
  %ww = arith.extf %w : vector<32xf16> to vector<32xf32>
  %xw = arith.extf %x : vector<32xf16> to vector<32xf32>
  %p = arith.mulf %ww, %xw : vector<32xf32>
  %lanes = vector.shape_cast %p : vector<32xf32> to vector<16x2xf32>
  %r = vector.multi_reduction <add>, %lanes, %acc {pith.bf16_dot} [1] : vector<16x2xf32> to vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func.func @unmarked_dot
//   CHECK-NOT: llvm.call_intrinsic
func.func @unmarked_dot(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %uw = arith.extui %u : vector<64xi8> to vector<64xi32>
  %sw = arith.extsi %s : vector<64xi8> to vector<64xi32>
  %p = arith.muli %uw, %sw : vector<64xi32>
  %lanes = vector.shape_cast %p : vector<64xi32> to vector<16x4xi32>
  %r = vector.multi_reduction <add>, %lanes, %acc [1] : vector<16x4xi32> to vector<16xi32>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func.func @signed_by_signed
//   CHECK-NOT: llvm.call_intrinsic
func.func @signed_by_signed(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %uw = arith.extsi %u : vector<64xi8> to vector<64xi32>
  %sw = arith.extsi %s : vector<64xi8> to vector<64xi32>
  %p = arith.muli %uw, %sw : vector<64xi32>
  %lanes = vector.shape_cast %p : vector<64xi32> to vector<16x4xi32>
  %r = vector.multi_reduction <add>, %lanes, %acc {pith.vnni_dot} [1] : vector<16x4xi32> to vector<16xi32>
  return %r : vector<16xi32>
}

// A gather from a buffer of 4 elements: they are loaded once, repeated
// across the register and permuted by the indices (vpermps), on each
// 8-lane half with AVX2; without 256-bit vectors it stays a gather. A
// gather from a larger buffer, or from past the buffer's start, stays one
// too.
// CHECK-LABEL: func.func @small_gather
//       CHECK: %[[TABLE:.*]] = vector.load %{{.*}}[%{{.*}}] : memref<4xf32, strided<[1], offset: ?>>, vector<4xf32>
//       CHECK: %[[REPEATED:.*]] = vector.shuffle %[[TABLE]], %[[TABLE]] [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]
//       CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"(%[[REPEATED]], %{{.*}}) : (vector<16xf32>, vector<16xi32>) -> vector<16xf32>
//       CHECK: vector.gather %{{.*}} : memref<32xf32>
//       CHECK: vector.gather %{{.*}}[%c1] {{.*}} : memref<4xf32, strided<[1], offset: ?>>
// PERM-AVX2-LABEL: func.func @small_gather
//       PERM-AVX2: vector.shuffle {{.*}} [0, 1, 2, 3, 0, 1, 2, 3]
//       PERM-AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
//       PERM-AVX2: llvm.call_intrinsic "llvm.x86.avx2.permps"
//   PERM-AVX2-NOT: llvm.call_intrinsic
// PERM-SSE-LABEL: func.func @small_gather
//   PERM-SSE-NOT: llvm.call_intrinsic
//       PERM-SSE: vector.gather
//       PERM-SSE: vector.gather
func.func @small_gather(%x: memref<8x4xf32>, %wide: memref<32xf32>, %row: index, %at: vector<16xi32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %all = arith.constant dense<true> : vector<16xi1>
  %zero = arith.constant dense<0.0> : vector<16xf32>
  %group = memref.subview %x[%row, 0] [1, 4] [1, 1] : memref<8x4xf32> to memref<4xf32, strided<[1], offset: ?>>
  %0 = vector.gather %group[%c0] [%at], %all, %zero : memref<4xf32, strided<[1], offset: ?>>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %1 = vector.gather %wide[%c0] [%at], %all, %zero : memref<32xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %2 = vector.gather %group[%c1] [%at], %all, %zero : memref<4xf32, strided<[1], offset: ?>>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  return %0, %1, %2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// A gather whose mask is bit f of a spread integer and whose index in
// lane f counts its bits below f expands the next nonzeros: one expanding
// load (vexpandps) with 512-bit vectors; a masked gather with narrower
// ones. Indices that count another integer's bits keep the gather.
// CHECK-LABEL: func.func @expanding_gather
//       CHECK: %[[SET:.*]] = arith.cmpi ne
//       CHECK: vector.expandload %{{.*}}[%{{.*}}], %[[SET]], %{{.*}} : memref<64xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
//       CHECK: vector.gather
// PERM-AVX2-LABEL: func.func @expanding_gather
//   PERM-AVX2-NOT: vector.expandload
//       PERM-AVX2: vector.gather
//       PERM-AVX2: vector.gather
func.func @expanding_gather(%nonzeros: memref<64xf32>, %offset: index, %mask: i32, %other: i32) -> (vector<16xf32>, vector<16xf32>) {
  %bit = arith.constant dense<[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768]> : vector<16xi32>
  %below = arith.constant dense<[0, 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023, 2047, 4095, 8191, 16383, 32767]> : vector<16xi32>
  %zeros = arith.constant dense<0> : vector<16xi32>
  %pass = arith.constant dense<0.0> : vector<16xf32>
  %spread = vector.broadcast %mask : i32 to vector<16xi32>
  %0 = arith.andi %spread, %below : vector<16xi32>
  %counts = math.ctpop %0 : vector<16xi32>
  %1 = arith.andi %spread, %bit : vector<16xi32>
  %set = arith.cmpi ne, %1, %zeros : vector<16xi32>
  %w = vector.gather %nonzeros[%offset] [%counts], %set, %pass : memref<64xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  %spreadOther = vector.broadcast %other : i32 to vector<16xi32>
  %2 = arith.andi %spreadOther, %below : vector<16xi32>
  %otherCounts = math.ctpop %2 : vector<16xi32>
  %v = vector.gather %nonzeros[%offset] [%otherCounts], %set, %pass : memref<64xf32>, vector<16xi32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
  return %w, %v : vector<16xf32>, vector<16xf32>
}
