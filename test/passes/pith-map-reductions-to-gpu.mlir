// RUN: pith-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(pith-map-reductions-to-gpu))" | FileCheck %s

// A GEMV: 4096 outputs are too few threads, so the 4096-long sum splits
// into 32 shares of 128 across gridDim.y; each block sums its share in a
// register from zero and adds it to the output atomically. Its multiplies
// and adds may contract into fmas.
// CHECK-LABEL: func.func @gemv
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[C16]], %{{.*}} = %[[C32]], %{{.*}} = %{{.*}}) threads
// CHECK: %[[COL:.*]] = arith.remui %{{.*}}, %{{.*}} : index
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK: %[[START:.*]] = arith.muli %[[BY]], %{{.*}} : index
// CHECK: %[[END:.*]] = arith.addi %[[START]], %{{.*}} : index
// CHECK: %[[SUM:.*]] = scf.for %[[K:.*]] = %[[START]] to %[[END]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK: memref.load %arg0
// CHECK: memref.load %arg1
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: %[[NEXT:.*]] = arith.addf %[[ACC]], %{{.*}} fastmath<contract> : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: memref.atomic_rmw addf %[[SUM]], %arg2[%{{.*}}, %{{.*}}] : (f32, memref<1x4096xf32>) -> f32
// CHECK-NOT: linalg.matmul
func.func @gemv(%x: memref<1x4096xf32>, %w: memref<4096x4096xf32>, %y: memref<1x4096xf32>) {
  linalg.matmul ins(%x, %w : memref<1x4096xf32>, memref<4096x4096xf32>) outs(%y : memref<1x4096xf32>)
  return
}

// -----

// A quantized layer's sum takes an offset away at each group's first value:
// the output plus terms that do not depend on it still splits (8 groups
// into 8 shares).
// CHECK-LABEL: func.func @offset_at_group_start
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %[[C8]], %{{.*}} = %{{.*}}) threads
// CHECK: %[[SUM:.*]] = scf.for {{.*}} -> (f32) {
// CHECK: arith.select
// CHECK: memref.atomic_rmw addf %[[SUM]], %arg2
func.func @offset_at_group_start(%x: memref<1x8x64xf32>, %w: memref<8x64x4096xf32>, %y: memref<1x4096xf32>) {
  %c0 = arith.constant 0 : index
  %offset = arith.constant 8.0 : f32
  linalg.generic {indexing_maps = [affine_map<(m, n, g, k) -> (m, g, k)>, affine_map<(m, n, g, k) -> (g, k, n)>, affine_map<(m, n, g, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : memref<1x8x64xf32>, memref<8x64x4096xf32>) outs(%y : memref<1x4096xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %sum = arith.addf %out, %p : f32
    %k = linalg.index 3 : index
    %first = arith.cmpi eq, %k, %c0 : index
    %less = arith.subf %sum, %offset : f32
    %next = arith.select %first, %less, %sum : f32
    linalg.yield %next : f32
  }
  return
}

// -----

// A sum scaled afterwards is no sum of partial results: one thread per
// output, stored once.
// CHECK-LABEL: func.func @scaled_sum
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %{{.*}}) threads
// CHECK-NOT: memref.atomic_rmw
// CHECK: memref.store
func.func @scaled_sum(%x: memref<1x4096xf32>, %w: memref<4096x4096xf32>, %y: memref<1x4096xf32>) {
  %half = arith.constant 0.5 : f32
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<1x4096xf32>, memref<4096x4096xf32>) outs(%y : memref<1x4096xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %sum = arith.addf %out, %p : f32
    %scaled = arith.mulf %sum, %half : f32
    linalg.yield %scaled : f32
  }
  return
}

// -----

