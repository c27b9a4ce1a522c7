//===- Quantization.h - Weight quantization arithmetic ----------*- C++ -*-===//
//
// Part of pith. The arithmetic of pith-quantize, apart from the IR so that
// unit tests check it directly: a [rows, cols] float matrix becomes narrow
// integers with one scale (and zero point) per row or per group of
// columns of a row, and back; rounded to nearest, or by GPTQ against the
// statistics of the layer's inputs.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_COMPRESSION_QUANTIZATION_H
#define PITH_PASSES_COMPRESSION_QUANTIZATION_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::pith::compression {

/// How a matrix is quantized.
struct QuantScheme {
  /// 8, 4 or 2.
  unsigned bits = 8;
  /// Columns sharing a scale, or 0 for one scale per row.
  int64_t groupSize = 0;
  /// Without a zero point: the value of largest magnitude in a group maps
  /// to the lowest integer (-2^(bits-1)), as GGUF's Q4_0 and Q8_0 do, so
  /// that every level is used. With one: the group's [min, max] (widened
  /// to hold 0) spans the whole range.
  bool symmetric = true;
  /// GPTQ's error-compensating rounding instead of rounding to nearest,
  /// and whether it goes in act order.
  bool gptq = false, actOrder = false;
  /// How the layer's inputs are quantized to int8 (W8A8, W4A8): not at all,
  /// per token with a scale from each token's largest magnitude at run
  /// time, or per tensor with one scale from calibration.
  enum class Activations { None, Dynamic, Static };
  Activations activations = Activations::None;
  /// Per-input-feature scales s applied before quantizing, W diag(s) with
  /// x diag(1/s) at run time, from calibration: AWQ's (weights of
  /// large inputs kept more precisely) or SmoothQuant's (activation
  /// outliers moved into the weights, for int8 activations).
  enum class Scaling { None, Awq, SmoothQuant };
  Scaling scaling = Scaling::None;
  /// Each group's range clipped to the fraction of it (1, 0.95, ..., 0.5)
  /// whose rounding error is least, weighted by E[x_j^2] where GPTQ has the
  /// Hessian (outliers give up a little so that the other values get finer
  /// levels), instead of always the whole range.
  bool clipSearch = false;
  /// Each row's input features rotated by a block-diagonal Hadamard
  /// matrix R before quantizing, W R with x R at run time (QuaRot's and
  /// QuIP#'s incoherence): an outlier feature of x or column of W is
  /// spread over its block, so groups and int8 tokens lose less to it.
  bool rotate = false;

  int64_t lowest() const { return -(int64_t(1) << (bits - 1)); }
  int64_t highest() const { return (int64_t(1) << (bits - 1)) - 1; }
  /// Columns per scale for a matrix of `cols` columns.
  int64_t columnsPerScale(int64_t cols) const {
    return groupSize == 0 ? cols : groupSize;
  }
  /// "int4 g128", "int8 per-channel asymmetric", "int4 g128 gptq",
  /// "int8 per-channel, int8 activations per token", ...
  std::string describe() const;
};

/// A quantized [rows, cols] matrix: integers one per element (sign-extended
/// in a byte, however narrow), and [rows, cols / columnsPerScale] scales
/// and zero points (the zero points empty when symmetric).
struct QuantizedMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int8_t> values;
  std::vector<float> scales;
  std::vector<int8_t> zeroPoints;
};

/// Round to nearest (ties to even) of `weights` ([rows, cols], row-major)
/// under `scheme`; cols must be a multiple of the group size.
QuantizedMatrix quantizeRoundToNearest(llvm::ArrayRef<float> weights,
                                       int64_t rows, int64_t cols,
                                       const QuantScheme &scheme);

/// E[x x^T] ([cols, cols]) as error-compensating rounding and pruning use
/// it, in double: a zero diagonal entry (an input that is always 0) becomes
/// 1 and its column is marked in `dead`, then `damping` times the mean of
/// the diagonal is added to the diagonal.
std::vector<double> dampedHessian(llvm::ArrayRef<float> hessian, int64_t cols,
                                  double damping, std::vector<bool> &dead);

/// The upper-triangular U with U^T U = H^-1 ([n, n], row-major): row j of
/// U, divided by U[j][j], says how changing weight j by one unit of error
/// moves the weights after it so that the layer's outputs change least.
/// Nothing where H is not positive definite.
std::optional<std::vector<double>> inverseCholeskyUpper(std::vector<double> h,
                                                        int64_t n);

/// GPTQ (Frantar et al., 2022) of `weights` ([rows, cols], row-major) under
/// `scheme`: columns are quantized left to right, and each one's rounding
/// error is spread over the columns still to come through the inverse of
/// `hessian` = E[x x^T] ([cols, cols]) of the layer's inputs x, so that the
/// error of the layer's outputs, not of its weights, is small. A group's
/// scale comes from its columns as the earlier columns' errors left them.
/// `damping` times the mean of the diagonal is added to the diagonal (and
/// a zero diagonal entry, an input that is always 0, becomes 1). With
/// `actOrder` columns go by decreasing diagonal of the Hessian instead,
/// with the groups' scales taken from the weights beforehand. Fails
/// (nullopt) when the damped Hessian is not positive definite.
std::optional<QuantizedMatrix>
quantizeGptq(llvm::ArrayRef<float> weights, int64_t rows, int64_t cols,
             const QuantScheme &scheme, llvm::ArrayRef<float> hessian,
             double damping, bool actOrder = false);

