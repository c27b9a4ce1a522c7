//===- ReductionToLinalg.cpp - pith reductions and norms to linalg --------===//
//
// Part of pith. Reductions become linalg.reduce (kept axes reshaped back
// in with keepdims); arg_max/arg_min and top_k track indices in
// linalg.generic reductions; softmax and the normalizations are built from
// reductions and broadcasting elementwise ops, in the numerically stable
// forms (max subtracted before exp).
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "passes/lowering/LoweringUtils.h"

#include <limits>

namespace mlir::pith::lowering {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

bool isFloat(Type type) { return isa<FloatType>(type); }

/// The smallest (or largest) value of an element type, the identity of max
/// (or min).
Value extreme(OpBuilder &b, Location loc, Type type, bool lowest,
              bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType,
                       APFloat::getInf(floatType.getFloatSemantics(), lowest)));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? (lowest ? APInt::getMinValue(width)
                                     : APInt::getMaxValue(width))
                           : (lowest ? APInt::getSignedMinValue(width)
                                     : APInt::getSignedMaxValue(width));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return isFloat(x.getType()) ? Value(arith::AddFOp::create(b, loc, x, y))
                              : Value(arith::AddIOp::create(b, loc, x, y));
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return isFloat(x.getType()) ? Value(arith::MulFOp::create(b, loc, x, y))
                              : Value(arith::MulIOp::create(b, loc, x, y));
}
Value maxOf(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isFloat(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                    : Value(arith::MaxSIOp::create(b, loc, x, y));
}
Value minOf(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isFloat(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, y))
                    : Value(arith::MinSIOp::create(b, loc, x, y));
}

/// The shape of `type` with `axes` kept as extent 1.
SmallVector<int64_t> keptShape(RankedTensorType type, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t axis : axes)
    shape[axis] = 1;
  return shape;
}

/// The maximum of f32 magnitudes `x` (values of sign +, NaNs among them)
/// over `axes`, none of extent 0: that of their bits as signed integers,
/// which order as the values do and put NaNs above infinity, as
/// arith.maximumf does. x86 has no instruction for maximumf (which must
/// also order -0 below +0): a vpmaxsd takes the place of five.
Value maxOfMagnitudes(OpBuilder &b, Location loc, Value x,
                      ArrayRef<int64_t> axes) {
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto bitcast = [&](Value input, Type element) {
    return elementwise(b, loc, typeOf(input).clone(element), input,
                       [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
                         return arith::BitcastOp::create(b, loc, element, v[0]);
                       });
  };
  Value bits = reduce(b, loc, bitcast(x, i32), axes, scalar(b, loc, i32, 0),
                      [](OpBuilder &b, Location loc, Value acc, Value v) {
                        return maxOf(b, loc, acc, v, /*isUnsigned=*/false);
                      });
  return bitcast(bits, f32);
}

