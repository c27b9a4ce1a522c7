//===- PadInPlace.cpp - pith-pad-in-place ---------------------------------===//
//
// Part of pith. A padded tensor (a convolution's input) bufferizes as a
// new buffer filled whole with the padding value and the source copied
// into its middle: for a depthwise convolution that is most of its
// traffic. Written in destination-passing style instead, only the border
// is filled, and the source, once empty-tensor elimination has run, is
// computed by its producer straight into the middle of the padded buffer.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_PADINPLACEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// tensor.pad of a static shape by a constant becomes the border's strips
/// filled in an empty tensor and the source inserted into its middle. The
/// padded tensor is built before the source's producer, so that
/// empty-tensor elimination can have the producer write into it.
struct PadAsInsertion : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = pad.getResultType();
    RankedTensorType sourceType = pad.getSourceType();
    Attribute padding;
    Value paddingValue = pad.getConstantPaddingValue();
    if (!type.hasStaticShape() || !sourceType.hasStaticShape() ||
        !paddingValue || !matchPattern(paddingValue, m_Constant(&padding)) ||
        ShapedType::isDynamicShape(pad.getStaticLow()) ||
        ShapedType::isDynamicShape(pad.getStaticHigh()))
      return failure();
    ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
    Location loc = pad.getLoc();
    Operation *producer = pad.getSource().getDefiningOp();
    if (producer && producer->getBlock() == pad->getBlock())
      rewriter.setInsertionPoint(producer);
    else
      rewriter.setInsertionPoint(pad);

    Value value =
        arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(padding));
    Value padded = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
    MLIRContext *context = getContext();
    SmallVector<OpFoldResult> unitStrides(type.getRank(),
                                          rewriter.getIndexAttr(1));
    auto fillStrip = [&](int64_t dim, int64_t offset, int64_t size) {
      SmallVector<int64_t> offsets(type.getRank(), 0);
      SmallVector<int64_t> sizes(type.getShape());
      offsets[dim] = offset;
      sizes[dim] = size;
      SmallVector<OpFoldResult> stripOffsets =
          getAsIndexOpFoldResult(context, offsets);
      SmallVector<OpFoldResult> stripSizes =
          getAsIndexOpFoldResult(context, sizes);
      Value strip = tensor::ExtractSliceOp::create(
          rewriter, loc, padded, stripOffsets, stripSizes, unitStrides);
      Value filled =
          linalg::FillOp::create(rewriter, loc, value, strip).getResult(0);
      padded = tensor::InsertSliceOp::create(
          rewriter, loc, filled, padded, stripOffsets, stripSizes, unitStrides);
    };
    for (int64_t dim = 0; dim < type.getRank(); ++dim) {
      if (low[dim] > 0)
        fillStrip(dim, 0, low[dim]);
      if (high[dim] > 0)
        fillStrip(dim, low[dim] + sourceType.getDimSize(dim), high[dim]);
    }
    rewriter.setInsertionPoint(pad);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, pad.getSource(), padded, getAsIndexOpFoldResult(context, low),
        getAsIndexOpFoldResult(context, sourceType.getShape()), unitStrides);
    return success();
  }
};

struct PadInPlacePass : mlir::pith::impl::PadInPlacePassBase<PadInPlacePass> {
  using PadInPlacePassBase::PadInPlacePassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PadAsInsertion>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
