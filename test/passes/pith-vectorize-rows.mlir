// RUN: pith-opt %s --pith-vectorize-rows=vector-bits=512 --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-vectorize-rows=vector-bits=512 --canonicalize --loop-invariant-subset-hoisting --split-input-file | FileCheck %s --check-prefix=HOIST

// A softmax-style row reduction over 128 elements (8 vectors) is one
// vector reduction per row; the row loop steps by 1.
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for %{{.*}} = %c0 to %c12 step %c1
// CHECK: %[[ROW:.*]] = vector.transfer_read {{.*}} : tensor<1x128xf32>, vector<1x128xf32>
// CHECK: vector.multi_reduction <maximumf>, %[[ROW]], %{{.*}} [1] : vector<1x128xf32> to vector<1xf32>
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @row_max(%x: tensor<12x128xf32>, %init: tensor<12xf32>) -> tensor<12xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<12x128xf32>) outs(%init : tensor<12xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<12xf32>
  return %r : tensor<12xf32>
}

// -----

// A per-row value broadcast along the row is read once and broadcast, not
// gathered lane by lane.
// CHECK-LABEL: func.func @subtract_row_value
// CHECK: %[[X:.*]] = vector.transfer_read {{.*}} : tensor<1x128xf32>, vector<1x128xf32>
// CHECK: %[[M:.*]] = vector.transfer_read {{.*}} : tensor<1xf32>, vector<1xf32>
// CHECK: %[[B:.*]] = vector.broadcast %[[M]] : vector<1xf32> to vector<1x128xf32>
// CHECK: arith.subf %[[X]], %[[B]] : vector<1x128xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @subtract_row_value(%x: tensor<12x128xf32>, %m: tensor<12xf32>) -> tensor<12x128xf32> {
  %e = tensor.empty() : tensor<12x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %m : tensor<12x128xf32>, tensor<12xf32>) outs(%e : tensor<12x128xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.subf %v, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x128xf32>
  return %r : tensor<12x128xf32>
}

// -----