/// A reduction of `x` over `axes` of the given kind, with the reduced axes
/// kept (as extent 1) when `keep`. `magnitudes` says that x's values are
/// f32 of sign + (absolute values).
Value reduceKind(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                 ReduceKind kind, bool keep, bool isUnsigned,
                 bool magnitudes = false) {
  RankedTensorType type = typeOf(x);
  Type element = type.getElementType();
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  auto sum = [&](Value input) {
    return reduce(b, loc, input, axes, scalar(b, loc, element, 0),
                  [](OpBuilder &b, Location loc, Value acc, Value v) {
                    return add(b, loc, acc, v);
                  });
  };
  auto squareOf = [&](Value input) {
    return elementwise(b, loc, typeOf(input), input,
                       [](OpBuilder &b, Location loc, ValueRange v) {
                         return mul(b, loc, v[0], v[0]);
                       });
  };
  auto map = [&](Value input, auto fn) {
    return elementwise(b, loc, typeOf(input), input,
                       [&](OpBuilder &b, Location loc, ValueRange v) {
                         return fn(b, loc, v[0]);
                       });
  };
  Value result;
  switch (kind) {
  case ReduceKind::Sum:
    result = sum(x);
    break;
  case ReduceKind::Mean:
    result = map(sum(x), [&](OpBuilder &b, Location loc, Value v) -> Value {
      Value n = scalar(b, loc, element, count);
      if (isFloat(element))
        return arith::DivFOp::create(b, loc, v, n);
      return isUnsigned ? Value(arith::DivUIOp::create(b, loc, v, n))
                        : Value(arith::DivSIOp::create(b, loc, v, n));
    });
    break;
  case ReduceKind::Max:
  case ReduceKind::Min: {
    bool isMax = kind == ReduceKind::Max;
    if (isMax && magnitudes && element.isF32() && count > 0) {
      result = maxOfMagnitudes(b, loc, x, axes);
      break;
    }
    result =
        reduce(b, loc, x, axes, extreme(b, loc, element, isMax, isUnsigned),
               [&](OpBuilder &b, Location loc, Value acc, Value v) {
                 return isMax ? maxOf(b, loc, acc, v, isUnsigned)
                              : minOf(b, loc, acc, v, isUnsigned);
               });
    break;
  }
  case ReduceKind::Prod:
    result = reduce(b, loc, x, axes, scalar(b, loc, element, 1),
                    [](OpBuilder &b, Location loc, Value acc, Value v) {
                      return mul(b, loc, acc, v);
                    });
    break;
  case ReduceKind::L1:
    result = sum(map(x, [&](OpBuilder &b, Location loc, Value v) -> Value {
      if (isFloat(element))
        return math::AbsFOp::create(b, loc, v);
      return isUnsigned ? v : Value(math::AbsIOp::create(b, loc, v));
    }));
    break;
  case ReduceKind::SumSquare:
    result = sum(squareOf(x));
    break;
  case ReduceKind::L2:
    result =
        map(sum(squareOf(x)), [](OpBuilder &b, Location loc, Value v) -> Value {
          return math::SqrtOp::create(b, loc, v);
        });
    break;
  case ReduceKind::LogSumExp: {
    // log(sum(exp(x - m))) + m with m the maximum.
    Value peak = reduceKind(b, loc, x, axes, ReduceKind::Max, true, false);
    Value shifted =
        elementwise(b, loc, type, ValueRange{x, peak},
                    [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                      return math::ExpOp::create(
                          b, loc, arith::SubFOp::create(b, loc, v[0], v[1]));
                    });
    Value logSum =
        map(sum(shifted), [](OpBuilder &b, Location loc, Value v) -> Value {
          return math::LogOp::create(b, loc, v);
        });
    result = elementwise(
        b, loc, typeOf(logSum),
        ValueRange{logSum, reshapeTo(b, loc, peak, typeOf(logSum).getShape())},
        [](OpBuilder &b, Location loc, ValueRange v) -> Value {
          return arith::AddFOp::create(b, loc, v[0], v[1]);
        });
    break;
  }
  }
  return keep ? reshapeTo(b, loc, result, keptShape(type, axes)) : result;
}

struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = reduceKind(
        rewriter, op.getLoc(), adaptor.getInput(), op.getAxes(), op.getKind(),
        op.getKeepdims(), isUnsigned(op.getInput().getType()),
        /*magnitudes=*/static_cast<bool>(op.getInput().getDefiningOp<AbsOp>()));
    rewriter.replaceOp(
        op, reshapeTo(rewriter, op.getLoc(), result, op.getType().getShape()));
    return success();
  }
};

/// The shape of `type` without `axis`, and the map from its loops (one per
/// dim of `type`) onto that shape: where a reduction along `axis` writes.
std::pair<SmallVector<int64_t>, AffineMap>
withoutAxis(RankedTensorType type, int64_t axis, MLIRContext *context) {
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (dim != axis) {
      shape.push_back(type.getDimSize(dim));
      exprs.push_back(getAffineDimExpr(dim, context));
    }
  }
  return {shape, AffineMap::get(type.getRank(), 0, exprs, context)};
}

