// RUN: pith-opt %s --pith-quantize="kinds=depthwise" | FileCheck %s --check-prefix=DEPTHWISE
// RUN: pith-opt %s --pith-quantize="kinds=linear,conv bits=4" | FileCheck %s --check-prefix=OTHERS
// RUN: not pith-opt %s --pith-quantize="kinds=pointwise" 2>&1 | FileCheck %s --check-prefix=BAD

// A layer of each kind: a linear layer, a convolution of one group, and a
// depthwise one (one input channel a group). A grouped convolution with
// two channels a group is a `conv`.
// DEPTHWISE-LABEL: func.func @kinds
//       DEPTHWISE: pith.linear %arg0, %{{[0-9]+}} : (tensor<1x16xf32>, tensor<8x16xf32>)
//       DEPTHWISE: pith.conv %arg1, %{{[0-9]+}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>)
//       DEPTHWISE: pith.dequantize {{.*}} : (tensor<4x1x3x3xi8>, tensor<4xf32>)
//       DEPTHWISE: pith.conv {{.*}}method = "int8 per-channel"
//       DEPTHWISE: pith.conv %arg1, %{{[0-9]+}} {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<8x2x3x3xf32>)
// OTHERS-LABEL: func.func @kinds
//       OTHERS: pith.linear {{.*}}method = "int4 per-channel"
//       OTHERS: pith.conv {{.*}}method = "int4 per-channel"
//       OTHERS: pith.conv %arg1, %{{[0-9]+}} {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>)
//       OTHERS: pith.conv {{.*}}method = "int4 per-channel"
func.func @kinds(%v: tensor<1x16xf32>, %x: tensor<1x4x6x6xf32>) -> (tensor<1x8xf32>, tensor<1x8x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>) {
  %wl = pith.constant dense<0.5> : tensor<8x16xf32>
  %wc = pith.constant dense<0.25> : tensor<8x4x3x3xf32>
  %wd = pith.constant dense<-0.5> : tensor<4x1x3x3xf32>
  %wg = pith.constant dense<2.0> : tensor<8x2x3x3xf32>
  %a = pith.linear %v, %wl : (tensor<1x16xf32>, tensor<8x16xf32>) -> tensor<1x8xf32>
  %b = pith.conv %x, %wc {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  %c = pith.conv %x, %wd {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %d = pith.conv %x, %wg {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %a, %b, %c, %d : tensor<1x8xf32>, tensor<1x8x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>
}

// BAD: error: option 'kinds': unknown layer kind 'pointwise' (linear, conv or depthwise)
