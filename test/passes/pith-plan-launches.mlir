// RUN: pith-opt %s --split-input-file --pith-plan-launches | FileCheck %s

// Two outlined kernels move into one module, named after their modules;
// the launches are recorded with each buffer's argument, byte offset and
// descriptor, and each scalar's value.
// CHECK: module attributes {gpu.container_module, pith.launches = [
// CHECK-SAME: {arguments = [{buffer = 0 : i64, byte_offset = 0 : i64, offset = 0 : i64, sizes = array<i64: 4, 8>, strides = array<i64: 8, 1>},
// CHECK-SAME: {buffer = 2 : i64, byte_offset = 128 : i64, offset = 8 : i64, sizes = array<i64: 2, 4>, strides = array<i64: 8, 1>},
// CHECK-SAME: {value = 5 : i64}, {value = 2.500000e-01 : f32}],
// CHECK-SAME: block = array<i64: 32, 1, 1>, grid = array<i64: 2, 1, 1>, name = "scale_kernel"},
// CHECK-SAME: {arguments = [{buffer = 1 : i64, byte_offset = 0 : i64, offset = 0 : i64, sizes = array<i64: 32>, strides = array<i64: 1>}],
// CHECK-SAME: block = array<i64: 32, 1, 1>, grid = array<i64: 1, 1, 1>, name = "fill_kernel"}]}
// CHECK: gpu.launch_func @pith_kernels::@scale_kernel
// CHECK: gpu.launch_func @pith_kernels::@fill_kernel
// CHECK-NOT: gpu.module @scale_kernel
// CHECK: gpu.module @pith_kernels {
// CHECK: gpu.func @scale_kernel(
// CHECK: gpu.func @fill_kernel(
module attributes {gpu.container_module} {
  func.func @main(%x: memref<4x8xf32>, %y: memref<32xf32>, %workspace: memref<256xi8>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c32 = arith.constant 32 : index
    %c128 = arith.constant 128 : index
    %five = arith.constant 5 : index
    %quarter = arith.constant 0.25 : f32
    %t = memref.view %workspace[%c128][] : memref<256xi8> to memref<4x8xf32>
    %rows = memref.subview %t[1, 0] [2, 4] [1, 1] : memref<4x8xf32> to memref<2x4xf32, strided<[8, 1], offset: 8>>
    gpu.launch_func @scale_kernel::@scale_kernel blocks in (%c2, %c1, %c1) threads in (%c32, %c1, %c1) args(%x : memref<4x8xf32>, %rows : memref<2x4xf32, strided<[8, 1], offset: 8>>, %five : index, %quarter : f32)
    gpu.launch_func @fill_kernel::@fill_kernel blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1) args(%y : memref<32xf32>)
    return
  }
  gpu.module @scale_kernel {
    gpu.func @scale_kernel(%a: memref<4x8xf32>, %b: memref<2x4xf32, strided<[8, 1], offset: 8>>, %n: index, %s: f32) kernel {
      gpu.return
    }
  }
  gpu.module @fill_kernel {
    gpu.func @fill_kernel(%a: memref<32xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Two kernels read one constant: outlining copied it into both modules,
// and one copy is kept.
// CHECK-LABEL: func.func @two_readers
// CHECK: gpu.module @pith_kernels {
// CHECK-COUNT-1: memref.global "private" constant @table
// CHECK-NOT: memref.global
module attributes {gpu.container_module} {
  func.func @two_readers(%y: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @first::@first blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%y : memref<4xf32>)
    gpu.launch_func @second::@second blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%y : memref<4xf32>)
    return
  }
  gpu.module @first {
    memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    gpu.func @first(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @second {
    memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
    gpu.func @second(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