/// Whether `lhs` is larger (`largest`) or smaller than `rhs`, or equal too
/// with `orEqual`; integers compare as `isUnsigned` says.
Value isBetter(OpBuilder &b, Location loc, Value lhs, Value rhs, bool largest,
               bool orEqual, bool isUnsigned) {
  if (isFloat(lhs.getType())) {
    using P = arith::CmpFPredicate;
    P predicate =
        largest ? (orEqual ? P::OGE : P::OGT) : (orEqual ? P::OLE : P::OLT);
    return arith::CmpFOp::create(b, loc, predicate, lhs, rhs);
  }
  using P = arith::CmpIPredicate;
  P predicate = largest ? (orEqual ? (isUnsigned ? P::uge : P::sge)
                                   : (isUnsigned ? P::ugt : P::sgt))
                        : (orEqual ? (isUnsigned ? P::ule : P::sle)
                                   : (isUnsigned ? P::ult : P::slt));
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

/// arg_max / arg_min: a reduction over `axis` carrying (best value, index).
template <typename OpTy, bool isMax>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = typeOf(x);
    auto axis = static_cast<int64_t>(op.getAxis());
    bool unsignedInput = isUnsigned(op.getInput().getType());
    bool last = op.getSelectLastIndex();
    int64_t rank = type.getRank();
    auto [shape, outMap] = withoutAxis(type, axis, rewriter.getContext());
    auto valueType = type.clone(shape);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value bestInit =
        linalg::FillOp::create(
            rewriter, loc,
            extreme(rewriter, loc, type.getElementType(), isMax, unsignedInput),
            emptyTensor(rewriter, loc, valueType))
            .getResult(0);
    Value indexInit =
        linalg::FillOp::create(rewriter, loc,
                               scalar(rewriter, loc, rewriter.getI64Type(), 0),
                               emptyTensor(rewriter, loc, indexType))
            .getResult(0);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   outMap, outMap};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, x,
        ValueRange{bestInit, indexInit}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Value element = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, bodyLoc, b.getI64Type(),
              linalg::IndexOp::create(b, bodyLoc, b.getI64IntegerAttr(axis)));
          Value better =
              isBetter(b, bodyLoc, element, best, isMax, last, unsignedInput);
          // The first element always replaces the initial extreme.
          Value first =
              arith::CmpIOp::create(b, bodyLoc, arith::CmpIPredicate::eq, index,
                                    scalar(b, bodyLoc, b.getI64Type(), 0));
          better = arith::OrIOp::create(b, bodyLoc, better, first);
          linalg::YieldOp::create(
              b, bodyLoc,
              ValueRange{
                  arith::SelectOp::create(b, bodyLoc, better, element, best),
                  arith::SelectOp::create(b, bodyLoc, better, index,
                                          bestIndex)});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType().getShape()));
    return success();
  }
};

