//===- Factorization.h - Low-rank factorization arithmetic ------*- C++ -*-===//
//
// Part of pith. The arithmetic of pith-factorize, apart from the IR so that
// unit tests check it directly: the singular values of a [rows, cols]
// matrix, the rank a budget asks for, and the factors W ~ U V.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_COMPRESSION_FACTORIZATION_H
#define PITH_PASSES_COMPRESSION_FACTORIZATION_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::pith::compression {

/// The singular values of a matrix, largest first, and the singular vectors
/// of its smaller side: left ones ([rows, n], column j for value j) when
/// rows <= cols, else right ones ([cols, n]); n = min(rows, cols).
struct SingularDecomposition {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;
  std::vector<double> vectors;
};

/// The decomposition of `weights` ([rows, cols], row-major), from the
/// eigenvectors of its Gram matrix on the smaller side (cyclic Jacobi, in
/// double precision).
SingularDecomposition singularDecomposition(llvm::ArrayRef<float> weights,
                                            int64_t rows, int64_t cols);

/// How the rank is chosen: exactly one of these is set (non-zero).
struct RankBudget {
  /// Least fraction of the squared singular values (the "energy") kept.
  double energy = 0;
  /// Largest relative error ||W - UV|| / ||W||.
  double maxError = 0;
  /// Largest fraction of the parameters rows * cols that U and V may hold.
  double parameters = 0;
  /// The rank itself.
  int64_t rank = 0;
};

/// The least rank that meets `budget` (at least 1, at most n).
int64_t chooseRank(llvm::ArrayRef<double> values, int64_t rows, int64_t cols,
                   const RankBudget &budget);

/// ||W - W_r|| / ||W|| for the best rank-r approximation W_r.
double truncationError(llvm::ArrayRef<double> values, int64_t rank);

/// W ~ U V with U [rows, rank] and V [rank, cols], the best rank-r
/// approximation (the projection onto the leading singular vectors).
struct LowRankFactors {
  std::vector<float> left, right;
};
LowRankFactors lowRankFactors(llvm::ArrayRef<float> weights,
                              const SingularDecomposition &svd, int64_t rank);

} // namespace mlir::pith::compression

#endif // PITH_PASSES_COMPRESSION_FACTORIZATION_H
