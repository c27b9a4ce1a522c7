// RUN: pith-opt %s --pith-emulate-gpu | FileCheck %s

// A launch of 3x2 blocks of 64 threads: loops over the grid's z, y and x,
// then the block's, the body in the innermost with the ids the loops'
// indices and the sizes the launch's.
// CHECK-LABEL: func.func @launch
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %[[C0]] to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[BY:.*]] = %[[C0]] to %[[C2]] step %{{.*}} {
// CHECK-NEXT: scf.for %[[BX:.*]] = %[[C0]] to %[[C3]] step %{{.*}} {
// CHECK-NEXT: scf.for %{{.*}} = %[[C0]] to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %{{.*}} = %[[C0]] to %{{.*}} step %{{.*}} {
// CHECK-NEXT: scf.for %[[TX:.*]] = %[[C0]] to %[[C64]] step %{{.*}} {
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[BX]], %[[C64]] : index
// CHECK-NEXT: %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK-NEXT: %[[ROW:.*]] = arith.addi %[[BY]], %[[ID]] : index
// CHECK-NEXT: memref.store %{{.*}}, %arg0[%[[ROW]]]
// CHECK-NOT: gpu.launch
func.func @launch(%a: memref<200xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c3, %gy = %c2, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %sx : index
    %id = arith.addi %base, %tx : index
    %row = arith.addi %by, %id : index
    memref.store %one, %a[%row] : memref<200xf32>
    gpu.terminator
  }
  return
}

// The alignment a GPU's buffers guarantee is dropped: a CPU loads vectors
// from any address, and a caller's input need not be aligned.
// CHECK-LABEL: func.func @aligned_load
// CHECK: vector.load %arg0[%{{.*}}] : memref<64xf32>, vector<4xf32>
// CHECK-NOT: alignment
func.func @aligned_load(%a: memref<64xf32>, %b: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = vector.load %a[%c0] {alignment = 16 : i64} : memref<64xf32>, vector<4xf32>
    vector.store %v, %b[%c0] : memref<4xf32>, vector<4xf32>
    gpu.terminator
  }
  return
}
