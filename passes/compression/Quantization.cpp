//===- Quantization.cpp - Weight quantization arithmetic ------------------===//
//
// Part of pith. Quantization of matrices by row or by group, rounded to
// nearest or by GPTQ, dequantization, and the error measures the report
// gives.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Quantization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mlir::pith::compression {

std::string QuantScheme::describe() const {
  std::string text = "int" + std::to_string(bits) + " ";
  text += groupSize == 0 ? "per-channel" : "g" + std::to_string(groupSize);
  if (!symmetric)
    text += " asymmetric";
  if (gptq)
    text += actOrder ? " gptq act-order" : " gptq";
  if (clipSearch)
    text += " clipped";
  if (rotate)
    text += " hadamard-rotated";
  if (scaling == Scaling::Awq)
    text += " awq";
  else if (scaling == Scaling::SmoothQuant)
    text += " smoothquant";
  if (activations == Activations::Dynamic)
    text += ", int8 activations per token";
  else if (activations == Activations::Static)
    text += ", int8 activations static";
  return text;
}

namespace {

/// `value` rounded half to even and clamped to [low, high].
int8_t roundClamped(double value, int64_t low, int64_t high) {
  double rounded = std::nearbyint(value);
  return static_cast<int8_t>(std::clamp<double>(
      rounded, static_cast<double>(low), static_cast<double>(high)));
}

/// The scale (as stored, in f32) and zero point of a group of `count`
/// values under `scheme`: from the group's whole range or, with
/// `scheme.clipSearch`, from the fraction of it whose rounding error,
/// weighted by `importance` (one weight a value; none for equal weights),
/// is least.
struct GroupParameters {
  float scale = 1;
  double zeroPoint = 0;

  GroupParameters(const double *values, int64_t count,
                  const QuantScheme &scheme,
                  const double *importance = nullptr) {
    fit(values, count, scheme, 1.0);
    if (!scheme.clipSearch)
      return;
    double best = error(values, count, scheme, importance);
    for (int step = 1; step <= 10; ++step) {
      GroupParameters clipped = *this;
      clipped.fit(values, count, scheme, 1.0 - 0.05 * step);
      double candidate = clipped.error(values, count, scheme, importance);
      if (candidate < best) {
        best = candidate;
        scale = clipped.scale;
        zeroPoint = clipped.zeroPoint;
      }
    }
  }

  int8_t quantize(double value, const QuantScheme &scheme) const {
    return roundClamped(value / static_cast<double>(scale) + zeroPoint,
                        scheme.lowest(), scheme.highest());
  }
  double dequantize(int8_t value) const { return (value - zeroPoint) * scale; }

private:
  /// Scale and zero point for the group's range shrunk to `fraction`.
  void fit(const double *values, int64_t count, const QuantScheme &scheme,
           double fraction) {
    int64_t low = scheme.lowest(), high = scheme.highest();
    double wide;
    zeroPoint = 0;
    if (scheme.symmetric) {
      // The signed value of largest magnitude maps to `low` exactly.
      double extreme = 0;
      for (int64_t i = 0; i < count; ++i)
        if (std::fabs(values[i]) > std::fabs(extreme))
          extreme = values[i];
      wide = fraction * extreme / static_cast<double>(low);
    } else {
      double lo = 0, hi = 0;
      for (int64_t i = 0; i < count; ++i) {
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
      }
      lo *= fraction;
      hi *= fraction;
      wide = (hi - lo) / static_cast<double>(high - low);
      if (wide != 0)
        zeroPoint = roundClamped(low - lo / wide, low, high);
    }
    // An all-zero group: any scale reproduces it.
    scale = wide != 0 ? static_cast<float>(wide) : 1.0f;
  }

  /// Sum over the group of importance times the squared rounding error.
  double error(const double *values, int64_t count, const QuantScheme &scheme,
               const double *importance) const {
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      double difference = values[i] - dequantize(quantize(values[i], scheme));
      sum += (importance ? importance[i] : 1.0) * difference * difference;
    }
    return sum;
  }
};

