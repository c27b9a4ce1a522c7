// RUN: pith-opt %s --pith-quantize --split-input-file | FileCheck %s --check-prefix=INT8
// RUN: pith-opt %s --pith-quantize="bits=4 group-size=4" --split-input-file | FileCheck %s --check-prefix=INT4
// RUN: pith-opt %s --pith-quantize="bits=4 group-size=4 symmetric=false" --split-input-file | FileCheck %s --check-prefix=ASYM
// RUN: pith-opt %s --pith-quantize="bits=4 group-size=4 clip=true" --split-input-file | FileCheck %s --check-prefix=CLIP
// RUN: pith-opt %s --pith-quantize="bits=2 group-size=8" --split-input-file | FileCheck %s --check-prefix=INT2
// RUN: pith-opt %s --pith-quantize="skip=fc*,other" --split-input-file | FileCheck %s --check-prefix=SKIP
// RUN: pith-opt %s --pith-quantize="only=other*" --split-input-file | FileCheck %s --check-prefix=SKIP
// RUN: pith-opt %s --pith-quantize="only=fc1" --pith-quantize="bits=4 group-size=4" --split-input-file | FileCheck %s --check-prefix=FIRST
// RUN: not pith-opt %s --pith-quantize="bits=3" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not pith-opt %s --pith-quantize="bits=4 group-size=3" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not pith-opt %s --pith-quantize="skip=[" 2>&1 | FileCheck %s --check-prefix=GLOB

