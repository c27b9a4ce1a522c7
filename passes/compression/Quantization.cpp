//===- Quantization.cpp - Weight quantization arithmetic ------------------===//
//
// Part of pith. Round-to-nearest quantization of matrices by row or by
// group, dequantization, and the error measures the report gives.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlir::pith::compression {

std::string QuantScheme::describe() const {
  std::string text = "int" + std::to_string(bits) + " ";
  text += groupSize == 0 ? "per-channel" : "g" + std::to_string(groupSize);
  if (!symmetric)
    text += " asymmetric";
  return text;
}

namespace {

/// `value` rounded half to even and clamped to [low, high].
int8_t roundClamped(double value, int64_t low, int64_t high) {
  double rounded = std::nearbyint(value);
  return static_cast<int8_t>(std::clamp<double>(
      rounded, static_cast<double>(low), static_cast<double>(high)));
}

} // namespace

QuantizedMatrix quantizeRoundToNearest(llvm::ArrayRef<float> weights,
                                       int64_t rows, int64_t cols,
                                       const QuantScheme &scheme) {
  int64_t group = scheme.columnsPerScale(cols);
  int64_t groups = cols / group;
  QuantizedMatrix result;
  result.rows = rows;
  result.cols = cols;
  result.values.resize(rows * cols);
  result.scales.resize(rows * groups);
  if (!scheme.symmetric)
    result.zeroPoints.resize(rows * groups);
  int64_t low = scheme.lowest(), high = scheme.highest();
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t g = 0; g < groups; ++g) {
      const float *in = weights.data() + row * cols + g * group;
      int8_t *out = result.values.data() + row * cols + g * group;
      int64_t index = row * groups + g;
      double scale;
      double zeroPoint = 0;
      if (scheme.symmetric) {
        // The signed value of largest magnitude maps to `low` exactly.
        float extreme = 0;
        for (int64_t i = 0; i < group; ++i)
          if (std::fabs(in[i]) > std::fabs(extreme))
            extreme = in[i];
        scale = extreme / static_cast<double>(low);
      } else {
        float lo = 0, hi = 0;
        for (int64_t i = 0; i < group; ++i) {
          lo = std::min(lo, in[i]);
          hi = std::max(hi, in[i]);
        }
        scale =
            (static_cast<double>(hi) - lo) / static_cast<double>(high - low);
        if (scale != 0)
          zeroPoint = roundClamped(low - lo / scale, low, high);
      }
      // An all-zero group: any scale reproduces it.
      if (scale == 0)
        scale = 1;
      auto stored = static_cast<float>(scale);
      result.scales[index] = stored;
      if (!scheme.symmetric)
        result.zeroPoints[index] = static_cast<int8_t>(zeroPoint);
      for (int64_t i = 0; i < group; ++i)
        out[i] = roundClamped(in[i] / static_cast<double>(stored) + zeroPoint,
                              low, high);
    }
  }
  return result;
}

std::vector<float> dequantize(const QuantizedMatrix &matrix,
                              const QuantScheme &scheme) {
  int64_t group = scheme.columnsPerScale(matrix.cols);
  int64_t groups = matrix.cols / group;
  std::vector<float> result(matrix.values.size());
  for (int64_t row = 0; row < matrix.rows; ++row) {
    for (int64_t col = 0; col < matrix.cols; ++col) {
      int64_t index = row * groups + col / group;
      float zeroPoint =
          matrix.zeroPoints.empty() ? 0.0f : matrix.zeroPoints[index];
      result[row * matrix.cols + col] =
          (matrix.values[row * matrix.cols + col] - zeroPoint) *
          matrix.scales[index];
    }
  }
  return result;
}

ErrorStats compareWeights(llvm::ArrayRef<float> reference,
                          llvm::ArrayRef<float> approximation) {
  double signal = 0, noise = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    double difference = static_cast<double>(reference[i]) - approximation[i];
    signal += static_cast<double>(reference[i]) * reference[i];
    noise += difference * difference;
  }
  ErrorStats stats;
  if (signal == 0) {
    stats.relativeError = noise == 0 ? 0 : 1;
  } else {
    stats.relativeError = std::sqrt(noise / signal);
  }
  stats.sqnrDb = stats.relativeError == 0
                     ? std::numeric_limits<double>::infinity()
                     : -20 * std::log10(stats.relativeError);
  return stats;
}

uint64_t quantizedBytes(int64_t rows, int64_t cols, const QuantScheme &scheme) {
  auto packed = [&](int64_t count) {
    return static_cast<uint64_t>((count * scheme.bits + 7) / 8);
  };
  int64_t scales = rows * (cols / scheme.columnsPerScale(cols));
  uint64_t bytes = packed(rows * cols) + 4 * static_cast<uint64_t>(scales);
  if (!scheme.symmetric)
    bytes += packed(scales);
  return bytes;
}

} // namespace mlir::pith::compression