QuantizedMatrix emptyResult(int64_t rows, int64_t cols,
                            const QuantScheme &scheme) {
  int64_t groups = cols / scheme.columnsPerScale(cols);
  QuantizedMatrix result;
  result.rows = rows;
  result.cols = cols;
  result.values.resize(rows * cols);
  result.scales.resize(rows * groups);
  if (!scheme.symmetric)
    result.zeroPoints.resize(rows * groups);
  return result;
}

void store(QuantizedMatrix &result, int64_t index,
           const GroupParameters &parameters) {
  result.scales[index] = parameters.scale;
  if (!result.zeroPoints.empty())
    result.zeroPoints[index] = static_cast<int8_t>(parameters.zeroPoint);
}

/// The lower-triangular L with L L^T = `matrix` ([n, n], row-major), in
/// place; false when `matrix` is not positive definite.
bool choleskyInPlace(std::vector<double> &matrix, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double *rowJ = matrix.data() + j * n;
    double diagonal = rowJ[j];
    for (int64_t k = 0; k < j; ++k)
      diagonal -= rowJ[k] * rowJ[k];
    if (!(diagonal > 0))
      return false;
    double pivot = std::sqrt(diagonal);
    rowJ[j] = pivot;
    for (int64_t i = j + 1; i < n; ++i) {
      double *rowI = matrix.data() + i * n;
      double sum = rowI[j];
      for (int64_t k = 0; k < j; ++k)
        sum -= rowI[k] * rowJ[k];
      rowI[j] = sum / pivot;
    }
    for (int64_t k = j + 1; k < n; ++k)
      rowJ[k] = 0;
  }
  return true;
}

} // namespace

QuantizedMatrix quantizeRoundToNearest(llvm::ArrayRef<float> weights,
                                       int64_t rows, int64_t cols,
                                       const QuantScheme &scheme) {
  int64_t group = scheme.columnsPerScale(cols);
  int64_t groups = cols / group;
  QuantizedMatrix result = emptyResult(rows, cols, scheme);
  std::vector<double> values(group);
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t g = 0; g < groups; ++g) {
      const float *in = weights.data() + row * cols + g * group;
      std::copy(in, in + group, values.begin());
      GroupParameters parameters(values.data(), group, scheme);
      store(result, row * groups + g, parameters);
      int8_t *out = result.values.data() + row * cols + g * group;
      for (int64_t i = 0; i < group; ++i)
        out[i] = parameters.quantize(values[i], scheme);
    }
  }
  return result;
}

std::vector<double> dampedHessian(llvm::ArrayRef<float> hessian, int64_t cols,
                                  double damping, std::vector<bool> &dead) {
  std::vector<double> h(hessian.begin(), hessian.end());
  dead.assign(cols, false);
  double meanDiagonal = 0;
  for (int64_t i = 0; i < cols; ++i) {
    if (h[i * cols + i] == 0) {
      dead[i] = true;
      h[i * cols + i] = 1;
    }
    meanDiagonal += h[i * cols + i] / cols;
  }
  for (int64_t i = 0; i < cols; ++i)
    h[i * cols + i] += damping * meanDiagonal;
  return h;
}

