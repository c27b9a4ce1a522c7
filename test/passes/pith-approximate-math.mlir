// RUN: pith-opt %s --pith-approximate-math | FileCheck %s

// exp, log, erf and tanh become arithmetic (f16 computed in f32); sin
// keeps its libm call.
// CHECK-LABEL: func.func @functions
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: math.sin
func.func @functions(%x: f32, %h: f16) -> (f32, f32, f32, f32, f16, f32) {
  %0 = math.exp %x : f32
  %1 = math.log %x : f32
  %2 = math.erf %x : f32
  %3 = math.tanh %x : f32
  %4 = math.exp %h : f16
  %5 = math.sin %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f16, f32
}
