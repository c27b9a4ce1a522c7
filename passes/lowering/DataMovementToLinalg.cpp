//===- DataMovementToLinalg.cpp - pith data movement to tensor/linalg -----===//
//
// Part of pith. Reshapes, transposes, concatenation and slicing become
// tensor and linalg ops; gathers and non-constant padding become
// linalg.generic ops that read the source with tensor.extract at indices
// computed from the loop indices.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith::lowering {
namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// An index element (i32/i64) as an index into an axis of `extent`:
/// negative ones count from the end, the rest clamp into range.
Value normalizedIndex(OpBuilder &b, Location loc, Value element,
                      int64_t extent) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
  Value isNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                           index, indexConstant(b, loc, 0));
  index = arith::SelectOp::create(
      b, loc, isNegative,
      arith::AddIOp::create(b, loc, index, indexConstant(b, loc, extent)),
      index);
  index = arith::MaxSIOp::create(b, loc, index, indexConstant(b, loc, 0));
  return arith::MinSIOp::create(b, loc, index,
                                indexConstant(b, loc, extent - 1));
}

/// A linalg.generic over `resultType` that reads `source` at the indices
/// `sourceIndices` computes from the loop indices and one element of each
/// of `inputs` (which are indexed by `inputMaps`).
using SourceIndices = function_ref<SmallVector<Value>(
    OpBuilder &, Location, ArrayRef<Value> /*loop*/, ValueRange /*elements*/)>;
Value readAtIndices(OpBuilder &builder, Location loc,
                    RankedTensorType resultType, Value source,
                    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                    SourceIndices sourceIndices) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, inputs, emptyTensor(builder, loc, resultType),
      maps, iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        SmallVector<Value> loop;
        for (int64_t dim = 0; dim < rank; ++dim)
          loop.push_back(
              linalg::IndexOp::create(b, bodyLoc, b.getI64IntegerAttr(dim)));
        SmallVector<Value> indices =
            sourceIndices(b, bodyLoc, loop, args.drop_back());
        linalg::YieldOp::create(
            b, bodyLoc,
            tensor::ExtractOp::create(b, bodyLoc, source, indices).getResult());
      });
  return generic.getResult(0);
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getType().getShape()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       transposeTo(rewriter, op.getLoc(), adaptor.getInput(),
                                   op.getPermutation()));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(
        op, static_cast<int64_t>(op.getAxis()), adaptor.getInputs());
    return success();
  }
};

