// Folders of pith ops: identities and constant evaluation.
// RUN: pith-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @identities
//  CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<3xi32>)
func.func @identities(%x: tensor<2x3xf32>, %i: tensor<3xi32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<3xi32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = pith.constant dense<1.0> : tensor<2x3xf32>
  %zero = pith.constant dense<0.0> : tensor<2x3xf32>
  %izero = pith.constant dense<0> : tensor<3xi32>
  %0 = pith.mul %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = pith.mul %one, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = pith.div %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = pith.sub %x, %zero : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = pith.add %i, %izero : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %5 = pith.max %x, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = pith.reshape %x : tensor<2x3xf32> to tensor<2x3xf32>
  %7 = pith.transpose %x {permutation = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = pith.cast %x : tensor<2x3xf32> to tensor<2x3xf32>
  %9 = pith.expand %x : tensor<2x3xf32> to tensor<2x3xf32>
  %10 = pith.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %11 = pith.pad constant %x {pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %12 = pith.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %13 = pith.clamp %x : tensor<2x3xf32>
  // CHECK-NOT: pith.
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[I]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<3xi32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// x + 0.0 is not x for x = -0.0, so it stays.
// CHECK-LABEL: func.func @float_add_zero_stays
func.func @float_add_zero_stays(%x: tensor<3xf32>) -> tensor<3xf32> {
  %zero = pith.constant dense<0.0> : tensor<3xf32>
  // CHECK: pith.add
  %0 = pith.add %x, %zero : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// x - (-0.0) is not x either.
// CHECK-LABEL: func.func @sub_negative_zero_stays
func.func @sub_negative_zero_stays(%x: tensor<3xf32>) -> tensor<3xf32> {
  %zero = pith.constant dense<-0.0> : tensor<3xf32>
  // CHECK: pith.sub
  %0 = pith.sub %x, %zero : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Folding never changes a type: x * 1 that broadcasts x stays.
// CHECK-LABEL: func.func @broadcasting_identity_stays
func.func @broadcasting_identity_stays(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = pith.constant dense<1.0> : tensor<2x3xf32>
  // CHECK: pith.mul
  %0 = pith.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @arithmetic
func.func @arithmetic() -> (tensor<2x3xi64>, tensor<2x3xf32>, tensor<3xi64>,
                            tensor<3xi64>, tensor<3xf32>, tensor<3xui8>,
                            tensor<3xi1>) {
  %a = pith.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %b = pith.constant dense<[10, 20, 30]> : tensor<3xi64>
  %f = pith.constant dense<[1.5, -2.0, 4.0]> : tensor<3xf32>
  %g = pith.constant dense<2.0> : tensor<f32>
  %n = pith.constant dense<[-7, 7, -8]> : tensor<3xi64>
  %d = pith.constant dense<[2, -2, 3]> : tensor<3xi64>
  %u = pith.constant dense<[250, 3, 128]> : tensor<3xui8>
  %v = pith.constant dense<[10, 4, 128]> : tensor<3xui8>
  %p = pith.constant dense<[true, false, true]> : tensor<3xi1>
  %q = pith.constant dense<[true, true, false]> : tensor<3xi1>
  // Broadcasting [2, 1] + [3].
  // CHECK-DAG: pith.constant dense<{{\[}}[11, 21, 31], [12, 22, 32]]> : tensor<2x3xi64>
  %0 = pith.add %a, %b : (tensor<2x1xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  // CHECK-DAG: pith.constant dense<{{\[}}[3.000000e+00, -4.000000e+00, 8.000000e+00], [3.000000e+00, -4.000000e+00, 8.000000e+00]]> : tensor<2x3xf32>
  %1 = pith.mul %f, %g : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %2 = pith.expand %1 : tensor<3xf32> to tensor<2x3xf32>
  // Integer division truncates toward zero; the remainder takes the sign
  // of the dividend.
  // CHECK-DAG: pith.constant dense<[-3, -3, -2]> : tensor<3xi64>
  %3 = pith.div %n, %d : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK-DAG: pith.constant dense<[-1, 1, -2]> : tensor<3xi64>
  %4 = pith.rem %n, %d : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK-DAG: pith.constant dense<[2.000000e+00, 2.000000e+00, 4.000000e+00]> : tensor<3xf32>
  %5 = pith.max %f, %g : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  // Unsigned arithmetic wraps and compares without sign.
  // CHECK-DAG: pith.constant dense<[4, 7, 0]> : tensor<3xui8>
  %6 = pith.add %u, %v : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  // CHECK-DAG: pith.constant dense<[false, true, true]> : tensor<3xi1>
  %7 = pith.xor %p, %q : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  // CHECK-NOT: pith.add
  // CHECK-NOT: pith.mul
  return %0, %2, %3, %4, %5, %6, %7 : tensor<2x3xi64>, tensor<2x3xf32>, tensor<3xi64>,
                                      tensor<3xi64>, tensor<3xf32>, tensor<3xui8>,
                                      tensor<3xi1>
}

// -----

// Division by zero is left for the target to define.
// CHECK-LABEL: func.func @integer_division_by_zero_stays
func.func @integer_division_by_zero_stays() -> tensor<2xi32> {
  %a = pith.constant dense<[4, 5]> : tensor<2xi32>
  %z = pith.constant dense<[1, 0]> : tensor<2xi32>
  // CHECK: pith.div
  %0 = pith.div %a, %z : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @unary
func.func @unary() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xf32>,
                       tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi8>) {
  %f = pith.constant dense<[-1.5, 0.0, 2.5]> : tensor<3xf32>
  %i = pith.constant dense<[-3, 0, 4]> : tensor<3xi32>
  %c = pith.constant dense<[-100, 5, 100]> : tensor<3xi8>
  // CHECK-DAG: pith.constant dense<[0.000000e+00, 0.000000e+00, 2.500000e+00]> : tensor<3xf32>
  %0 = pith.relu %f : tensor<3xf32>
  // CHECK-DAG: pith.constant dense<[1.500000e+00, -0.000000e+00, -2.500000e+00]> : tensor<3xf32>
  %1 = pith.neg %f : tensor<3xf32>
  // CHECK-DAG: pith.constant dense<[3, 0, 4]> : tensor<3xi32>
  %2 = pith.abs %i : tensor<3xi32>
  // CHECK-DAG: pith.constant dense<[0.223130167, 1.000000e+00, 12.1824942]> : tensor<3xf32>
  %3 = pith.exp %f : tensor<3xf32>
  // Rounding is to nearest, ties to even.
  // CHECK-DAG: pith.constant dense<[-2.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
  %4 = pith.round %f : tensor<3xf32>
  // CHECK-DAG: pith.constant dense<[-1.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<3xf32>
  %5 = pith.ceil %f : tensor<3xf32>
  // CHECK-DAG: pith.constant dense<[-1.000000e+00, 0.000000e+00, 1.000000e+00]> : tensor<3xf32>
  %6 = pith.clamp %f {min = -1.0 : f32, max = 1.0 : f32} : tensor<3xf32>
  // CHECK-DAG: pith.constant dense<[-10, 5, 10]> : tensor<3xi8>
  %7 = pith.clamp %c {min = -10 : i8, max = 10 : i8} : tensor<3xi8>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<3xf32>,
                                          tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi8>
}

// -----

// Float functions are evaluated in double precision and rounded to the
// element type.
// CHECK-LABEL: func.func @math
func.func @math() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
                      tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
                      tensor<2xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>,
                      tensor<2xi32>, tensor<2xi1>, tensor<2xi32>, tensor<2xf32>) {
  %x = pith.constant dense<[0.25, 1.0, 4.0]> : tensor<3xf32>
  %z = pith.constant dense<[0.0, -0.5]> : tensor<2xf32>
  // CHECK-DAG: dense<[-1.38629436, 0.000000e+00, 1.38629436]> : tensor<3xf32>
  %0 = pith.log %x : tensor<3xf32>
  // CHECK-DAG: dense<[5.000000e-01, 1.000000e+00, 2.000000e+00]> : tensor<3xf32>
  %1 = pith.sqrt %x : tensor<3xf32>
  // CHECK-DAG: dense<[2.000000e+00, 1.000000e+00, 5.000000e-01]> : tensor<3xf32>
  %2 = pith.rsqrt %x : tensor<3xf32>
  // CHECK-DAG: dense<[4.000000e+00, 1.000000e+00, 2.500000e-01]> : tensor<3xf32>
  %3 = pith.reciprocal %x : tensor<3xf32>
  // CHECK-DAG: dense<[0.000000e+00, -0.462117165]> : tensor<2xf32>
  %4 = pith.tanh %z : tensor<2xf32>
  // CHECK-DAG: dense<[5.000000e-01, 0.377540678]> : tensor<2xf32>
  %5 = pith.sigmoid %z : tensor<2xf32>
  // CHECK-DAG: dense<[0.000000e+00, -0.520499885]> : tensor<2xf32>
  %6 = pith.erf %z : tensor<2xf32>
  // CHECK-DAG: dense<[0.000000e+00, -0.47942555]> : tensor<2xf32>
  %7 = pith.sin %z : tensor<2xf32>
  // CHECK-DAG: dense<[1.000000e+00, 0.87758255]> : tensor<2xf32>
  %8 = pith.cos %z : tensor<2xf32>
  // CHECK-DAG: dense<[0.000000e+00, -0.463647604]> : tensor<2xf32>
  %atan = pith.atan %z : tensor<2xf32>
  // CHECK-DAG: dense<[0.000000e+00, -1.000000e+00]> : tensor<2xf32>
  %9 = pith.floor %z : tensor<2xf32>
  // pow in f16: 2^3 and 3^2.
  %b = pith.constant dense<[2.0, 3.0]> : tensor<2xf16>
  %e = pith.constant dense<[3.0, 2.0]> : tensor<2xf16>
  // CHECK-DAG: dense<[8.000000e+00, 9.000000e+00]> : tensor<2xf16>
  %10 = pith.pow %b, %e : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  // CHECK-DAG: dense<[0.000000e+00, -5.000000e-01]> : tensor<2xf32>
  %11 = pith.min %z, %z : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %m = pith.constant dense<[12, -1]> : tensor<2xi32>
  %n = pith.constant dense<[10, 6]> : tensor<2xi32>
  // CHECK-DAG: dense<[8, 6]> : tensor<2xi32>
  %12 = pith.and %m, %n : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %t = pith.constant dense<[true, false]> : tensor<2xi1>
  %f = pith.constant dense<false> : tensor<2xi1>
  // CHECK-DAG: dense<[true, false]> : tensor<2xi1>
  %13 = pith.or %t, %f : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  // CHECK-DAG: dense<[10, -1]> : tensor<2xi32>
  %14 = pith.min %m, %n : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  // CHECK-NOT: pith.{{[a-z_]+}} %
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %atan
      : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
        tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>,
        tensor<2xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>,
        tensor<2xi32>, tensor<2xi1>, tensor<2xi32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @compare_and_where
func.func @compare_and_where(%x: tensor<3xf32>, %y: tensor<3xf32>)
    -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi64>, tensor<3xf32>, tensor<3xf32>) {
  %a = pith.constant dense<[1.0, 0x7FC00000, 3.0]> : tensor<3xf32>
  %b = pith.constant dense<2.0> : tensor<f32>
  %u = pith.constant dense<[255, 1, 128]> : tensor<3xui8>
  %v = pith.constant dense<127> : tensor<ui8>
  // NaN compares false (ne: true).
  // CHECK-DAG: pith.constant dense<[true, false, false]> : tensor<3xi1>
  %0 = pith.compare le, %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  // CHECK-DAG: pith.constant dense<[true, false, true]> : tensor<3xi1>
  %1 = pith.compare gt, %u, %v : (tensor<3xui8>, tensor<ui8>) -> tensor<3xi1>
  %t = pith.constant dense<[1, 2, 3]> : tensor<3xi64>
  %f = pith.constant dense<-1> : tensor<i64>
  // CHECK-DAG: pith.constant dense<[1, -1, 3]> : tensor<3xi64>
  %2 = pith.where %1, %t, %f : (tensor<3xi1>, tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  // A constant condition picks a side.
  %yes = pith.constant dense<true> : tensor<3xi1>
  %no = pith.constant dense<false> : tensor<3xi1>
  %3 = pith.where %yes, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %4 = pith.where %no, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %arg0, %arg1
  return %0, %1, %2, %3, %4 : tensor<3xi1>, tensor<3xi1>, tensor<3xi64>, tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @casts
func.func @casts() -> (tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi64>, tensor<4xui8>) {
  %f = pith.constant dense<[-1.7, 0.5, 2.9, -0.0]> : tensor<4xf32>
  %i = pith.constant dense<[-1, 0, 255, 3]> : tensor<4xi32>
  %b = pith.constant dense<[true, false, true, false]> : tensor<4xi1>
  // Toward zero.
  // CHECK-DAG: pith.constant dense<[-1, 0, 2, 0]> : tensor<4xi32>
  %0 = pith.cast %f : tensor<4xf32> to tensor<4xi32>
  // CHECK-DAG: pith.constant dense<[-1.000000e+00, 0.000000e+00, 2.550000e+02, 3.000000e+00]> : tensor<4xf32>
  %1 = pith.cast %i : tensor<4xi32> to tensor<4xf32>
  // Nonzero is true.
  // CHECK-DAG: pith.constant dense<[true, true, true, false]> : tensor<4xi1>
  %2 = pith.cast %f : tensor<4xf32> to tensor<4xi1>
  // Booleans extend with zeros: true is 1.
  // CHECK-DAG: pith.constant dense<[1, 0, 1, 0]> : tensor<4xi64>
  %3 = pith.cast %b : tensor<4xi1> to tensor<4xi64>
  // CHECK-DAG: pith.constant dense<[255, 0, 255, 3]> : tensor<4xui8>
  %4 = pith.cast %i : tensor<4xi32> to tensor<4xui8>
  return %0, %1, %2, %3, %4 : tensor<4xi32>, tensor<4xf32>, tensor<4xi1>, tensor<4xi64>, tensor<4xui8>
}

// -----

// A float outside the integer range casts to an unspecified value: no fold.
// CHECK-LABEL: func.func @cast_out_of_range_stays
func.func @cast_out_of_range_stays() -> tensor<1xi8> {
  %f = pith.constant dense<300.0> : tensor<1xf32>
  // CHECK: pith.cast
  %0 = pith.cast %f : tensor<1xf32> to tensor<1xi8>
  return %0 : tensor<1xi8>
}

// -----

// The shape arithmetic of exported models folds away.
// CHECK-LABEL: func.func @data_movement
func.func @data_movement() -> (tensor<3x2xi64>, tensor<2xi64>, tensor<4xi64>, tensor<1xi64>,
                               tensor<2xi64>, tensor<2x2xi64>, tensor<2x2xi64>, tensor<6xi64>) {
  %m = pith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %s = pith.constant dense<[1, 128, 384]> : tensor<3xi64>
  // CHECK-DAG: pith.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
  %0 = pith.transpose %m {permutation = array<i64: 1, 0>} : (tensor<2x3xi64>) -> tensor<3x2xi64>
  // CHECK-DAG: pith.constant dense<[384, 1]> : tensor<2xi64>
  %i = pith.constant dense<[-1, 0]> : tensor<2xi64>
  %1 = pith.gather %s[%i] {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  // CHECK-DAG: pith.constant dense<[1, 128, 12, 32]> : tensor<4xi64>
  %head = pith.slice %s {starts = array<i64: 0>, limits = array<i64: 2>, steps = array<i64: 1>} : (tensor<3xi64>) -> tensor<2xi64>
  %tail = pith.constant dense<[12, 32]> : tensor<2xi64>
  %2 = pith.concat %head, %tail {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  // CHECK-DAG: pith.constant dense<128> : tensor<1xi64>
  %3:2 = pith.split %head {axis = 0 : i64} : (tensor<2xi64>) -> (tensor<1xi64>, tensor<1xi64>)
  // CHECK-DAG: pith.constant dense<[384, 128]> : tensor<2xi64>
  %4 = pith.slice %s {starts = array<i64: 2>, limits = array<i64: 0>, steps = array<i64: -1>} : (tensor<3xi64>) -> tensor<2xi64>
  // Gathering rows, with clamping of an index past the end.
  // CHECK-DAG: pith.constant dense<{{\[}}[3, 1], [6, 4]]> : tensor<2x2xi64>
  %cols = pith.constant dense<[2, 9]> : tensor<2xi64>
  %neg = pith.constant dense<[-1, -3]> : tensor<2xi64>
  %5 = pith.gather %m[%neg] {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  // CHECK-DAG: pith.constant dense<{{\[}}[3, 3], [6, 6]]> : tensor<2x2xi64>
  %6 = pith.gather %m[%cols] {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  // CHECK-DAG: pith.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %7 = pith.reshape %m : tensor<2x3xi64> to tensor<6xi64>
  return %0, %1, %2, %3#1, %4, %5, %6, %7 : tensor<3x2xi64>, tensor<2xi64>, tensor<4xi64>, tensor<1xi64>,
                                            tensor<2xi64>, tensor<2x2xi64>, tensor<2x2xi64>, tensor<6xi64>
}

// -----

// CHECK-LABEL: func.func @gathers
func.func @gathers() -> (tensor<2x2xi64>, tensor<2xi64>, tensor<2x2xi64>) {
  %m = pith.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  // Per element: row 0 takes columns 2 and 0, row 1 columns -1 (the last) and 1.
  // CHECK-DAG: pith.constant dense<{{\[}}[3, 1], [6, 5]]> : tensor<2x2xi64>
  %i = pith.constant dense<[[2, 0], [-1, 1]]> : tensor<2x2xi64>
  %0 = pith.gather_elements %m[%i] {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
  // Coordinate pairs: (1, 2) and (0, 0).
  // CHECK-DAG: pith.constant dense<[6, 1]> : tensor<2xi64>
  %p = pith.constant dense<[[1, 2], [0, 0]]> : tensor<2x2xi64>
  %1 = pith.gather_nd %m[%p] : (tensor<2x3xi64>, tensor<2x2xi64>) -> tensor<2xi64>
  // Rows by batch: row 0 takes column 1, row 1 column 2 -- as slices [1, 1].
  // CHECK-DAG: pith.constant dense<{{\[}}[2, 2], [6, 6]]> : tensor<2x2xi64>
  %b = pith.constant dense<[[[1], [1]], [[2], [2]]]> : tensor<2x2x1xi64>
  %2 = pith.gather_nd %m[%b] {batch_dims = 1 : i64} : (tensor<2x3xi64>, tensor<2x2x1xi64>) -> tensor<2x2xi64>
  return %0, %1, %2 : tensor<2x2xi64>, tensor<2xi64>, tensor<2x2xi64>
}

// -----

// Chains of reshapes and transposes collapse.
// CHECK-LABEL: func.func @chains
func.func @chains(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<4x2x3xf32>) {
  // CHECK: %[[R:.*]] = pith.reshape %arg0 : tensor<2x3x4xf32> to tensor<4x6xf32>
  %0 = pith.reshape %x : tensor<2x3x4xf32> to tensor<6x4xf32>
  %1 = pith.reshape %0 : tensor<6x4xf32> to tensor<4x6xf32>
  // CHECK: %[[T:.*]] = pith.transpose %arg0 {permutation = array<i64: 2, 0, 1>}
  %2 = pith.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %3 = pith.transpose %2 {permutation = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  // CHECK: return %[[R]], %[[T]]
  return %1, %3 : tensor<4x6xf32>, tensor<4x2x3xf32>
}

// -----

// Weights in resources: a reshape retypes the same blob, a transpose writes
// the transposed bytes to a new one.
// CHECK-LABEL: func.func @resources
func.func @resources() -> (tensor<4xf32>, tensor<2x2xf32>) {
  %w = pith.constant dense_resource<w> : tensor<2x2xf32>
  // CHECK-DAG: pith.constant dense_resource<w> : tensor<4xf32>
  %0 = pith.reshape %w : tensor<2x2xf32> to tensor<4xf32>
  // CHECK-DAG: pith.constant dense_resource<w_transposed> : tensor<2x2xf32>
  %1 = pith.transpose %w {permutation = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<4xf32>, tensor<2x2xf32>
}
// [[1, 2], [3, 4]] transposed is [[1, 3], [2, 4]].
// CHECK: w_transposed: "0x400000000000803F0000404000000040
// CHECK-SAME: 00008040"

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Large constants stay where they are rather than become IR text.
// CHECK-LABEL: func.func @large_constants_stay
func.func @large_constants_stay() -> (tensor<128x64xf32>, tensor<4096x2x2xf32>) {
  %a = pith.constant dense<1.5> : tensor<64x128xf32>
  %b = pith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // A splat is cheap at any size.
  // CHECK: pith.constant dense<1.500000e+00> : tensor<128x64xf32>
  %0 = pith.transpose %a {permutation = array<i64: 1, 0>} : (tensor<64x128xf32>) -> tensor<128x64xf32>
  // CHECK: pith.expand %{{.*}} : tensor<2x2xf32> to tensor<4096x2x2xf32>
  %1 = pith.expand %b : tensor<2x2xf32> to tensor<4096x2x2xf32>
  return %0, %1 : tensor<128x64xf32>, tensor<4096x2x2xf32>
}
