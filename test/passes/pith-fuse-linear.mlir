// RUN: pith-opt %s --pith-fuse-linear --split-input-file | FileCheck %s

// MatMul + Add with a [K, N] weight and an [N] bias, as ONNX exports a
// linear layer: the weight is stored transposed, once.
// CHECK-LABEL: func.func @matmul_add
//  CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @matmul_add(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // CHECK-DAG: %[[WT:.*]] = pith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
  // CHECK-DAG: %[[B:.*]] = pith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
  %w = pith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %b = pith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = pith.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %z = pith.add %y, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  // CHECK: %[[Y:.*]] = pith.linear %[[X]], %[[WT]], %[[B]] : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  // CHECK-NOT: pith.add
  // CHECK: return %[[Y]]
  return %z : tensor<2x2xf32>
}

// -----

// The bias may come first, and as [1, N]; batch dimensions stay on x.
// CHECK-LABEL: func.func @bias_first
func.func @bias_first(%x: tensor<4x7x3xf32>, %b: tensor<1x2xf32>) -> tensor<4x7x2xf32> {
  %w = pith.constant dense<1.0> : tensor<3x2xf32>
  %y = pith.matmul %x, %w : (tensor<4x7x3xf32>, tensor<3x2xf32>) -> tensor<4x7x2xf32>
  // CHECK: %[[B:.*]] = pith.reshape %arg1 : tensor<1x2xf32> to tensor<2xf32>
  // CHECK: pith.linear %arg0, %{{.*}}, %[[B]] : (tensor<4x7x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x7x2xf32>
  %z = pith.add %b, %y : (tensor<1x2xf32>, tensor<4x7x2xf32>) -> tensor<4x7x2xf32>
  return %z : tensor<4x7x2xf32>
}

// -----

// Without a bias, and with the weight in a resource: the transposed bytes
// go to a new resource.
// CHECK-LABEL: func.func @resource_weight
func.func @resource_weight(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  // CHECK: %[[WT:.*]] = pith.constant dense_resource<w_transposed> : tensor<2x2xf32>
  %w = pith.constant dense_resource<w> : tensor<2x2xf32>
  // CHECK: pith.linear %arg0, %[[WT]] : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %y = pith.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
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

// What is not a linear layer stays as it is.
// CHECK-LABEL: func.func @not_linear
func.func @not_linear(%x: tensor<2x3xf32>, %v: tensor<3x2xf32>, %i: tensor<2x3xi32>,
                      %col: tensor<2x1xf32>) -> (tensor<2x2xf32>, tensor<4x2x2xf32>, tensor<2x2xi32>, tensor<2x2xf32>) {
  // A weight that is not a constant.
  // CHECK: pith.matmul %arg0, %arg1
  %0 = pith.matmul %x, %v : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  // A batched weight.
  // CHECK: pith.matmul %arg0, %{{.*}} : (tensor<2x3xf32>, tensor<4x3x2xf32>)
  %w3 = pith.constant dense<1.0> : tensor<4x3x2xf32>
  %1 = pith.matmul %x, %w3 : (tensor<2x3xf32>, tensor<4x3x2xf32>) -> tensor<4x2x2xf32>
  // Integers.
  // CHECK: pith.matmul %arg2, %{{.*}} : (tensor<2x3xi32>, tensor<3x2xi32>)
  %wi = pith.constant dense<1> : tensor<3x2xi32>
  %2 = pith.matmul %i, %wi : (tensor<2x3xi32>, tensor<3x2xi32>) -> tensor<2x2xi32>
  // An addend that is not one value per output feature.
  // CHECK: %[[L:.*]] = pith.linear %arg0, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  // CHECK: pith.add %[[L]], %arg3
  %w = pith.constant dense<2.0> : tensor<3x2xf32>
  %3 = pith.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %4 = pith.add %3, %col : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %0, %1, %2, %4 : tensor<2x2xf32>, tensor<4x2x2xf32>, tensor<2x2xi32>, tensor<2x2xf32>
}

// -----

// A product used twice keeps its own value: the bias is not folded in.
// CHECK-LABEL: func.func @shared_product
func.func @shared_product(%x: tensor<2x3xf32>, %b: tensor<2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = pith.constant dense<2.0> : tensor<3x2xf32>
  // CHECK: %[[L:.*]] = pith.linear %arg0, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %y = pith.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  // CHECK: %[[Z:.*]] = pith.add %[[L]], %arg1
  %z = pith.add %y, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  // CHECK: return %[[L]], %[[Z]]
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A QDQ layer: the dequantized [K, N] weight becomes a linear layer's
// [N, K] one, the integers and the scales transposed once; blocks along K
// (axis 0) become blocks along axis 1, scales per N (axis 1) per axis 0.
// CHECK-LABEL: func.func @dequantized_blocks
//   CHECK-DAG: %[[Q:.*]] = pith.constant dense<{{\[}}[1, 3], [2, 4]]> : tensor<2x2xi4>
//   CHECK-DAG: %[[S:.*]] = pith.constant dense<{{\[}}[5.000000e-01], [2.500000e-01]]> : tensor<2x1xf32>
//       CHECK: %[[W:.*]] = pith.dequantize %[[Q]], %[[S]] {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x2xi4>, tensor<2x1xf32>) -> tensor<2x2xf32>
//       CHECK: pith.linear %arg0, %[[W]] : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
func.func @dequantized_blocks(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = pith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi4>
  %s = pith.constant dense<[[0.5, 0.25]]> : tensor<1x2xf32>
  %w = pith.dequantize %q, %s {axis = 0 : i64, block_size = 2 : i64} : (tensor<2x2xi4>, tensor<1x2xf32>) -> tensor<2x2xf32>
  %y = pith.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @dequantized_per_column
//       CHECK: pith.dequantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xf32>
//       CHECK: pith.linear
func.func @dequantized_per_column(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %q = pith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %s = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %z = pith.constant dense<[1, -1]> : tensor<2xi8>
  %w = pith.dequantize %q, %s, %z {axis = 1 : i64} : (tensor<3x2xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<3x2xf32>
  %y = pith.matmul %x, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Scales along K (per row of the [K, N] weight) are left to the matrix
// product, as is a weight dequantized from a graph input.
// CHECK-LABEL: func.func @dequantized_along_k
//   CHECK-NOT: pith.linear
func.func @dequantized_along_k(%x: tensor<1x3xf32>, %q2: tensor<3x2xi8>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
  %q = pith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %s = pith.constant dense<[0.5, 0.25, 1.0]> : tensor<3xf32>
  %w = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<3x2xi8>, tensor<3xf32>) -> tensor<3x2xf32>
  %y = pith.matmul %x, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %t = pith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %w2 = pith.dequantize %q2, %t {axis = 1 : i64} : (tensor<3x2xi8>, tensor<2xf32>) -> tensor<3x2xf32>
  %y2 = pith.matmul %x, %w2 : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %y, %y2 : tensor<1x2xf32>, tensor<1x2xf32>
}