// Runs: the weights keep 16 bytes of each output's sum together, and the
// input 16 values: the innermost reduction is unrolled, the weights' run
// read in one 16-byte load before the loop over the value in a byte (their
// indices do not use it) and the input's in four, inside it; each
// iteration takes its values from those loads.
// CHECK-LABEL: func.func @runs
// CHECK: gpu.launch
// CHECK: scf.for {{.*}} -> (f32) {
// CHECK: %[[W:.*]] = vector.load %arg1[{{.*}}] {alignment = 16 : i64} : memref<8x4096x16xi8>, vector<16xi8>
// CHECK: scf.for {{.*}} -> (f32) {
// CHECK-COUNT-4: vector.load %arg0[{{.*}}] {alignment = 16 : i64} : memref<1x8x2x16xf32>, vector<4xf32>
// CHECK-NOT: scf.for
// CHECK: vector.extract %[[W]][0] : i8 from vector<16xi8>
// CHECK: vector.extract %[[W]][15] : i8 from vector<16xi8>
// CHECK: memref.atomic_rmw addf
func.func @runs(%x: memref<1x8x2x16xf32>, %w: memref<8x4096x16xi8>, %y: memref<1x4096xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, g, v, t) -> (m, g, v, t)>, affine_map<(m, n, g, v, t) -> (g, n, t)>, affine_map<(m, n, g, v, t) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : memref<1x8x2x16xf32>, memref<8x4096x16xi8>) outs(%y : memref<1x4096xf32>) {
  ^bb0(%a: f32, %b: i8, %out: f32):
    %f = arith.sitofp %b : i8 to f32
    %p = arith.mulf %a, %f : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Alignment: a view of the workspace 8 bytes in reads its runs in loads of
// 8 bytes; one 4 bytes in, where a load would hold one value, is read value
// by value, as is an operand whose run the innermost dimension does not
// index alone.
// CHECK-LABEL: func.func @run_alignment
// CHECK: %[[X8:.*]] = memref.view %arg0[%c8]
// CHECK-COUNT-8: vector.load %[[X8]][{{.*}}] {alignment = 8 : i64} : memref<64x16xf32>, vector<2xf32>
// CHECK-NOT: vector.load
// CHECK: memref.atomic_rmw
func.func @run_alignment(%workspace: memref<8192xi8>, %w: memref<64x16xf32>, %d: memref<16x16xf32>, %y: memref<4096xf32>) {
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %x8 = memref.view %workspace[%c8][] : memref<8192xi8> to memref<64x16xf32>
  %x4 = memref.view %workspace[%c4][] : memref<8192xi8> to memref<64x16xf32>
  linalg.generic {indexing_maps = [affine_map<(n, k, t) -> (k, t)>, affine_map<(n, k, t) -> (k, t)>, affine_map<(n, k, t) -> (t, t)>, affine_map<(n, k, t) -> (n)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%x8, %x4, %d : memref<64x16xf32>, memref<64x16xf32>, memref<16x16xf32>) outs(%y : memref<4096xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %q = arith.mulf %p, %c : f32
    %sum = arith.addf %out, %q : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Four rows (a GEMV-shaped product, M <= 16) share each thread: it reads
// the weight once per iteration for all four, carries four sums, and adds
// each to its row's output. 4096 threads split the sum into 32 shares.
// CHECK-LABEL: func.func @rows_share_weights
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C16]], %{{.*}} = %[[C32]], %{{.*}} = %{{.*}}) threads
// CHECK: %[[SUMS:.*]]:4 = scf.for {{.*}} iter_args(%[[A0:.*]] = %{{.*}}, %[[A1:.*]] = %{{.*}}, %[[A2:.*]] = %{{.*}}, %[[A3:.*]] = %{{.*}}) -> (f32, f32, f32, f32) {
// CHECK: memref.load %arg0
// CHECK: %[[W:.*]] = memref.load %arg1
// CHECK: arith.mulf %{{.*}}, %[[W]]
// CHECK-NOT: memref.load %arg1
// CHECK: memref.load %arg0
// CHECK: arith.mulf %{{.*}}, %[[W]]
// CHECK: scf.yield
// CHECK-COUNT-4: memref.atomic_rmw addf %[[SUMS]]#{{[0-3]}}, %arg2
func.func @rows_share_weights(%x: memref<4x4096xf32>, %w: memref<4096x4096xf32>, %y: memref<4x4096xf32>) {
  linalg.matmul ins(%x, %w : memref<4x4096xf32>, memref<4096x4096xf32>) outs(%y : memref<4x4096xf32>)
  return
}

// -----

// A per-channel layer's one group is no dimension to split: the first
// reduction dimension longer than one is (4096 into 32 shares of 128).
// CHECK-LABEL: func.func @one_group
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %{{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %[[C32]], %{{.*}} = %{{.*}}) threads
// CHECK: %[[START:.*]] = arith.muli %[[BY]], %{{.*}} : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: scf.for %{{.*}} = %[[START]] to
// CHECK: memref.atomic_rmw addf
func.func @one_group(%x: memref<1x1x4096xf32>, %w: memref<1x4096x4096xf32>, %y: memref<1x4096xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, g, k) -> (m, g, k)>, affine_map<(m, n, g, k) -> (g, k, n)>, affine_map<(m, n, g, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : memref<1x1x4096xf32>, memref<1x4096x4096xf32>) outs(%y : memref<1x4096xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = arith.mulf %a, %b : f32
    %sum = arith.addf %out, %p : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// 128 rows are too many for one thread: they go to threads in tiles of 8,
// each thread reading the weight once for its 8 rows (8 x 1536 threads).
// CHECK-LABEL: func.func @row_tiles
// CHECK: gpu.launch
// CHECK: %[[TILE:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: arith.muli %[[TILE]], %[[C8]] : index
// CHECK: scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32) {
// CHECK: %[[W:.*]] = memref.load %arg1
// CHECK-NOT: memref.load %arg1
// CHECK: scf.yield
func.func @row_tiles(%x: memref<128x384xf32>, %w: memref<384x1536xf32>, %y: memref<128x1536xf32>) {
  linalg.matmul ins(%x, %w : memref<128x384xf32>, memref<384x1536xf32>) outs(%y : memref<128x1536xf32>)
  return
}

// -----

// A maximum is no sum: one thread per row, the accumulator loaded from the
// output, kept in a register over the row and stored once.
// CHECK-LABEL: func.func @row_max
// CHECK: gpu.launch
// CHECK: %[[INIT:.*]] = memref.load %arg1[%{{.*}}] : memref<8xf32>
// CHECK: %[[MAX:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK: arith.maxnumf %{{.*}}, %[[ACC]] fastmath<contract> : f32
// CHECK: memref.store %[[MAX]], %arg1[%{{.*}}] : memref<8xf32>
// CHECK-NOT: memref.atomic_rmw
func.func @row_max(%x: memref<8x128xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<8x128xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maxnumf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Two reduction dimensions (a convolution's window, read through affine
// indices) nest inside the thread; with enough outputs the sum does not
// split. linalg.index reads the loop's index.
// CHECK-LABEL: func.func @window
// CHECK: gpu.launch
// CHECK: %[[OUTER:.*]] = scf.for %[[R:.*]] = {{.*}} iter_args(%[[A0:.*]] = %{{.*}}) -> (f32) {
// CHECK: %[[INNER:.*]] = scf.for %[[S:.*]] = {{.*}} iter_args(%[[A1:.*]] = %[[A0]]) -> (f32) {
// CHECK: affine.apply #{{.*}}(%[[R]])[%{{.*}}]
// CHECK: arith.index_cast %[[S]]
// CHECK: scf.yield
// CHECK: scf.yield %[[INNER]] : f32
// CHECK: memref.store %[[OUTER]]
func.func @window(%x: memref<300x300xf32>, %k: memref<3x3xf32>, %y: memref<298x298xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j, r, s) -> (i + r, j + s)>, affine_map<(i, j, r, s) -> (r, s)>, affine_map<(i, j, r, s) -> (i, j)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %k : memref<300x300xf32>, memref<3x3xf32>) outs(%y : memref<298x298xf32>) {
  ^bb0(%a: f32, %w: f32, %b: f32):
    %s = linalg.index 3 : index
    %i = arith.index_cast %s : index to i32
    %f = arith.sitofp %i : i32 to f32
    %p = arith.mulf %a, %w : f32
    %q = arith.mulf %p, %f : f32
    %sum = arith.addf %b, %q : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// An output not indexed by every parallel dimension would be written by
// several threads: left for convert-linalg-to-parallel-loops, as are ops
// without reductions.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
// CHECK: linalg.copy
func.func @left_alone(%x: memref<4x8x16xf32>, %y: memref<4xf32>, %z: memref<4x8x16xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, j, k)>, affine_map<(i, j, k) -> (i)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : memref<4x8x16xf32>) outs(%y : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %sum = arith.addf %b, %a : f32
    linalg.yield %sum : f32
  }
  linalg.copy ins(%x : memref<4x8x16xf32>) outs(%z : memref<4x8x16xf32>)
  return
}
