// RUN: pith-opt %s --pith-parallelize --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-parallelize="min-work=1000000000" --split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: not pith-opt %s --pith-parallelize="chunks=1" --split-input-file 2>&1 | FileCheck %s --check-prefix=CHUNKS
// CHUNKS: error: pith-parallelize: chunks must be at least 2, got 1

// A 512x128 by 128x384 matmul splits its M loop into 16 chunks of 32 rows
// (a multiple of a register tile's 8): each chunk reads all of B, the
// smaller operand. The fill that starts the sums moves into the chunks,
// each filling its own rows (filled whole first, the output would be read
// back from memory).
// CHECK-LABEL: func.func @matmul_rows
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<512x384xf32>
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%[[I:.*]]) = (0) to (512) step (32) shared_outs(%[[OUT:.*]] = %[[EMPTY]])
// CHECK: tensor.extract_slice %arg0[%[[I]], 0] [32, 128] [1, 1]
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[OUT]][%[[I]], 0] [32, 384] [1, 1]
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[ROWS]] : tensor<32x384xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x128xf32>, tensor<128x384xf32>) outs(%[[ZEROS]] : tensor<32x384xf32>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[I]], 0] [32, 384] [1, 1]
// SMALL-LABEL: func.func @matmul_rows
// SMALL-NOT: scf.forall (
func.func @matmul_rows(%a: tensor<512x128xf32>, %b: tensor<128x384xf32>) -> tensor<512x384xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<512x384xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<512x384xf32>) -> tensor<512x384xf32>
  %r = linalg.matmul ins(%a, %b : tensor<512x128xf32>, tensor<128x384xf32>) outs(%f : tensor<512x384xf32>) -> tensor<512x384xf32>
  return %r : tensor<512x384xf32>
}

// -----

// With B (a weight, 384x1536) larger than A (128x384), the N loop splits
// instead: each chunk reads its own columns of B once, and all of A.
// CHECK-LABEL: func.func @matmul_columns
// CHECK: scf.forall (%[[J:.*]]) = (0) to (1536) step (96)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<128x384xf32>, tensor<384x96xf32>) outs(%{{.*}} : tensor<128x96xf32>)
func.func @matmul_columns(%a: tensor<128x384xf32>, %b: tensor<384x1536xf32>, %c: tensor<128x1536xf32>) -> tensor<128x1536xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<128x384xf32>, tensor<384x1536xf32>) outs(%c : tensor<128x1536xf32>) -> tensor<128x1536xf32>
  return %r : tensor<128x1536xf32>
}

// -----

// Batched matmuls split their batch loop (12 heads: 12 chunks of one).
// CHECK-LABEL: func.func @batch
// SMALL-LABEL: func.func @batch
// CHECK: scf.forall (%{{.*}}) in (12)
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<1x128x32xf32>, tensor<1x32x128xf32>)
func.func @batch(%a: tensor<12x128x32xf32>, %b: tensor<12x32x128xf32>, %c: tensor<12x128x128xf32>) -> tensor<12x128x128xf32> {
  %r = linalg.batch_matmul ins(%a, %b : tensor<12x128x32xf32>, tensor<12x32x128xf32>) outs(%c : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  return %r : tensor<12x128x128xf32>
}

// -----

// A matrix-vector product (M = 1) splits N, the innermost loop, into
// multiples of 32 elements: 4096 into 16 chunks of 256.
// CHECK-LABEL: func.func @gemv
// CHECK: scf.forall (%{{.*}}) = (0) to (4096) step (256)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x1024xf32>, tensor<1024x256xf32>)
func.func @gemv(%a: tensor<1x1024xf32>, %b: tensor<1024x4096xf32>, %c: tensor<1x4096xf32>) -> tensor<1x4096xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<1x1024xf32>, tensor<1024x4096xf32>) outs(%c : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  return %r : tensor<1x4096xf32>
}

// -----

