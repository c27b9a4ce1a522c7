// RUN: rm -rf %t && mkdir -p %t
// RUN: %venv_python -c "import numpy as np; np.save('%t/x.npy', np.array([[[[1, 2], [3, 4]], [[0, 1], [-1, 0]]]], np.float32))"
// RUN: pith-opt %s --pith-calibrate="inputs=%t/x.npy" | FileCheck %s
// RUN: pith-opt %s --pith-calibrate="inputs=%t/x.npy" --pith-quantize="rounding=gptq" | FileCheck %s --check-prefix=GPTQ
// RUN: not pith-opt %s --pith-quantize="rounding=gptq" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED

// x is [1, 2, 2, 2]: channel 0 [[1, 2], [3, 4]], channel 1 [[0, 1], [-1, 0]].
func.func @model(%x: tensor<1x2x2x2xf32> {pith.name = "x"}) -> (tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32>) {
  %w1 = pith.constant dense<[[[[1.0, -1.0]]], [[[0.5, 2.0]]]]> : tensor<2x1x1x2xf32>
  %w2 = pith.constant dense<[[[[1.0]], [[-2.0]]]]> : tensor<1x2x1x1xf32>
  %a = pith.conv %x, %w1 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x2x1xf32> loc("depthwise")
  %b = pith.conv %x, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32> loc("strided")
  return %a, %b : tensor<1x2x2x1xf32>, tensor<1x1x2x2xf32>
}

// "depthwise" (2 groups, 1x2 kernel) has two windows a channel: (1, 2) and
// (3, 4) in channel 0, E[v v^T] = [[5, 7], [7, 10]]; (0, 1) and (-1, 0) in
// channel 1, [[0.5, 0], [0, 0.5]]. "strided" (1x1 kernel, stride 2 down,
// one row of padding on top) reads the padding in its first output row,
// windows (0, 0) twice, then (3, -1) and (4, 0): E[v v^T] = [[6.25, -0.75],
// [-0.75, 0.25]] over 4 windows.
// CHECK-LABEL: func.func @model
//       CHECK: pith.conv {{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pith.calibration = {samples = 1 : i64, second_moment = dense_resource<depthwise_calibration_second_moment> : tensor<2x2x2xf32>, tokens = 2 : i64}
//       CHECK: pith.conv {{.*}} pith.calibration = {samples = 1 : i64, second_moment = dense_resource<strided_calibration_second_moment> : tensor<1x2x2xf32>, tokens = 4 : i64}
//       CHECK: depthwise_calibration_second_moment: "0x400000000000A0400000E0400000E040000020410000003F00000000000000000000003F"
//       CHECK: strided_calibration_second_moment: "0x400000000000C840000040BF000040BF0000803E"

// GPTQ-LABEL: func.func @model
//       GPTQ: pith.conv {{.*}}method = "int8 per-channel gptq"{{.*}}output_error =
//       GPTQ: pith.conv {{.*}}method = "int8 per-channel gptq"{{.*}}output_error =

// UNCALIBRATED: error: {{.*}}layer 'depthwise' has no calibration statistics; GPTQ rounding needs pith-calibrate to run first (pith-compile --calibrate)