// From the Cholesky factor L of H: H^-1 = L^-T L^-1, and U = chol(H^-1)^T.
std::optional<std::vector<double>> inverseCholeskyUpper(std::vector<double> h,
                                                        int64_t n) {
  if (!choleskyInPlace(h, n))
    return std::nullopt;
  // L^-1, lower-triangular, by forward substitution column by column.
  std::vector<double> inverse(n * n, 0.0);
  for (int64_t col = 0; col < n; ++col) {
    inverse[col * n + col] = 1 / h[col * n + col];
    for (int64_t row = col + 1; row < n; ++row) {
      double sum = 0;
      for (int64_t k = col; k < row; ++k)
        sum += h[row * n + k] * inverse[k * n + col];
      inverse[row * n + col] = -sum / h[row * n + row];
    }
  }
  // H^-1 = (L^-1)^T L^-1: entry (i, j) sums over k >= max(i, j).
  std::vector<double> hessianInverse(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double sum = 0;
      for (int64_t k = i; k < n; ++k)
        sum += inverse[k * n + i] * inverse[k * n + j];
      hessianInverse[i * n + j] = hessianInverse[j * n + i] = sum;
    }
  if (!choleskyInPlace(hessianInverse, n))
    return std::nullopt;
  std::vector<double> upper(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      upper[i * n + j] = hessianInverse[j * n + i];
  return upper;
}

std::optional<QuantizedMatrix> quantizeGptq(llvm::ArrayRef<float> weights,
                                            int64_t rows, int64_t cols,
                                            const QuantScheme &scheme,
                                            llvm::ArrayRef<float> hessian,
                                            double damping, bool actOrder) {
  std::vector<bool> dead;
  std::vector<double> h = dampedHessian(hessian, cols, damping, dead);
  // The order columns are quantized in: as they come, or by decreasing
  // E[x_j^2], so that the inputs that matter most go first while many
  // columns are left to absorb their errors.
  std::vector<int64_t> order(cols);
  std::iota(order.begin(), order.end(), 0);
  if (actOrder)
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      double left = h[a * cols + a], right = h[b * cols + b];
      return left != right ? left > right : a < b;
    });
  std::vector<double> permuted(cols * cols);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = 0; j < cols; ++j)
      permuted[i * cols + j] = h[order[i] * cols + order[j]];
  std::optional<std::vector<double>> upper =
      inverseCholeskyUpper(std::move(permuted), cols);
  if (!upper)
    return std::nullopt;

  int64_t group = scheme.columnsPerScale(cols);
  int64_t groups = cols / group;
  QuantizedMatrix result = emptyResult(rows, cols, scheme);
  // How much each column's error costs the outputs: E[x_j^2], by original
  // column and in the order columns go.
  std::vector<double> importance(cols), orderedImportance(cols);
  for (int64_t c = 0; c < cols; ++c)
    importance[c] = h[c * cols + c];
  for (int64_t i = 0; i < cols; ++i)
    orderedImportance[i] = importance[order[i]];
  // Each row's columns depend on that row alone, so rows go one at a time.
  std::vector<double> original(cols), row(cols);
  std::vector<GroupParameters> parameters;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c)
      original[c] = dead[c] ? 0.0 : weights[r * cols + c];
    for (int64_t i = 0; i < cols; ++i)
      row[i] = original[order[i]];
    // In act order a group's columns are scattered: its scale comes from
    // the weights as they were. In column order it comes from the
    // weights as the earlier columns' errors left them.
    parameters.clear();
    if (actOrder)
      for (int64_t g = 0; g < groups; ++g)
        parameters.emplace_back(original.data() + g * group, group, scheme,
                                importance.data() + g * group);
    for (int64_t i = 0; i < cols; ++i) {
      int64_t c = order[i];
      if (!actOrder && c % group == 0)
        parameters.emplace_back(row.data() + i, group, scheme,
                                orderedImportance.data() + i);
      const GroupParameters &groupParameters = parameters[c / group];
      int8_t value = groupParameters.quantize(row[i], scheme);
      result.values[r * cols + c] = value;
      const double *u = upper->data() + i * cols;
      double error = (row[i] - groupParameters.dequantize(value)) / u[i];
      for (int64_t k = i + 1; k < cols; ++k)
        row[k] -= error * u[k];
    }
    for (int64_t g = 0; g < groups; ++g)
      store(result, r * groups + g, parameters[g]);
  }
  return result;
}

std::vector<float> smoothQuantScales(llvm::ArrayRef<float> weights,
                                     int64_t rows, int64_t cols,
                                     llvm::ArrayRef<float> channelAbsMax,
                                     double alpha) {
  std::vector<float> weightMax(cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      weightMax[c] = std::max(weightMax[c], std::fabs(weights[r * cols + c]));
  std::vector<float> scales(cols, 1.0f);
  for (int64_t c = 0; c < cols; ++c)
    if (channelAbsMax[c] > 0 && weightMax[c] > 0)
      scales[c] = static_cast<float>(std::pow(channelAbsMax[c], alpha) /
                                     std::pow(weightMax[c], 1 - alpha));
  return scales;
}

int64_t hadamardBlock(int64_t cols) {
  int64_t block = 1;
  while (block < kHadamardBlock && cols % (2 * block) == 0)
    block *= 2;
  return block;
}

void hadamardRotateRows(llvm::MutableArrayRef<float> matrix, int64_t rows,
                        int64_t cols, int64_t block) {
  float norm = static_cast<float>(1 / std::sqrt(static_cast<double>(block)));
  for (int64_t start = 0; start < rows * cols; start += block) {
    float *values = matrix.data() + start;
    for (int64_t half = 1; half < block; half *= 2)
      for (int64_t pair = 0; pair < block; pair += 2 * half)
        for (int64_t i = pair; i < pair + half; ++i) {
          float a = values[i], b = values[i + half];
          values[i] = a + b;
          values[i + half] = a - b;
        }
    for (int64_t i = 0; i < block; ++i)
      values[i] *= norm;
  }
}

void hadamardRotateMoment(std::vector<float> &matrix, int64_t n,
                          int64_t block) {
  // M R, then its transpose R M (M is symmetric), then R M R.
  hadamardRotateRows(matrix, n, n, block);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      std::swap(matrix[i * n + j], matrix[j * n + i]);
  hadamardRotateRows(matrix, n, n, block);
}

void scaleColumns(std::vector<float> &matrix, int64_t rows, int64_t cols,
                  llvm::ArrayRef<float> scales, bool divide) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      matrix[r * cols + c] = divide ? matrix[r * cols + c] / scales[c]
                                    : matrix[r * cols + c] * scales[c];
}