struct SplitLowering : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto axis = static_cast<int64_t>(op.getAxis());
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<Value> pieces;
    int64_t offset = 0;
    for (Type type : op.getResultTypes()) {
      auto pieceType =
          cast<RankedTensorType>(getTypeConverter()->convertType(type));
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      pieces.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), pieceType, adaptor.getInput(), ValueRange{},
          ValueRange{}, ValueRange{}, offsets, pieceType.getShape(), strides));
      offset += pieceType.getDimSize(axis);
    }
    rewriter.replaceOp(op, pieces);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t step) { return step > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), ValueRange{}, ValueRange{},
          ValueRange{}, starts, type.getShape(), steps);
      return success();
    }
    // Backward steps: read input[start + i * step] element by element.
    Value result = readAtIndices(
        rewriter, op.getLoc(), type, adaptor.getInput(), {}, {},
        [&](OpBuilder &b, Location loc, ArrayRef<Value> loop, ValueRange) {
          SmallVector<Value> indices;
          for (auto [dim, index] : llvm::enumerate(loop)) {
            Value scaled = arith::MulIOp::create(
                b, loc, index, indexConstant(b, loc, steps[dim]));
            indices.push_back(arith::AddIOp::create(
                b, loc, scaled, indexConstant(b, loc, starts[dim])));
          }
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto axis = static_cast<int64_t>(op.getAxis());
    int64_t indexRank = op.getIndices().getType().getRank();
    int64_t extent = op.getInput().getType().getDimSize(axis);
    // The indices tensor is read at the loop's axes [axis, axis + rank).
    SmallVector<AffineExpr> exprs;
    for (int64_t dim = 0; dim < indexRank; ++dim)
      exprs.push_back(rewriter.getAffineDimExpr(axis + dim));
    auto indexMap =
        AffineMap::get(type.getRank(), 0, exprs, rewriter.getContext());
    Value result = readAtIndices(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getIndices(),
        indexMap,
        [&](OpBuilder &b, Location loc, ArrayRef<Value> loop,
            ValueRange elements) {
          SmallVector<Value> indices(loop.take_front(axis));
          indices.push_back(normalizedIndex(b, loc, elements[0], extent));
          llvm::append_range(indices, loop.drop_front(axis + indexRank));
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto axis = static_cast<int64_t>(op.getAxis());
    int64_t extent = op.getInput().getType().getDimSize(axis);
    Value result = readAtIndices(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getIndices(),
        rewriter.getMultiDimIdentityMap(type.getRank()),
        [&](OpBuilder &b, Location loc, ArrayRef<Value> loop,
            ValueRange elements) {
          SmallVector<Value> indices(loop);
          indices[axis] = normalizedIndex(b, loc, elements[0], extent);
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherNdLowering : OpConversionPattern<GatherNdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNdOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    auto batchDims = static_cast<int64_t>(op.getBatchDims());
    ArrayRef<int64_t> inputShape = op.getInput().getType().getShape();
    int64_t tupleAxes = op.getIndices().getType().getRank() - 1;
    int64_t depth = op.getIndices().getType().getShape().back();
    Value indexTensor = adaptor.getIndices();
    Value result = readAtIndices(
        rewriter, op.getLoc(), type, adaptor.getInput(), {}, {},
        [&](OpBuilder &b, Location loc, ArrayRef<Value> loop, ValueRange) {
          SmallVector<Value> indices(loop.take_front(batchDims));
          SmallVector<Value> tuple(loop.take_front(tupleAxes));
          tuple.push_back(Value());
          for (int64_t k = 0; k < depth; ++k) {
            tuple.back() = indexConstant(b, loc, k);
            Value coordinate =
                tensor::ExtractOp::create(b, loc, indexTensor, tuple);
            indices.push_back(
                normalizedIndex(b, loc, coordinate, inputShape[batchDims + k]));
          }
          llvm::append_range(indices, loop.drop_front(tupleAxes));
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    rewriter.replaceOp(
        op,
        elementwise(rewriter, op.getLoc(), type, adaptor.getInput(),
                    [](OpBuilder &, Location, ValueRange x) { return x[0]; }));
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::Constant) {
      Value value = scalar(rewriter, loc, type.getElementType(),
                           op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, type, adaptor.getInput(),
          getAsIndexOpFoldResult(getContext(), pads.take_front(rank)),
          getAsIndexOpFoldResult(getContext(), pads.drop_front(rank)), value);
      return success();
    }
    // Edge repeats the border element; reflect mirrors around it.
    bool reflect = op.getMode() == PadMode::Reflect;
    ArrayRef<int64_t> inputShape = op.getInput().getType().getShape();
    Value result = readAtIndices(
        rewriter, loc, type, adaptor.getInput(), {}, {},
        [&](OpBuilder &b, Location loc, ArrayRef<Value> loop, ValueRange) {
          SmallVector<Value> indices;
          for (auto [dim, index] : llvm::enumerate(loop)) {
            int64_t last = inputShape[dim] - 1;
            Value shifted = arith::SubIOp::create(
                b, loc, index, indexConstant(b, loc, pads[dim]));
            if (reflect) {
              // |i| below the start; 2 * last - i beyond the end.
              Value negated = arith::SubIOp::create(
                  b, loc, indexConstant(b, loc, 0), shifted);
              shifted = arith::MaxSIOp::create(b, loc, shifted, negated);
              Value mirrored = arith::SubIOp::create(
                  b, loc, indexConstant(b, loc, 2 * last), shifted);
              shifted = arith::MinSIOp::create(b, loc, shifted, mirrored);
            }
            shifted = arith::MaxSIOp::create(b, loc, shifted,
                                             indexConstant(b, loc, 0));
            indices.push_back(arith::MinSIOp::create(
                b, loc, shifted, indexConstant(b, loc, last)));
          }
          return indices;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns
      .add<ReshapeLowering, TransposeLowering, ConcatLowering, SplitLowering,
           SliceLowering, GatherLowering, GatherElementsLowering,
           GatherNdLowering, ExpandLowering, PadLowering>(
          converter, patterns.getContext());
}

} // namespace mlir::pith::lowering
