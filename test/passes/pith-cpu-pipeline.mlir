// RUN: pith-opt %s --pith-cpu-pipeline | FileCheck %s

// The whole pipeline: a linear layer and a softmax end as one LLVM
// function taking input, weight and output buffers, and its entry point.
// The weight (transposed to [N, K] for pith.linear, then to [K, N] for the
// vectorized matmul, both at compile time) is an argument, not data in the
// code; the result is written to the last argument, and the matmul is FMAs
// on 16-wide vectors.
// CHECK: module attributes {pith.weights = {fc.weight_transposed_kxn = dense_resource<fc.weight_transposed_kxn> : tensor<8x16xf32>}}
// CHECK-NOT: func.func
// CHECK-NOT: memrefCopy
// CHECK: llvm.func internal @pith_graph_main(%{{.*}}: !llvm.ptr {pith.name = "x"}, %{{.*}}: !llvm.ptr {pith.weight = "fc.weight_transposed_kxn"}, %{{.*}}: !llvm.ptr {pith.name = "y"}
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
// CHECK: llvm.func @pith_entry_main(%{{.*}}: !llvm.ptr)
// CHECK: llvm.call @pith_graph_main
func.func @main(%x: tensor<1x8xf32> {pith.name = "x"}) -> (tensor<1x16xf32> {pith.name = "y"}) {
  %w = pith.constant dense_resource<fc.weight> : tensor<8x16xf32>
  %0 = pith.matmul %x, %w : (tensor<1x8xf32>, tensor<8x16xf32>) -> tensor<1x16xf32>
  %1 = pith.softmax %0 {axis = 1 : i64} : tensor<1x16xf32>
  return %1 : tensor<1x16xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc.weight: "0x04000000000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE000000000000803E0000003F0000403F0000803F000000BF000080BE"
    }
  }
#-}
