// RUN: pith-opt %s --pith-plan-workspace --split-input-file | FileCheck %s

// Three 4 KiB buffers: %a dies when %c is born, so %c reuses its bytes;
// %b lives across both. The workspace is 8 KiB, the last argument.
// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[WS:[^:]*]]: memref<8192xi8> {pith.workspace = 8192 : i64})
// CHECK-DAG: %[[A:.*]] = memref.view %[[WS]][%[[OA:.*]]][] : memref<8192xi8> to memref<1024xf32>
// CHECK-DAG: %[[B:.*]] = memref.view %[[WS]][%[[OB:.*]]][] : memref<8192xi8> to memref<1024xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
func.func @main(%x: memref<1024xf32>, %y: memref<1024xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  memref.copy %a, %b : memref<1024xf32> to memref<1024xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  memref.copy %b, %c : memref<1024xf32> to memref<1024xf32>
  memref.copy %c, %y : memref<1024xf32> to memref<1024xf32>
  memref.copy %b, %y : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %a : memref<1024xf32>
  memref.dealloc %b : memref<1024xf32>
  memref.dealloc %c : memref<1024xf32>
  return
}

// -----

// A buffer used through a view lives until the view's last use; one that
// is returned keeps its allocation; private functions are not planned.
// CHECK-LABEL: func.func @views
// CHECK-SAME: memref<128xi8> {pith.workspace = 128 : i64}
// CHECK: memref.view
// CHECK: memref.expand_shape
// CHECK: %[[KEPT:.*]] = memref.alloc() : memref<4xf32>
// CHECK: return %[[KEPT]]
func.func @views(%x: memref<4xf32>) -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  %v = memref.expand_shape %a [[0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
  %b = memref.alloc() : memref<2x2xf32>
  memref.copy %v, %b : memref<2x2xf32> to memref<2x2xf32>
  %kept = memref.alloc() : memref<4xf32>
  return %kept : memref<4xf32>
}
// CHECK-LABEL: func.func private @helper
// CHECK: memref.alloc
func.func private @helper() {
  %a = memref.alloc() : memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}

// -----

// Only buffers of numbers are placed: one of index (no byte width) keeps
// its allocation beside a placed one.
// CHECK-LABEL: func.func @index_buffer
// CHECK-SAME: memref<64xi8> {pith.workspace = 64 : i64}
// CHECK: memref.alloc() : memref<4xindex>
// CHECK: memref.view
func.func @index_buffer(%x: memref<4xindex>, %y: memref<4xf32>) {
  %a = memref.alloc() : memref<4xindex>
  memref.copy %x, %a : memref<4xindex> to memref<4xindex>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %y, %b : memref<4xf32> to memref<4xf32>
  memref.copy %b, %y : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xindex>
  memref.dealloc %b : memref<4xf32>
  return
}

// -----

// Booleans take a byte each: 100 of them fill 128 bytes (two 64-byte
// lines) of the workspace.
// CHECK-LABEL: func.func @booleans
// CHECK-SAME: memref<128xi8> {pith.workspace = 128 : i64}
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<100xi1>
// CHECK-NOT: memref.alloc
func.func @booleans(%x: memref<100xi1>, %y: memref<100xi1>) {
  %a = memref.alloc() : memref<100xi1>
  memref.copy %x, %a : memref<100xi1> to memref<100xi1>
  memref.copy %a, %y : memref<100xi1> to memref<100xi1>
  return
}
