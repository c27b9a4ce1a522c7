//===- Sparsity.cpp - Pruning arithmetic ----------------------------------===//
//
// Part of pith. Magnitude pruning: unstructured, N:M along rows, and by
// blocks scored by their L2 norm.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Sparsity.h"

#include "passes/compression/Quantization.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlir::pith::compression {

std::optional<SparsityPattern> SparsityPattern::parse(llvm::StringRef text) {
  SparsityPattern pattern;
  if (text == "unstructured")
    return pattern;
  if (text.consume_front("block")) {
    auto [rows, cols] = text.split('x');
    pattern.kind = Kind::Block;
    if (rows.getAsInteger(10, pattern.blockRows) ||
        cols.getAsInteger(10, pattern.blockCols) || pattern.blockRows <= 0 ||
        pattern.blockCols <= 0)
      return std::nullopt;
    return pattern;
  }
  auto [n, m] = text.split(':');
  pattern.kind = Kind::NOfM;
  if (n.getAsInteger(10, pattern.n) || m.getAsInteger(10, pattern.m) ||
      pattern.n <= 0 || pattern.m <= pattern.n)
    return std::nullopt;
  return pattern;
}

std::string SparsityPattern::describe() const {
  switch (kind) {
  case Kind::Unstructured:
    return "unstructured";
  case Kind::NOfM:
    return std::to_string(n) + ":" + std::to_string(m);
  case Kind::Block:
    return "block " + std::to_string(blockRows) + "x" +
           std::to_string(blockCols);
  }
  return "";
}

bool SparsityPattern::fits(int64_t rows, int64_t cols) const {
  switch (kind) {
  case Kind::Unstructured:
    return true;
  case Kind::NOfM:
    return cols % m == 0;
  case Kind::Block:
    return rows % blockRows == 0 && cols % blockCols == 0;
  }
  return false;
}

std::vector<float> pruningScores(llvm::ArrayRef<float> weights, int64_t rows,
                                 int64_t cols, const SparsityPattern &pattern) {
  std::vector<float> scores;
  if (pattern.kind != SparsityPattern::Kind::Block) {
    scores.reserve(weights.size());
    for (float w : weights)
      scores.push_back(std::fabs(w));
    return scores;
  }
  for (int64_t r0 = 0; r0 < rows; r0 += pattern.blockRows)
    for (int64_t c0 = 0; c0 < cols; c0 += pattern.blockCols) {
      double sum = 0;
      for (int64_t r = r0; r < r0 + pattern.blockRows; ++r)
        for (int64_t c = c0; c < c0 + pattern.blockCols; ++c)
          sum += static_cast<double>(weights[r * cols + c]) *
                 weights[r * cols + c];
      scores.push_back(static_cast<float>(std::sqrt(sum)));
    }
  return scores;
}

float scoreThreshold(std::vector<float> scores, double sparsity) {
  auto count = static_cast<size_t>(sparsity * scores.size());
  if (count == 0 || scores.empty())
    return 0.0f;
  std::nth_element(scores.begin(), scores.begin() + (count - 1), scores.end());
  // Everything at or below the count-th smallest goes; ties with it go too.
  return std::nextafter(scores[count - 1], INFINITY);
}

int64_t packedPositionBytes(int64_t n, int64_t m) {
  if (m < 2 || m > 16 || (m & (m - 1)) != 0)
    return 0;
  int64_t bits = n * static_cast<int64_t>(std::log2(m));
  return bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 0;
}

uint64_t keptBytes(int64_t rows, int64_t cols, int64_t n, int64_t m) {
  auto groups = static_cast<uint64_t>(rows * (cols / m));
  return groups * (n * sizeof(float) + packedPositionBytes(n, m));
}

std::vector<float> densifyKept(llvm::ArrayRef<float> values,
                               llvm::ArrayRef<int8_t> positions, int64_t rows,
                               int64_t cols, int64_t n, int64_t m) {
  std::vector<float> dense(rows * cols, 0.0f);
  for (size_t i = 0; i < values.size(); ++i)
    dense[i / n * m + static_cast<uint8_t>(positions[i])] = values[i];
  return dense;
}

uint64_t bitmapBytes(int64_t rows, int64_t cols, int64_t nonzeros) {
  auto panels = static_cast<uint64_t>((rows + kBitmapPanelRows - 1) /
                                      kBitmapPanelRows);
  return panels * (cols * sizeof(uint16_t) + sizeof(int32_t)) +
         static_cast<uint64_t>(nonzeros) * sizeof(float);
}

bool multipliesIndexed(int64_t inputRows) {
  return inputRows >= kIndexedRowBlock;
}

int64_t indexedPaddedRows(int64_t inputRows) {
  int64_t vectors = llvm::divideCeil(inputRows, kIndexedRowVector);
  while (vectors % 3 != 0 && vectors % 4 != 0)
    ++vectors;
  return vectors * kIndexedRowVector;
}

uint64_t indexedBytes(int64_t rows, int64_t cols, int64_t nonzeros,
                      int64_t valueBytes) {
  auto runs =
      static_cast<uint64_t>(llvm::divideCeil(rows, kBitmapPanelRows) *
                            llvm::divideCeil(cols, kIndexedChunkInputs));
  return static_cast<uint64_t>(nonzeros) * (valueBytes + sizeof(uint8_t)) +
         runs * (sizeof(int32_t) + kBitmapPanelRows * sizeof(uint8_t));
}

uint64_t maskedBytes(int64_t rows, int64_t cols, int64_t nonzeros,
                     int64_t inputRows) {
  return multipliesIndexed(inputRows) ? indexedBytes(rows, cols, nonzeros)
                                      : bitmapBytes(rows, cols, nonzeros);
}