// One layer of 4 output features and 8 inputs. Row 0 has its extreme -8
// in the second group of 4 and 4 in the first; row 1 is all zero.
func.func @layer(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<[[1.0, -2.0, 3.0, 4.0, 0.5, 0.25, -8.0, 1.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                            [-1.0, -0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]> : tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("fc1")
  return %y : tensor<2x4xf32>
}

// One scale per output feature; 32 bytes of integers and 16 of scales
// replace 128 bytes of floats. Row 0's extreme -8 maps to -128: scale
// 0.0625, so 1 -> 16 (0x10), -2 -> -32 (0xE0), 0.25 -> 4. The zero row
// gets scale 1; row 2's extreme 8 gives scale -0.0625.
// INT8-LABEL: func.func @layer
//   INT8-DAG: %[[Q:.*]] = pith.constant dense_resource<fc1_q8> : tensor<4x8xi8>
//   INT8-DAG: %[[S:.*]] = pith.constant dense_resource<fc1_scale> : tensor<4xf32>
//       INT8: %[[W:.*]] = pith.dequantize %[[Q]], %[[S]] {axis = 0 : i64} : (tensor<4x8xi8>, tensor<4xf32>) -> tensor<4x8xf32>
//       INT8: pith.linear %arg0, %[[W]] {pith.compression = [{bytes_after = 48 : i64, bytes_before = 128 : i64, layer = "fc1", method = "int8 per-channel", relative_error = {{.*}} : f64, sqnr_db = {{.*}} : f64}]}
//       INT8: fc1_q8: "0x4000000010E03040080480100000000000000000F0E0D0C0B0A0908080C00D1A2633404D"
//       INT8: fc1_scale: "0x400000000000803D0000803F000080BD0000003C"

// Groups of 4: row 0's first group has extreme 4, scale -0.5, so 1 -> -2,
// -2 -> 4, 3 -> -6, 4 -> -8, one byte per value in the resource.
//  INT4-LABEL: func.func @layer
//   INT4-DAG: pith.constant dense_resource<fc1_q4> : tensor<4x8xi4>
//   INT4-DAG: pith.constant dense_resource<fc1_scale> : tensor<4x2xf32>
//       INT4: pith.dequantize %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<4x8xi4>, tensor<4x2xf32>) -> tensor<4x8xf32>
//       INT4: method = "int4 g4"
// With clip=true each group's range may shrink where that errs less; the
// report says so.
//  CLIP-LABEL: func.func @layer
//       CLIP: method = "int4 g4 clipped"
//       INT4: fc1_q4: "0x40000000FE04FAF8

// With zero points: the group's [min, max], widened to hold 0, spans
// [-8, 7]; 16 bytes of integers, 32 of scales and 4 of zero points.
//  ASYM-LABEL: func.func @layer
//   ASYM-DAG: %[[Q:.*]] = pith.constant dense_resource<fc1_q4> : tensor<4x8xi4>
//   ASYM-DAG: %[[S:.*]] = pith.constant dense_resource<fc1_scale> : tensor<4x2xf32>
//   ASYM-DAG: %[[Z:.*]] = pith.constant dense_resource<fc1_zero_point> : tensor<4x2xi4>
//       ASYM: pith.dequantize %[[Q]], %[[S]], %[[Z]] {axis = 1 : i64, block_size = 4 : i64}
//       ASYM: bytes_after = 52 : i64, bytes_before = 128 : i64, layer = "fc1", method = "int4 g4 asymmetric"

// Two bits: 8 bytes of integers and 16 of scales.
//  INT2-LABEL: func.func @layer
//       INT2: pith.constant dense_resource<fc1_q2> : tensor<4x8xi2>
//       INT2: bytes_after = 24 : i64, bytes_before = 128 : i64, layer = "fc1", method = "int2 g8"

// A layer already quantized is left to the pass that quantized it.
// FIRST-LABEL: func.func @layer
//       FIRST: tensor<4x8xi8>
//   FIRST-NOT: tensor<4x8xi4>
//       FIRST: method = "int8 per-channel"

// A skipped layer (or one that `only` does not name) keeps its f32 weight
// and gets no report line.
//  SKIP-LABEL: func.func @layer
//   SKIP-NOT: pith.dequantize
//   SKIP-NOT: pith.compression

// BITS: error: pith-quantize: bits must be 8, 4 or 2, got 3
// GROUP: error: pith-quantize: group-size must be 0 (one scale per output channel) or a positive multiple of 2 for 4-bit weights, got 3
// GLOB: error: option 'skip': bad pattern '['

// -----

// A weight that is not a constant, and a matrix product that is not a
// layer, are left alone.
// INT8-LABEL: func.func @not_constant
// SKIP-LABEL: func.func @not_constant
//   INT8-NOT: pith.dequantize
func.func @not_constant(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4xf32> {
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A convolution's weight: one scale per output channel over its C x K x K
// values (axis 0 of the 4-D weight), rounded to nearest. Filter 0's extreme
// -4 maps to -128 at int8 (scale 0.03125), filter 1's 1 to -128 (scale
// -1/128); 72 bytes of integers and 8 of scales replace 288 of floats.
// With groups, the convolution still gets one scale per output channel.
// INT8-LABEL: func.func @conv
//   INT8-DAG: %[[Q:.*]] = pith.constant dense_resource<stem_q8> : tensor<2x4x3x3xi8>
//   INT8-DAG: %[[S:.*]] = pith.constant dense_resource<stem_scale> : tensor<2xf32>
//       INT8: %[[W:.*]] = pith.dequantize %[[Q]], %[[S]] {axis = 0 : i64} : (tensor<2x4x3x3xi8>, tensor<2xf32>) -> tensor<2x4x3x3xf32>
//       INT8: pith.conv %{{.*}}, %[[W]]
//  INT8-SAME: bytes_after = 80 : i64, bytes_before = 288 : i64, layer = "stem", method = "int8 per-channel"
//       INT8: stem_scale: "0x400000000000003D000000BC"
//  INT4-LABEL: func.func @conv
//       INT4: pith.dequantize {{.*}} {axis = 0 : i64} : (tensor<2x4x3x3xi4>, tensor<2xf32>) -> tensor<2x4x3x3xf32>
//       INT4: method = "int4 per-channel"
func.func @conv(%x: tensor<1x4x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %w = pith.constant dense<[[[[-4.0, 1.0, 0.5], [0.25, 2.0, -1.0], [3.0, 0.0, 1.0]],
                              [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
                              [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]],
                              [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]],
                             [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
                              [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
                              [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]],
                              [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<2x4x3x3xf32>
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) -> tensor<1x2x3x3xf32> loc("stem")
  return %y : tensor<1x2x3x3xf32>
}
