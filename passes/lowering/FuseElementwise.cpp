//===- FuseElementwise.cpp - pith-fuse-elementwise ------------------------===//
//
// Part of pith. Elementwise linalg ops fuse into their consumers, as
// upstream's linalg-fuse-elementwise-ops does, except into contractions:
// a matmul reads its operands as they lie in memory, so a transpose or an
// elementwise op feeding it stays apart rather than becoming a strided,
// recomputed read inside the innermost loop.
//
// An elementwise op that reads a contraction's result through reshapes
// (a convolution's [n, 1, f, positions] product viewed [n, f, h, w]) is
// then rewritten over the contraction's shape, the reshape moved after
// it, so that pith-vectorize-contractions can apply it (a bias, an
// activation) to each register tile before the tile is stored.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith {
#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Constants folded through linalg ops are built element by element; past
/// this size they stay runtime work.
constexpr int64_t kMaxFoldedElements = 4096;

/// A contraction, or one over packed weights (pith.quantized_matmul,
/// pith.sparse_matmul), whose operands pith-vectorize-contractions reads as
/// they are laid out.
bool isContraction(Operation *op) {
  auto linalgOp = dyn_cast_if_present<linalg::LinalgOp>(op);
  return linalgOp && (linalg::isaContractionOpInterface(linalgOp) ||
                      pith::isPackedMatmul(linalgOp));
}

/// The float contraction whose one result `value` is, seen through
/// reshapes of one use each; null if there is none.
Operation *reshapedContraction(Value value) {
  while (value.hasOneUse() &&
         isa_and_present<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
             value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  // Contractions over packed weights are written whole by their own
  // writers, which take no epilogue.
  auto producer = value.getDefiningOp<linalg::LinalgOp>();
  return value.hasOneUse() && producer &&
                 linalg::isaContractionOpInterface(producer) &&
                 !pith::isPackedMatmul(producer) &&
                 producer->getNumResults() == 1
             ? producer.getOperation()
             : nullptr;
}

/// An elementwise op reading a contraction's result through reshapes,
/// rewritten over the contraction's loops: the result becomes an input
/// read as it is, inputs of the op's own shape are reshaped, and
/// broadcast inputs keep their maps where each loop they read is a loop
/// of the contraction's shape too (extents of 1 aside).
struct SinkContractionReshape : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() != 0 || op.hasIndexSemantics() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
        !op.getMatchingBlockArgument(op.getDpsInitOperand(0)).use_empty())
      return failure();
    auto type = cast<RankedTensorType>(op.getResult(0).getType());
    OpOperand *reshaped = nullptr;
    Operation *contraction = nullptr;
    for (OpOperand *input : op.getDpsInputOperands()) {
      if (!isa_and_present<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
              input->get().getDefiningOp()) ||
          !op.getMatchingIndexingMap(input).isIdentity())
        continue;
      if ((contraction = reshapedContraction(input->get()))) {
        reshaped = input;
        break;
      }
    }
    if (!reshaped)
      return failure();
    auto productType =
        cast<RankedTensorType>(contraction->getResult(0).getType());
    if (!productType.hasStaticShape() || !type.hasStaticShape())
      return failure();
    auto groups =
        pith::lowering::commonGroups(type.getShape(), productType.getShape());
    if (!groups)
      return failure();

    // Each loop of the op as an expression of the contraction's loops:
    // a loop of extent 1 is 0, a loop alone in its group (extents of 1
    // aside) is that group's loop; others (split or merged) have none.
    MLIRContext *context = getContext();
    SmallVector<AffineExpr> loops(type.getRank());
    for (auto [from, to] : llvm::zip(groups->first, groups->second)) {
      auto wide = [](ArrayRef<int64_t> shape, ArrayRef<int64_t> group) {
        return llvm::to_vector(llvm::make_filter_range(
            group, [&](int64_t dim) { return shape[dim] != 1; }));
      };
      SmallVector<int64_t> wideFrom = wide(type.getShape(), from);
      SmallVector<int64_t> wideTo = wide(productType.getShape(), to);
      for (int64_t dim : from)
        if (type.getDimSize(dim) == 1)
          loops[dim] = getAffineConstantExpr(0, context);
      if (wideFrom.size() == 1 && wideTo.size() == 1)
        loops[wideFrom.front()] = getAffineDimExpr(wideTo.front(), context);
    }

    int64_t rank = productType.getRank();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    Location loc = op.getLoc();
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      if (input == reshaped) {
        inputs.push_back(contraction->getResult(0));
        maps.push_back(identity);
        continue;
      }
      auto inputType = dyn_cast<RankedTensorType>(input->get().getType());
      if (map.isIdentity() && inputType && inputType.hasStaticShape()) {
        inputs.push_back(pith::lowering::reshapeTo(rewriter, loc, input->get(),
                                                   productType.getShape()));
        maps.push_back(identity);
        continue;
      }
      SmallVector<AffineExpr> results;
      for (AffineExpr result : map.getResults()) {
        bool readable = true;
        result.walk([&](AffineExpr expr) {
          if (auto dim = dyn_cast<AffineDimExpr>(expr))
            readable &= static_cast<bool>(loops[dim.getPosition()]);
        });
        if (!readable)
          return failure();
        results.push_back(result.replaceDims(loops));
      }
      inputs.push_back(input->get());
      maps.push_back(AffineMap::get(rank, 0, results, context));
    }
    maps.push_back(identity);

    Value init = pith::lowering::emptyTensor(
        rewriter, loc, productType.clone(type.getElementType()));
    auto sunk = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
        maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel));
    rewriter.inlineRegionBefore(op.getRegion(), sunk.getRegion(),
                                sunk.getRegion().begin());
    rewriter.replaceOp(op, pith::lowering::reshapeTo(rewriter, loc,
                                                     sunk.getResult(0),
                                                     type.getShape()));
    return success();
  }
};

struct FuseElementwisePass
    : mlir::pith::impl::FuseElementwisePassBase<FuseElementwisePass> {
  using FuseElementwisePassBase::FuseElementwisePassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // A producer with one use fuses, unless its consumer is a contraction;
    // a packed contraction is not rebuilt either (reshapes folded into
    // it by expansion would drop the mark its writer needs).
    linalg::ControlFusionFn control = [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      return producer && producer->hasOneUse() &&
             !isContraction(operand->getOwner()) &&
             !pith::isPackedMatmul(producer);
    };
    linalg::ControlFusionFn foldConstants = [](OpOperand *operand) {
      auto type = dyn_cast<ShapedType>(operand->get().getType());
      return type && type.hasStaticShape() &&
             type.getNumElements() <= kMaxFoldedElements;
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, foldConstants);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    RewritePatternSet sinking(context);
    sinking.add<SinkContractionReshape>(context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(sinking, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(sinking, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(sinking))))
      signalPassFailure();
  }
};

} // namespace
