// RUN: pith-opt %s --pith-export-entry-points --split-input-file -verify-diagnostics | FileCheck %s

// A public function becomes internal pith_graph_<name>; pith_entry_<name>
// loads one buffer pointer per argument and calls it.
// CHECK-LABEL: llvm.func internal @pith_graph_main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.func @pith_entry_main(%[[ARGV:.*]]: !llvm.ptr)
// CHECK:   %[[P0:.*]] = llvm.getelementptr %[[ARGV]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:   %[[B0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK:   %[[P1:.*]] = llvm.getelementptr %[[ARGV]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:   %[[B1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK:   llvm.call @pith_graph_main(%[[B0]], %[[B1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK:   llvm.return
llvm.func @main(%in: !llvm.ptr, %out: !llvm.ptr) {
  llvm.return
}
// Declarations and private functions are left alone.
// CHECK: llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @malloc(i64) -> !llvm.ptr
// CHECK: llvm.func internal @helper()
llvm.func internal @helper() {
  llvm.return
}

// -----

// expected-error @+1 {{cannot export 'f': an entry point takes buffers and returns nothing}}
llvm.func @f(%x: i64) -> i64 {
  llvm.return %x : i64
}

// -----

// expected-error @+1 {{cannot export 'main': its signature could not be lowered to buffer pointers}}
func.func @main(%x: memref<2x0xf32>) {
  return
}
