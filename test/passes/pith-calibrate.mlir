// RUN: rm -rf %t && mkdir -p %t && %venv_python %S/Inputs/calibration.py %t
// RUN: pith-opt %s --pith-calibrate="inputs=%t/stacked.npz" | FileCheck %s
// RUN: pith-opt %s --pith-calibrate="inputs=%t/deflated.npz" | FileCheck %s
// RUN: pith-opt %s --pith-calibrate="inputs=%t/stacked.npy" | FileCheck %s
// RUN: pith-opt %s --pith-calibrate="inputs=%t/one.npz,%t/one.npz,random:3" | FileCheck %s --check-prefix=MANY
// RUN: not pith-opt %s --pith-calibrate 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not pith-opt %s --pith-calibrate="inputs=random:0" 2>&1 | FileCheck %s --check-prefix=RANDOM
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/absent.npz" 2>&1 | FileCheck %s --check-prefix=ABSENT
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/garbage.npz" 2>&1 | FileCheck %s --check-prefix=GARBAGE
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/unknown.npz" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/missing.npz" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/shape.npz" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/dtype.npz" 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not pith-opt %s --pith-calibrate="inputs=%t/x.txt" 2>&1 | FileCheck %s --check-prefix=KIND

// Two layers read x, a third relu(x W1^T).
func.func @model(%x: tensor<2x4xf32> {pith.name = "x"}) -> (tensor<2x3xf32>, tensor<2x2xf32>) {
  %w1 = pith.constant dense<1.0> : tensor<3x4xf32>
  %w2 = pith.constant dense<-1.0> : tensor<2x4xf32>
  %w3 = pith.constant dense<0.5> : tensor<2x3xf32>
  %a = pith.linear %x, %w1 : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32> loc("first")
  %b = pith.linear %x, %w2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32> loc("second")
  %h = pith.relu %a : tensor<2x3xf32>
  %c = pith.linear %h, %w3 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32> loc("third")
  %sum = pith.add %b, %c : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %a, %sum : tensor<2x3xf32>, tensor<2x2xf32>
}

// The rows of x over the two samples are (1, 2, 0, -1), (0, 0, 0, 0),
// (2, 0, 0, 0) and (0, -3, 0, 0): per feature |x| peaks at 2, 3, 0, 1 and
// averages 0.75, 1.25, 0, 0.25. x x^T summed over the rows has 5, 13, 0, 1
// on its diagonal and 2, -1, -2 at (0, 1), (0, 3), (1, 3); E[x x^T] is that
// over 4. The 99.9th and 99.99th percentiles of |x| are its largest, 3,
// within the histogram's bin of 1/1024. "first" and "second" share x's
// statistics. The rows of relu(x W1^T) are 2, 0, 2, -3 -> 0, each three
// times: E[h h^T] is all 2.
// CHECK-LABEL: func.func @model
//       CHECK: pith.linear {{.*}} {pith.calibration = {abs_p99_9 = 3.00{{[0-9]*}} : f32, abs_p99_99 = 3.00{{[0-9]*}} : f32, channel_abs_max = dense_resource<first_calibration_abs_max> : tensor<4xf32>, channel_abs_mean = dense_resource<first_calibration_abs_mean> : tensor<4xf32>, max = 2.000000e+00 : f32, min = -3.000000e+00 : f32, samples = 2 : i64, second_moment = dense_resource<first_calibration_second_moment> : tensor<4x4xf32>, tokens = 4 : i64}}
//       CHECK: pith.linear {{.*}} {pith.calibration = {{{.*}}channel_abs_max = dense_resource<first_calibration_abs_max> {{.*}}second_moment = dense_resource<first_calibration_second_moment>
//       CHECK: pith.linear {{.*}} {pith.calibration = {{{.*}}max = 2.000000e+00 : f32, min = 0.000000e+00 : f32, samples = 2 : i64, second_moment = dense_resource<third_calibration_second_moment> : tensor<3x3xf32>, tokens = 4 : i64}}
//       CHECK: first_calibration_abs_max: "0x400000000000004000004040000000000000803F"
//       CHECK: first_calibration_abs_mean: "0x400000000000403F0000A03F000000000000803E"
// Row by row: 1.25 0.5 0 -0.25 | 0.5 3.25 0 -0.5 | 0 0 0 0 | -0.25 -0.5 0 0.25.
//       CHECK: first_calibration_second_moment: "0x400000000000A03F0000003F00000000000080BE0000003F0000504000000000000000BF00000000000000000000000000000000000080BE000000BF000000000000803E"
//       CHECK: third_calibration_second_moment: "0x40000000000000400000004000000040000000400000004000000040000000400000004000000040"

// Samples from several sources add up.
// MANY: samples = 5 : i64
// MANY-SAME: tokens = 10 : i64

// NONE: error: pith-calibrate: give the calibration samples, inputs=FILE.npz, FILE.npy or random:N
// RANDOM: error: pith-calibrate: 'random:0' is not random:N with N a positive integer
// ABSENT: error: pith-calibrate: cannot open '{{.*}}absent.npz': No such file or directory
// GARBAGE: error: pith-calibrate: '{{.*}}garbage.npz' is not a valid .npz file: it is not a zip archive (np.savez writes one)
// UNKNOWN: error: pith-calibrate: '{{.*}}unknown.npz' holds 'y', which is not an input of the model (its inputs: 'x')
// MISSING: error: pith-calibrate: '{{.*}}missing.npz' has no array for the input 'x'
// SHAPE: error: pith-calibrate: '{{.*}}shape.npz' array 'x' is f32 [3, 4]; the input is f32 [2, 4] (one sample) or [S, ...] (S samples)
// DTYPE: error: pith-calibrate: '{{.*}}dtype.npz' array 'x' is f64 [2, 2, 4]; the input is f32 [2, 4] (one sample) or [S, ...] (S samples)
// KIND: error: pith-calibrate: '{{.*}}x.txt' is neither a .npz or .npy file nor random:N
