//===- Sparsity.cpp - Pruning arithmetic ----------------------------------===//
//
// Part of pith. Magnitude pruning: unstructured, N:M along rows, and by
// blocks scored by their L2 norm.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Sparsity.h"

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
    std::vector<int64_t> order(pattern.m);
    for (int64_t start = 0; start < rows * cols; start += pattern.m) {
      std::iota(order.begin(), order.end(), start);
      // The m - n smallest magnitudes of the group (first ones on ties).
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        float x = std::fabs(weights[a]), y = std::fabs(weights[b]);
        return x < y || (x == y && a < b);
      });
      for (int64_t i = 0; i < pattern.m - pattern.n; ++i)
        result[order[i]] = 0.0f;
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

} // namespace mlir::pith::compression
