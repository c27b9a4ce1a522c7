// RUN: pith-opt %s --pith-fuse-elementwise --split-input-file | FileCheck %s

// Elementwise producers fuse into elementwise consumers...
// CHECK-LABEL: func.func @chain
// CHECK-COUNT-1: linalg.generic
// CHECK: math.exp
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%a, %x : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %r = arith.addf %v, %w : f32
    linalg.yield %r : f32
  } -> tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

// ...but not into a contraction: the transpose feeding the matmul stays a
// separate op, so the matmul reads B row by row.
// CHECK-LABEL: func.func @into_matmul
// CHECK: %[[T:.*]] = linalg.generic
// CHECK: linalg.matmul ins(%arg0, %[[T]] :
#t_in = affine_map<(d0, d1) -> (d1, d0)>
#t_out = affine_map<(d0, d1) -> (d0, d1)>
func.func @into_matmul(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  %bt = linalg.generic {indexing_maps = [#t_in, #t_out], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<8x16xf32>
  %r = linalg.matmul ins(%a, %bt : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Nor into a quantized contraction (pith.quantized_matmul), which keeps its
// operands and its mark for pith-vectorize-contractions.
// CHECK-LABEL: func.func @into_quantized
//       CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x1x4x2xf32>)
//       CHECK: math.exp
//       CHECK: linalg.generic {{.*}} ins(%[[R]], %arg1, %arg2 : {{.*}}) {{.*}}pith.quantized_matmul = {bits = 4 : i64, unsigned = false}
#e4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#qx = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#qq = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#qs = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#qo = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
func.func @into_quantized(%x: tensor<2x1x4x2xf32>, %q: tensor<1x1x4x16xi8>, %s: tensor<1x1x16xf32>, %init: tensor<2x1x16xf32>) -> tensor<2x1x16xf32> {
  %e = tensor.empty() : tensor<2x1x4x2xf32>
  %a = linalg.generic {indexing_maps = [#e4, #e4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x1x4x2xf32>) outs(%e : tensor<2x1x4x2xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<2x1x4x2xf32>
  %0 = linalg.generic {indexing_maps = [#qx, #qq, #qs, #qo], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%a, %q, %s : tensor<2x1x4x2xf32>, tensor<1x1x4x16xi8>, tensor<1x1x16xf32>) outs(%init : tensor<2x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %vf = arith.sitofp %byte : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x1x16xf32>
  return %0 : tensor<2x1x16xf32>
}

// -----

// A reshape of a quantized contraction's result, feeding an elementwise
// op, is not folded into the contraction by expansion, which would rebuild
// it without its mark: the elementwise op takes the reshape instead.
// CHECK-LABEL: func.func @reshaped_quantized
//       CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<2x1x4x2xf32>, tensor<1x1x4x16xi8>, tensor<1x1x16xf32>) {{.*}}pith.quantized_matmul = {bits = 4 : i64, unsigned = false}
//       CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[Q]]
//       CHECK: linalg.generic {{.*}} ins(%[[SPLIT]] : tensor<2x1x4x4xf32>)
//       CHECK: math.exp
#rx = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
#rq = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
#rs = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
#ro = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
#e4d = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @reshaped_quantized(%x: tensor<2x1x4x2xf32>, %q: tensor<1x1x4x16xi8>, %s: tensor<1x1x16xf32>, %init: tensor<2x1x16xf32>) -> tensor<2x1x4x4xf32> {
  %0 = linalg.generic {indexing_maps = [#rx, #rq, #rs, #ro], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %q, %s : tensor<2x1x4x2xf32>, tensor<1x1x4x16xi8>, tensor<1x1x16xf32>) outs(%init : tensor<2x1x16xf32>) attrs = {pith.quantized_matmul = {bits = 4 : i64, unsigned = false}} {
  ^bb0(%in: f32, %byte: i8, %scale: f32, %out: f32):
    %vf = arith.sitofp %byte : i8 to f32
    %w = arith.mulf %vf, %scale : f32
    %p = arith.mulf %in, %w : f32
    %r = arith.addf %out, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x1x16xf32>
  %split = tensor.expand_shape %0 [[0], [1], [2, 3]] output_shape [2, 1, 4, 4] : tensor<2x1x16xf32> into tensor<2x1x4x4xf32>
  %e = tensor.empty() : tensor<2x1x4x4xf32>
  %y = linalg.generic {indexing_maps = [#e4d, #e4d], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%split : tensor<2x1x4x4xf32>) outs(%e : tensor<2x1x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<2x1x4x4xf32>
  return %y : tensor<2x1x4x4xf32>
}

// -----

// A 1x1 convolution's product [n, 1, f, positions], viewed [n, f, h, w],
// feeding its bias, a residual addition and a clamp: the elementwise op
// is rewritten over the product's loops (the residual reshaped to them,
// the bias read by the filter loop) and the reshape moved after it, so
// that pith-vectorize-contractions can apply it to each register tile.
// CHECK-LABEL: func.func @sunk_below_epilogue
//       CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
//       CHECK: %[[RESIDUAL:.*]] = tensor.expand_shape {{.*}} output_shape [1, 1, 8, 64]
//       CHECK: %[[EPILOGUE:.*]] = linalg.generic {indexing_maps = [#[[ID:.*]], #[[ID]], #[[FILTER:.*]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[PRODUCT]], %[[RESIDUAL]], %arg2 : tensor<1x1x8x64xf32>, tensor<1x1x8x64xf32>, tensor<8xf32>)
//       CHECK: arith.minimumf
//       CHECK: tensor.collapse_shape %[[EPILOGUE]]
//       CHECK: tensor.expand_shape {{.*}} output_shape [1, 8, 8, 8]
#cw = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
#cx = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#co = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @sunk_below_epilogue(%w: tensor<1x8x4xf32>, %x: tensor<1x1x4x64xf32>, %b: tensor<8xf32>, %skip: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x1x8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32>
  %p = linalg.generic {indexing_maps = [#cw, #cx, #co], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<1x8x4xf32>, tensor<1x1x4x64xf32>) outs(%f : tensor<1x1x8x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x64xf32>
  %flat = tensor.collapse_shape %p [[0, 1, 2, 3]] : tensor<1x1x8x64xf32> into tensor<512xf32>
  %image = tensor.expand_shape %flat [[0, 1, 2, 3]] output_shape [1, 8, 8, 8] : tensor<512xf32> into tensor<1x8x8x8xf32>
  %out = tensor.empty() : tensor<1x8x8x8xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4, #bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%image, %skip, %b : tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>, tensor<8xf32>) outs(%out : tensor<1x8x8x8xf32>) {
  ^bb0(%v: f32, %r: f32, %bb: f32, %o: f32):
    %s = arith.addf %v, %bb : f32
    %t = arith.addf %s, %r : f32
    %lo = arith.maximumf %t, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}

// -----

// An input read by the image row (merged into the product's positions)
// has no map over the product's loops: the elementwise op stays as it is.
// CHECK-LABEL: func.func @row_input_not_sunk
//       CHECK: tensor.expand_shape {{.*}} output_shape [1, 8, 8, 8]
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg2 : tensor<1x8x8x8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<1x8x8x8xf32>)
#rw = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
#rx2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#ro2 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
#rid = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row = affine_map<(d0, d1, d2, d3) -> (d2)>
func.func @row_input_not_sunk(%w: tensor<1x8x4xf32>, %x: tensor<1x1x4x64xf32>, %rows: tensor<8xf32>) -> tensor<1x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1x8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32>
  %p = linalg.generic {indexing_maps = [#rw, #rx2, #ro2], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%w, %x : tensor<1x8x4xf32>, tensor<1x1x4x64xf32>) outs(%f : tensor<1x1x8x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x64xf32>
  %flat = tensor.collapse_shape %p [[0, 1, 2, 3]] : tensor<1x1x8x64xf32> into tensor<512xf32>
  %image = tensor.expand_shape %flat [[0, 1, 2, 3]] output_shape [1, 8, 8, 8] : tensor<512xf32> into tensor<1x8x8x8xf32>
  %out = tensor.empty() : tensor<1x8x8x8xf32>
  %y = linalg.generic {indexing_maps = [#rid, #row, #rid], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%image, %rows : tensor<1x8x8x8xf32>, tensor<8xf32>) outs(%out : tensor<1x8x8x8xf32>) {
  ^bb0(%v: f32, %r: f32, %o: f32):
    %s = arith.addf %v, %r : f32
    linalg.yield %s : f32
  } -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}
