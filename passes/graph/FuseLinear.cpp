//===- FuseLinear.cpp - pith-fuse-linear ----------------------------------===//
//
// Part of pith. Brings matrix products with a constant weight, and the bias
// added to them, into pith.linear: the form every compression pass reads.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_FUSELINEARPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;

namespace {

/// matmul(x, W) with W a constant [K, N] float matrix -> linear(x, Wᵀ).
struct MatmulToLinear : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType weightType = op.getRhs().getType();
    if (weightType.getRank() != 2 ||
        !isa<FloatType>(weightType.getElementType()))
      return rewriter.notifyMatchFailure(op, "weight is not a float matrix");
    if (!matchPattern(op.getRhs(), m_Constant()))
      return rewriter.notifyMatchFailure(op, "weight is not a constant");
    // The transpose of a constant folds away: the weight is stored [N, K].
    Value transposed = rewriter.createOrFold<TransposeOp>(
        op.getLoc(), op.getRhs(), ArrayRef<int64_t>{1, 0});
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getLhs(), transposed,
                                          /*bias=*/Value());
    return success();
  }
};

/// add(linear(x, W), b) with b one value per output feature -> linear(x, W, b).
struct FoldBiasIntoLinear : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [linearOperand, biasOperand] :
         {std::pair(op.getLhs(), op.getRhs()),
          std::pair(op.getRhs(), op.getLhs())}) {
      auto linear = linearOperand.getDefiningOp<LinearOp>();
      if (!linear || linear.getBias() || !linear->hasOneUse() ||
          linear.getType() != op.getType())
        continue;
      // The bias must broadcast along the last axis only: [1, ..., 1, N].
      RankedTensorType biasType =
          cast<RankedTensorType>(biasOperand.getType());
      int64_t features = linear.getWeight().getType().getDimSize(0);
      ArrayRef<int64_t> shape = biasType.getShape();
      if (shape.empty() || shape.back() != features ||
          llvm::any_of(shape.drop_back(), [](int64_t d) { return d != 1; }))
        continue;
      Value bias = biasOperand;
      auto vectorType =
          RankedTensorType::get({features}, biasType.getElementType());
      if (biasType != vectorType)
        bias = rewriter.createOrFold<ReshapeOp>(op.getLoc(), vectorType, bias);
      rewriter.replaceOpWithNewOp<LinearOp>(op, linear.getInput(),
                                            linear.getWeight(), bias);
      rewriter.eraseOp(linear);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no bias-free linear operand");
  }
};

struct FuseLinearPass
    : mlir::pith::impl::FuseLinearPassBase<FuseLinearPass> {
  using FuseLinearPassBase::FuseLinearPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseLinearPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
      getOperation()->emitError("pith-fuse-linear did not converge");
      return signalPassFailure();
    }
  }
};

} // namespace

void mlir::pith::populateFuseLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulToLinear, FoldBiasIntoLinear>(patterns.getContext());
}
