//===- ElementwiseToLinalg.cpp - pith elementwise ops to linalg -----------===//
//
// Part of pith. Every elementwise pith op becomes one linalg.generic over
// its result, whose operands broadcast through their indexing maps, and
// whose body is the op's scalar arithmetic; constants become
// arith.constant.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "passes/lowering/LoweringUtils.h"

#include <cmath>

namespace mlir::pith::lowering {
namespace {

bool isFloat(Value value) { return isa<FloatType>(value.getType()); }

/// The scalar arithmetic of each op on one element of each operand. `x`
/// holds the (converted) operand elements; `isUnsigned` says whether the
/// pith operands were unsigned integers.
struct Scalar {
  OpBuilder &b;
  Location loc;
  Type resultType;
  bool isUnsigned;

  Value constant(Type type, double value) {
    return scalar(b, loc, type, value);
  }
  Value zero(Value like) { return constant(like.getType(), 0.0); }
  Value one(Value like) { return constant(like.getType(), 1.0); }

  Value add(Value x, Value y) {
    return isFloat(x) ? Value(arith::AddFOp::create(b, loc, x, y))
                      : Value(arith::AddIOp::create(b, loc, x, y));
  }
  Value sub(Value x, Value y) {
    return isFloat(x) ? Value(arith::SubFOp::create(b, loc, x, y))
                      : Value(arith::SubIOp::create(b, loc, x, y));
  }
  Value mul(Value x, Value y) {
    return isFloat(x) ? Value(arith::MulFOp::create(b, loc, x, y))
                      : Value(arith::MulIOp::create(b, loc, x, y));
  }
  Value div(Value x, Value y) {
    if (isFloat(x))
      return arith::DivFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::DivUIOp::create(b, loc, x, y))
                      : Value(arith::DivSIOp::create(b, loc, x, y));
  }
  Value max(Value x, Value y) {
    if (isFloat(x))
      return arith::MaximumFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                      : Value(arith::MaxSIOp::create(b, loc, x, y));
  }
  Value min(Value x, Value y) {
    if (isFloat(x))
      return arith::MinimumFOp::create(b, loc, x, y);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, y))
                      : Value(arith::MinSIOp::create(b, loc, x, y));
  }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, loc, condition, x, y);
  }
  Value lessThanZero(Value x) {
    if (isFloat(x))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                   zero(x));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero(x));
  }
  Value sigmoid(Value x) {
    Value exp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one(x),
                                 arith::AddFOp::create(b, loc, one(x), exp));
  }
  Value clamp(Value x, double low, double high) {
    return min(max(x, constant(x.getType(), low)), constant(x.getType(), high));
  }

  Value operator()(NegOp, ValueRange x) {
    return isFloat(x[0]) ? Value(arith::NegFOp::create(b, loc, x[0]))
                         : sub(zero(x[0]), x[0]);
  }
  Value operator()(AbsOp, ValueRange x) {
    if (isFloat(x[0]))
      return math::AbsFOp::create(b, loc, x[0]);
    return isUnsigned ? x[0] : Value(math::AbsIOp::create(b, loc, x[0]));
  }
  Value operator()(SignOp, ValueRange x) {
    if (isFloat(x[0]))
      return select(
          lessThanZero(x[0]), constant(x[0].getType(), -1),
          select(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x[0],
                                       zero(x[0])),
                 one(x[0]), x[0]));
    Value positive = arith::CmpIOp::create(
        b, loc,
        isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
        x[0], zero(x[0]));
    Value sign = select(positive, one(x[0]), zero(x[0]));
    return isUnsigned
               ? sign
               : select(lessThanZero(x[0]), constant(x[0].getType(), -1), sign);
  }
  Value operator()(ExpOp, ValueRange x) {
    return math::ExpOp::create(b, loc, x[0]);
  }
  Value operator()(LogOp, ValueRange x) {
    return math::LogOp::create(b, loc, x[0]);
  }
  Value operator()(SqrtOp, ValueRange x) {
    return math::SqrtOp::create(b, loc, x[0]);
  }
  Value operator()(RsqrtOp, ValueRange x) {
    return math::RsqrtOp::create(b, loc, x[0]);
  }
  Value operator()(ReciprocalOp, ValueRange x) { return div(one(x[0]), x[0]); }
  Value operator()(TanhOp, ValueRange x) {
    return math::TanhOp::create(b, loc, x[0]);
  }
  Value operator()(SigmoidOp, ValueRange x) { return sigmoid(x[0]); }
  Value operator()(ReluOp, ValueRange x) {
    if (isUnsigned)
      return x[0];
    return max(x[0], zero(x[0]));
  }
  Value operator()(ErfOp, ValueRange x) {
    return math::ErfOp::create(b, loc, x[0]);
  }
  Value operator()(SinOp, ValueRange x) {
    return math::SinOp::create(b, loc, x[0]);
  }
  Value operator()(CosOp, ValueRange x) {
    return math::CosOp::create(b, loc, x[0]);
  }
  Value operator()(AtanOp, ValueRange x) {
    return math::AtanOp::create(b, loc, x[0]);
  }
  Value operator()(FloorOp, ValueRange x) {
    return math::FloorOp::create(b, loc, x[0]);
  }
  Value operator()(CeilOp, ValueRange x) {
    return math::CeilOp::create(b, loc, x[0]);
  }
  Value operator()(RoundOp, ValueRange x) {
    return math::RoundEvenOp::create(b, loc, x[0]);
  }
  Value operator()(SoftplusOp, ValueRange x) {
    // ln(1 + e^x), written to neither overflow for large x nor lose small
    // ones: max(x, 0) + log1p(e^-|x|).
    Value magnitude = math::AbsFOp::create(b, loc, x[0]);
    Value tail = math::Log1pOp::create(
        b, loc,
        math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, magnitude)));
    return add(max(x[0], zero(x[0])), tail);
  }
  Value operator()(SiluOp, ValueRange x) { return mul(x[0], sigmoid(x[0])); }
  Value operator()(HardSwishOp, ValueRange x) {
    Value gate = add(mul(x[0], constant(x[0].getType(), 1.0 / 6)),
                     constant(x[0].getType(), 0.5));
    return mul(x[0], clamp(gate, 0, 1));
  }
  Value operator()(NotOp, ValueRange x) {
    return arith::XOrIOp::create(b, loc, x[0], constant(x[0].getType(), 1));
  }
  Value operator()(GeluOp op, ValueRange x) {
    Type type = x[0].getType();
    Value half = mul(x[0], constant(type, 0.5));
    if (op.getApproximation() == GeluApproximation::Tanh) {
      Value cube = mul(mul(x[0], x[0]), x[0]);
      Value inner = mul(add(x[0], mul(cube, constant(type, 0.044715))),
                        constant(type, std::sqrt(2.0 / M_PI)));
      return mul(half, add(one(x[0]), math::TanhOp::create(b, loc, inner)));
    }
    Value scaled = mul(x[0], constant(type, M_SQRT1_2));
    return mul(half, add(one(x[0]), math::ErfOp::create(b, loc, scaled)));
  }
  Value operator()(LeakyReluOp op, ValueRange x) {
    Value scaled =
        mul(x[0], constant(x[0].getType(), op.getAlpha().convertToDouble()));
    return select(lessThanZero(x[0]), scaled, x[0]);
  }
  Value operator()(EluOp op, ValueRange x) {
    Value expm1 = math::ExpM1Op::create(b, loc, x[0]);
    Value scaled =
        mul(expm1, constant(x[0].getType(), op.getAlpha().convertToDouble()));
    return select(lessThanZero(x[0]), scaled, x[0]);
  }
  Value operator()(HardSigmoidOp op, ValueRange x) {
    Value line = add(
        mul(x[0], constant(x[0].getType(), op.getAlpha().convertToDouble())),
        constant(x[0].getType(), op.getBeta().convertToDouble()));
    return clamp(line, 0, 1);
  }
  Value operator()(ClampOp op, ValueRange x) {
    Value result = x[0];
    if (auto low = op.getMinAttr())
      result = max(result, arith::ConstantOp::create(b, loc, signless(low)));
    if (auto high = op.getMaxAttr())
      result = min(result, arith::ConstantOp::create(b, loc, signless(high)));
    return result;
  }

  Value operator()(AddOp, ValueRange x) { return add(x[0], x[1]); }
  Value operator()(SubOp, ValueRange x) { return sub(x[0], x[1]); }
  Value operator()(MulOp, ValueRange x) { return mul(x[0], x[1]); }
  Value operator()(DivOp, ValueRange x) { return div(x[0], x[1]); }
  Value operator()(RemOp, ValueRange x) {
    if (isFloat(x[0]))
      return arith::RemFOp::create(b, loc, x[0], x[1]);
    return isUnsigned ? Value(arith::RemUIOp::create(b, loc, x[0], x[1]))
                      : Value(arith::RemSIOp::create(b, loc, x[0], x[1]));
  }
  Value operator()(PowOp, ValueRange x) {
    return math::PowFOp::create(b, loc, x[0], x[1]);
  }
  Value operator()(MaxOp, ValueRange x) { return max(x[0], x[1]); }
  Value operator()(MinOp, ValueRange x) { return min(x[0], x[1]); }
  Value operator()(AndOp, ValueRange x) {
    return arith::AndIOp::create(b, loc, x[0], x[1]);
  }
  Value operator()(OrOp, ValueRange x) {
    return arith::OrIOp::create(b, loc, x[0], x[1]);
  }
  Value operator()(XorOp, ValueRange x) {
    return arith::XOrIOp::create(b, loc, x[0], x[1]);
  }
  Value operator()(CompareOp op, ValueRange x) {
    CompareKind kind = op.getKind();
    if (isFloat(x[0])) {
      // Ordered comparisons are false with NaN; "not equal" is true.
      arith::CmpFPredicate predicate =
          kind == CompareKind::EQ   ? arith::CmpFPredicate::OEQ
          : kind == CompareKind::NE ? arith::CmpFPredicate::UNE
          : kind == CompareKind::LT ? arith::CmpFPredicate::OLT
          : kind == CompareKind::LE ? arith::CmpFPredicate::OLE
          : kind == CompareKind::GT ? arith::CmpFPredicate::OGT
                                    : arith::CmpFPredicate::OGE;
      return arith::CmpFOp::create(b, loc, predicate, x[0], x[1]);
    }
    using P = arith::CmpIPredicate;
    P predicate = kind == CompareKind::EQ   ? P::eq
                  : kind == CompareKind::NE ? P::ne
                  : kind == CompareKind::LT ? (isUnsigned ? P::ult : P::slt)
                  : kind == CompareKind::LE ? (isUnsigned ? P::ule : P::sle)
                  : kind == CompareKind::GT ? (isUnsigned ? P::ugt : P::sgt)
                                            : (isUnsigned ? P::uge : P::sge);
    return arith::CmpIOp::create(b, loc, predicate, x[0], x[1]);
  }
  Value operator()(WhereOp, ValueRange x) { return select(x[0], x[1], x[2]); }
  Value operator()(CastOp op, ValueRange x) {
    Value value = x[0];
    Type from = value.getType(), to = resultType;
    if (from == to)
      return value;
    bool fromUnsigned = isUnsigned || from.isInteger(1);
    bool toUnsigned = elementTypeOf(op.getType()).isUnsignedInteger();
    if (to.isInteger(1)) {
      // Nonzero is true.
      return isFloat(value)
                 ? Value(arith::CmpFOp::create(
                       b, loc, arith::CmpFPredicate::UNE, value, zero(value)))
                 : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                               value, zero(value)));
    }
    auto fromFloat = dyn_cast<FloatType>(from);
    auto toFloat = dyn_cast<FloatType>(to);
    if (fromFloat && toFloat) {
      return fromFloat.getWidth() < toFloat.getWidth()
                 ? Value(arith::ExtFOp::create(b, loc, to, value))
                 : Value(arith::TruncFOp::create(b, loc, to, value));
    }
    if (fromFloat)
      return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, value))
                        : Value(arith::FPToSIOp::create(b, loc, to, value));
    if (toFloat)
      return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, value))
                          : Value(arith::SIToFPOp::create(b, loc, to, value));
    unsigned fromWidth = from.getIntOrFloatBitWidth();
    unsigned toWidth = to.getIntOrFloatBitWidth();
    if (fromWidth > toWidth)
      return arith::TruncIOp::create(b, loc, to, value);
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, value))
                        : Value(arith::ExtSIOp::create(b, loc, to, value));
  }

  /// An attribute of a possibly unsigned type as its signless twin.
  TypedAttr signless(TypedAttr attr) {
    if (auto integer = dyn_cast<IntegerAttr>(attr)) {
      if (integer.getType().isUnsignedInteger())
        return IntegerAttr::get(
            IntegerType::get(b.getContext(),
                             integer.getType().getIntOrFloatBitWidth()),
            integer.getValue());
    }
    return attr;
  }
};