// Elementwise work splits its outermost loop. A contraction whose M (12
// rows) has no chunk of 8 dividing it and whose N (24) no chunk of 32 is
// left whole.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.forall (%{{.*}}) = (0) to (1024) step (64)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<64x1024xf32>)
// CHECK: math.exp
// CHECK-LABEL: func.func @no_whole_chunk
// CHECK-NOT: scf.forall (
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%x: tensor<1024x1024xf32>, %y: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1024x1024xf32>) outs(%y : tensor<1024x1024xf32>) {
  ^bb0(%v: f32, %o: f32):
    %e = math.exp %v : f32
    linalg.yield %e : f32
  } -> tensor<1024x1024xf32>
  return %r : tensor<1024x1024xf32>
}
func.func @no_whole_chunk(%a: tensor<12x4096xf32>, %b: tensor<4096x24xf32>, %c: tensor<12x24xf32>) -> tensor<12x24xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<12x4096xf32>, tensor<4096x24xf32>) outs(%c : tensor<12x24xf32>) -> tensor<12x24xf32>
  return %r : tensor<12x24xf32>
}

// -----

// Ops already inside a parallel loop are left as they are.
// CHECK-LABEL: func.func @nested
// CHECK: scf.forall (
// CHECK-NOT: scf.forall (
func.func @nested(%a: tensor<4x128x384xf32>, %b: tensor<384x384xf32>, %c: tensor<4x128x384xf32>) -> tensor<4x128x384xf32> {
  %r = scf.forall (%i) in (4) shared_outs(%out = %c) -> tensor<4x128x384xf32> {
    %x = tensor.extract_slice %a[%i, 0, 0] [1, 128, 384] [1, 1, 1] : tensor<4x128x384xf32> to tensor<128x384xf32>
    %y = tensor.extract_slice %out[%i, 0, 0] [1, 128, 384] [1, 1, 1] : tensor<4x128x384xf32> to tensor<128x384xf32>
    %m = linalg.matmul ins(%x, %b : tensor<128x384xf32>, tensor<384x384xf32>) outs(%y : tensor<128x384xf32>) -> tensor<128x384xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %out[%i, 0, 0] [1, 128, 384] [1, 1, 1] : tensor<128x384xf32> into tensor<4x128x384xf32>
    }
  }
  return %r : tensor<4x128x384xf32>
}

// -----

