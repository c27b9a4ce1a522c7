// RUN: pith-opt %s --pith-quantize="activations=dynamic only=fc" | FileCheck %s --check-prefix=DYNAMIC
// RUN: pith-opt %s --pith-quantize="activations=static only=fc" | FileCheck %s --check-prefix=STATIC
// RUN: not pith-opt %s --pith-quantize="activations=static only=uncalibrated" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// RUN: not pith-opt %s --pith-quantize="activations=int4" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not pith-opt %s --pith-quantize="activations=static only=rangeless" 2>&1 | FileCheck %s --check-prefix=RANGELESS

// W8A8 per token: each row of x gets the scale max|row| / 127 (a row of
// zeros a tiny one), computed at run time; x goes through int8 and back
// before the layer, whose weight is int8 per channel.
// DYNAMIC-LABEL: func.func @layer
//       DYNAMIC: %[[ABS:.*]] = pith.abs %arg0 : tensor<2x3x8xf32>
//       DYNAMIC: %[[PEAK:.*]] = pith.reduce max %[[ABS]] {axes = array<i64: 2>, keepdims = true} : (tensor<2x3x8xf32>) -> tensor<2x3x1xf32>
//       DYNAMIC: %[[FLOOR:.*]] = pith.constant dense<1.17549435E-38> : tensor<f32>
//       DYNAMIC: %[[SAFE:.*]] = pith.max %[[PEAK]], %[[FLOOR]]
//       DYNAMIC: %[[LEVELS:.*]] = pith.constant dense<1.270000e+02> : tensor<f32>
//       DYNAMIC: %[[SCALE:.*]] = pith.div %[[SAFE]], %[[LEVELS]] : (tensor<2x3x1xf32>, tensor<f32>) -> tensor<2x3x1xf32>
//       DYNAMIC: %[[Q:.*]] = pith.quantize %arg0, %[[SCALE]] {axis = 2 : i64, block_size = 8 : i64} : (tensor<2x3x8xf32>, tensor<2x3x1xf32>) -> tensor<2x3x8xi8>
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
