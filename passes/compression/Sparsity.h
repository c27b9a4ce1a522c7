//===- Sparsity.h - Pruning arithmetic --------------------------*- C++ -*-===//
//
// Part of pith. The arithmetic of pith-sparsify, apart from the IR so that
// unit tests check it directly: which weights of a [rows, cols] matrix to
// zero for unstructured, N:M and block sparsity.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_COMPRESSION_SPARSITY_H
#define PITH_PASSES_COMPRESSION_SPARSITY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::pith::compression {

/// Which weights may be zeroed together.
struct SparsityPattern {
  enum class Kind { Unstructured, NOfM, Block } kind = Kind::Unstructured;
  /// N:M: keep n of every m consecutive weights of a row.
  int64_t n = 0, m = 0;
  /// Block: blocks of blockRows x blockCols weights.
  int64_t blockRows = 0, blockCols = 0;

  /// "unstructured", "2:4", "block4x4"; nothing for anything else.
  static std::optional<SparsityPattern> parse(llvm::StringRef text);
  /// "unstructured", "2:4", "block 4x4".
  std::string describe() const;
  /// Whether a [rows, cols] matrix divides into the pattern's groups.
  bool fits(int64_t rows, int64_t cols) const;
};

/// The score of each unit the pattern prunes (a weight's magnitude, or a
/// block's L2 norm), for a threshold shared by several matrices.
std::vector<float> pruningScores(llvm::ArrayRef<float> weights, int64_t rows,
                                 int64_t cols, const SparsityPattern &pattern);

/// The score below which a fraction `sparsity` of `scores` lies.
float scoreThreshold(std::vector<float> scores, double sparsity);

/// The bytes in which pith's CPU kernels keep the positions of one N:M
/// group (log2 m bits for each of the n kept values): 1, 2 or 4; 0 where m
/// is not a power of two up to 16 or they need more than 32 bits (such
/// patterns are stored dense).
int64_t packedPositionBytes(int64_t n, int64_t m);

/// The bytes an N:M-sparse [rows, cols] f32 weight is stored in: its kept
/// values and packedPositionBytes per group.
uint64_t keptBytes(int64_t rows, int64_t cols, int64_t n, int64_t m);

/// The dense [rows, cols] weight of N:M kept `values` and their
/// `positions` within each group of m (a byte each, unsigned), as
/// pith.densify defines it.
std::vector<float> densifyKept(llvm::ArrayRef<float> values,
                               llvm::ArrayRef<int8_t> positions, int64_t rows,
                               int64_t cols, int64_t n, int64_t m);

/// Output features that pith's CPU kernels pack together for bitmap-sparse
/// weights: each input's mask over them is one 16-bit integer.
inline constexpr int64_t kBitmapPanelRows = 16;

/// The bytes in which pith's CPU kernels keep a [rows, cols] f32 weight
/// with `nonzeros` nonzeros as a bitmap (pith.masked_densify): the
/// nonzeros, and for each kBitmapPanelRows rows a 16-bit mask per column
/// and the 4-byte offset of its first nonzero.
uint64_t bitmapBytes(int64_t rows, int64_t cols, int64_t nonzeros);

/// Rows of input from which pith's CPU kernel multiplies a masked weight's
/// nonzeros into many rows at a time (by output feature, vectorized along
/// the rows, in vectors of kIndexedRowVector rows, the last padded): the
/// weight is then kept indexed rather than as a bitmap.
inline constexpr int64_t kIndexedRowBlock = 64;
inline constexpr int64_t kIndexedRowVector = 16;

/// The rows the indexed kernel multiplies for `inputRows` rows of input
/// (at least kIndexedRowBlock): whole vectors of kIndexedRowVector, as
/// many as 3 or 4 divides (blocks of vectors of 3, 4, 6 or 8 keep its
/// chains apart), the rows past `inputRows` zero.
int64_t indexedPaddedRows(int64_t inputRows);

/// Whether pith's CPU kernel multiplies a masked weight into `inputRows`
/// rows of input by its indexed form: at least kIndexedRowBlock rows.
bool multipliesIndexed(int64_t inputRows);

