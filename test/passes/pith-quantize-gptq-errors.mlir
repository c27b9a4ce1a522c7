// RUN: pith-opt %s --split-input-file --pith-quantize="rounding=gptq" --verify-diagnostics
// RUN: not pith-opt %s --split-input-file --pith-quantize="rounding=gptq damping=0 only=singular*" 2>&1 | FileCheck %s --check-prefix=SINGULAR
// RUN: not pith-opt %s --pith-quantize="rounding=stochastic" 2>&1 | FileCheck %s --check-prefix=ROUNDING
// RUN: not pith-opt %s --pith-quantize="rounding=gptq damping=-1" 2>&1 | FileCheck %s --check-prefix=DAMPING

// GPTQ without calibration statistics.
func.func @uncalibrated(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x8xf32>
  // expected-error @+1 {{layer 'pith.linear@10:8' has no calibration statistics; GPTQ rounding needs pith-calibrate to run first (pith-compile --calibrate)}}
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A calibration whose second moment does not fit the layer.
func.func @misshapen(%x: tensor<1x3xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[-1.0, 0.9, 0.26]]> : tensor<1x3xf32>
  // expected-error @+1 {{layer 'pith.linear@20:8': its calibration's second_moment is not f32 [3, 3]}}
  %y = pith.linear %x, %w {pith.calibration = {second_moment = dense<1.0> : tensor<2x2xf32>}} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// A calibration without the second moment (made by hand, or pruned).
func.func @momentless(%x: tensor<1x3xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[-1.0, 0.9, 0.26]]> : tensor<1x3xf32>
  // expected-error @+1 {{layer 'pith.linear@30:8': its calibration has no second_moment}}
  %y = pith.linear %x, %w {pith.calibration = {min = 0.0 : f32}} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// A singular second moment is refused without damping; 0.01 of its mean
// diagonal makes it positive definite.
func.func @singular(%x: tensor<1x3xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[-1.0, 0.9, 0.26]]> : tensor<1x3xf32>
  %y = pith.linear %x, %w {pith.calibration = {second_moment = dense<[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]> : tensor<3x3xf32>}} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x1xf32> loc("singular")
  return %y : tensor<1x1xf32>
}

// -----

// A convolution's window moments are [groups, cols, cols]: a linear
// layer's [cols, cols] does not fit it.
func.func @misshapen_windows(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = pith.constant dense<0.5> : tensor<2x2x1x1xf32>
  // expected-error @+1 {{its calibration's second_moment is not f32 [1, 2, 2]}}
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, pith.calibration = {second_moment = dense<1.0> : tensor<2x2xf32>}} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Each group of a convolution is refused alone: group 1's windows are
// singular without damping.
func.func @singular_windows(%x: tensor<1x4x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = pith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.75]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %y = pith.conv %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, pith.calibration = {second_moment = dense<[[[2.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]]> : tensor<2x2x2xf32>}} : (tensor<1x4x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32> loc("singular_windows")
  return %y : tensor<1x2x3x3xf32>
}

// SINGULAR: layer 'singular': E[x x^T] of its inputs is not positive definite even with damping 0.000000e+00; raise damping
// SINGULAR: convolution 'singular_windows': E[v v^T] of group 1's windows is not positive definite even with damping 0.000000e+00; raise damping
// ROUNDING: error: pith-quantize: rounding must be nearest or gptq, got 'stochastic'
// DAMPING: error: pith-quantize: damping must not be negative, got -1
