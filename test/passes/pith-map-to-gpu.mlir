// RUN: pith-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(pith-map-to-gpu{block-size=64}))" | FileCheck %s

// A 2-D loop of 10x20 iterations: 200 threads in blocks of 64, the last
// block guarded; the column is the thread number modulo 20 (innermost
// fastest), the row the quotient.
// CHECK-LABEL: func.func @parallel
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C4]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]],
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK: %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %{{.*}} : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[COL:.*]] = arith.remui %[[ID]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.divui %[[ID]], %{{.*}} : index
// CHECK: %[[X:.*]] = memref.load %arg0[%[[ROW]], %[[COL]]]
// CHECK: memref.store %[[X]], %arg1[%[[ROW]], %[[COL]]]
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @parallel(%a: memref<10x20xf32>, %b: memref<10x20xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %c20 = arith.constant 20 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c10, %c20) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<10x20xf32>
    memref.store %x, %b[%i, %j] : memref<10x20xf32>
    scf.reduce
  }
  return
}

// -----

// Lower bounds and steps: iterations 2, 5, 8 of a loop of 3 threads, no
// guard (one block holds them all).
// CHECK-LABEL: func.func @strided
// CHECK: gpu.launch
// CHECK-NOT: scf.if
// CHECK: %[[ID:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[SCALED:.*]] = arith.muli %[[ID]], %{{.*}} : index
// CHECK: %[[I:.*]] = arith.addi %[[SCALED]], %{{.*}} : index
// CHECK: memref.store %{{.*}}, %arg0[%[[I]]]
func.func @strided(%a: memref<9xf32>) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c9 = arith.constant 9 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c2) to (%c9) step (%c3) {
    memref.store %zero, %a[%i] : memref<9xf32>
    scf.reduce
  }
  return
}

// -----

// A reduction over every element and the stores after it share one launch
// of one thread, past the constant and the view between them, which stay
// on the host. Float arithmetic in a launch may contract.
// CHECK-LABEL: func.func @serial
// CHECK: %[[ONE_F:.*]] = arith.constant 1.0
// CHECK: %[[VIEW:.*]] = memref.subview
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK-NEXT: scf.for
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: memref.store %[[ONE_F]], %arg1[]
// CHECK-NEXT: memref.store %[[ONE_F]], %[[VIEW]]
// CHECK-NEXT: gpu.terminator
// CHECK-NOT: gpu.launch
func.func @serial(%a: memref<8xf32>, %sum: memref<f32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %s = memref.load %sum[] : memref<f32>
    %y = arith.addf %x, %s : f32
    memref.store %y, %sum[] : memref<f32>
  }
  %one = arith.constant 1.0 : f32
  memref.store %one, %sum[] : memref<f32>
  %v = memref.subview %b[2] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 2>>
  memref.store %one, %v[%c0] : memref<4xf32, strided<[1], offset: 2>>
  return
}

// -----

// A constant buffer a launch reads is taken into it, for outlining to move
// into the kernel module.
// CHECK-LABEL: func.func @global
// CHECK-NOT: memref.get_global
// CHECK: gpu.launch
// CHECK-NEXT: memref.get_global @table
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @global(%a: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.get_global @table : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %x = memref.load %t[%i] : memref<4xf32>
    memref.store %x, %a[%i] : memref<4xf32>
    scf.reduce
  }
  return
}

// -----

// An op that may carry fast-math flags but has none (arith.truncf) gets
// contraction too.
// CHECK-LABEL: func.func @no_flags
// CHECK: gpu.launch
// CHECK: arith.truncf %{{.*}} fastmath<contract> : f32 to f16
func.func @no_flags(%a: memref<8xf32>, %b: memref<8xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.truncf %x : f32 to f16
    memref.store %y, %b[%i] : memref<8xf16>
    scf.reduce
  }
  return
}
