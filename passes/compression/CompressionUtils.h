//===- CompressionUtils.h - Shared pieces of the compression passes -*- C++
//-*-===//
//
// Part of pith. What every compression pass does alike: find a layer's
// name and whether the user skipped it, read its constant weight, make
// new weights, and record what it did for the report.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H
#define PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "passes/compression/Quantization.h"
#include "llvm/Support/GlobPattern.h"

#include <optional>
#include <vector>

namespace mlir::pith::compression {

/// The discardable attribute on a compressed layer that holds its lines of
/// the report, one per compression applied to it: an array of {layer,
/// method, bytes_before, bytes_after, relative_error, sqnr_db[,
/// output_error][, refines]}.
inline constexpr llvm::StringLiteral kReportAttrName = "pith.compression";

/// The attribute on a layer made by compressing another (a factor of a
/// factorized layer): that layer's name. Its report lines say they refine
/// it, as a second compression of one layer refines its first, so that
/// the model's totals count each weight once.
inline constexpr llvm::StringLiteral kPartOfAttrName = "pith.part_of";

/// The attribute pith-calibrate puts on each linear layer: statistics of
/// the layer's input x over the calibration inputs, a dictionary of
/// `samples` and `tokens` (i64: model runs, and rows of x over them), `min`,
/// `max`, `abs_p99_9` and `abs_p99_99` (f32: extremes and percentiles of
/// |x|), `channel_abs_max` and `channel_abs_mean` ([K] f32, per input
/// feature) and `second_moment` ([K, K] f32, E[x x^T], which GPTQ needs).
inline constexpr llvm::StringLiteral kCalibrationAttrName = "pith.calibration";

/// A layer's name for skip lists and the report: the name of its location
/// (the ONNX node's), else "<op>@<line>:<col>" or the op's name.
std::string layerName(Operation *op);

/// Whether `kind` names a kind of layer LayerSelection knows: `linear`,
/// `conv` or `depthwise`.
bool isLayerKind(StringRef kind);

/// The layers a compression pass applies to: those of a kind in `kinds`
/// (every kind when there are none) whose name matches a glob of `only`
/// (every layer when there are none) and none of `skip`. The kinds are
/// `linear`, `depthwise` (a convolution with one input channel a group,
/// in several groups) and `conv` (the other convolutions).
class LayerSelection {
public:
  /// Parses the options `only`, `skip` and `kinds`; on a bad pattern or
  /// kind, an error on `root` naming the option and the entry.
  static FailureOr<LayerSelection> parse(Operation *root,
                                         ArrayRef<std::string> only,
                                         ArrayRef<std::string> skip,
                                         ArrayRef<std::string> kinds);
  /// Whether the layer `op`, named `layer`, is selected.
  bool selects(Operation *op, StringRef layer) const;

private:
  std::vector<llvm::GlobPattern> only, skip;
  std::vector<std::string> kinds;
};

/// A linear layer a compression pass may rewrite: its weight is an f32
/// constant, or the pith.densify (N:M-pruned) or pith.masked_densify (other
/// patterns) of constants.
struct CandidateLayer {
  LinearOp op;
  /// The ConstantOp, DensifyOp or MaskedDensifyOp that makes the weight.
  Operation *weight;
  std::string name;

  /// The weight as dense [N, K] floats; nothing where a resource is not
  /// loaded.
  std::optional<std::vector<float>> readWeight() const;
  /// The rows of input the layer multiplies (all dimensions of its input
  /// but the last); 0 where they are not static.
  int64_t inputRows() const;
  /// The bytes the weight takes now: f32, kept values and positions at
  /// their bit width, or nonzeros and how the kernel finds them
  /// (maskedBytes).
  uint64_t storedBytes() const;
  /// A name for weights derived from this one: its (kept values' or
  /// nonzeros') resource key, else the layer's name.
  std::string weightBaseName() const;
  /// Erases the weight's ops that nothing uses any more.
  void eraseUnusedWeight();
};

/// The linear layers under `root` with an f32 constant weight, or a sparse
/// one of constants, that `selection` selects, in order.
SmallVector<CandidateLayer> selectedLayers(Operation *root,
                                           const LayerSelection &selection);

/// The calibration statistics of layer `op` (pith.calibration), or an
/// error on it saying that `need` needs pith-calibrate first.
FailureOr<DictionaryAttr> calibrationOf(Operation *op, StringRef layer,
                                        StringRef need);

/// E[x x^T] of layer `op`'s inputs as pith-calibrate recorded it, shaped
/// `shape` ([cols, cols] for a linear layer, [groups, cols, cols] of the
/// windows for a convolution), or an error on it saying that `need` needs
/// it.
FailureOr<std::vector<float>> secondMomentOf(Operation *op, StringRef layer,
                                             ArrayRef<int64_t> shape,
                                             StringRef need);

using pith::detail::asBytes;

/// A name for weights derived from `value`: its resource key, else `layer`.
std::string weightBaseName(Attribute value, StringRef layer);

/// Adds to `op` a line of the report.
void recordCompression(Operation *op, StringRef layer, StringRef method,
                       uint64_t bytesBefore, uint64_t bytesAfter,
                       const ErrorStats &error);

} // namespace mlir::pith::compression

#endif // PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H