std::vector<float> awqScales(llvm::ArrayRef<float> weights, int64_t rows,
                             int64_t cols, const QuantScheme &scheme,
                             llvm::ArrayRef<float> channelAbsMean,
                             llvm::ArrayRef<float> hessian) {
  int64_t sampled = std::min(rows, kErrorSampleRows);
  std::vector<float> sample = sampleRows(weights, rows, cols, sampled);
  double floor = std::numeric_limits<float>::min();
  std::vector<float> best(cols, 1.0f);
  double bestError = std::numeric_limits<double>::infinity();
  for (int step = 0; step < 20; ++step) {
    double alpha = step * 0.05;
    std::vector<float> scales(cols);
    double low = std::numeric_limits<double>::infinity(), high = 0;
    for (int64_t c = 0; c < cols; ++c) {
      scales[c] = static_cast<float>(
          std::pow(std::max<double>(channelAbsMean[c], floor), alpha));
      low = std::min<double>(low, scales[c]);
      high = std::max<double>(high, scales[c]);
    }
    auto middle = static_cast<float>(std::sqrt(low * high));
    for (float &scale : scales)
      scale /= middle;
    std::vector<float> scaled = sample;
    scaleColumns(scaled, sampled, cols, scales);
    std::vector<float> approximation = dequantize(
        quantizeRoundToNearest(scaled, sampled, cols, scheme), scheme);
    scaleColumns(approximation, sampled, cols, scales, /*divide=*/true);
    double error =
        relativeOutputError(sample, approximation, sampled, cols, hessian);
    if (error < bestError) {
      bestError = error;
      best = std::move(scales);
    }
  }
  return best;
}

std::vector<float> sampleRows(llvm::ArrayRef<float> matrix, int64_t rows,
                              int64_t cols, int64_t count) {
  std::vector<float> sample(count * cols);
  for (int64_t i = 0; i < count; ++i) {
    const float *row = matrix.data() + (i * rows / count) * cols;
    std::copy(row, row + cols, sample.begin() + i * cols);
  }
  return sample;
}

double relativeOutputError(llvm::ArrayRef<float> reference,
                           llvm::ArrayRef<float> approximation, int64_t rows,
                           int64_t cols, llvm::ArrayRef<float> hessian,
                           int64_t groups) {
  double signal = 0, noise = 0;
  std::vector<double> w(cols), d(cols);
  int64_t rowsPerGroup = rows / groups;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      w[c] = reference[r * cols + c];
      d[c] = w[c] - approximation[r * cols + c];
    }
    const float *groupHessian =
        hessian.data() + (r / rowsPerGroup) * cols * cols;
    for (int64_t i = 0; i < cols; ++i) {
      const float *h = groupHessian + i * cols;
      double hw = 0, hd = 0;
      for (int64_t j = 0; j < cols; ++j) {
        hw += h[j] * w[j];
        hd += h[j] * d[j];
      }
      signal += w[i] * hw;
      noise += d[i] * hd;
    }
  }
  if (signal <= 0)
    return noise <= 0 ? 0 : 1;
  return std::sqrt(std::max(noise, 0.0) / signal);
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
