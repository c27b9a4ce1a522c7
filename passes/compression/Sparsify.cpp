//===- Sparsify.cpp - pith-sparsify ---------------------------------------===//
//
// Part of pith. Magnitude pruning of linear layers: the smallest weights,
// or N of every M along a row, or the blocks of least L2 norm, become
// zero, by a threshold per layer or shared by all of them, or (compensate)
// chosen and compensated as SparseGPT does. N:M-pruned weights (M a power
// of two up to 16) are stored as their kept values and positions
// (pith.densify); the others as their nonzeros and a mask (pith.masked_densify)
// where that takes fewer bytes than dense f32 (quantization may follow;
// zero stays zero).
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "passes/Passes.h"
#include "passes/compression/CompressionUtils.h"
#include "passes/compression/Sparsity.h"

namespace mlir::pith {
#define GEN_PASS_DEF_SPARSIFYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;
using namespace mlir::pith::compression;

namespace {

/// A layer to prune and its weights.
struct Layer {
  CandidateLayer candidate;
  std::vector<float> weights;
};

/// `pith.densify` of the n values each group of m of `pruned` keeps and
/// their positions (ui2 up to m = 4, else ui4).
Value storeKept(OpBuilder &b, Layer &layer, ArrayRef<float> pruned,
                const SparsityPattern &sparsityPattern, StringRef base) {
  RankedTensorType type = layer.candidate.op.getWeight().getType();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  int64_t n = sparsityPattern.n, m = sparsityPattern.m;
  // Each group of `pruned` has n weights left (or zeros in their place).
  std::vector<int64_t> kept = keptPositions(pruned, sparsityPattern);
  std::vector<float> values(kept.size());
  std::vector<uint8_t> positions(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    values[i] = pruned[i / n * m + kept[i]];
    positions[i] = static_cast<uint8_t>(kept[i]);
  }
  unsigned bits = m <= 4 ? 2 : 4;
  int64_t keptPerRow = cols / m * n;
  Location loc = layer.candidate.op.getLoc();
  auto valuesType = RankedTensorType::get({rows, keptPerRow}, b.getF32Type());
  auto positionsType = RankedTensorType::get(
      {rows, keptPerRow},
      IntegerType::get(b.getContext(), bits, IntegerType::Unsigned));
  Value valuesConstant = ConstantOp::create(
      b, loc,
      pith::detail::makeResource(valuesType, (base + "_kept").str(),
                                 asBytes<float>(values)));
  Value positionsConstant = ConstantOp::create(
      b, loc,
      pith::detail::makeResource(positionsType, (base + "_positions").str(),
                                 asBytes<uint8_t>(positions)));
  return DensifyOp::create(b, loc, valuesConstant, positionsConstant,
                           b.getI64IntegerAttr(n), b.getI64IntegerAttr(m));
}

/// `pith.masked_densify` of the nonzeros of `pruned` and its mask.
Value storeNonzeros(OpBuilder &b, Layer &layer, ArrayRef<float> pruned,
                    StringRef base) {
  RankedTensorType type = layer.candidate.op.getWeight().getType();
  std::vector<float> nonzeros;
  std::vector<uint8_t> mask(pruned.size());
  for (auto [i, weight] : llvm::enumerate(pruned)) {
    mask[i] = weight != 0.0f;
    if (mask[i])
      nonzeros.push_back(weight);
  }
  Location loc = layer.candidate.op.getLoc();
  auto valuesType = RankedTensorType::get(
      {static_cast<int64_t>(nonzeros.size())}, b.getF32Type());
  Value values = ConstantOp::create(
      b, loc,
      pith::detail::makeResource(valuesType, (base + "_nonzeros").str(),
                                 asBytes<float>(nonzeros)));
  Value maskConstant = ConstantOp::create(
      b, loc,
      pith::detail::makeResource(
          RankedTensorType::get(type.getShape(), b.getI1Type()),
          (base + "_mask").str(), asBytes<uint8_t>(mask)));
  return MaskedDensifyOp::create(b, loc, values, maskConstant);
}

struct SparsifyPass : mlir::pith::impl::SparsifyPassBase<SparsifyPass> {
  using SparsifyPassBase::SparsifyPassBase;

