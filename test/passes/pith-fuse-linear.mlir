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
