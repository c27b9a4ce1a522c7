// RUN: pith-opt %s --pith-outline-weights=min-bytes=16 --split-input-file | FileCheck %s
// RUN: pith-opt %s --pith-outline-weights=min-bytes=0 --split-input-file | FileCheck %s --check-prefix=ALL

// Constants of at least 16 bytes become trailing arguments named after
// their resource; their values move to the module's pith.weights.
// CHECK: module attributes {pith.weights = {fc.weight = dense_resource<fc.weight> : tensor<2x4xf32>, weight = dense<{{.*}}> : tensor<4xf32>}}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<2x4xf32> {pith.weight = "fc.weight"}, %[[V:.*]]: tensor<4xf32> {pith.weight = "weight"})
func.func @main(%x: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<4xf32>, tensor<2xf32>, tensor<4xf32>) {
  %w = arith.constant dense_resource<fc.weight> : tensor<2x4xf32>
  %v = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  // Too small, and splat: both stay.
  // CHECK: %[[SMALL:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: %[[SPLAT:.*]] = arith.constant dense<5.000000e-01> : tensor<4xf32>
  %small = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %splat = arith.constant dense<0.5> : tensor<4xf32>
  // CHECK: return %[[W]], %[[V]], %[[SMALL]], %[[SPLAT]]
  return %w, %v, %small, %splat : tensor<2x4xf32>, tensor<4xf32>, tensor<2xf32>, tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc.weight: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041"
    }
  }
#-}

// -----

// Private functions keep their constants; boolean tensors, whose memory
// layout differs from their attribute's, too.
// CHECK-NOT: pith.weights
// CHECK-LABEL: func.func private @helper
// CHECK: arith.constant dense
func.func private @helper() -> tensor<8xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  return %c : tensor<8xf32>
}
// Booleans stay constants even when every constant becomes a weight (as
// for GPUs): their attribute packs bits, memory holds bytes.
// CHECK-LABEL: func.func @mask
// CHECK-SAME: () -> tensor<32xi1>
// ALL-LABEL: func.func @mask
// ALL-SAME: () -> tensor<32xi1>
// ALL: arith.constant dense
func.func @mask() -> tensor<32xi1> {
  // CHECK: arith.constant dense
  %m = arith.constant dense<[true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false, true, false]> : tensor<32xi1>
  return %m : tensor<32xi1>
}

// -----

// Names stay unique across functions.
// CHECK: pith.weights = {w = dense_resource<w> : tensor<4xf32>, weight = dense<{{.*}}> : tensor<4xf32>, weight_0 = dense<{{.*}}> : tensor<4xf32>}
// CHECK-LABEL: func.func @a
// CHECK-SAME: {pith.weight = "w"}, %{{.*}}: tensor<4xf32> {pith.weight = "weight"})
func.func @a() -> (tensor<4xf32>, tensor<4xf32>) {
  %c = arith.constant dense_resource<w> : tensor<4xf32>
  %d = arith.constant dense<[1.0, 2.0, 3.0, 6.0]> : tensor<4xf32>
  return %c, %d : tensor<4xf32>, tensor<4xf32>
}
// CHECK-LABEL: func.func @b
// CHECK-SAME: {pith.weight = "weight_0"}
func.func @b() -> tensor<4xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 5.0]> : tensor<4xf32>
  return %c : tensor<4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
