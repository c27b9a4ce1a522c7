//===- FuseElementwise.cpp - pith-fuse-elementwise ------------------------===//
//
// Part of pith. Elementwise linalg ops fuse into their consumers, as
// upstream's linalg-fuse-elementwise-ops does, except into contractions:
// a matmul reads its operands as they lie in memory, so a transpose or an
// elementwise op feeding it stays apart rather than becoming a strided,
// recomputed read inside the innermost loop.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

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
      signalPassFailure();
  }
};

} // namespace
