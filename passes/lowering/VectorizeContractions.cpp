//===- VectorizeContractions.cpp - pith-vectorize-contractions ------------===//
//
// Part of pith. Every float contraction (matmul, batched and broadcast
// matmuls, linear layers) is tiled to a block of registers and vectorized:
// an mR x nR block of the output stays in vector registers while the loop
// over K multiplies a column of A (broadcast) by a row of B (loaded) into
// it. Later lowering turns each step into nR / lanes FMAs per row.
//
// Tile sizes divide the loop extents, so every tile is full and needs no
// masks; an extent with no good divisor gets a narrower tile.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct TilePlan {
  SmallVector<int64_t> tileSizes;
  SmallVector<int64_t> interchange;
};

/// The first of `candidates` that divides `extent` and passes `fits`.
int64_t pickDivisor(int64_t extent, ArrayRef<int64_t> candidates,
                    function_ref<bool(int64_t)> fits = nullptr) {
  for (int64_t candidate : candidates)
    if (candidate > 0 && extent % candidate == 0 && (!fits || fits(candidate)))
      return candidate;
  return 1;
}

/// Tile sizes and loop order for `op`, or failure where the op is not a
/// float contraction whose output and right-hand side are contiguous along
/// N (transposed operands are left to scalar code).
FailureOr<TilePlan> planTiles(linalg::LinalgOp op, int64_t vectorBits) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, [](int64_t r) { return r <= 0; }))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty() || dims->k.empty())
    return failure();
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!element.isF32() && !element.isF64())
    return failure();
  unsigned n = dims->n.back();
  auto lastResultIs = [&](AffineMap map, unsigned dim) {
    return map.getNumResults() > 0 &&
           map.getResults().back().isFunctionOfDim(dim) &&
           map.getResults().back() == getAffineDimExpr(dim, op.getContext());
  };
  if (!lastResultIs(op.getIndexingMapMatchingResult(op->getResult(0)), n))
    return failure();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isFunctionOfDim(n) && !lastResultIs(map, n))
      return failure();
  }

  int64_t lanes = vectorBits / element.getIntOrFloatBitWidth();
  // Accumulators the target's register file holds beside the operands:
  // 32 vector registers with AVX-512, 16 otherwise.
  int64_t registers = vectorBits >= 512 ? 16 : 12;
  TilePlan plan;
  plan.tileSizes.assign(ranges.size(), 1);
  int64_t nTile =
      pickDivisor(ranges[n], {2 * lanes, lanes, lanes / 2, lanes / 4, 4, 2});
  plan.tileSizes[n] = nTile;
  int64_t vectorsPerRow = std::max<int64_t>(1, nTile / lanes);
  SmallVector<unsigned> order(dims->batch.begin(), dims->batch.end());
  for (unsigned dim : llvm::drop_end(dims->n))
    order.push_back(dim);
  order.push_back(n);
  if (!dims->m.empty()) {
    unsigned m = dims->m.back();
    plan.tileSizes[m] = pickDivisor(ranges[m], {8, 6, 4, 3, 2}, [&](int64_t t) {
      return t * vectorsPerRow <= registers;
    });
    for (unsigned dim : llvm::drop_end(dims->m))
      order.push_back(dim);
    order.push_back(m);
  }
  unsigned k = dims->k.back();
  plan.tileSizes[k] = pickDivisor(ranges[k], {4, 2});
  llvm::append_range(order, dims->k);
  plan.interchange.assign(order.begin(), order.end());
  return plan;
}

struct VectorizeContractionsPass
    : mlir::pith::impl::VectorizeContractionsPassBase<
          VectorizeContractionsPass> {
  using VectorizeContractionsPassBase::VectorizeContractionsPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> contractions;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });

    IRRewriter rewriter(context);
    for (linalg::LinalgOp op : contractions) {
      FailureOr<TilePlan> plan = planTiles(op, vectorBits);
      if (failed(plan))
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, plan->tileSizes));
      options.setInterchange(plan->interchange);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      Operation *tile = tiled->tiledOps.back();
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }

    // The vectorized multiply and reduction become vector.contract, its
    // operands plain reads of A [mR, kR] and B [kR, nR] once broadcasts in
    // the reads' permutation maps move into the contraction's maps.
    RewritePatternSet patterns(context);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorToVectorCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == "vector")
        name.getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