uint64_t nOfMBytes(int64_t rows, int64_t cols, int64_t n, int64_t m,
                   int64_t inputRows) {
  return multipliesIndexed(inputRows)
             ? indexedBytes(rows, cols, rows * (cols / m) * n)
             : keptBytes(rows, cols, n, m);
}

namespace {

template <typename T>
std::optional<std::vector<T>> expandMaskedValues(llvm::ArrayRef<T> values,
                                                 llvm::ArrayRef<int8_t> mask) {
  std::vector<T> dense(mask.size(), T());
  size_t next = 0;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i] == 0)
      continue;
    if (next == values.size())
      return std::nullopt;
    dense[i] = values[next++];
  }
  if (next != values.size())
    return std::nullopt;
  return dense;
}

} // namespace

std::optional<std::vector<float>> expandMasked(llvm::ArrayRef<float> values,
                                               llvm::ArrayRef<int8_t> mask) {
  return expandMaskedValues(values, mask);
}

std::optional<std::vector<int8_t>> expandMasked(llvm::ArrayRef<int8_t> values,
                                                llvm::ArrayRef<int8_t> mask) {
  return expandMaskedValues(values, mask);
}

std::vector<int64_t> keptPositions(llvm::ArrayRef<float> weights,
                                   const SparsityPattern &pattern) {
  std::vector<int64_t> kept, order(pattern.m);
  kept.reserve(weights.size() / pattern.m * pattern.n);
  for (size_t start = 0; start + pattern.m <= weights.size();
       start += pattern.m) {
    std::iota(order.begin(), order.end(), 0);
    // The m - n smallest magnitudes go (first ones on ties): the rest stay.
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      float x = std::fabs(weights[start + a]), y = std::fabs(weights[start + b]);
      return x < y || (x == y && a < b);
    });
    std::sort(order.begin() + (pattern.m - pattern.n), order.end());
    kept.insert(kept.end(), order.begin() + (pattern.m - pattern.n),
                order.end());
  }
  return kept;
}

std::vector<float> prune(llvm::ArrayRef<float> weights, int64_t rows,
                         int64_t cols, const SparsityPattern &pattern,
                         float threshold) {
  std::vector<float> result(weights.begin(), weights.end());
  switch (pattern.kind) {
  case SparsityPattern::Kind::Unstructured:
    for (float &w : result)
      if (std::fabs(w) < threshold)
        w = 0.0f;
    break;
  case SparsityPattern::Kind::NOfM: {
    std::vector<int64_t> kept = keptPositions(weights, pattern);
    std::fill(result.begin(), result.end(), 0.0f);
    for (size_t i = 0; i < kept.size(); ++i) {
      size_t at = i / pattern.n * pattern.m + kept[i];
      result[at] = weights[at];
    }
    break;
  }
  case SparsityPattern::Kind::Block: {
    std::vector<float> scores = pruningScores(weights, rows, cols, pattern);
    size_t block = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += pattern.blockRows)
      for (int64_t c0 = 0; c0 < cols; c0 += pattern.blockCols, ++block)
        if (scores[block] < threshold)
          for (int64_t r = r0; r < r0 + pattern.blockRows; ++r)
            for (int64_t c = c0; c < c0 + pattern.blockCols; ++c)
              result[r * cols + c] = 0.0f;
    break;
  }
  }
  return result;
}

std::optional<std::vector<float>>
pruneCompensated(llvm::ArrayRef<float> weights, int64_t rows, int64_t cols,
                 const SparsityPattern &pattern, double sparsity,
                 llvm::ArrayRef<float> hessian, double damping) {
  std::vector<bool> dead;
  std::optional<std::vector<double>> upper = inverseCholeskyUpper(
      dampedHessian(hessian, cols, damping, dead), cols);
  if (!upper)
    return std::nullopt;
  bool nOfM = pattern.kind == SparsityPattern::Kind::NOfM;
  int64_t block = nOfM ? pattern.m : std::min(kSaliencyBlock, cols);
  std::vector<float> result(weights.size());
  std::vector<double> row(cols), saliency;
  std::vector<bool> pruned(cols);
  std::vector<int64_t> order;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c)
      row[c] = dead[c] ? 0.0 : weights[r * cols + c];
    for (int64_t start = 0; start < cols; start += block) {
      // The block's weights, least salient first (the first ones on ties).
      int64_t size = std::min(block, cols - start);
      saliency.resize(size);
      order.resize(size);
      for (int64_t i = 0; i < size; ++i) {
        double diagonal = (*upper)[(start + i) * cols + start + i];
        saliency[i] = row[start + i] * row[start + i] / (diagonal * diagonal);
      }
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return saliency[a] < saliency[b] ||
               (saliency[a] == saliency[b] && a < b);
      });
      auto going = nOfM ? pattern.m - pattern.n
                        : static_cast<int64_t>(std::lround(sparsity * size));
      std::fill(pruned.begin() + start, pruned.begin() + start + size, false);
      for (int64_t i = 0; i < going; ++i)
        pruned[start + order[i]] = true;
      for (int64_t c = start; c < start + size; ++c) {
        if (!pruned[c]) {
          result[r * cols + c] = static_cast<float>(row[c]);
          continue;
        }
        result[r * cols + c] = 0.0f;
        const double *u = upper->data() + c * cols;
        double error = row[c] / u[c];
        for (int64_t k = c + 1; k < cols; ++k)
          row[k] -= error * u[k];
      }
    }
  }
  return result;
}

} // namespace mlir::pith::compression