/// SmoothQuant's (Xiao et al., 2022) input scales for a [rows, cols] weight:
/// s_j = a_j^alpha / w_j^(1 - alpha), with a_j = max |x_j| over calibration
/// (`channelAbsMax`) and w_j = max over rows of |W_ij|; 1 where either is 0.
std::vector<float> smoothQuantScales(llvm::ArrayRef<float> weights,
                                     int64_t rows, int64_t cols,
                                     llvm::ArrayRef<float> channelAbsMax,
                                     double alpha);

/// Rows the output error is judged on, evenly spaced: it is a sum over
/// rows, and each row costs cols^2.
inline constexpr int64_t kErrorSampleRows = 64;

/// `count` (at most `rows`) evenly spaced rows of `matrix` ([rows, cols]).
std::vector<float> sampleRows(llvm::ArrayRef<float> matrix, int64_t rows,
                              int64_t cols, int64_t count);

/// AWQ's (Lin et al., 2023) input scales: s_j = m_j^alpha with m_j =
/// mean |x_j| (`channelAbsMean`), normalized to max(s) min(s) = 1, for the
/// alpha in {0, 0.05, ..., 0.95} whose rounding to nearest of W diag(s)
/// (then diag(1/s)) errs least on the outputs for inputs of second moment
/// `hessian`, judged on kErrorSampleRows rows. Alpha 0 is plain rounding.
std::vector<float> awqScales(llvm::ArrayRef<float> weights, int64_t rows,
                             int64_t cols, const QuantScheme &scheme,
                             llvm::ArrayRef<float> channelAbsMean,
                             llvm::ArrayRef<float> hessian);

/// Most input features one Hadamard rotation mixes.
inline constexpr int64_t kHadamardBlock = 128;

/// The block a rotation of `cols` input features takes: the largest power
/// of two that divides `cols`, at most kHadamardBlock (1 for odd `cols`,
/// which leaves them as they are).
int64_t hadamardBlock(int64_t cols);

/// Multiplies each row of `matrix` ([rows, cols]) by R = diag(H, ..., H),
/// H the Sylvester-Hadamard matrix of `block` (a power of two dividing
/// cols) over sqrt(block), in place by butterflies. R is symmetric and
/// orthogonal: it is its own inverse.
void hadamardRotateRows(llvm::MutableArrayRef<float> matrix, int64_t rows,
                        int64_t cols, int64_t block);

/// R M R for a symmetric `matrix` M ([n, n]): the second moment E[x x^T]
/// of inputs x rotated to x R.
void hadamardRotateMoment(std::vector<float> &matrix, int64_t n, int64_t block);

/// Multiplies column j of `matrix` ([rows, cols]) by `scales[j]`, or
/// divides it with `divide`.
void scaleColumns(std::vector<float> &matrix, int64_t rows, int64_t cols,
                  llvm::ArrayRef<float> scales, bool divide = false);

/// How much the outputs of a layer with weight `reference` change when it
/// becomes `approximation`, relative to the outputs, for inputs whose
/// second moment is `hessian`: sqrt(tr(D H D^T) / tr(W H W^T)) with
/// D = W - W'. GPTQ minimizes it; for H = I it is the weight's relative
/// error.
/// With `groups` > 1, `hessian` is [groups, cols, cols] and the rows are
/// split evenly among them (a grouped convolution's filters, each group's
/// reading its own channels).
double relativeOutputError(llvm::ArrayRef<float> reference,
                           llvm::ArrayRef<float> approximation, int64_t rows,
                           int64_t cols, llvm::ArrayRef<float> hessian,
                           int64_t groups = 1);

/// The floats `matrix` stands for: (q - zero point) * scale.
std::vector<float> dequantize(const QuantizedMatrix &matrix,
                              const QuantScheme &scheme);

/// How far `approximation` is from `reference`.
struct ErrorStats {
  /// ||reference - approximation|| / ||reference|| (Frobenius norms).
  double relativeError = 0;
  /// Signal-to-quantization-noise ratio, in dB: -20 log10(relativeError).
  double sqnrDb = 0;
  /// relativeOutputError on the calibration inputs; negative when the
  /// layer has no calibration.
  double outputError = -1;
};
ErrorStats compareWeights(llvm::ArrayRef<float> reference,
                          llvm::ArrayRef<float> approximation);

/// Bytes the quantized form of a [rows, cols] matrix occupies: integers at
/// `bits` each, f32 scales, zero points at `bits` each.
uint64_t quantizedBytes(int64_t rows, int64_t cols, const QuantScheme &scheme);

} // namespace mlir::pith::compression

#endif // PITH_PASSES_COMPRESSION_QUANTIZATION_H