/// Any elementwise pith op: one linalg.generic.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(
        this->getTypeConverter()->convertType(op.getType()));
    // The signedness of the operands that carry the arithmetic (where's
    // first operand is its condition).
    Value typed = op->getOperand(std::is_same_v<OpTy, WhereOp> ? 1 : 0);
    bool operandsUnsigned = isUnsigned(typed.getType());
    Value result =
        elementwise(rewriter, op.getLoc(), resultType, adaptor.getOperands(),
                    [&](OpBuilder &b, Location loc, ValueRange elements) {
                      Scalar scalarOps{b, loc, resultType.getElementType(),
                                       operandsUnsigned};
                      return scalarOps(op, elements);
                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ElementsAttr value = op.getValue();
    if (type != op.getType()) {
      // Unsigned to signless: the same bits under the signless type;
      // sub-byte to bytes: each value extended by its signedness.
      auto dense = dyn_cast<DenseElementsAttr>(value);
      unsigned width = op.getType().getElementTypeBitWidth();
      if (dense && width < 8) {
        bool extendUnsigned = isUnsigned(op.getType());
        value = dense.mapValues(type.getElementType(), [&](const APInt &v) {
          return extendUnsigned ? v.zext(8) : v.sext(8);
        });
      } else if (dense)
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unsupported constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

} // namespace

void populateElementwisePatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<SignOp>,
               ElementwiseLowering<ExpOp>, ElementwiseLowering<LogOp>,
               ElementwiseLowering<SqrtOp>, ElementwiseLowering<RsqrtOp>,
               ElementwiseLowering<ReciprocalOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<SinOp>,
               ElementwiseLowering<CosOp>, ElementwiseLowering<AtanOp>,
               ElementwiseLowering<FloorOp>, ElementwiseLowering<CeilOp>,
               ElementwiseLowering<RoundOp>, ElementwiseLowering<SoftplusOp>,
               ElementwiseLowering<SiluOp>, ElementwiseLowering<HardSwishOp>,
               ElementwiseLowering<NotOp>, ElementwiseLowering<GeluOp>,
               ElementwiseLowering<LeakyReluOp>, ElementwiseLowering<EluOp>,
               ElementwiseLowering<HardSigmoidOp>, ElementwiseLowering<ClampOp>,
               ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<RemOp>, ElementwiseLowering<PowOp>,
               ElementwiseLowering<MaxOp>, ElementwiseLowering<MinOp>,
               ElementwiseLowering<AndOp>, ElementwiseLowering<OrOp>,
               ElementwiseLowering<XorOp>, ElementwiseLowering<CompareOp>,
               ElementwiseLowering<WhereOp>, ElementwiseLowering<CastOp>>(
      converter, patterns.getContext());
}

} // namespace mlir::pith::lowering