// The same with the value kept as [12, 1] (keepdims), which the generic
// reads through a broadcast map: still one element and a broadcast.
// CHECK-LABEL: func.func @subtract_kept_dim
// CHECK: %[[M:.*]] = vector.transfer_read {{.*}} : tensor<1x1xf32>, vector<1x1xf32>
// CHECK: vector.broadcast %[[M]] : vector<1x1xf32> to vector<1x128xf32>
// CHECK-NOT: vector.insert
#kept_id = affine_map<(d0, d1) -> (d0, d1)>
#kept = affine_map<(d0, d1) -> (d0, 0)>
func.func @subtract_kept_dim(%x: tensor<12x128xf32>, %m: tensor<12x1xf32>) -> tensor<12x128xf32> {
  %e = tensor.empty() : tensor<12x128xf32>
  %r = linalg.generic {indexing_maps = [#kept_id, #kept, #kept_id], iterator_types = ["parallel", "parallel"]} ins(%x, %m : tensor<12x128xf32>, tensor<12x1xf32>) outs(%e : tensor<12x128xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %s = arith.subf %v, %w : f32
    linalg.yield %s : f32
  } -> tensor<12x128xf32>
  return %r : tensor<12x128xf32>
}

// -----

// Rows longer than 16 vectors go in chunks that divide them: 1536 by 256.
// CHECK-LABEL: func.func @long_rows
// CHECK: scf.for %{{.*}} = %c0 to %c1536 step %c256
// CHECK: math.erf %{{.*}} : vector<1x256xf32>
#e = affine_map<(d0, d1) -> (d0, d1)>
func.func @long_rows(%x: tensor<4x1536xf32>) -> tensor<4x1536xf32> {
  %o = tensor.empty() : tensor<4x1536xf32>
  %r = linalg.generic {indexing_maps = [#e, #e], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x1536xf32>) outs(%o : tensor<4x1536xf32>) {
  ^bb0(%v: f32, %w: f32):
    %s = math.erf %v : f32
    linalg.yield %s : f32
  } -> tensor<4x1536xf32>
  return %r : tensor<4x1536xf32>
}

// -----

// Left as they are: a transpose (its input is strided along the innermost
// loop), booleans (vectors of i1 are packed bits), gathers.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.
#t = affine_map<(d0, d1) -> (d1, d0)>
#i = affine_map<(d0, d1) -> (d0, d1)>
func.func @left_alone(%x: tensor<8x16xf32>, %b: tensor<8x16xi1>, %table: tensor<100xf32>, %idx: tensor<8x16xindex>) -> (tensor<16x8xf32>, tensor<8x16xi1>, tensor<8x16xf32>) {
  %e = tensor.empty() : tensor<16x8xf32>
  %t = linalg.generic {indexing_maps = [#t, #i], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x16xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<16x8xf32>
  %eb = tensor.empty() : tensor<8x16xi1>
  %n = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<8x16xi1>) outs(%eb : tensor<8x16xi1>) {
  ^bb0(%v: i1, %o: i1):
    %true = arith.constant true
    %r = arith.xori %v, %true : i1
    linalg.yield %r : i1
  } -> tensor<8x16xi1>
  %eg = tensor.empty() : tensor<8x16xf32>
  %g = linalg.generic {indexing_maps = [#i, #i], iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<8x16xindex>) outs(%eg : tensor<8x16xf32>) {
  ^bb0(%j: index, %o: f32):
    %v = tensor.extract %table[%j] : tensor<100xf32>
    linalg.yield %v : f32
  } -> tensor<8x16xf32>
  return %t, %n, %g : tensor<16x8xf32>, tensor<8x16xi1>, tensor<8x16xf32>
}

// -----

// A convolution's windows copied into columns (loops n, kh, kw, oh, ow)
// read the input at ow + kw: contiguous along the row of ow all the same,
// so each row is one 32-wide read at (oh + kh, kw) and one write. With a
// stride (2 * ow + kw) a copy reads the row's span (63 elements, as 64
// masked past the end) and picks every other element by a shuffle.
// CHECK-LABEL: func.func @windows
// CHECK: scf.for %[[N:[a-z0-9]+]] = %c0 to %c4
// CHECK:   scf.for %[[KH:[a-z0-9]+]] = %c0 to %c3
// CHECK:     scf.for %[[KW:[a-z0-9]+]] = %c0 to %c3
// CHECK:       scf.for %[[OH:[a-z0-9]+]] = %c0 to %c8
// CHECK:         scf.for %[[OW:[a-z0-9]+]] = %c0 to %c32 step %c32
// CHECK:           %[[Y:.*]] = affine.apply #{{.*}}(%[[KH]], %[[OH]])
// CHECK:           %[[X:.*]] = affine.apply #{{.*}}(%[[KW]], %[[OW]])
// CHECK:           %[[IN:.*]] = tensor.extract_slice %arg0[%[[N]], %[[Y]], %[[X]]] [1, 1, 32] [1, 1, 1]
// CHECK:           vector.transfer_read %[[IN]]{{.*}} : tensor<1x1x32xf32>, vector<32xf32>
// CHECK:           vector.transfer_write
// CHECK-LABEL: func.func @strided_windows
// CHECK: %[[SPAN:.*]] = tensor.extract_slice %arg0{{.*}} [1, 1, 63] [1, 1, 1]
// CHECK: %[[READ:.*]] = vector.transfer_read %[[SPAN]]{{.*}} : tensor<1x1x63xf32>, vector<64xf32>
// CHECK: %[[EVEN:.*]] = vector.shuffle %[[READ]], %[[READ]] [0, 2, 4, {{.*}}, 60, 62] : vector<64xf32>, vector<64xf32>
// CHECK: vector.transfer_write %[[EVEN]], {{.*}} : vector<32xf32>, tensor<1x1x1x1x32xf32>
// A phase of a strided convolution's input (rows and columns 2 i + 1)
// reads its row's span from the slice's row 1, column 1, not its start.
// CHECK-LABEL: func.func @odd_phase
// CHECK: %[[SPAN:.*]] = tensor.extract_slice %arg0{{.*}} [1, 2, 30] [1, 1, 1]
// CHECK: %[[READ:.*]] = vector.transfer_read %[[SPAN]][%c0, %c1, %c1], %{{.*}} : tensor<1x2x30xf32>, vector<30xf32>
// CHECK: vector.shuffle %[[READ]], %[[READ]] [0, 2, 4, {{.*}}, 26, 28] : vector<30xf32>, vector<30xf32>
#in = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3 + d1, d4 + d2)>
#strided = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3 + d1, d4 * 2 + d2)>
#out = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @windows(%x: tensor<4x10x34xf32>) -> tensor<4x3x3x8x32xf32> {
  %e = tensor.empty() : tensor<4x3x3x8x32xf32>
  %0 = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<4x10x34xf32>) outs(%e : tensor<4x3x3x8x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<4x3x3x8x32xf32>
  return %0 : tensor<4x3x3x8x32xf32>
}
func.func @strided_windows(%x: tensor<4x10x66xf32>) -> tensor<4x3x3x8x32xf32> {
  %e = tensor.empty() : tensor<4x3x3x8x32xf32>
  %0 = linalg.generic {indexing_maps = [#strided, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<4x10x66xf32>) outs(%e : tensor<4x3x3x8x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<4x3x3x8x32xf32>
  return %0 : tensor<4x3x3x8x32xf32>
}
#odd = affine_map<(d0, d1, d2) -> (d0, d1 * 2 + 1, d2 * 2 + 1)>
#rows = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @odd_phase(%x: tensor<4x30x30xf32>) -> tensor<4x15x15xf32> {
  %e = tensor.empty() : tensor<4x15x15xf32>
  %0 = linalg.generic {indexing_maps = [#odd, #rows], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<4x30x30xf32>) outs(%e : tensor<4x15x15xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<4x15x15xf32>
  return %0 : tensor<4x15x15xf32>
}

// -----

// A depthwise convolution multiplied in place (loops c, oh, kh, kw, ow):
// each tap of a window reads the input's row at ow + kw and multiplies
// into the output's row, the row's loop stepping outside the taps' so
// that the row stays in registers across them (the second run: carried by the
// taps' loops as a vector). A row of 56 (a parallel loop) is split into
// its whole vectors, 48 positions by vectors of 16, and the 8 left, one
// vector of 8: LLVM would widen 56 lanes to 64 and move their parts lane
// by lane, and vectors of 8 throughout would leave half of each unused.
// CHECK-LABEL: func.func @depthwise_rows
// CHECK: %[[WHOLE:.*]] = scf.for %{{.*}} = %c0 to %c4
// CHECK:   scf.for %[[OH:[a-z0-9]+]] = %c0 to %c56
// CHECK:     scf.for %[[OW:[a-z0-9]+]] = %c0 to %c48 step %c16
// CHECK:       scf.for %[[KH:[a-z0-9]+]] = %c0 to %c3
// CHECK:         scf.for %[[KW:[a-z0-9]+]] = %c0 to %c3
// CHECK:           vector.transfer_read {{.*}} : tensor<1x1x16xf32>, vector<16xf32>
// CHECK:           arith.mulf {{.*}} : vector<1x1x1x1x16xf32>
// CHECK:           arith.addf {{.*}} : vector<1x1x16xf32>
// CHECK: tensor.insert_slice %[[WHOLE]] into %{{.*}}[0, 0, 0] [4, 56, 48]
// CHECK: %[[REST:.*]] = scf.for %{{.*}} = %c0 to %c4
// CHECK:     scf.for %{{.*}} = %c0 to %c8 step %c8
// CHECK:           arith.mulf {{.*}} : vector<1x1x1x1x8xf32>
// CHECK: tensor.insert_slice %[[REST]] into %{{.*}}[0, 0, 48] [4, 56, 8]
// HOIST-LABEL: func.func @depthwise_rows
// HOIST: scf.for %{{.*}} = %c0 to %c48 step %c16
// HOIST:   scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> (tensor<4x56x48xf32>, tensor<1x1x16xf32>, vector<1x1x16xf32>)
// HOIST:     scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> (tensor<4x56x48xf32>, tensor<1x1x16xf32>, vector<1x1x16xf32>)
#dwin = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d2, d4 + d3)>
#dtap = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
#dout = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
func.func @depthwise_rows(%x: tensor<4x58x58xf32>, %w: tensor<4x3x3xf32>, %init: tensor<4x56x56xf32>) -> tensor<4x56x56xf32> {
  %r = linalg.generic {indexing_maps = [#dwin, #dtap, #dout], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%x, %w : tensor<4x58x58xf32>, tensor<4x3x3xf32>) outs(%init : tensor<4x56x56xf32>) {
  ^bb0(%v: f32, %t: f32, %acc: f32):
    %p = arith.mulf %v, %t : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x56x56xf32>
  return %r : tensor<4x56x56xf32>
}

// -----

// A transpose that moves the innermost dimension goes by 16x16 blocks:
// 16 vectors read along the input's rows, 4 stages of 16 two-source
// shuffles, 16 vectors written along the output's rows.
// CHECK-LABEL: func.func @transpose_blocks
//       CHECK: scf.for %[[I:.*]] = %c0 to %c32 step %c16
//       CHECK:   scf.for %[[J:.*]] = %c0 to %c48 step %c16
//       CHECK:     vector.transfer_read %{{.*}}[%[[J]], %[[I]]]{{.*}} : tensor<48x32xf32>, vector<16xf32>
// CHECK-COUNT-64:     vector.shuffle
//       CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
//   CHECK-NOT: linalg.transpose
func.func @transpose_blocks(%x: tensor<48x32xf32>) -> tensor<32x48xf32> {
  %init = tensor.empty() : tensor<32x48xf32>
  %0 = linalg.transpose ins(%x : tensor<48x32xf32>) outs(%init : tensor<32x48xf32>) permutation = [1, 0]
  return %0 : tensor<32x48xf32>
}

// -----

// Dimensions that stay together are one: a convolution's output [n, oh,
// ow, f] to [n, f, oh, ow] at 12x12 moves 144 positions by 16x16 blocks,
// though 12 is not a multiple of 16.
// CHECK-LABEL: func.func @transpose_runs
//       CHECK: %[[IN:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<1x12x12x32xf32> into tensor<1x144x32xf32>
//       CHECK: %[[OUT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x32x12x12xf32> into tensor<1x32x144xf32>
//       CHECK: scf.for %{{.*}} = %c0 to %c1 step %c1
//       CHECK:   scf.for %[[F:.*]] = %c0 to %c32 step %c16
//       CHECK:     scf.for %[[P:.*]] = %c0 to %c144 step %c16
//       CHECK:       vector.transfer_read %[[IN]][%{{.*}}, %[[P]], %[[F]]]{{.*}} : tensor<1x144x32xf32>, vector<16xf32>
//       CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [1, 32, 12, 12] : tensor<1x32x144xf32> into tensor<1x32x12x12xf32>
//   CHECK-NOT: linalg.transpose
func.func @transpose_runs(%x: tensor<1x12x12x32xf32>) -> tensor<1x32x12x12xf32> {
  %init = tensor.empty() : tensor<1x32x12x12xf32>
  %0 = linalg.transpose ins(%x : tensor<1x12x12x32xf32>) outs(%init : tensor<1x32x12x12xf32>) permutation = [0, 3, 1, 2]
  return %0 : tensor<1x32x12x12xf32>
}

// -----

// Extents that are not multiples of 16 end in a partial block. A 24-row
// input transposed: rows past the 24th read the last row instead, and
// the written vectors are masked past it. A 24-column input: its vectors
// are masked past it, and the output rows past the 24th write the last
// row instead, in decreasing order (row 15 of the block first, row 0 last)
// so that its true values are written last.
// CHECK-LABEL: func.func @transpose_partial_rows
//       CHECK: scf.for %[[I:.*]] = %c0 to %c32 step %c16
//       CHECK:   scf.for %[[J:.*]] = %c0 to %c24 step %c16
//       CHECK:     %[[ROW:.*]] = arith.minsi %[[J]], %c23 : index
//       CHECK:     vector.transfer_read %arg0[%[[ROW]], %[[I]]], %{{.*}} {in_bounds = [true]} : tensor<24x32xf32>, vector<16xf32>
// CHECK-COUNT-64:     vector.shuffle
//       CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %[[J]]] : vector<16xf32>, tensor<32x24xf32>
//   CHECK-NOT: linalg.transpose
// CHECK-LABEL: func.func @transpose_partial_columns
//       CHECK: scf.for %[[I:.*]] = %c0 to %c24 step %c16
//       CHECK:   scf.for %[[J:.*]] = %c0 to %c32 step %c16
//       CHECK:     vector.transfer_read %arg0[%[[J]], %[[I]]], %{{.*}} : tensor<32x24xf32>, vector<16xf32>
// CHECK-COUNT-64:     vector.shuffle
//       CHECK:     %[[LAST:.*]] = arith.addi %[[I]], %c15 : index
//       CHECK:     %[[KEPT:.*]] = arith.minsi %[[LAST]], %c23 : index
//       CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%[[KEPT]], %[[J]]] {in_bounds = [true]} : vector<16xf32>, tensor<24x32xf32>
//   CHECK-NOT: linalg.transpose
func.func @transpose_partial_rows(%x: tensor<24x32xf32>) -> tensor<32x24xf32> {
  %init = tensor.empty() : tensor<32x24xf32>
  %0 = linalg.transpose ins(%x : tensor<24x32xf32>) outs(%init : tensor<32x24xf32>) permutation = [1, 0]
  return %0 : tensor<32x24xf32>
}
func.func @transpose_partial_columns(%x: tensor<32x24xf32>) -> tensor<24x32xf32> {
  %init = tensor.empty() : tensor<24x32xf32>
  %0 = linalg.transpose ins(%x : tensor<32x24xf32>) outs(%init : tensor<24x32xf32>) permutation = [1, 0]
  return %0 : tensor<24x32xf32>
}

// -----

// An input read at a stride along the row (a strided depthwise
// convolution's, 2 ow + kw) is picked from its span in registers, as a
// strided copy's is, and multiplied there: no gather, no copy in memory.
// CHECK-LABEL: func.func @strided_taps
// CHECK: %[[SPAN:.*]] = vector.transfer_read %{{.*}} : tensor<1x31xf32>, vector<32xf32>
// CHECK: %[[EVEN:.*]] = vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, {{.*}}, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK: %[[ROW:.*]] = vector.broadcast %[[EVEN]] : vector<16xf32> to vector<1x1x16xf32>
// CHECK: arith.mulf %[[ROW]], %{{.*}} : vector<1x1x16xf32>
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor.empty
#in = affine_map<(c, kw, ow) -> (c, ow * 2 + kw)>
#tap = affine_map<(c, kw, ow) -> (c, kw)>
#out = affine_map<(c, kw, ow) -> (c, ow)>
func.func @strided_taps(%x: tensor<4x34xf32>, %t: tensor<4x3xf32>, %acc: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#in, #tap, #out], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x, %t : tensor<4x34xf32>, tensor<4x3xf32>) outs(%acc : tensor<4x16xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.mulf %a, %w : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A strided row of 24 splits as a contiguous one does, into its whole
// vector (16 outputs, a span of 32 picked apart) and the rest (8, a span
// of 16).
// CHECK-LABEL: func.func @strided_rows_split
// CHECK: vector.transfer_read %{{.*}} : tensor<1x31xf32>, vector<32xf32>
// CHECK: vector.shuffle {{.*}} : vector<32xf32>, vector<32xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [4, 16]
// CHECK: vector.transfer_read %{{.*}} : tensor<1x15xf32>, vector<16xf32>
// CHECK: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 16] [4, 8]
#sin = affine_map<(c, kw, ow) -> (c, ow * 2 + kw)>
#stap = affine_map<(c, kw, ow) -> (c, kw)>
#sout = affine_map<(c, kw, ow) -> (c, ow)>
func.func @strided_rows_split(%x: tensor<4x50xf32>, %t: tensor<4x3xf32>, %acc: tensor<4x24xf32>) -> tensor<4x24xf32> {
  %0 = linalg.generic {indexing_maps = [#sin, #stap, #sout], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x, %t : tensor<4x50xf32>, tensor<4x3xf32>) outs(%acc : tensor<4x24xf32>) {
  ^bb0(%a: f32, %w: f32, %o: f32):
    %m = arith.mulf %a, %w : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x24xf32>
  return %0 : tensor<4x24xf32>
}

// -----

// A transpose with a swapped extent under a block (8 rows) stays scalar:
// a block's 64 shuffles would move fewer than 256 values.
// CHECK-LABEL: func.func @transpose_under_a_block
// CHECK: linalg.transpose
func.func @transpose_under_a_block(%x: tensor<8x32xf32>) -> tensor<32x8xf32> {
  %init = tensor.empty() : tensor<32x8xf32>
  %0 = linalg.transpose ins(%x : tensor<8x32xf32>) outs(%init : tensor<32x8xf32>) permutation = [1, 0]
  return %0 : tensor<32x8xf32>
}
