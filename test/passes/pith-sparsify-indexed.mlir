// RUN: pith-opt %s --pith-sparsify="sparsity=0.9" | FileCheck %s
// RUN: pith-opt %s --pith-sparsify="sparsity=0.9" --pith-quantize | FileCheck %s --check-prefix=INT8

// The same [2, 64] weight (magnitudes 1..128) pruned to 90% keeps 13
// nonzeros (116..128, all in feature 1). Multiplied into 64 rows, the CPU
// kernel keeps them indexed: each nonzero and its input's place in its
// chunk of 32 (5 bytes each), and for each of the one panel's 2 chunks a
// 4-byte first nonzero and a 1-byte count for each of its 16 features,
// 65 + 40 = 105 bytes. Into one row, as a bitmap: a
// 16-bit mask for each of the 64 inputs and a 4-byte start for the panel,
// and the nonzeros, 132 + 52 = 184 bytes.
// CHECK-LABEL: func.func @many_rows
//       CHECK: pith.masked_densify
//       CHECK: bytes_after = 105 : i64, bytes_before = 512 : i64, layer = "fc", method = "sparse 90% unstructured"
// Quantized to int8 per channel, the nonzeros stay indexed, a byte each
// with a scale per row: dequantize(masked_densify(q, mask), s), 13 x 2 +
// 40 + 2 x 4 = 74 bytes.
// INT8-LABEL: func.func @many_rows
//       INT8: %[[Q:.*]] = pith.masked_densify %{{.*}}, %{{.*}} : (tensor<13xi8>, tensor<2x64xi1>) -> tensor<2x64xi8>
//       INT8: %[[W:.*]] = pith.dequantize %[[Q]], %{{.*}} {axis = 0 : i64} : (tensor<2x64xi8>, tensor<2xf32>) -> tensor<2x64xf32>
//       INT8: pith.linear %{{.*}}, %[[W]]
//  INT8-SAME: bytes_after = 74 : i64, bytes_before = 105 : i64, layer = "fc", method = "int8 per-channel"
func.func @many_rows(%x: tensor<64x64xf32>) -> tensor<64x2xf32> {
  %w = pith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0], [65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0]]> : tensor<2x64xf32>
  %y = pith.linear %x, %w : (tensor<64x64xf32>, tensor<2x64xf32>) -> tensor<64x2xf32> loc("fc")
  return %y : tensor<64x2xf32>
}

// CHECK-LABEL: func.func @one_row
//       CHECK: pith.masked_densify
//       CHECK: bytes_after = 184 : i64, bytes_before = 512 : i64, layer = "fc", method = "sparse 90% unstructured"
// Into one row the bitmap kernel multiplies f32 nonzeros only: int8 is
// stored dense.
// INT8-LABEL: func.func @one_row
//   INT8-NOT: pith.masked_densify
//       INT8: pith.dequantize %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x64xi8>, tensor<2xf32>) -> tensor<2x64xf32>
//       INT8: bytes_after = 136 : i64, bytes_before = 184 : i64, layer = "fc", method = "int8 per-channel"
func.func @one_row(%x: tensor<1x64xf32>) -> tensor<1x2xf32> {
  %w = pith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0], [65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0]]> : tensor<2x64xf32>
  %y = pith.linear %x, %w : (tensor<1x64xf32>, tensor<2x64xf32>) -> tensor<1x2xf32> loc("fc")
  return %y : tensor<1x2xf32>
}

// 48 rows fill no whole block of 64: a bitmap too.
// CHECK-LABEL: func.func @rows_off_the_block
//       CHECK: bytes_after = 184 : i64
func.func @rows_off_the_block(%x: tensor<48x64xf32>) -> tensor<48x2xf32> {
  %w = pith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0, 64.0], [65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0, 80.0, 81.0, 82.0, 83.0, 84.0, 85.0, 86.0, 87.0, 88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 97.0, 98.0, 99.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.0, 109.0, 110.0, 111.0, 112.0, 113.0, 114.0, 115.0, 116.0, 117.0, 118.0, 119.0, 120.0, 121.0, 122.0, 123.0, 124.0, 125.0, 126.0, 127.0, 128.0]]> : tensor<2x64xf32>
  %y = pith.linear %x, %w : (tensor<48x64xf32>, tensor<2x64xf32>) -> tensor<48x2xf32> loc("fc")
  return %y : tensor<48x2xf32>
}
