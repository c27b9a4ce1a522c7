// RUN: pith-opt %s --pith-quantize="scaling=smoothquant activations=static only=fc" | FileCheck %s --check-prefix=SMOOTH
// RUN: pith-opt %s --pith-quantize="bits=4 group-size=4 scaling=awq only=fc" | FileCheck %s --check-prefix=AWQ
// RUN: not pith-opt %s --pith-quantize="scaling=awq only=uncalibrated" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// RUN: not pith-opt %s --pith-quantize="scaling=smoothquant only=partial" 2>&1 | FileCheck %s --check-prefix=PARTIAL
// RUN: not pith-opt %s --pith-quantize="scaling=gptq" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not pith-opt %s --pith-quantize="scaling=smoothquant alpha=1.5" 2>&1 | FileCheck %s --check-prefix=ALPHA

// SmoothQuant at alpha 0.5: column maxima of |W| are 1, 4, 1, 1 and of |x|
// 16, 4, 1, 0, so s = (4, 1, 1, 1) (the last input is always 0). x is
// divided by s at run time (multiplied by 1/s = 0.25, 1, 1, 1), and the
// static activation scale is the largest |x_j| / s_j, 4, over 127.
// SMOOTH-LABEL: func.func @layer
//       SMOOTH: %[[INVERSE:.*]] = pith.constant dense_resource<fc_input_scale> : tensor<4xf32>
//       SMOOTH: %[[X:.*]] = pith.mul %arg0, %[[INVERSE]] : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
//       SMOOTH: %[[SCALE:.*]] = pith.constant dense<0.0314960629> : tensor<f32>
//       SMOOTH: pith.quantize %[[X]], %[[SCALE]]
//       SMOOTH: method = "int8 per-channel smoothquant, int8 activations static"
//       SMOOTH: fc_input_scale: "0x400000000000803E0000803F0000803F0000803F"
// AWQ-LABEL: func.func @layer
//       AWQ: pith.mul %arg0, %{{.*}} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
//       AWQ: method = "int4 g4 awq"
func.func @layer(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = pith.constant dense<[[1.0, -4.0, 0.5, 1.0], [0.5, 2.0, 1.0, -1.0], [-1.0, 1.0, 0.25, 0.5]]> : tensor<3x4xf32>
  %y = pith.linear %x, %w {pith.calibration = {min = -16.0 : f32, max = 4.0 : f32, channel_abs_max = dense<[16.0, 4.0, 1.0, 0.0]> : tensor<4xf32>, channel_abs_mean = dense<[8.0, 2.0, 0.5, 0.0]> : tensor<4xf32>, second_moment = dense<[[64.0, 0.0, 0.0, 0.0], [0.0, 4.0, 0.0, 0.0], [0.0, 0.0, 0.25, 0.0], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>}} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32> loc("fc")
  return %y : tensor<2x3xf32>
}

func.func @uncalibrated(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("uncalibrated")
  return %y : tensor<2x4xf32>
}

func.func @partial(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  %y = pith.linear %x, %w {pith.calibration = {channel_abs_max = dense<1.0> : tensor<4xf32>}} : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("partial")
  return %y : tensor<2x4xf32>
}

// UNCALIBRATED: layer 'uncalibrated' has no calibration statistics; AWQ scaling needs pith-calibrate to run first (pith-compile --calibrate)
// PARTIAL: layer 'partial': its calibration's channel_abs_max is not 8 f32 values
// BAD: error: pith-quantize: scaling must be none, awq or smoothquant, got 'gptq'
// ALPHA: error: pith-quantize: alpha must lie in [0, 1], got 1.5
