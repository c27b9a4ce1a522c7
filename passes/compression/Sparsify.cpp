//===- Sparsify.cpp - pith-sparsify ---------------------------------------===//
//
// Part of pith. Magnitude pruning of linear layers: the smallest weights,
// or N of every M along a row, or the blocks of least L2 norm, become
// zero, by a threshold per layer or shared by all of them. Weights stay
// dense f32 (quantization may follow; zero stays zero).
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
  LinearOp op;
  ConstantOp constant;
  std::string name;
  std::vector<float> weights;
};

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
    FailureOr<LayerSelection> selection =
        LayerSelection::parse(root, only, skip);
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
      std::optional<std::vector<float>> weights =
          pith::detail::readFloats(candidate.weight.getValue());
      if (weights)
        layers.push_back({candidate.op, candidate.weight, candidate.name,
                          std::move(*weights)});
    }

    // One threshold for every layer, from all their scores at once.
    float sharedThreshold = 0;
    if (global && !nOfM) {
      std::vector<float> scores;
      for (Layer &layer : layers) {
        RankedTensorType type = layer.op.getWeight().getType();
        std::vector<float> own = pruningScores(
            layer.weights, type.getDimSize(0), type.getDimSize(1), *parsed);
        scores.insert(scores.end(), own.begin(), own.end());
      }
      sharedThreshold = scoreThreshold(std::move(scores), sparsity);
    }
    for (Layer &layer : layers)
      pruneLayer(layer, *parsed, sharedThreshold);
  }

  void pruneLayer(Layer &layer, const SparsityPattern &sparsityPattern,
                  float sharedThreshold) {
    RankedTensorType type = layer.op.getWeight().getType();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    float threshold = sharedThreshold;
    if (!global && sparsityPattern.kind != SparsityPattern::Kind::NOfM)
      threshold = scoreThreshold(
          pruningScores(layer.weights, rows, cols, sparsityPattern), sparsity);
    std::vector<float> pruned =
        prune(layer.weights, rows, cols, sparsityPattern, threshold);
    int64_t zeros = llvm::count(pruned, 0.0f);

    OpBuilder b(layer.op);
    auto constant = ConstantOp::create(
        b, layer.op.getLoc(),
        pith::detail::makeResource(
            type,
            weightBaseName(layer.constant.getValue(), layer.name) + "_sparse",
            asBytes<float>(pruned)));
    layer.op.getWeightMutable().assign(constant);
    if (layer.constant->use_empty())
      layer.constant->erase();

    // Stored dense until compressed storage exists: no bytes saved yet.
    uint64_t bytes = static_cast<uint64_t>(rows * cols) * sizeof(float);
    std::string method =
        "sparse " +
        std::to_string(static_cast<int>(
            std::lround(100.0 * zeros / std::max<int64_t>(1, rows * cols)))) +
        "% " + sparsityPattern.describe();
    recordCompression(layer.op, layer.name, method, bytes, bytes,
                      compareWeights(layer.weights, pruned));
    ++prunedLayers;
  }
};

} // namespace