/// Inputs whose nonzeros the indexed form keeps together, per panel of
/// kBitmapPanelRows features, so that a panel's nonzeros are one stream
/// in chunk, feature, input order; their rows of x transposed (for 128
/// rows: 16 KiB) stay in L1 while the panel's features walk them, and an
/// input's place in its chunk fits a byte.
inline constexpr int64_t kIndexedChunkInputs = 32;

/// The bytes of a [rows, cols] weight with `nonzeros` nonzeros of
/// `valueBytes` bytes (f32's 4, int8's 1) in its indexed form: each
/// nonzero and its input's place in its chunk of kIndexedChunkInputs (a
/// byte), and for each panel of kBitmapPanelRows rows and chunk the 4-byte
/// offset of its first nonzero and each row's count (a byte). Int8
/// nonzeros' scales are not counted.
uint64_t indexedBytes(int64_t rows, int64_t cols, int64_t nonzeros,
                      int64_t valueBytes = sizeof(float));

/// The bytes of a [rows, cols] masked weight with `nonzeros` nonzeros
/// multiplied into `inputRows` rows of input: indexedBytes or bitmapBytes,
/// by multipliesIndexed.
uint64_t maskedBytes(int64_t rows, int64_t cols, int64_t nonzeros,
                     int64_t inputRows);

/// The bytes of an N:M-sparse [rows, cols] f32 weight multiplied into
/// `inputRows` rows of input: indexedBytes of its kept values, or
/// keptBytes, by multipliesIndexed.
uint64_t nOfMBytes(int64_t rows, int64_t cols, int64_t n, int64_t m,
                   int64_t inputRows);

/// The dense weight of `mask`'s elements holding `values` in row-major
/// order where the mask is nonzero, as pith.masked_densify defines it; nothing
/// where the mask's nonzero count is not the number of values.
std::optional<std::vector<float>> expandMasked(llvm::ArrayRef<float> values,
                                               llvm::ArrayRef<int8_t> mask);
std::optional<std::vector<int8_t>> expandMasked(llvm::ArrayRef<int8_t> values,
                                                llvm::ArrayRef<int8_t> mask);

/// For N:M, the positions within its group of the n weights each group of
/// m keeps (the largest magnitudes; the last ones on ties), ascending:
/// n per group, groups in row-major order.
std::vector<int64_t> keptPositions(llvm::ArrayRef<float> weights,
                                   const SparsityPattern &pattern);

/// `weights` with the pattern's units zeroed: for N:M the smallest m - n of
/// every m; otherwise those scoring below `threshold` (ties kept).
std::vector<float> prune(llvm::ArrayRef<float> weights, int64_t rows,
                         int64_t cols, const SparsityPattern &pattern,
                         float threshold);

/// SparseGPT (Frantar and Alistarh, 2023) pruning of `weights` ([rows,
/// cols]) for unstructured or N:M patterns: each row's weights go left to
/// right, and each pruned one's value is spread over the row's weights
/// still to come through the inverse of `hessian` = E[x x^T] of the
/// layer's inputs (damped as dampedHessian says), so that the layer's
/// outputs, not its weights, change least. Which weights go is chosen by
/// w_j^2 / [H^-1]_jj as the earlier updates left them: for N:M at each
/// group's first column, the m - n lowest of the group; unstructured at
/// each block of kSaliencyBlock columns, the fraction `sparsity` lowest of
/// the block. Nothing where the damped Hessian is not positive definite.
std::optional<std::vector<float>>
pruneCompensated(llvm::ArrayRef<float> weights, int64_t rows, int64_t cols,
                 const SparsityPattern &pattern, double sparsity,
                 llvm::ArrayRef<float> hessian, double damping);

/// Columns whose saliencies unstructured pruneCompensated ranks together.
inline constexpr int64_t kSaliencyBlock = 128;

} // namespace mlir::pith::compression

#endif // PITH_PASSES_COMPRESSION_SPARSITY_H
