// RUN: pith-opt %s --pith-nvptx-pipeline="chip=sm_90 features=+ptx80" | FileCheck %s
// RUN: pith-opt %s --pith-nvptx-pipeline="chip=sm_80 emit-binary=false" | FileCheck %s --check-prefix=NVVM

// The whole pipeline: a linear layer and a softmax become kernels in one
// module, PTX for the chip, and the host function a list of launches: the
// output (buffer 2) zeroed, the matmul of the input (0) by the weight (1)
// added into it, then the softmax's row maximum into the workspace (3).
// CHECK: module attributes {gpu.container_module, pith.launches = [{arguments = [{buffer = 2 : i64
// CHECK-SAME: name = "main_kernel"}, {arguments = [{buffer = 2 : i64, {{.*}}}, {buffer = 0 : i64, {{.*}}}, {buffer = 1 : i64
// CHECK-SAME: name = "main_kernel_0"}, {arguments = [{buffer = 3 : i64, byte_offset = 0 : i64
// CHECK: func.func @main(%{{.*}}: memref<1x8xf32> {pith.name = "x"}, %{{.*}}: memref<8x16xf32> {pith.weight = "{{.*}}"}, %{{.*}}: memref<1x16xf32> {pith.name = "y"}, %{{.*}}: memref<{{[0-9]+}}xi8> {pith.workspace = {{[0-9]+}} : i64})
// CHECK: gpu.launch_func @pith_kernels::@main_kernel
// CHECK: gpu.binary @pith_kernels {{.*}}#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry main_kernel(

// Before the binary: the kernels in the NVVM dialect, one thread per
// output element (blocks of 16 threads here), reading its global index.
// NVVM: gpu.module @pith_kernels [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">]
// NVVM: llvm.func @main_kernel(
// NVVM-SAME: gpu.kernel
// NVVM: nvvm.read.ptx.sreg.ctaid.x
// NVVM: nvvm.read.ptx.sreg.tid.x
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
