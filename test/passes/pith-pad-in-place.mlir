// RUN: pith-opt %s --pith-pad-in-place --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-pad-in-place --eliminate-empty-tensors --one-shot-bufferize --cse --canonicalize --split-input-file | FileCheck %s --check-prefix=BUFFERS

// A convolution's input padded by one row and column on each side: the
// padded tensor is built before the producer of what it pads, only its
// border filled (rows 0 and 9, columns 0 and 9, every channel), and the
// source inserted into its middle. With empty tensors eliminated, the
// producer writes into the padded buffer: one buffer, nothing copied,
// and no fill of the whole.
// CHECK-LABEL: func.func @padded_input
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x4x10x10xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[EMPTY]][0, 0, 0, 0] [1, 4, 1, 10] [1, 1, 1, 1]
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<1x4x1x10xf32>)
// CHECK: %[[P1:.*]] = tensor.insert_slice %[[ZEROS]] into %[[EMPTY]][0, 0, 0, 0] [1, 4, 1, 10] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[P1]][0, 0, 9, 0] [1, 4, 1, 10] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 4, 10, 1] [1, 1, 1, 1]
// CHECK: %[[LAST:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 9] [1, 4, 10, 1] [1, 1, 1, 1]
// CHECK: %[[BORDERED:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 9] [1, 4, 10, 1] [1, 1, 1, 1]
// CHECK: %[[RELU:.*]] = linalg.generic
// CHECK: tensor.insert_slice %[[RELU]] into %[[BORDERED]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUFFERS-LABEL: func.func @padded_input
// BUFFERS-COUNT-1: memref.alloc()
// BUFFERS-NOT: memref.alloc()
// BUFFERS-NOT: memref.copy
// BUFFERS-NOT: linalg.map
// BUFFERS: return
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @padded_input(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x10x10xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  %padded = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32>
  return %padded : tensor<1x4x10x10xf32>
}

// -----

// Left alone: a pad whose value is not a constant, and one of dynamic
// size.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-2: tensor.pad
func.func @left_alone(%x: tensor<4x8xf32>, %v: f32, %y: tensor<?x8xf32>) -> (tensor<6x8xf32>, tensor<?x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %0 = tensor.pad %x low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %v : f32
  } : tensor<4x8xf32> to tensor<6x8xf32>
  %1 = tensor.pad %y low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<?x8xf32> to tensor<?x10xf32>
  return %0, %1 : tensor<6x8xf32>, tensor<?x10xf32>
}
