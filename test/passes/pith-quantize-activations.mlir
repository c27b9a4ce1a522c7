// RUN: pith-opt %s --pith-quantize="activations=dynamic only=fc" | FileCheck %s --check-prefix=DYNAMIC
// RUN: pith-opt %s --pith-quantize="activations=static only=fc" | FileCheck %s --check-prefix=STATIC
// RUN: not pith-opt %s --pith-quantize="activations=static only=uncalibrated" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// RUN: not pith-opt %s --pith-quantize="activations=int4" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not pith-opt %s --pith-quantize="activations=static only=rangeless" 2>&1 | FileCheck %s --check-prefix=RANGELESS
// RUN: pith-opt %s --pith-quantize="activations=dynamic only=conv*" | FileCheck %s --check-prefix=CONV

// W8A8 per token: each row of x gets the scale max|row| / 127 (a row of
// zeros a tiny one), computed at run time; x goes through int8 (times
// 127 / max|row|, rounded: quantized with scale 1) and back before the
// layer, whose weight is int8 per channel.
// DYNAMIC-LABEL: func.func @layer
//       DYNAMIC: %[[ABS:.*]] = pith.abs %arg0 : tensor<2x3x8xf32>
//       DYNAMIC: %[[PEAK:.*]] = pith.reduce max %[[ABS]] {axes = array<i64: 2>, keepdims = true} : (tensor<2x3x8xf32>) -> tensor<2x3x1xf32>
//       DYNAMIC: %[[FLOOR:.*]] = pith.constant dense<1.17549435E-38> : tensor<f32>
//       DYNAMIC: %[[SAFE:.*]] = pith.max %[[PEAK]], %[[FLOOR]]
//       DYNAMIC: %[[LEVELS:.*]] = pith.constant dense<1.270000e+02> : tensor<f32>
//       DYNAMIC: %[[SCALE:.*]] = pith.div %[[SAFE]], %[[LEVELS]] : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
//       DYNAMIC: %[[INVERSE:.*]] = pith.div %[[LEVELS]], %[[SAFE]] : (tensor<f32>, tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
//       DYNAMIC: %[[SCALED:.*]] = pith.mul %arg0, %[[INVERSE]] : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xf32>
//       DYNAMIC: %[[ONE:.*]] = pith.constant dense<1.000000e+00> : tensor<f32>
//       DYNAMIC: %[[Q:.*]] = pith.quantize %[[SCALED]], %[[ONE]] : (tensor<2x3x8xf32>, tensor<f32>) -> tensor<2x3x8xi8>
//       DYNAMIC: %[[X:.*]] = pith.dequantize %[[Q]], %[[SCALE]] {axis = 2 : i64, block_size = 8 : i64}
//       DYNAMIC: pith.linear %[[X]], %{{.*}} {{{.*}}method = "int8 per-channel, int8 activations per token"
// STATIC-LABEL: func.func @layer
// The calibrated range [-5.08, 2] gives the scale 5.08 / 127 = 0.04.
//       STATIC: %[[SCALE:.*]] = pith.constant dense<4.000000e-02> : tensor<f32>
//       STATIC: %[[Q:.*]] = pith.quantize %arg0, %[[SCALE]] : (tensor<2x3x8xf32>, tensor<f32>) -> tensor<2x3x8xi8>
//       STATIC: %[[X:.*]] = pith.dequantize %[[Q]], %[[SCALE]] : (tensor<2x3x8xi8>, tensor<f32>) -> tensor<2x3x8xf32>
//       STATIC: pith.linear %[[X]], %{{.*}} {{{.*}}method = "int8 per-channel, int8 activations static"
func.func @layer(%x: tensor<2x3x8xf32>) -> tensor<2x3x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  %y = pith.linear %x, %w {pith.calibration = {min = -5.08 : f32, max = 2.0 : f32}} : (tensor<2x3x8xf32>, tensor<4x8xf32>) -> tensor<2x3x4xf32> loc("fc")
  return %y : tensor<2x3x4xf32>
}

