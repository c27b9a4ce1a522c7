// RUN: pith-opt %s --pith-lower-to-linalg --split-input-file | FileCheck %s

// mean: a sum into a zero-filled accumulator, divided by the count, then
// reshaped to keep the reduced axis.
// CHECK-LABEL: func.func @reduce_mean
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> {
  // CHECK: %[[SUM:.*]] = linalg.reduce { arith.addf } ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x3xf32>) dimensions = [2]
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%[[SUM]]
  // CHECK: %[[N:.*]] = arith.constant 4.000000e+00 : f32
  // CHECK: arith.divf %{{.*}}, %[[N]]
  // CHECK: tensor<2x3x1xf32>
  %0 = pith.reduce mean %x {axes = array<i64: 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_kinds
func.func @reduce_kinds(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>) -> (tensor<2xf32>, tensor<3xf32>, tensor<2xi32>, tensor<2xf32>) {
  // CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: linalg.fill ins(%[[NEGINF]]
  // CHECK: linalg.reduce { arith.maximumf } ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<2xf32>) dimensions = [1]
  %0 = pith.reduce max %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: linalg.reduce { arith.mulf } ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<3xf32>) dimensions = [0]
  %1 = pith.reduce prod %x {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  // CHECK: linalg.reduce { arith.minsi } ins(%arg1 : tensor<2x3xi32>)
  %2 = pith.reduce min %i {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  // log_sum_exp subtracts the maximum before exponentiating.
  // CHECK: linalg.reduce { arith.maximumf }
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: linalg.reduce { arith.addf }
  // CHECK: math.log
  // CHECK: arith.addf
  %3 = pith.reduce log_sum_exp %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<3xf32>, tensor<2xi32>, tensor<2xf32>
}

// -----

// The maximum of magnitudes (pith.abs's, as per-token int8 quantization
// takes it) is that of their bits as signed integers, which order as the
// values do, NaNs above infinity: from 0 (+0), by arith.maxsi, bitcast
// back. Elsewhere, arith.maximumf.
// CHECK-LABEL: func.func @max_of_magnitudes
func.func @max_of_magnitudes(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  // CHECK: %[[ABS:.*]] = linalg.generic
  // CHECK:   math.absf
  // CHECK: %[[BITS:.*]] = linalg.generic {{.*}} ins(%[[ABS]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xi32>)
  // CHECK:   arith.bitcast %{{.*}} : f32 to i32
  // CHECK: %[[ZERO:.*]] = linalg.fill ins(%c0_i32 : i32) outs(%{{.*}} : tensor<2xi32>)
  // CHECK: %[[PEAK:.*]] = linalg.reduce { arith.maxsi } ins(%[[BITS]] : tensor<2x3xi32>) outs(%[[ZERO]] : tensor<2xi32>) dimensions = [1]
  // CHECK: linalg.generic {{.*}} ins(%[[PEAK]] : tensor<2xi32>) outs(%{{.*}} : tensor<2xf32>)
  // CHECK:   arith.bitcast %{{.*}} : i32 to f32
  // CHECK: linalg.reduce { arith.maximumf } ins(%arg0 : tensor<2x3xf32>)
  %a = pith.abs %x : tensor<2x3xf32>
  %0 = pith.reduce max %a {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = pith.reduce max %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// arg_max carries (value, index) through one generic; ties keep the first
// index, and index 0 always takes the first element.
// CHECK-LABEL: func.func @arg_max
func.func @arg_max(%x: tensor<2x5xf32>) -> tensor<2xi64> {
  // CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
  // CHECK: ^bb0(%[[IN:.*]]: f32, %[[BEST:.*]]: f32, %[[INDEX:.*]]: i64):
  // CHECK: %[[I:.*]] = linalg.index 1 : index
  // CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[BEST]] : f32
  // CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[I64]], %{{.*}} : i64
  // CHECK: %[[TAKE:.*]] = arith.ori %[[GT]], %[[FIRST]] : i1
  // CHECK: %[[V:.*]] = arith.select %[[TAKE]], %[[IN]], %[[BEST]] : f32
  // CHECK: %[[J:.*]] = arith.select %[[TAKE]], %[[I64]], %[[INDEX]] : i64
  // CHECK: linalg.yield %[[V]], %[[J]]
  // CHECK: return %[[R]]#1
  %0 = pith.arg_max %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// softmax: exp(x - max) / sum.
// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: %[[MAX:.*]] = linalg.reduce { arith.maximumf } ins(%arg0
  // CHECK: %[[M:.*]] = tensor.expand_shape %[[MAX]] {{.*}} into tensor<2x1xf32>
  // CHECK: %[[SHIFTED:.*]] = linalg.generic {{.*}} ins(%arg0, %[[M]] :
  // CHECK: arith.subf
  // CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] :
  // CHECK: math.exp
  // CHECK: %[[SUM:.*]] = linalg.reduce { arith.addf } ins(%[[EXP]]
  // CHECK: %[[S:.*]] = tensor.expand_shape %[[SUM]]
  // CHECK: linalg.generic {{.*}} ins(%[[EXP]], %[[S]] :
  // CHECK: arith.divf
  %0 = pith.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: linalg.reduce { arith.maximumf }
  // CHECK: math.exp
  // CHECK: linalg.reduce { arith.addf }
  // CHECK: math.log
  // CHECK-NOT: arith.divf
  %0 = pith.log_softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// layer_norm: centered values times rsqrt(variance + epsilon), then scale
// and bias broadcast along the normalized axes.
// CHECK-LABEL: func.func @layer_norm
func.func @layer_norm(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // CHECK: linalg.reduce { arith.addf } ins(%arg0
  // CHECK: arith.subf
  // CHECK: arith.mulf %[[D:.*]], %[[D]] : f32
  // CHECK: linalg.reduce { arith.addf }
  // CHECK: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
  // CHECK: %[[V:.*]] = arith.addf %{{.*}}, %[[EPS]] : f32
  // CHECK: math.rsqrt %[[V]]
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%{{.*}}, %arg1, %arg1 : tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>)
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = pith.layer_norm %x scale %g bias %g {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// batch_norm is one generic reading the statistics broadcast per channel:
// (x - mean) * (scale * rsqrt(var + epsilon)) + bias.
// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<2x4x3x3xf32>, %s: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%arg0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x3x3xf32>, tensor<4x1x1xf32>, tensor<4x1x1xf32>, tensor<4x1x1xf32>, tensor<4x1x1xf32>)
  // CHECK: math.rsqrt
  // CHECK: arith.subf
  // CHECK-NOT: pith.
  %0 = pith.batch_norm %x, %s, %s, %s, %s : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  return %0 : tensor<2x4x3x3xf32>
}

// -----

// top_k: k rounds of an scf.for, each a reduction along the axis that
// picks the best element ranked after the previous round's pick (read
// back from the results at r - 1; equal values lower index first), and
// writes it in place at position r.
// CHECK-LABEL: func.func @top_k
// CHECK-DAG: %[[NONE:.*]] = arith.constant -1 : i64
// CHECK-DAG: %[[K:.*]] = arith.constant 2 : index
// CHECK: %[[V0:.*]] = linalg.fill {{.*}} -> tensor<3x2xf32>
// CHECK: %[[I0:.*]] = linalg.fill ins(%[[NONE]] : i64) {{.*}} -> tensor<3x2xi64>
// CHECK: scf.for %[[R:.*]] = %{{.*}} to %[[K]] step %{{.*}} iter_args(%[[V:.*]] = %[[V0]], %[[I:.*]] = %[[I0]])
// CHECK: %[[PREV:.*]] = tensor.extract_slice %[[V]][0, %[[AT:.*]]] [3, 1] [1, 1] : tensor<3x2xf32> to tensor<3xf32>
// CHECK: tensor.extract_slice %[[I]][0, %[[AT]]] [3, 1] [1, 1] : tensor<3x2xi64> to tensor<3xi64>
// CHECK: %[[PICK:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0, %[[PREV]], %{{.*}} : tensor<3x4xf32>, tensor<3xf32>, tensor<3xi64>)
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpi sgt
// CHECK: tensor.insert_slice %[[PICK]]#0 into %[[V]][0, %[[R]]] [3, 1] [1, 1]
// CHECK: tensor.insert_slice %[[PICK]]#1 into %[[I]][0, %[[R]]] [3, 1] [1, 1]
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %v, %i = pith.top_k %x {axis = 1 : i64, k = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// The smallest of unsigned values compare unsigned.
// CHECK-LABEL: func.func @top_k_smallest_unsigned
// CHECK: linalg.generic
// CHECK: arith.cmpi ult
func.func @top_k_smallest_unsigned(%x: tensor<5xui32>) -> (tensor<1xui32>, tensor<1xi64>) {
  %v, %i = pith.top_k %x {axis = 0 : i64, k = 1 : i64, largest = false} : (tensor<5xui32>) -> (tensor<1xui32>, tensor<1xi64>)
  return %v, %i : tensor<1xui32>, tensor<1xi64>
}
