//===- QuantizationToLinalg.cpp - pith quantize/dequantize to linalg ------===//
//
// Part of pith. quantize and dequantize become linalg.generic ops that read
// the scale and zero point through maps giving the granularity: none per
// tensor, the axis per axis, the axis divided by the block size blocked.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith::lowering {
namespace {

/// The map from the data's loops to its scale (and zero point).
AffineMap scaleMap(MLIRContext *context, int64_t rank,
                   std::optional<uint64_t> axis,
                   std::optional<uint64_t> blockSize) {
  if (!axis)
    return AffineMap::get(rank, 0, context);
  auto dim = static_cast<int64_t>(*axis);
  if (!blockSize)
    return AffineMap::get(rank, 0, getAffineDimExpr(dim, context));
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr expr = getAffineDimExpr(i, context);
    exprs.push_back(i == dim ? expr.floorDiv(static_cast<int64_t>(*blockSize))
                             : expr);
  }
  return AffineMap::get(rank, 0, exprs, context);
}

/// A quantized storage value as a float, by its signedness.
Value toFloat(OpBuilder &b, Location loc, Value value, bool isUnsigned,
              Type floatType) {
  if (isUnsigned)
    return arith::UIToFPOp::create(b, loc, floatType, value);
  return arith::SIToFPOp::create(b, loc, floatType, value);
}

/// A generic over `resultType`'s elements with the data read directly and
/// the scale (and zero point) through `map`.
Value quantizationGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, Value data,
    Value scale, Value zeroPoint, AffineMap map,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> inputs = {data, scale};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), map};
  if (zeroPoint) {
    inputs.push_back(zeroPoint);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(
            b, loc,
            body(b, loc, args[0], args[1], zeroPoint ? args[2] : Value()));
      });
  return generic.getResult(0);
}

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    bool storageUnsigned = isUnsigned(op.getInput().getType());
    Type floatType = type.getElementType();
    AffineMap map = scaleMap(rewriter.getContext(), type.getRank(),
                             op.getAxis(), op.getBlockSize());
    Value result = quantizationGeneric(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getScale(),
        adaptor.getZeroPoint(), map,
        [&](OpBuilder &b, Location loc, Value q, Value scale,
            Value zeroPoint) -> Value {
          Value value = toFloat(b, loc, q, storageUnsigned, floatType);
          if (zeroPoint)
            value = arith::SubFOp::create(
                b, loc, value,
                toFloat(b, loc, zeroPoint, storageUnsigned, floatType));
          return arith::MulFOp::create(b, loc, value, scale);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    bool storageUnsigned = isUnsigned(op.getType());
    Type storage = type.getElementType();
    unsigned width = storage.getIntOrFloatBitWidth();
    double low = storageUnsigned ? 0 : -std::ldexp(1.0, width - 1);
    double high = storageUnsigned ? std::ldexp(1.0, width) - 1
                                  : std::ldexp(1.0, width - 1) - 1;
    AffineMap map = scaleMap(rewriter.getContext(), type.getRank(),
                             op.getAxis(), op.getBlockSize());
    Value result = quantizationGeneric(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getScale(),
        adaptor.getZeroPoint(), map,
        [&](OpBuilder &b, Location loc, Value x, Value scale,
            Value zeroPoint) -> Value {
          Type floatType = x.getType();
          Value value = math::RoundEvenOp::create(
              b, loc, arith::DivFOp::create(b, loc, x, scale));
          if (zeroPoint)
            value = arith::AddFOp::create(
                b, loc, value,
                toFloat(b, loc, zeroPoint, storageUnsigned, floatType));
          value = arith::MaximumFOp::create(b, loc, value,
                                            scalar(b, loc, floatType, low));
          value = arith::MinimumFOp::create(b, loc, value,
                                            scalar(b, loc, floatType, high));
          if (storageUnsigned)
            return arith::FPToUIOp::create(b, loc, storage, value);
          return arith::FPToSIOp::create(b, loc, storage, value);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateQuantizationPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<DequantizeLowering, QuantizeLowering>(converter,
                                                     patterns.getContext());
}

} // namespace mlir::pith::lowering