/// top_k: k rounds, an scf.for over a linalg.generic reduction along
/// `axis`. Elements are ranked by (value, best first; index, lower first),
/// a total order, so round r picks the best element ranked after round
/// r - 1's pick (read back from the results) without marking anything
/// taken, and equal values come out lower index first. Each round writes
/// its pick in place at position r of the results.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = typeOf(x);
    Type element = type.getElementType();
    Type i64 = rewriter.getI64Type();
    auto axis = static_cast<int64_t>(op.getAxis());
    bool largest = op.getLargest();
    bool unsignedInput = isUnsigned(op.getInput().getType());
    int64_t rank = type.getRank();
    auto valuesType = cast<RankedTensorType>(
        getTypeConverter()->convertType(op.getValues().getType()));
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());

    auto [rowShape, rowMap] = withoutAxis(type, axis, rewriter.getContext());
    auto pickType = type.clone(rowShape);
    auto pickIndexType = RankedTensorType::get(rowShape, i64);
    Value anyValue = scalar(rewriter, loc, element, 0);
    Value none = scalar(rewriter, loc, i64, -1);
    auto fill = [&](OpBuilder &b, Location l, Value value, Value into) {
      return linalg::FillOp::create(b, l, value, into).getResult(0);
    };

    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank),
                                   rowMap, rowMap, rowMap, rowMap};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto better = [&](OpBuilder &b, Location l, Value lhs, Value rhs) {
      return isBetter(b, l, lhs, rhs, largest, /*orEqual=*/false,
                      unsignedInput);
    };
    auto equal = [&](OpBuilder &b, Location l, Value lhs, Value rhs) {
      if (isFloat(element))
        return Value(
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, lhs, rhs));
      return Value(
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, lhs, rhs));
    };
    // Offsets, sizes and strides of a result's slice at position `at`
    // along `axis`.
    auto sliceAt = [&](OpBuilder &b, Value at) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
          strides(rank, b.getIndexAttr(1));
      offsets[axis] = at;
      for (int64_t dim = 0; dim < rank; ++dim)
        sizes.push_back(b.getIndexAttr(dim == axis ? 1 : type.getDimSize(dim)));
      return std::make_tuple(offsets, sizes, strides);
    };

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value k = arith::ConstantIndexOp::create(rewriter, loc, op.getK());
    Value valuesInit =
        fill(rewriter, loc, anyValue, emptyTensor(rewriter, loc, valuesType));
    Value indicesInit =
        fill(rewriter, loc, none, emptyTensor(rewriter, loc, indicesType));
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, k, one, ValueRange{valuesInit, indicesInit},
        [&](OpBuilder &b, Location l, Value round, ValueRange results) {
          Value first = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                              round, zero);
          Value previousAt = arith::MaxSIOp::create(
              b, l, arith::SubIOp::create(b, l, round, one), zero);
          auto [previousOffsets, sizes, strides] = sliceAt(b, previousAt);
          Value previous = tensor::ExtractSliceOp::create(
              b, l, pickType, results[0], previousOffsets, sizes, strides);
          Value previousIndex = tensor::ExtractSliceOp::create(
              b, l, pickIndexType, results[1], previousOffsets, sizes, strides);
          SmallVector<OpFoldResult> offsets = std::get<0>(sliceAt(b, round));
          Value best =
              fill(b, l, anyValue,
                   tensor::ExtractSliceOp::create(b, l, pickType, results[0],
                                                  offsets, sizes, strides));
          Value bestIndex = fill(
              b, l, none,
              tensor::ExtractSliceOp::create(b, l, pickIndexType, results[1],
                                             offsets, sizes, strides));
          auto pick = linalg::GenericOp::create(
              b, l, TypeRange{pickType, pickIndexType},
              ValueRange{x, previous, previousIndex},
              ValueRange{best, bestIndex}, maps, iterators,
              [&](OpBuilder &g, Location gl, ValueRange args) {
                Value value = args[0], previous = args[1],
                      previousIndex = args[2], best = args[3],
                      bestIndex = args[4];
                Value index = arith::IndexCastOp::create(
                    g, gl, i64,
                    linalg::IndexOp::create(g, gl, g.getI64IntegerAttr(axis)));
                // Ranked after the previous pick (any, in round 0).
                Value after = arith::OrIOp::create(
                    g, gl, better(g, gl, previous, value),
                    arith::AndIOp::create(
                        g, gl, equal(g, gl, value, previous),
                        arith::CmpIOp::create(g, gl, arith::CmpIPredicate::sgt,
                                              index, previousIndex)));
                Value eligible = arith::OrIOp::create(g, gl, first, after);
                // Indices rise along the reduction, so an equal value never
                // displaces the best so far.
                Value noneYet = arith::CmpIOp::create(
                    g, gl, arith::CmpIPredicate::eq, bestIndex, none);
                Value takes = arith::AndIOp::create(
                    g, gl, eligible,
                    arith::OrIOp::create(g, gl, noneYet,
                                         better(g, gl, value, best)));
                linalg::YieldOp::create(
                    g, gl,
                    ValueRange{
                        arith::SelectOp::create(g, gl, takes, value, best),
                        arith::SelectOp::create(g, gl, takes, index,
                                                bestIndex)});
              });
          Value values = tensor::InsertSliceOp::create(
              b, l, pick.getResult(0), results[0], offsets, sizes, strides);
          Value indices = tensor::InsertSliceOp::create(
              b, l, pick.getResult(1), results[1], offsets, sizes, strides);
          scf::YieldOp::create(b, l, ValueRange{values, indices});
        });
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

