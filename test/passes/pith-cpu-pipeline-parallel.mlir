// RUN: pith-opt %s --pith-cpu-pipeline | FileCheck %s
// RUN: pith-opt %s --pith-cpu-pipeline=parallelize=false | FileCheck %s --check-prefix=SERIAL

// A 128x384x384 matmul has enough work to split: its row blocks become an
// OpenMP worksharing loop inside a parallel region, each block still FMAs
// on vectors. Without parallelize, no OpenMP is left.
// CHECK: llvm.func internal @pith_graph_main
// CHECK: omp.parallel
// CHECK: omp.wsloop
// CHECK: omp.loop_nest (%{{.*}}) : i64 = (%{{.*}}) to (%{{.*}}) step (%{{.*}})
// CHECK: llvm.intr.fmuladd({{.*}}) : (vector<{{[0-9]+}}xf32>
// CHECK: omp.terminator
// SERIAL-NOT: omp.
// SERIAL: llvm.intr.fmuladd
// SERIAL-NOT: omp.
func.func @main(%x: tensor<128x384xf32> {pith.name = "x"}, %w: tensor<384x384xf32> {pith.name = "w"}) -> (tensor<128x384xf32> {pith.name = "y"}) {
  %0 = pith.matmul %x, %w : (tensor<128x384xf32>, tensor<384x384xf32>) -> tensor<128x384xf32>
  return %0 : tensor<128x384xf32>
}
