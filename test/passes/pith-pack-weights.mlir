// RUN: pith-opt %s --pith-pack-weights=vector-bits=256 --split-input-file | FileCheck %s

// A constant [K, N] = [3, 32] right-hand side with 256-bit vectors (panels
// of P = 16 columns) is repacked at compile time into [N / P, K, P]:
// element (k, n) moves to (n / 16, k, n % 16). Here B[k][n] = 100 k + n,
// so panel 1 holds columns 16..31 of each row.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[PANELS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: %[[PACKED:.*]] = arith.constant dense<{{\[\[\[}}0.000000e+00, 1.000000e+00, {{.*}}, 1.500000e+01], [1.000000e+02, {{.*}}]], {{\[\[}}1.600000e+01, {{.*}}, 3.100000e+01], [1.160000e+02, {{.*}} : tensor<2x3x16xf32>
// CHECK: %[[INIT:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [4, 2, 16] : tensor<4x32xf32> into tensor<4x2x16xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[PANELS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %[[PACKED]] : tensor<4x3xf32>, tensor<2x3x16xf32>) outs(%[[INIT]] : tensor<4x2x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0], [1, 2]] : tensor<4x2x16xf32> into tensor<4x32xf32>
func.func @matmul(%a: tensor<4x3xf32>, %init: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0],
                              [100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0, 129.0, 130.0, 131.0],
                              [200.0, 201.0, 202.0, 203.0, 204.0, 205.0, 206.0, 207.0, 208.0, 209.0, 210.0, 211.0, 212.0, 213.0, 214.0, 215.0, 216.0, 217.0, 218.0, 219.0, 220.0, 221.0, 222.0, 223.0, 224.0, 225.0, 226.0, 227.0, 228.0, 229.0, 230.0, 231.0]]> : tensor<3x32xf32>
  %r = linalg.matmul ins(%a, %b : tensor<4x3xf32>, tensor<3x32xf32>) outs(%init : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

// -----

// A broadcast matmul (batch of rows times one weight) packs the same way:
// its N loop splits, the loops after it shift.
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%arg0, %{{.*}} : tensor<2x4x8xf32>, tensor<4x8x16xf32>) outs(%{{.*}} : tensor<2x4x4x16xf32>)
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#w = affine_map<(b, m, n, k) -> (k, n)>
#o = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @broadcast(%a: tensor<2x4x8xf32>, %init: tensor<2x4x64xf32>) -> tensor<2x4x64xf32> {
  %w = arith.constant dense<0.5> : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#a, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %w : tensor<2x4x8xf32>, tensor<8x64xf32>) outs(%init : tensor<2x4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x4x64xf32>
  return %r : tensor<2x4x64xf32>
}

// -----

// Left alone: a weight that is not a constant, N of one panel only, and a
// transposed constant (indexed (n, k)).
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x64xf32>)
// CHECK: linalg.matmul ins(%arg0, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%arg0, %{{.*}} : tensor<4x8xf32>, tensor<64x8xf32>) outs(%arg2 : tensor<4x64xf32>)
// CHECK-NOT: tensor.expand_shape
#a2 = affine_map<(m, n, k) -> (m, k)>
#wt = affine_map<(m, n, k) -> (n, k)>
#o2 = affine_map<(m, n, k) -> (m, n)>
func.func @left_alone(%a: tensor<4x8xf32>, %w: tensor<8x64xf32>, %i64: tensor<4x64xf32>, %i16: tensor<4x16xf32>) -> (tensor<4x64xf32>, tensor<4x16xf32>, tensor<4x64xf32>) {
  %r0 = linalg.matmul ins(%a, %w : tensor<4x8xf32>, tensor<8x64xf32>) outs(%i64 : tensor<4x64xf32>) -> tensor<4x64xf32>
  %narrow = arith.constant dense<0.5> : tensor<8x16xf32>
  %r1 = linalg.matmul ins(%a, %narrow : tensor<4x8xf32>, tensor<8x16xf32>) outs(%i16 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %transposed = arith.constant dense<0.5> : tensor<64x8xf32>
  %r2 = linalg.generic {indexing_maps = [#a2, #wt, #o2], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %transposed : tensor<4x8xf32>, tensor<64x8xf32>) outs(%i64 : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  return %r0, %r1, %r2 : tensor<4x64xf32>, tensor<4x16xf32>, tensor<4x64xf32>
}

// -----

// A resource weight gets a new resource, "_packed", holding the panels:
// B[k][n] = 100 k + n, K = 2, so the packed blob is columns 0..15 of rows
// 0 and 1, then columns 16..31 of both (a blob aligned to 64 bytes).
// CHECK-LABEL: func.func @resource
// CHECK: arith.constant dense_resource<w_packed> : tensor<2x2x16xf32>
// CHECK: w_packed: "0x40000000000000000000803F0000004000004040000080400000A0400000C0400000E04000000041000010410000204100003041000040410000504100006041000070410000C8420000CA420000CC420000CE420000D0420000D2420000D4420000D6420000D8420000DA420000DC420000DE420000E0420000E2420000E4420000E642000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F8410000E8420000EA420000EC420000EE420000F0420000F2420000F4420000F6420000F8420000FA420000FC420000FE4200000043000001430000024300000343"
func.func @resource(%a: tensor<4x2xf32>, %init: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %b = arith.constant dense_resource<w> : tensor<2x32xf32>
  %r = linalg.matmul ins(%a, %b : tensor<4x2xf32>, tensor<2x32xf32>) outs(%init : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F8410000C8420000CA420000CC420000CE420000D0420000D2420000D4420000D6420000D8420000DA420000DC420000DE420000E0420000E2420000E4420000E6420000E8420000EA420000EC420000EE420000F0420000F2420000F4420000F6420000F8420000FA420000FC420000FE4200000043000001430000024300000343"
    }
  }
#-}

// -----

// N that two vectors do not divide is packed in the N tile it will take:
// one vector (24 columns: 3 panels of 8 with 256-bit vectors) or half of
// one (12 columns: 3 panels of 4).
// CHECK-LABEL: func.func @narrower_panels
// CHECK: ins(%arg0, %{{.*}} : tensor<4x2xf32>, tensor<3x2x8xf32>) outs(%{{.*}} : tensor<4x3x8xf32>)
// CHECK: ins(%arg0, %{{.*}} : tensor<4x2xf32>, tensor<3x2x4xf32>) outs(%{{.*}} : tensor<4x3x4xf32>)
func.func @narrower_panels(%a: tensor<4x2xf32>, %i24: tensor<4x24xf32>, %i12: tensor<4x12xf32>) -> (tensor<4x24xf32>, tensor<4x12xf32>) {
  %w24 = arith.constant dense<0.5> : tensor<2x24xf32>
  %r24 = linalg.matmul ins(%a, %w24 : tensor<4x2xf32>, tensor<2x24xf32>) outs(%i24 : tensor<4x24xf32>) -> tensor<4x24xf32>
  %w12 = arith.constant dense<0.5> : tensor<2x12xf32>
  %r12 = linalg.matmul ins(%a, %w12 : tensor<4x2xf32>, tensor<2x12xf32>) outs(%i12 : tensor<4x12xf32>) -> tensor<4x12xf32>
  return %r24, %r12 : tensor<4x24xf32>, tensor<4x12xf32>
}