/// softmax and log_softmax along one axis, with the maximum subtracted.
template <typename OpTy, bool logarithm>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = typeOf(x);
    SmallVector<int64_t> axes = {static_cast<int64_t>(op.getAxis())};
    Value peak =
        reduceKind(rewriter, loc, x, axes, ReduceKind::Max, true, false);
    Value shifted =
        elementwise(rewriter, loc, type, ValueRange{x, peak},
                    [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                      return arith::SubFOp::create(b, loc, v[0], v[1]);
                    });
    Value exps =
        elementwise(rewriter, loc, type, shifted,
                    [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                      return math::ExpOp::create(b, loc, v[0]);
                    });
    Value total =
        reduceKind(rewriter, loc, exps, axes, ReduceKind::Sum, true, false);
    Value result = elementwise(
        rewriter, loc, type,
        logarithm ? ValueRange{shifted, total} : ValueRange{exps, total},
        [](OpBuilder &b, Location loc, ValueRange v) -> Value {
          if (logarithm)
            return arith::SubFOp::create(b, loc, v[0],
                                         math::LogOp::create(b, loc, v[1]));
          return arith::DivFOp::create(b, loc, v[0], v[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) * rsqrt(variance + epsilon) over `axes`, the statistics kept.
Value standardize(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                  double epsilon) {
  RankedTensorType type = typeOf(x);
  Value mean = reduceKind(b, loc, x, axes, ReduceKind::Mean, true, false);
  Value centered =
      elementwise(b, loc, type, ValueRange{x, mean},
                  [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                    return arith::SubFOp::create(b, loc, v[0], v[1]);
                  });
  Value variance =
      reduceKind(b, loc, centered, axes, ReduceKind::SumSquare, true, false);
  int64_t count = 1;
  for (int64_t axis : axes)
    count *= type.getDimSize(axis);
  return elementwise(
      b, loc, type, ValueRange{centered, variance},
      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
        Type element = v[0].getType();
        Value meanSquare =
            arith::DivFOp::create(b, loc, v[1], scalar(b, loc, element, count));
        Value inverse = math::RsqrtOp::create(
            b, loc,
            arith::AddFOp::create(b, loc, meanSquare,
                                  scalar(b, loc, element, epsilon)));
        return arith::MulFOp::create(b, loc, v[0], inverse);
      });
}

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = typeOf(x);
    auto axes = llvm::to_vector(
        llvm::seq<int64_t>(static_cast<int64_t>(op.getAxis()), type.getRank()));
    Value y =
        standardize(rewriter, loc, x, axes, op.getEpsilon().convertToDouble());
    SmallVector<Value> operands = {y};
    if (adaptor.getScale())
      operands.push_back(adaptor.getScale());
    if (adaptor.getBias())
      operands.push_back(adaptor.getBias());
    bool hasScale = static_cast<bool>(adaptor.getScale());
    bool hasBias = static_cast<bool>(adaptor.getBias());
    if (hasScale || hasBias) {
      y = elementwise(rewriter, loc, type, operands,
                      [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
                        Value result = v[0];
                        if (hasScale)
                          result = arith::MulFOp::create(b, loc, result, v[1]);
                        if (hasBias)
                          result = arith::AddFOp::create(b, loc, result,
                                                         v[hasScale ? 2 : 1]);
                        return result;
                      });
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = typeOf(adaptor.getInput());
    // The statistics, [C], broadcast along axis 1.
    SmallVector<int64_t> channelShape(type.getRank() - 1, 1);
    channelShape[0] = type.getDimSize(1);
    auto perChannel = [&](Value value) {
      return reshapeTo(rewriter, loc, value, channelShape);
    };
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = elementwise(
        rewriter, loc, type,
        ValueRange{adaptor.getInput(), perChannel(adaptor.getScale()),
                   perChannel(adaptor.getBias()), perChannel(adaptor.getMean()),
                   perChannel(adaptor.getVariance())},
        [&](OpBuilder &b, Location loc, ValueRange v) -> Value {
          Type element = v[0].getType();
          Value inverse = math::RsqrtOp::create(
              b, loc,
              arith::AddFOp::create(b, loc, v[4],
                                    scalar(b, loc, element, epsilon)));
          Value centered = arith::SubFOp::create(b, loc, v[0], v[3]);
          Value scaled = arith::MulFOp::create(
              b, loc, centered, arith::MulFOp::create(b, loc, inverse, v[1]));
          return arith::AddFOp::create(b, loc, scaled, v[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateReductionPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<ReduceLowering, ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering,
               BatchNormLowering, TopKLowering>(converter,
                                                patterns.getContext());
}

} // namespace mlir::pith::lowering
