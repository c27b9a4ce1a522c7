// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-lower-to-linalg=panel-width=32 --split-input-file | FileCheck %s --check-prefix=WARP
// RUN: pith-opt %s --pith-lower-to-linalg="panel-width=32 thread-bytes=16" --split-input-file | FileCheck %s --check-prefix=RUNS

// quantize: round half to even of x / scale, saturated to the type.
// CHECK: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @quantize
func.func @quantize(%w: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x8xi8> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}]
  // CHECK: %[[Q:.*]] = arith.divf
  // CHECK: %[[R:.*]] = math.roundeven %[[Q]] : f32
  // CHECK: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
  // CHECK: %[[A:.*]] = arith.maximumf %[[R]], %[[LO]] : f32
  // CHECK: %[[HI:.*]] = arith.constant 1.270000e+02 : f32
  // CHECK: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]] : f32
  // CHECK: arith.fptosi %[[B]] : f32 to i8
  %0 = pith.quantize %w, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi8>
  return %0 : tensor<4x8xi8>
}

// -----

// Per-axis parameters are read along their axis; unsigned values convert
// with uitofp.
// CHECK: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @dequantize_axis
// CHECK-SAME: (%{{.*}}: tensor<4x8xi8>, %{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xi8>)
func.func @dequantize_axis(%q: tensor<4x8xui8>, %s: tensor<4xf32>, %z: tensor<4xui8>) -> tensor<4x8xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #[[ROW]], #{{.*}}]
  // CHECK: ^bb0(%[[QV:.*]]: i8, %[[SV:.*]]: f32, %[[ZV:.*]]: i8, %{{.*}}: f32):
  // CHECK: %[[QF:.*]] = arith.uitofp %[[QV]] : i8 to f32
  // CHECK: %[[ZF:.*]] = arith.uitofp %[[ZV]] : i8 to f32
  // CHECK: %[[D:.*]] = arith.subf %[[QF]], %[[ZF]] : f32
  // CHECK: arith.mulf %[[D]], %[[SV]] : f32
  %0 = pith.dequantize %q, %s, %z {axis = 0 : i64} : (tensor<4x8xui8>, tensor<4xf32>, tensor<4xui8>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Blocks of 4 along axis 1: parameter column j / 4, a partial last block.
// 4-bit values are held a byte each.
// CHECK: #[[BLOCK:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 4)>
// CHECK-LABEL: func.func @dequantize_blocked
// CHECK-SAME: tensor<2x10xi8>
func.func @dequantize_blocked(%q: tensor<2x10xi4>, %s: tensor<2x3xf32>) -> tensor<2x10xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BLOCK]], #{{.*}}]
  // CHECK: arith.sitofp %{{.*}} : i8 to f32
  %0 = pith.dequantize %q, %s {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x10xi4>, tensor<2x3xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// A scale of 1 (x already scaled, as pith-quantize's int8 activations
// are) divides by nothing: x is rounded as it is.
// CHECK-LABEL: func.func @quantize_unit_scale
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32, %{{.*}}: i8):
// CHECK-NOT: arith.divf
// CHECK: math.roundeven %[[X]] : f32
func.func @quantize_unit_scale(%x: tensor<2x8xf32>) -> tensor<2x8xi8> {
  %one = pith.constant dense<1.0> : tensor<f32>
  %0 = pith.quantize %x, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xi8>
  return %0 : tensor<2x8xi8>
}

// -----

// A block as long as its axis (per token) reads its one scale through a
// constant: the row stays a plain row for pith-vectorize-rows.
// CHECK: #[[TOKEN:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @quantize_per_token
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TOKEN]], #{{.*}}]
// CHECK: arith.divf
func.func @quantize_per_token(%x: tensor<2x8xf32>, %s: tensor<2x1xf32>) -> tensor<2x8xi8> {
  %0 = pith.quantize %x, %s {axis = 1 : i64, block_size = 8 : i64} : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xi8>
  return %0 : tensor<2x8xi8>
}

// -----

