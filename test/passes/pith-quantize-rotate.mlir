// RUN: pith-opt %s --split-input-file --pith-quantize="bits=4 group-size=32 rotate=true" --verify-diagnostics | FileCheck %s
// RUN: not pith-opt %s --split-input-file --pith-quantize="rotate=true scaling=awq" 2>&1 | FileCheck %s --check-prefix=SCALING
// RUN: not pith-opt %s --split-input-file --pith-quantize="rotate=true activations=static" 2>&1 | FileCheck %s --check-prefix=STATIC
// RUN: pith-opt %s --split-input-file --pith-quantize="rotate=true activations=dynamic only=wide" | FileCheck %s --check-prefix=DYNAMIC

// 256 input features: blocks of 128, x viewed [2, 2, 8, 16] and multiplied
// by H_8 on the left and H_16 on the right (each over its norm), then the
// layer multiplies the rotated x by the quantized W R.
// CHECK-LABEL: func.func @wide
//       CHECK: %[[W:.*]] = pith.dequantize {{.*}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<4x256xi4>, tensor<4x8xf32>) -> tensor<4x256xf32>
//       CHECK: %[[VIEW:.*]] = pith.reshape %arg0 : tensor<2x256xf32> to tensor<2x2x8x16xf32>
//       CHECK: %[[H8:.*]] = pith.constant dense<{{.*}}0.353553385{{.*}}-0.353553385{{.*}}> : tensor<8x8xf32>
//       CHECK: %[[LEFT:.*]] = pith.matmul %[[H8]], %[[VIEW]] : (tensor<8x8xf32>, tensor<2x2x8x16xf32>) -> tensor<2x2x8x16xf32>
//       CHECK: %[[H16:.*]] = pith.constant dense<"0x0000803E0000803E{{.*}}000080BE{{.*}}"> : tensor<16x16xf32>
//       CHECK: %[[RIGHT:.*]] = pith.matmul %[[LEFT]], %[[H16]] : (tensor<2x2x8x16xf32>, tensor<16x16xf32>) -> tensor<2x2x8x16xf32>
//       CHECK: %[[X:.*]] = pith.reshape %[[RIGHT]] : tensor<2x2x8x16xf32> to tensor<2x256xf32>
//       CHECK: pith.linear %[[X]], %[[W]] {pith.compression = [{{.*}}method = "int4 g32 hadamard-rotated"
// DYNAMIC-LABEL: func.func @wide
//       DYNAMIC: %[[X:.*]] = pith.reshape %{{.*}} : tensor<2x2x8x16xf32> to tensor<2x256xf32>
//       DYNAMIC: pith.abs %[[X]]
//       DYNAMIC: %[[SCALED:.*]] = pith.mul %[[X]]
//       DYNAMIC: pith.quantize %[[SCALED]]
//       DYNAMIC: method = "int8 per-channel hadamard-rotated, int8 activations per token"
func.func @wide(%x: tensor<2x256xf32>) -> tensor<2x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x256xf32>
  %y = pith.linear %x, %w : (tensor<2x256xf32>, tensor<4x256xf32>) -> tensor<2x4xf32> loc("wide")
  return %y : tensor<2x4xf32>
}

// -----

// 96 input features: blocks of 32 (the largest power of two dividing 96),
// x viewed [1, 3, 2, 16].
// CHECK-LABEL: func.func @narrow
//       CHECK: pith.reshape %arg0 : tensor<1x96xf32> to tensor<1x3x2x16xf32>
//       CHECK: pith.matmul %{{.*}}, %{{.*}} : (tensor<2x2xf32>, tensor<1x3x2x16xf32>) -> tensor<1x3x2x16xf32>
//       CHECK: pith.matmul %{{.*}}, %{{.*}} : (tensor<1x3x2x16xf32>, tensor<16x16xf32>) -> tensor<1x3x2x16xf32>
func.func @narrow(%x: tensor<1x96xf32>) -> tensor<1x4xf32> {
  %w = pith.constant dense<0.5> : tensor<4x96xf32>
  %y = pith.linear %x, %w : (tensor<1x96xf32>, tensor<4x96xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// SCALING: error: pith-quantize: rotate and scaling=awq are alternatives: both reshape the input features' outliers; choose one
// STATIC: error: pith-quantize: rotate needs activations=none or dynamic: a static scale is calibrated on x, not on the rotated x