func.func @uncalibrated(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("uncalibrated")
  return %y : tensor<2x4xf32>
}

func.func @rangeless(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  %y = pith.linear %x, %w {pith.calibration = {channel_abs_max = dense<1.0> : tensor<8xf32>}} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("rangeless")
  return %y : tensor<2x4xf32>
}

// RANGELESS: layer 'rangeless': its calibration has no min and max
// UNCALIBRATED: layer 'uncalibrated' has no calibration statistics; static activation quantization needs pith-calibrate to run first (pith-compile --calibrate)
// BAD: error: pith-quantize: activations must be none, dynamic or static, got 'int4'

// A convolution of one group, 16 filters (a multiple of the integer
// product's 16 lanes) and windows of 36 values gets int8 inputs with one
// scale for the whole tensor, max|x| / 127 at run time (a window has no row
// of its own); a depthwise one keeps f32 inputs, and so do one of 8
// filters and one of windows of 8 values.
// CONV-LABEL: func.func @convolutions
//       CONV: %[[ABS:.*]] = pith.abs %arg0 : tensor<1x4x5x5xf32>
//       CONV: %[[PEAK:.*]] = pith.reduce max %[[ABS]] {axes = array<i64: 0, 1, 2, 3>} : (tensor<1x4x5x5xf32>) -> tensor<f32>
//       CONV: %[[SAFE:.*]] = pith.max %[[PEAK]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
//       CONV: %[[SCALE:.*]] = pith.div %[[SAFE]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
//       CONV: %[[INVERSE:.*]] = pith.div %{{.*}}, %[[SAFE]] : (tensor<f32>, tensor<f32>) -> tensor<f32>
//       CONV: %[[SCALED:.*]] = pith.mul %arg0, %[[INVERSE]]
//       CONV: %[[Q:.*]] = pith.quantize %[[SCALED]], %{{.*}} : (tensor<1x4x5x5xf32>, tensor<f32>) -> tensor<1x4x5x5xi8>
//       CONV: %[[X:.*]] = pith.dequantize %[[Q]], %[[SCALE]] : (tensor<1x4x5x5xi8>, tensor<f32>) -> tensor<1x4x5x5xf32>
//       CONV: %[[Y:.*]] = pith.conv %[[X]], %{{.*}} {{{.*}}method = "int8 per-channel, int8 activations per tensor"
//   CONV-NOT: pith.quantize
//       CONV: %[[Z:.*]] = pith.conv %[[Y]], %{{.*}} {{{.*}}groups = 16 : i64{{.*}}method = "int8 per-channel"
//   CONV-NOT: pith.quantize
//       CONV: %[[U:.*]] = pith.conv %[[Z]], %{{.*}} {{{.*}}method = "int8 per-channel"
//   CONV-NOT: pith.quantize
//       CONV: pith.conv %[[U]], %{{.*}} {{{.*}}method = "int8 per-channel"
func.func @convolutions(%x: tensor<1x4x5x5xf32>) -> tensor<1x16x5x5xf32> {
  %w = pith.constant dense<0.5> : tensor<16x4x3x3xf32>
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x5x5xf32> loc("conv")
  %d = pith.constant dense<0.25> : tensor<16x1x3x3xf32>
  %z = pith.conv %y, %d {dilations = array<i64: 1, 1>, groups = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x5x5xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x5x5xf32> loc("conv_depthwise")
  %n = pith.constant dense<0.25> : tensor<8x16x3x3xf32>
  %u = pith.conv %z, %n {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x5x5xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x5x5xf32> loc("conv_eight_filters")
  %p = pith.constant dense<0.25> : tensor<16x8x1x1xf32>
  %v = pith.conv %u, %p {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x5x5xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x5x5xf32> loc("conv_small_window")
  return %v : tensor<1x16x5x5xf32>
}
