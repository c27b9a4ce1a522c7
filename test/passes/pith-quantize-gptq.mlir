// RUN: pith-opt %s --split-input-file --pith-quantize="bits=2 rounding=gptq damping=0 only=fc" | FileCheck %s --check-prefix=GPTQ
// RUN: pith-opt %s --split-input-file --pith-quantize="bits=2 only=fc" | FileCheck %s --check-prefix=NEAREST
// RUN: pith-opt %s --split-input-file --pith-calibrate="inputs=random:4" --pith-quantize="bits=4 group-size=4 rounding=gptq only=fc1" | FileCheck %s --check-prefix=CALIBRATED

// Weights (-1, 0.9, 0.26) at 2 bits: the extreme -1 maps to -2, a step of
// 0.5. Rounding to nearest gives (-2, 1, 1); 0.9 clamps to 1 (0.5), an
// error of 0.4. Inputs 1 and 2 anti-correlate (E[x x^T] below), so GPTQ
// moves that error onto the third weight: 0.26 - 0.4 / U11 * U12 with
// U = chol(H^-1)^T, U11 = sqrt(4/3), U12 = (2/3) / U11: 0.06, which rounds
// to 0. The layer then computes (-2, 1, 0) instead of (-2, 1, 1). Its
// weight errs more, its outputs less: with D = W - W', sqrt(D H D^T /
// W H W^T) is sqrt(0.1236 / 1.6436) = 0.2742 against rounding's
// sqrt(0.3136 / 1.6436) = 0.4368.
// GPTQ-LABEL: func.func @anticorrelated
//       GPTQ: method = "int2 per-channel gptq", output_error = 0.2742{{[0-9]*}} : f64
//       GPTQ: fc_q2: "0x40000000FE0100"
// NEAREST-LABEL: func.func @anticorrelated
//       NEAREST: method = "int2 per-channel", output_error = 0.4368{{[0-9]*}} : f64
//       NEAREST: fc_q2: "0x40000000FE0101"
func.func @anticorrelated(%x: tensor<1x3xf32>) -> tensor<1x1xf32> {
  %w = pith.constant dense<[[-1.0, 0.9, 0.26]]> : tensor<1x3xf32>
  %y = pith.linear %x, %w {pith.calibration = {second_moment = dense<[[1.0, 0.0, 0.0], [0.0, 1.0, -0.5], [0.0, -0.5, 1.0]]> : tensor<3x3xf32>}} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x1xf32> loc("fc")
  return %y : tensor<1x1xf32>
}

// -----

// Statistics from pith-calibrate.
// CALIBRATED-LABEL: func.func @calibrated
//       CALIBRATED: pith.dequantize
//       CALIBRATED: method = "int4 g4 gptq"
func.func @calibrated(%x: tensor<2x8xf32> {pith.name = "x"}) -> tensor<2x4xf32> {
  %w = pith.constant dense<[[1.0, -2.0, 3.0, 4.0, 0.5, 0.25, -8.0, 1.0],
                            [0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                            [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                            [-1.0, -0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]> : tensor<4x8xf32>
  %y = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32> loc("fc1")
  return %y : tensor<2x4xf32>
}
