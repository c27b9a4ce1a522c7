//===- Factorize.cpp - pith-factorize -------------------------------------===//
//
// Part of pith. Low-rank factorization of linear layers: a constant weight
// W [N, K] becomes U [N, r] V [r, K], the best rank-r approximation, and
// the layer two layers, x Vᵀ then (x Vᵀ) Uᵀ + b. A factorization that does
// not save bytes and multiply-adds is refused.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "passes/Passes.h"
#include "passes/compression/CompressionUtils.h"
#include "passes/compression/Factorization.h"

namespace mlir::pith {
#define GEN_PASS_DEF_FACTORIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;
using namespace mlir::pith::compression;

namespace {

/// The widest smaller side the built-in decomposition takes: its Jacobi
/// sweeps are O(n^3) (a 1024-wide layer took over 4 minutes on one core).
constexpr int64_t kLargestSmallerSide = 512;

struct FactorizePass : mlir::pith::impl::FactorizePassBase<FactorizePass> {
  using FactorizePassBase::FactorizePassBase;

  void runOnOperation() override {
    Operation *root = getOperation();
    RankBudget budget;
    budget.energy = energy;
    budget.maxError = maxError;
    budget.parameters = parameters;
    budget.rank = rank;
    int given =
        (energy != 0) + (maxError != 0) + (parameters != 0) + (rank != 0);
    if (given != 1) {
      root->emitError() << "pith-factorize: give exactly one of energy, "
                           "max-error, parameters and rank; got "
                        << given;
      return signalPassFailure();
    }
    auto fraction = [&](StringRef name, double value) {
      if (value < 0 || value > 1) {
        root->emitError() << "pith-factorize: " << name
                          << " must lie in (0, 1], got " << value;
        return false;
      }
      return true;
    };
    if (!fraction("energy", energy) || !fraction("max-error", maxError) ||
        !fraction("parameters", parameters))
      return signalPassFailure();
    if (rank < 0) {
      root->emitError() << "pith-factorize: rank must be positive, got "
                        << static_cast<int64_t>(rank);
      return signalPassFailure();
    }
    FailureOr<LayerSelection> selection =
        LayerSelection::parse(root, only, skip, kinds);
    if (failed(selection))
      return signalPassFailure();
    for (CandidateLayer &layer : selectedLayers(root, *selection))
      factorizeLayer(layer, budget);
  }

  void factorizeLayer(CandidateLayer &candidate, const RankBudget &budget) {
    LinearOp op = candidate.op;
    const std::string &layer = candidate.name;
    RankedTensorType weightType = op.getWeight().getType();
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    if (std::min(rows, cols) > kLargestSmallerSide) {
      op.emitWarning() << "layer '" << layer << "' (" << rows << "x" << cols
                       << ") is larger than pith-factorize decomposes (a side "
                          "of at most "
                       << kLargestSmallerSide << "); it stays as it is";
      return;
    }
    std::optional<std::vector<float>> weights = candidate.readWeight();
    if (!weights)
      return;
    SingularDecomposition svd = singularDecomposition(*weights, rows, cols);
    int64_t chosen = chooseRank(svd.values, rows, cols, budget);
    if (chosen * (rows + cols) >= rows * cols) {
      op.emitWarning() << "layer '" << layer << "': rank " << chosen
                       << " factors of a " << rows << "x" << cols
                       << " weight would not be smaller (r(N+K) >= NK); it "
                          "stays as it is";
      return;
    }
    LowRankFactors factors = lowRankFactors(*weights, svd, chosen);
    double error = truncationError(svd.values, chosen);

    OpBuilder b(op);
    Location loc = op.getLoc();
    // The factors are layers of their own, named after the layer, for the
    // passes that follow (quantization) and their report lines.
    auto partLoc = [&](StringRef suffix) {
      return NameLoc::get(b.getStringAttr(layer + suffix.str()), loc);
    };
    std::string base = candidate.weightBaseName();
    Type f32 = b.getF32Type();
    auto right =
        ConstantOp::create(b, loc,
                           pith::detail::makeResource(
                               RankedTensorType::get({chosen, cols}, f32),
                               base + "_svd_v", asBytes<float>(factors.right)));
    auto left =
        ConstantOp::create(b, loc,
                           pith::detail::makeResource(
                               RankedTensorType::get({rows, chosen}, f32),
                               base + "_svd_u", asBytes<float>(factors.left)));
    auto inner =
        LinearOp::create(b, partLoc("/svd_v"), op.getInput(), right, Value());
    auto outer =
        LinearOp::create(b, partLoc("/svd_u"), inner, left, op.getBias());
    for (LinearOp part : {inner, outer})
      part->setAttr(kPartOfAttrName, b.getStringAttr(layer));
    ErrorStats stats;
    stats.relativeError = error;
    stats.sqnrDb = error == 0 ? std::numeric_limits<double>::infinity()
                              : -20 * std::log10(error);
    // The layer's own line, not a part's.
    outer->removeAttr(kPartOfAttrName);
    recordCompression(
        outer, layer, "svd rank " + std::to_string(chosen),
        candidate.storedBytes(),
        static_cast<uint64_t>(chosen * (rows + cols)) * sizeof(float), stats);
    outer->setAttr(kPartOfAttrName, b.getStringAttr(layer));
    op.replaceAllUsesWith(outer.getResult());
    op.erase();
    candidate.eraseUnusedWeight();
    ++factorizedLayers;
  }
};

} // namespace
