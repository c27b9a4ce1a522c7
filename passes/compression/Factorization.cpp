//===- Factorization.cpp - Low-rank factorization arithmetic --------------===//
//
// Part of pith. Singular values from the Gram matrix of the smaller side,
// rank budgets, and the factors of the best rank-r approximation.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Factorization.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlir::pith::compression {
namespace {

/// Eigenvalues and eigenvectors (columns of `vectors`, n x n) of the
/// symmetric `matrix` (n x n, overwritten), by cyclic Jacobi rotations.
void symmetricEigen(std::vector<double> &matrix, int64_t n,
                    std::vector<double> &values, std::vector<double> &vectors) {
  vectors.assign(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    vectors[i * n + i] = 1.0;
  auto at = [&](int64_t i, int64_t j) -> double & { return matrix[i * n + j]; };
  double total = 0;
  for (double value : matrix)
    total += value * value;
  for (int sweep = 0; sweep < 50; ++sweep) {
    double off = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j)
        off += at(i, j) * at(i, j);
    if (off <= 1e-30 * total)
      break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        double apq = at(p, q);
        if (std::fabs(apq) < 1e-300)
          continue;
        // The rotation that zeroes (p, q).
        double theta = (at(q, q) - at(p, p)) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) /
                   (std::fabs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {
          double akp = at(k, p), akq = at(k, q);
          at(k, p) = c * akp - s * akq;
          at(k, q) = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {
          double apk = at(p, k), aqk = at(q, k);
          at(p, k) = c * apk - s * aqk;
          at(q, k) = s * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          double vkp = vectors[k * n + p], vkq = vectors[k * n + q];
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  values.resize(n);
  for (int64_t i = 0; i < n; ++i)
    values[i] = at(i, i);
}

} // namespace

SingularDecomposition singularDecomposition(llvm::ArrayRef<float> weights,
                                            int64_t rows, int64_t cols) {
  bool leftSide = rows <= cols;
  int64_t n = std::min(rows, cols);
  // The Gram matrix of the smaller side: W Wᵀ or Wᵀ W.
  std::vector<double> gram(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i; j < n; ++j) {
      double sum = 0;
      if (leftSide) {
        for (int64_t k = 0; k < cols; ++k)
          sum += static_cast<double>(weights[i * cols + k]) *
                 weights[j * cols + k];
      } else {
        for (int64_t k = 0; k < rows; ++k)
          sum += static_cast<double>(weights[k * cols + i]) *
                 weights[k * cols + j];
      }
      gram[i * n + j] = gram[j * n + i] = sum;
    }
  }
  std::vector<double> eigenvalues, eigenvectors;
  symmetricEigen(gram, n, eigenvalues, eigenvectors);
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return eigenvalues[a] > eigenvalues[b];
  });
  SingularDecomposition result;
  result.rows = rows;
  result.cols = cols;
  result.values.resize(n);
  result.vectors.resize(n * n);
  for (int64_t j = 0; j < n; ++j) {
    result.values[j] = std::sqrt(std::max(0.0, eigenvalues[order[j]]));
    for (int64_t i = 0; i < n; ++i)
      result.vectors[i * n + j] = eigenvectors[i * n + order[j]];
  }
  return result;
}

double truncationError(llvm::ArrayRef<double> values, int64_t rank) {
  double total = 0, dropped = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    total += values[i] * values[i];
    if (static_cast<int64_t>(i) >= rank)
      dropped += values[i] * values[i];
  }
  return total == 0 ? 0 : std::sqrt(dropped / total);
}

int64_t chooseRank(llvm::ArrayRef<double> values, int64_t rows, int64_t cols,
                   const RankBudget &budget) {
  auto n = static_cast<int64_t>(values.size());
  if (budget.rank > 0)
    return std::min(budget.rank, n);
  if (budget.parameters > 0)
    return std::clamp<int64_t>(
        static_cast<int64_t>(budget.parameters * rows * cols / (rows + cols)),
        1, n);
  double maxError = budget.maxError > 0
                        ? budget.maxError
                        : std::sqrt(std::max(0.0, 1.0 - budget.energy));
  for (int64_t rank = 1; rank < n; ++rank)
    if (truncationError(values, rank) <= maxError)
      return rank;
  return n;
}

LowRankFactors lowRankFactors(llvm::ArrayRef<float> weights,
                              const SingularDecomposition &svd, int64_t rank) {
  int64_t rows = svd.rows, cols = svd.cols, n = std::min(rows, cols);
  LowRankFactors factors;
  factors.left.assign(rows * rank, 0.0f);
  factors.right.assign(rank * cols, 0.0f);
  if (rows <= cols) {
    // W ~ E_r (E_rᵀ W): U = E_r, V = E_rᵀ W.
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < rank; ++j)
        factors.left[i * rank + j] = static_cast<float>(svd.vectors[i * n + j]);
    for (int64_t j = 0; j < rank; ++j)
      for (int64_t k = 0; k < cols; ++k) {
        double sum = 0;
        for (int64_t i = 0; i < rows; ++i)
          sum += svd.vectors[i * n + j] * weights[i * cols + k];
        factors.right[j * cols + k] = static_cast<float>(sum);
      }
  } else {
    // W ~ (W F_r) F_rᵀ: U = W F_r, V = F_rᵀ.
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < rank; ++j) {
        double sum = 0;
        for (int64_t k = 0; k < cols; ++k)
          sum += static_cast<double>(weights[i * cols + k]) *
                 svd.vectors[k * n + j];
        factors.left[i * rank + j] = static_cast<float>(sum);
      }
    for (int64_t j = 0; j < rank; ++j)
      for (int64_t k = 0; k < cols; ++k)
        factors.right[j * cols + k] =
            static_cast<float>(svd.vectors[k * n + j]);
  }
  return factors;
}

} // namespace mlir::pith::compression