  void runOnOperation() override {
    Operation *root = getOperation();
    std::optional<SparsityPattern> parsed = SparsityPattern::parse(pattern);
    if (!parsed) {
      root->emitError() << "pith-sparsify: pattern must be unstructured, "
                           "N:M with N < M (2:4) or blockRxC (block4x4), got '"
                        << pattern << "'";
      return signalPassFailure();
    }
    bool nOfM = parsed->kind == SparsityPattern::Kind::NOfM;
    if (!nOfM && (sparsity <= 0 || sparsity >= 1)) {
      root->emitError() << "pith-sparsify: sparsity must lie in (0, 1), got "
                        << sparsity;
      return signalPassFailure();
    }
    if (compensate &&
        (parsed->kind == SparsityPattern::Kind::Block || global)) {
      root->emitError() << "pith-sparsify: compensate prunes each row "
                           "unstructured or N:M by its own saliencies, not "
                        << (global ? "with one global threshold" : "by blocks");
      return signalPassFailure();
    }
    if (damping < 0) {
      root->emitError() << "pith-sparsify: damping must not be negative, got "
                        << static_cast<double>(damping);
      return signalPassFailure();
    }
    FailureOr<LayerSelection> selection =
        LayerSelection::parse(root, only, skip, kinds);
    if (failed(selection))
      return signalPassFailure();

    std::vector<Layer> layers;
    for (CandidateLayer &candidate : selectedLayers(root, *selection)) {
      RankedTensorType type = candidate.op.getWeight().getType();
      if (!parsed->fits(type.getDimSize(0), type.getDimSize(1))) {
        candidate.op.emitWarning()
            << "layer '" << candidate.name << "' (" << type.getDimSize(0) << "x"
            << type.getDimSize(1) << ") does not divide into "
            << parsed->describe() << " groups; it stays dense";
        continue;
      }
      if (std::optional<std::vector<float>> weights = candidate.readWeight())
        layers.push_back({candidate, std::move(*weights)});
    }

    // One threshold for every layer, from all their scores at once.
    float sharedThreshold = 0;
    if (global && !nOfM) {
      std::vector<float> scores;
      for (Layer &layer : layers) {
        RankedTensorType type = layer.candidate.op.getWeight().getType();
        std::vector<float> own = pruningScores(
            layer.weights, type.getDimSize(0), type.getDimSize(1), *parsed);
        scores.insert(scores.end(), own.begin(), own.end());
      }
      sharedThreshold = scoreThreshold(std::move(scores), sparsity);
    }
    for (Layer &layer : layers)
      if (failed(pruneLayer(layer, *parsed, sharedThreshold)))
        return signalPassFailure();
  }

  LogicalResult pruneLayer(Layer &layer, const SparsityPattern &sparsityPattern,
                           float sharedThreshold) {
    LinearOp op = layer.candidate.op;
    const std::string &name = layer.candidate.name;
    RankedTensorType type = op.getWeight().getType();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    // E[x x^T]: compensation needs it, and wherever calibration left it
    // the report gives the output error too.
    auto calibration = op->getAttrOfType<DictionaryAttr>(kCalibrationAttrName);
    std::vector<float> moment;
    if (compensate || (calibration && calibration.get("second_moment"))) {
      FailureOr<std::vector<float>> read = secondMomentOf(
          op, name, {cols, cols}, "SparseGPT pruning (compensate)");
      if (failed(read))
        return failure();
      moment = std::move(*read);
    }
    std::vector<float> pruned;
    if (compensate) {
      std::optional<std::vector<float>> result =
          pruneCompensated(layer.weights, rows, cols, sparsityPattern,
                           sparsity, moment, static_cast<double>(damping));
      if (!result)
        return op.emitError()
               << "layer '" << name
               << "': E[x x^T] of its inputs is not positive definite even "
                  "with damping "
               << static_cast<double>(damping) << "; raise damping";
      pruned = std::move(*result);
    } else {
      float threshold = sharedThreshold;
      if (!global && sparsityPattern.kind != SparsityPattern::Kind::NOfM)
        threshold = scoreThreshold(
            pruningScores(layer.weights, rows, cols, sparsityPattern),
            sparsity);
      pruned = prune(layer.weights, rows, cols, sparsityPattern, threshold);
    }
    int64_t zeros = llvm::count(pruned, 0.0f);

    OpBuilder b(layer.candidate.op);
    std::string base = layer.candidate.weightBaseName();
    uint64_t bytesBefore = layer.candidate.storedBytes();
    uint64_t bytesAfter = static_cast<uint64_t>(rows * cols) * sizeof(float);
    Value weight;
    if (sparsityPattern.kind == SparsityPattern::Kind::NOfM &&
        packedPositionBytes(sparsityPattern.n, sparsityPattern.m) > 0) {
      weight = storeKept(b, layer, pruned, sparsityPattern, base);
      bytesAfter = nOfMBytes(rows, cols, sparsityPattern.n, sparsityPattern.m,
                             layer.candidate.inputRows());
    } else if (uint64_t masked =
                   maskedBytes(rows, cols, rows * cols - zeros,
                               layer.candidate.inputRows());
               masked < bytesAfter) {
      weight = storeNonzeros(b, layer, pruned, base);
      bytesAfter = masked;
    } else {
      weight = ConstantOp::create(
          b, layer.candidate.op.getLoc(),
          pith::detail::makeResource(type, base + "_sparse",
                                     asBytes<float>(pruned)));
    }
    layer.candidate.op.getWeightMutable().assign(weight);
    layer.candidate.eraseUnusedWeight();

    std::string method =
        "sparse " +
        std::to_string(static_cast<int>(
            std::lround(100.0 * zeros / std::max<int64_t>(1, rows * cols)))) +
        "% " + sparsityPattern.describe() + (compensate ? " sparsegpt" : "");
    ErrorStats error = compareWeights(layer.weights, pruned);
    if (!moment.empty()) {
      int64_t sampled = std::min(rows, kErrorSampleRows);
      error.outputError = relativeOutputError(
          sampleRows(layer.weights, rows, cols, sampled),
          sampleRows(pruned, rows, cols, sampled), sampled, cols, moment);
    }
    recordCompression(op, name, method, bytesBefore, bytesAfter, error);
    ++prunedLayers;
    return success();
  }
};

} // namespace