// A linear layer over dequantized constants reads the integers: packed at
// compile time into one panel of 16 output features (the 4 real ones, then
// zeros), two 4-bit values to a byte along K (the first in the low
// nibble), stored unsigned (plus 8: -2 and 4 become 0xC6), and unpacked by
// the value's position in its byte. The offset 8 times the scale and the
// group's sum of x ([M, groups], one reduction) is taken away at the
// group's first value. The padded features are sliced off. (The
// dequantize's own generic is left unused, for canonicalize to erase.)
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4, d5)>
// CHECK-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d2)>
// CHECK-DAG: #[[S:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d2)>
// CHECK-DAG: #[[SUMS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @quantized_linear
//   CHECK-DAG: %[[PACKED:.*]] = arith.constant dense_resource<w4_packed> : tensor<1x2x2x16xi8>
//   CHECK-DAG: %[[SCALES:.*]] = arith.constant dense_resource<w4_scale_packed> : tensor<1x2x16xf32>
//       CHECK: %[[XV:.*]] = tensor.expand_shape {{.*}} output_shape [2, 2, 2, 2]
//       CHECK: %[[XG:.*]] = tensor.expand_shape {{.*}} output_shape [2, 2, 4]
//       CHECK: %[[XSUMS:.*]] = linalg.generic {{.*}} ins(%[[XG]] : tensor<2x2x4xf32>) outs(%{{.*}} : tensor<2x2xf32>)
//       CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[Q]], #[[S]], #[[SUMS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XV]], %[[PACKED]], %[[SCALES]], %[[XSUMS]] : {{.*}}) outs(%{{.*}} : tensor<2x1x16xf32>) attrs = {{.*}}pith.quantized_matmul = {bits = 4 : i64, unsigned = false}
//       CHECK:   linalg.index 5
//       CHECK:   arith.shrui
//       CHECK:   arith.andi
//       CHECK:   arith.uitofp
//       CHECK:   %[[PARTIAL:.*]] = arith.addf
//       CHECK:   %[[CORRECTED:.*]] = arith.subf %[[PARTIAL]], %{{.*}} : f32
//       CHECK:   arith.select %{{.*}}, %[[CORRECTED]], %[[PARTIAL]] : f32
//       CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 4] [1, 1] : tensor<2x16xf32> to tensor<2x4xf32>
//       CHECK: w4_packed: "0x40000000C6884640000000000000000000000000028802A9

// In panels of a warp's width (for GPUs): 32 output features a panel, the
// 4 of this layer padded with zeros.
// WARP-LABEL: func.func @quantized_linear
//   WARP-DAG: arith.constant dense_resource<w4_packed> : tensor<1x2x2x32xi8>
//   WARP-DAG: arith.constant dense_resource<w4_scale_packed> : tensor<1x2x32xf32>
//       WARP: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x32xf32>)
//       WARP: tensor.extract_slice %{{.*}}[0, 0] [2, 4] [1, 1] : tensor<2x32xf32> to tensor<2x4xf32>

// With runs of up to 16 bytes per feature (GPU threads' loads), a group of
// 2 bytes is one run: [panels, groups, runs, 32, 2], byte t of a run
// holding values t and t + 2 (row 0's -2 -6 and 4 -8, stored plus 8:
// 0x26 and 0x0C), x viewed [M, groups, runs, values per byte, 2], over
// (m, panel, column | group, run, value in byte, t).
// RUNS-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d4, d5, d6)>
// RUNS-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d2, d6)>
// RUNS-LABEL: func.func @quantized_linear
//   RUNS-DAG: %[[PACKED:.*]] = arith.constant dense_resource<w4_packed_runs> : tensor<1x2x1x32x2xi8>
//       RUNS: %[[XV:.*]] = tensor.expand_shape {{.*}} output_shape [2, 2, 1, 2, 2]
//       RUNS: linalg.generic {indexing_maps = [#[[X]], #[[Q]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[XV]], %[[PACKED]], {{.*}}) outs(%{{.*}} : tensor<2x1x32xf32>)
//       RUNS:   linalg.index 5
//       RUNS:   arith.shrui
//       RUNS: w4_packed_runs: "0x40000000260C8888260490A4000000
func.func @quantized_linear(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %q = pith.constant dense_resource<w4> : tensor<4x8xi4>
  %s = pith.constant dense_resource<w4s> : tensor<4x2xf32>
  %w = pith.dequantize %q, %s {axis = 1 : i64, block_size = 4 : i64} : (tensor<4x8xi4>, tensor<4x2xf32>) -> tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w4: "0x40000000FE04FAF80000F8010000000000000000FEFCFAF8FBFAF9F8F8FC0102FCFBF9F8",
      w4s: "0x40000000000000BF0000803F0000803F0000803F000000BF000080BF0000003E9A9999BD"
    }
  }
#-}

// -----

// Scales along K are not a layout the packed contraction reads: the weight
// is dequantized and multiplied as floats.
// CHECK-LABEL: func.func @scales_along_k
//   CHECK-NOT: pith.quantized_matmul
//       CHECK: arith.sitofp
//       CHECK: linalg.generic
func.func @scales_along_k(%x: tensor<2x8xf32>, %q: tensor<4x8xi8>) -> tensor<2x4xf32> {
  %s = pith.constant dense<0.5> : tensor<8xf32>
  %w = pith.dequantize %q, %s {axis = 1 : i64} : (tensor<4x8xi8>, tensor<8xf32>) -> tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
