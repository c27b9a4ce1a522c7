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

/// matmul(x, dequantize(q, scale[, zero point])) with constant operands and
/// q a [K, N] matrix -> linear(x, dequantize(qᵀ, ...)): the form of QDQ
/// models' layers, brought where the quantized lowering reads them. The
/// granularity follows the transpose: per N becomes axis 0, blocks along K
/// become blocks along axis 1.
struct DequantizedMatmulToLinear : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    auto dequantize = op.getRhs().getDefiningOp<DequantizeOp>();
    if (!dequantize || dequantize.getInput().getType().getRank() != 2)
      return rewriter.notifyMatchFailure(op, "weight is not dequantized");
    for (Value operand : dequantize->getOperands())
      if (!matchPattern(operand, m_Constant()))
        return rewriter.notifyMatchFailure(op, "weight is not constant");
    std::optional<uint64_t> axis = dequantize.getAxis();
    bool blocked = dequantize.getBlockSize().has_value();
    // Per N (axis 1), or blocks along K (axis 0); per tensor has no axis.
    if (axis && (blocked ? *axis != 0 : *axis != 1))
      return rewriter.notifyMatchFailure(op, "granularity along K");
    Location loc = dequantize.getLoc();
    auto transpose = [&](Value value) -> Value {
      if (!value || cast<RankedTensorType>(value.getType()).getRank() != 2)
        return value;
      Value transposed = rewriter.createOrFold<TransposeOp>(
          loc, value, ArrayRef<int64_t>{1, 0});
      return matchPattern(transposed, m_Constant()) ? transposed : Value();
    };
    Value values = transpose(dequantize.getInput());
    Value scale = transpose(dequantize.getScale());
    Value zeroPoint = transpose(dequantize.getZeroPoint());
    if (!values || !scale || (dequantize.getZeroPoint() && !zeroPoint))
      return rewriter.notifyMatchFailure(op, "constants cannot be transposed");
    IntegerAttr newAxis =
        axis ? rewriter.getI64IntegerAttr(1 - static_cast<int64_t>(*axis))
             : IntegerAttr();
    Value weight = DequantizeOp::create(rewriter, loc, values, scale, zeroPoint,
                                        newAxis, dequantize.getBlockSizeAttr());
    rewriter.replaceOpWithNewOp<LinearOp>(op, op.getLhs(), weight,
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
      RankedTensorType biasType = cast<RankedTensorType>(biasOperand.getType());
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
      // The layer keeps the matrix product's name (the ONNX MatMul's),
      // which skip lists and the compression report use.
      Value fused =
          LinearOp::create(rewriter, linear.getLoc(), linear.getInput(),
                           linear.getWeight(), bias);
      rewriter.replaceOp(op, fused);
      rewriter.eraseOp(linear);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no bias-free linear operand");
  }
};

struct FuseLinearPass : mlir::pith::impl::FuseLinearPassBase<FuseLinearPass> {
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
  patterns.add<MatmulToLinear, DequantizedMatmulToLinear, FoldBiasIntoLinear>(
      patterns.getContext());
}