// A bitmap-sparse contraction's N loop is its panels of 16 features (the
// features, the output's innermost loop, are not split): one row, so the
// 4 panels split one each, not in blocks of 32 vector elements.
#bx = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
#bm = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
#bs = affine_map<(d0, d1, d2, d3, d4) -> (d1)>
#bo = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @bitmap_panels
//       CHECK: scf.forall (%[[P:.*]]) in (4)
//       CHECK:   tensor.extract_slice %{{.*}}[%[[P]], 0, 0] [1, 1024, 8] [1, 1, 1] : tensor<4x1024x8xi16> to tensor<1x1024x8xi16>
//       CHECK:   tensor.extract_slice %{{.*}}[%[[P]]] [1] [1] : tensor<4xi32> to tensor<1xi32>
//       CHECK:   linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x16xf32>) attrs = {pith.bitmap_matmul}
func.func @bitmap_panels(%x: tensor<1x1024x8xf32>, %m: tensor<4x1024x8xi16>, %s: tensor<4xi32>, %init: tensor<1x4x16xf32>) -> tensor<1x4x16xf32> {
  %r = linalg.generic {indexing_maps = [#bx, #bm, #bs, #bo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%x, %m, %s : tensor<1x1024x8xf32>, tensor<4x1024x8xi16>, tensor<4xi32>) outs(%init : tensor<1x4x16xf32>) attrs = {pith.bitmap_matmul} {
  ^bb0(%a: f32, %mask: i16, %start: i32, %o: f32):
    %w = arith.uitofp %mask : i16 to f32
    %p = arith.mulf %a, %w : f32
    %sum = arith.addf %o, %p : f32
    linalg.yield %sum : f32
  } -> tensor<1x4x16xf32>
  return %r : tensor<1x4x16xf32>
}

// -----

// An indexed contraction splits by panels alone, whatever its rows and
// however large x transposed (2 MiB here): each chunk multiplies all 128
// rows by its own features' nonzeros, streaming x transposed in order,
// and the 16 features of a panel stay together.
#i_run = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3)>
#i_feature = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d2)>
#i_slot = affine_map<(d0, d1, d2, d3, d4) -> (d4)>
#i_out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @indexed_panels
//       CHECK: scf.forall (%[[P:.*]]) = (0) to (32) step (2)
//       CHECK:   tensor.extract_slice %{{.*}}[%[[P]], 0] [2, 128] [1, 1] : tensor<32x128xi32> to tensor<2x128xi32>
//       CHECK:   tensor.extract_slice %{{.*}}[%[[P]], 0, 0] [2, 128, 16] [1, 1, 1] : tensor<32x128x16xi8> to tensor<2x128x16xi8>
//       CHECK:   linalg.generic {{.*}} outs(%{{.*}} : tensor<128x2x16xf32>) attrs = {pith.indexed_matmul}
func.func @indexed_panels(%starts: tensor<32x128xi32>, %offsets: tensor<32x128x16xi16>, %counts: tensor<32x128x16xi8>, %slots: tensor<32xi32>, %x: tensor<4096x128xf32>, %init: tensor<128x32x16xf32>) -> tensor<128x32x16xf32> {
  %r = linalg.generic {indexing_maps = [#i_run, #i_feature, #i_feature, #i_slot, #i_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%starts, %offsets, %counts, %slots : tensor<32x128xi32>, tensor<32x128x16xi16>, tensor<32x128x16xi8>, tensor<32xi32>) outs(%init : tensor<128x32x16xf32>) attrs = {pith.indexed_matmul} {
  ^bb0(%start: i32, %offset: i16, %count: i8, %slot: i32, %o: f32):
    %k = arith.index_cast %slot : i32 to index
    %m = linalg.index 0 : index
    %a = tensor.extract %x[%k, %m] : tensor<4096x128xf32>
    %sum = arith.addf %o, %a : f32
    linalg.yield %sum : f32
  } -> tensor<128x32x16xf32>
  return %r : tensor<128x32x16xf32>
}

// -----

// One panel: nothing to split (its features stay together).
#i_run = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3)>
#i_feature = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d2)>
#i_slot = affine_map<(d0, d1, d2, d3, d4) -> (d4)>
#i_out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @indexed_panel
//   CHECK-NOT: scf.forall
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<128x1x16xf32>) attrs = {pith.indexed_matmul}
func.func @indexed_panel(%starts: tensor<1x128xi32>, %offsets: tensor<1x128x16xi16>, %counts: tensor<1x128x16xi8>, %slots: tensor<32xi32>, %x: tensor<4096x128xf32>, %init: tensor<128x1x16xf32>) -> tensor<128x1x16xf32> {
  %r = linalg.generic {indexing_maps = [#i_run, #i_feature, #i_feature, #i_slot, #i_out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%starts, %offsets, %counts, %slots : tensor<1x128xi32>, tensor<1x128x16xi16>, tensor<1x128x16xi8>, tensor<32xi32>) outs(%init : tensor<128x1x16xf32>) attrs = {pith.indexed_matmul} {
  ^bb0(%start: i32, %offset: i16, %count: i8, %slot: i32, %o: f32):
    %k = arith.index_cast %slot : i32 to index
    %m = linalg.index 0 : index
    %a = tensor.extract %x[%k, %m] : tensor<4096x128xf32>
    %sum = arith.addf %o, %a : f32
    linalg.yield %sum : f32
  } -> tensor<128x1x16xf32>
  return %r : tensor<128x1x16xf32>
}

// -----

// A contraction's epilogue (its bias and clamp) is split with it: each
// chunk fills, multiplies and applies the epilogue to its own columns.
// CHECK-LABEL: func.func @with_epilogue
//       CHECK: scf.forall (%[[J:.*]]) = (0) to (12544) step (896)
//       CHECK:   %[[ZEROS:.*]] = linalg.fill {{.*}} -> tensor<1x1x96x896xf32>
//       CHECK:   %[[PRODUCT:.*]] = linalg.generic {{.*}} outs(%[[ZEROS]] : tensor<1x1x96x896xf32>)
//       CHECK:   %[[EPILOGUE:.*]] = linalg.generic {{.*}} ins(%[[PRODUCT]], %{{.*}} : tensor<1x1x96x896xf32>, tensor<96xf32>)
//       CHECK:   arith.minimumf
//       CHECK:   tensor.parallel_insert_slice %[[EPILOGUE]]
//   CHECK-NOT: scf.forall (
#ew = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
#ex = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#eo = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#eid = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ebias = affine_map<(d0, d1, d2, d3) -> (d2)>
func.func @with_epilogue(%w: tensor<1x96x16xf32>, %x: tensor<1x1x16x12544xf32>, %b: tensor<96xf32>) -> tensor<1x1x96x12544xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x1x96x12544xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x96x12544xf32>) -> tensor<1x1x96x12544xf32>
  %p = linalg.generic {indexing_maps = [#ew, #ex, #eo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<1x96x16xf32>, tensor<1x1x16x12544xf32>) outs(%f : tensor<1x1x96x12544xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x96x12544xf32>
  %out = tensor.empty() : tensor<1x1x96x12544xf32>
  %y = linalg.generic {indexing_maps = [#eid, #ebias, #eid], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%p, %b : tensor<1x1x96x12544xf32>, tensor<96xf32>) outs(%out : tensor<1x1x96x12544xf32>) {
  ^bb0(%v: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %lo = arith.maximumf %s, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<1x1x96x12544xf32>
  return %y : tensor<1x1x96x12544xf32>
}

// -----

// An elementwise op reading a mask of i1 (packed bits in vectors, a byte
// per element in buffers) is no epilogue: it reads the whole product.
// CHECK-LABEL: func.func @mask_not_epilogue
//       CHECK: %[[PRODUCT:.*]] = scf.forall
//       CHECK:   linalg.batch_matmul
//       CHECK:   tensor.parallel_insert_slice
//       CHECK: linalg.generic {{.*}} ins(%[[PRODUCT]], %arg2 : tensor<12x128x128xf32>, tensor<1x128x128xi1>)
#mid = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#mmask = affine_map<(d0, d1, d2) -> (0, d1, d2)>
func.func @mask_not_epilogue(%a: tensor<12x128x32xf32>, %b: tensor<12x32x128xf32>, %mask: tensor<1x128x128xi1>) -> tensor<12x128x128xf32> {
  %zero = arith.constant 0.0 : f32
  %low = arith.constant -1.0e9 : f32
  %e = tensor.empty() : tensor<12x128x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %s = linalg.batch_matmul ins(%a, %b : tensor<12x128x32xf32>, tensor<12x32x128xf32>) outs(%f : tensor<12x128x128xf32>) -> tensor<12x128x128xf32>
  %out = tensor.empty() : tensor<12x128x128xf32>
  %y = linalg.generic {indexing_maps = [#mid, #mmask, #mid], iterator_types = ["parallel", "parallel", "parallel"]} ins(%s, %mask : tensor<12x128x128xf32>, tensor<1x128x128xi1>) outs(%out : tensor<12x128x128xf32>) {
  ^bb0(%v: f32, %keep: i1, %o: f32):
    %add = arith.select %keep, %zero, %low : f32
    %r = arith.addf %v, %add : f32
    linalg.yield %r : f32
  } -> tensor<12x128x128xf32>
  return %y : tensor<12x128x128xf32>
}
