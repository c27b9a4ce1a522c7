//===- Elementwise.cpp - Import rules: elementwise ops --------------------===//
//
// Part of pith. Unary math and activations, binary arithmetic and logic,
// comparisons, selection and casts. Ops without a pith op of their own
// are composed of pith ops (Tan as sin/cos, Mish as x*tanh(softplus x)...).
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"
#include "lib/import/onnx/Tensors.h"

#include <cfloat>
#include <cmath>

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

Type elementTypeOf(Value value) {
  return value ? cast<ShapedType>(value.getType()).getElementType() : Type();
}

template <typename OpTy> LogicalResult unary(NodeContext &ctx) {
  return ctx.setOutput(0, ctx.create<OpTy>(ctx.input(0)));
}

template <typename OpTy> LogicalResult binary(NodeContext &ctx) {
  return ctx.setOutput(0, ctx.create<OpTy>(ctx.input(0), ctx.input(1)));
}

template <CompareKind kind> LogicalResult comparison(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  // pith compares numbers; booleans compare as 0 and 1.
  if (elementTypeOf(lhs).isInteger(1)) {
    auto byte = IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
    lhs = ctx.castTo(lhs, byte);
    rhs = ctx.castTo(rhs, byte);
  }
  return ctx.setOutput(0, ctx.create<CompareOp>(kind, lhs, rhs));
}

/// Max, Min, Sum: the op applied across all inputs, which broadcast.
template <typename OpTy> LogicalResult variadic(NodeContext &ctx) {
  Value result = ctx.input(0);
  for (unsigned i = 1; i < ctx.numInputs(); ++i)
    result = ctx.create<OpTy>(result, ctx.input(i));
  return ctx.setOutput(0, result);
}

LogicalResult importMean(NodeContext &ctx) {
  Value sum = ctx.input(0);
  for (unsigned i = 1; i < ctx.numInputs(); ++i)
    sum = ctx.create<AddOp>(sum, ctx.input(i));
  return ctx.setOutput(
      0, ctx.create<DivOp>(sum, ctx.scalarLike(sum, ctx.numInputs())));
}

//===----------------------------------------------------------------------===//
// Activations and math composed of pith ops
//===----------------------------------------------------------------------===//

LogicalResult importTan(NodeContext &ctx) {
  Value x = ctx.input(0);
  return ctx.setOutput(
      0, ctx.create<DivOp>(ctx.create<SinOp>(x), ctx.create<CosOp>(x)));
}

LogicalResult importSoftsign(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value denominator =
      ctx.create<AddOp>(ctx.create<AbsOp>(x), ctx.scalarLike(x, 1.0));
  return ctx.setOutput(0, ctx.create<DivOp>(x, denominator));
}

LogicalResult importMish(NodeContext &ctx) {
  Value x = ctx.input(0);
  return ctx.setOutput(
      0, ctx.create<MulOp>(x, ctx.create<TanhOp>(ctx.create<SoftplusOp>(x))));
}

/// sinh and cosh from exponentials: (e^x -+ e^-x) / 2.
template <typename CombineOp> LogicalResult hyperbolic(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value up = ctx.create<ExpOp>(x);
  Value down = ctx.create<ExpOp>(ctx.create<NegOp>(x));
  return ctx.setOutput(0, ctx.create<MulOp>(ctx.create<CombineOp>(up, down),
                                            ctx.scalarLike(x, 0.5)));
}

/// asinh x = ln(x + sqrt(x^2 + 1)); acosh x = ln(x + sqrt(x^2 - 1)).
template <int sign> LogicalResult inverseHyperbolic(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value radicand =
      ctx.create<AddOp>(ctx.create<MulOp>(x, x), ctx.scalarLike(x, sign));
  return ctx.setOutput(
      0, ctx.create<LogOp>(ctx.create<AddOp>(x, ctx.create<SqrtOp>(radicand))));
}

/// atanh x = ln((1 + x) / (1 - x)) / 2.
LogicalResult importAtanh(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value one = ctx.scalarLike(x, 1.0);
  Value ratio =
      ctx.create<DivOp>(ctx.create<AddOp>(one, x), ctx.create<SubOp>(one, x));
  return ctx.setOutput(
      0, ctx.create<MulOp>(ctx.create<LogOp>(ratio), ctx.scalarLike(x, 0.5)));
}

/// asin x = atan(x / sqrt(1 - x^2)); acos x = pi/2 - asin x.
template <bool complement> LogicalResult importArcSine(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value cosine = ctx.create<SqrtOp>(
      ctx.create<SubOp>(ctx.scalarLike(x, 1.0), ctx.create<MulOp>(x, x)));
  Value angle = ctx.create<AtanOp>(ctx.create<DivOp>(x, cosine));
  if (complement)
    angle = ctx.create<SubOp>(ctx.scalarLike(x, M_PI / 2), angle);
  return ctx.setOutput(0, angle);
}

LogicalResult importIsNaN(NodeContext &ctx) {
  Value x = ctx.input(0);
  return ctx.setOutput(0, ctx.create<CompareOp>(CompareKind::NE, x, x));
}

LogicalResult importIsInf(NodeContext &ctx) {
  Value x = ctx.input(0);
  bool negative = ctx.intAttr("detect_negative", 1);
  bool positive = ctx.intAttr("detect_positive", 1);
  double infinity = std::numeric_limits<double>::infinity();
  Value result;
  if (negative && positive) {
    result = ctx.create<CompareOp>(CompareKind::EQ, ctx.create<AbsOp>(x),
                                   ctx.scalarLike(x, infinity));
  } else if (negative || positive) {
    result = ctx.create<CompareOp>(
        CompareKind::EQ, x, ctx.scalarLike(x, positive ? infinity : -infinity));
  } else {
    // Detecting neither: all false.
    result = ctx.create<CompareOp>(CompareKind::NE, x, x);
    result = ctx.create<AndOp>(
        result, ctx.scalar(IntegerType::get(ctx.context(), 1), 0));
  }
  return ctx.setOutput(0, result);
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  return ctx.setOutput(
      0, ctx.create<LeakyReluOp>(ctx.input(0),
                                 ctx.f64(ctx.floatAttr("alpha", 0.01f))));
}

LogicalResult importElu(NodeContext &ctx) {
  return ctx.setOutput(
      0,
      ctx.create<EluOp>(ctx.input(0), ctx.f64(ctx.floatAttr("alpha", 1.0f))));
}

LogicalResult importSelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  float alpha = ctx.floatAttr("alpha", 1.67326319217681884765625f);
  float gamma = ctx.floatAttr("gamma", 1.05070102214813232421875f);
  return ctx.setOutput(0,
                       ctx.create<MulOp>(ctx.create<EluOp>(x, ctx.f64(alpha)),
                                         ctx.scalarLike(x, gamma)));
}

/// celu(x) = alpha * elu(x / alpha) with elu's alpha 1.
LogicalResult importCelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  float alpha = ctx.floatAttr("alpha", 1.0f);
  Value scaled = ctx.create<DivOp>(x, ctx.scalarLike(x, alpha));
  return ctx.setOutput(
      0, ctx.create<MulOp>(ctx.create<EluOp>(scaled, ctx.f64(1.0)),
                           ctx.scalarLike(x, alpha)));
}

LogicalResult importHardSigmoid(NodeContext &ctx) {
  return ctx.setOutput(
      0, ctx.create<HardSigmoidOp>(ctx.input(0),
                                   ctx.f64(ctx.floatAttr("alpha", 0.2f)),
                                   ctx.f64(ctx.floatAttr("beta", 0.5f))));
}

LogicalResult importGelu(NodeContext &ctx) {
  std::string approximate = ctx.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.error("approximate must be 'none' or 'tanh', got '" +
                     approximate + "'");
  return ctx.setOutput(
      0, ctx.create<GeluOp>(ctx.input(0), approximate == "tanh"
                                              ? GeluApproximation::Tanh
                                              : GeluApproximation::None));
}

LogicalResult importThresholdedRelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  Value above = ctx.create<CompareOp>(
      CompareKind::GT, x, ctx.scalarLike(x, ctx.floatAttr("alpha", 1.0f)));
  return ctx.setOutput(0,
                       ctx.create<WhereOp>(above, x, ctx.scalarLike(x, 0.0)));
}

LogicalResult importShrink(NodeContext &ctx) {
  Value x = ctx.input(0);
  float bias = ctx.floatAttr("bias", 0.0f);
  float lambda = ctx.floatAttr("lambd", 0.5f);
  Value below =
      ctx.create<CompareOp>(CompareKind::LT, x, ctx.scalarLike(x, -lambda));
  Value above =
      ctx.create<CompareOp>(CompareKind::GT, x, ctx.scalarLike(x, lambda));
  Value shrunk =
      ctx.create<WhereOp>(above, ctx.create<SubOp>(x, ctx.scalarLike(x, bias)),
                          ctx.scalarLike(x, 0.0));
  return ctx.setOutput(
      0, ctx.create<WhereOp>(
             below, ctx.create<AddOp>(x, ctx.scalarLike(x, bias)), shrunk));
}

LogicalResult importPRelu(NodeContext &ctx) {
  Value x = ctx.input(0), slope = ctx.input(1);
  Value negative =
      ctx.create<CompareOp>(CompareKind::LT, x, ctx.scalarLike(x, 0.0));
  return ctx.setOutput(
      0, ctx.create<WhereOp>(negative, ctx.create<MulOp>(x, slope), x));
}

/// A bound of Clip as an attribute of the element type.
TypedAttr boundAttr(Type elementType, double value) {
  if (isa<FloatType>(elementType))
    return FloatAttr::get(elementType, value);
  return IntegerAttr::get(elementType, static_cast<int64_t>(value));
}

LogicalResult importClip(NodeContext &ctx) {
  Value x = ctx.input(0);
  Type elementType = elementTypeOf(x);
  if (ctx.opset() < 11) {
    return ctx.setOutput(
        0, ctx.create<ClampOp>(
               x, boundAttr(elementType, ctx.floatAttr("min", -FLT_MAX)),
               boundAttr(elementType, ctx.floatAttr("max", FLT_MAX))));
  }
  // Since opset 11 the bounds are inputs: constant ones become attributes,
  // others max/min ops.
  TypedAttr bounds[2];
  for (unsigned i : {1u, 2u}) {
    if (!ctx.hasInput(i))
      continue;
    if (NodeContext::constantOf(ctx.input(i))) {
      std::optional<double> bound = ctx.constantScalar(i, "the bound");
      if (!bound)
        return failure();
      bounds[i - 1] = boundAttr(elementType, *bound);
    } else {
      x = i == 1 ? ctx.create<MaxOp>(x, ctx.input(i))
                 : ctx.create<MinOp>(x, ctx.input(i));
    }
  }
  return ctx.setOutput(0, ctx.create<ClampOp>(x, bounds[0], bounds[1]));
}

LogicalResult importIdentity(NodeContext &ctx) {
  return ctx.setOutput(0, ctx.input(0));
}

/// Dropout at inference is the identity; its mask is all true.
LogicalResult importDropout(NodeContext &ctx) {
  ctx.ignoreAttribute("seed");
  ctx.ignoreAttribute("ratio");
  ctx.ignoreInput(1); // the ratio, since opset 12
  if (ctx.hasInput(2)) {
    std::optional<double> training = ctx.constantScalar(2, "training_mode");
    if (!training)
      return failure();
    if (*training != 0.0)
      return ctx.error("training mode is not supported");
  }
  Value x = ctx.input(0);
  if (ctx.hasOutput(1)) {
    auto type = cast<RankedTensorType>(x.getType());
    if (failed(ctx.setOutput(
            1, ctx.constant(DenseElementsAttr::get(
                   type.clone(IntegerType::get(ctx.context(), 1)), true)))))
      return failure();
  }
  return ctx.setOutput(0, x);
}

//===----------------------------------------------------------------------===//
// Binary ops with ONNX-specific rules
//===----------------------------------------------------------------------===//

LogicalResult importPow(NodeContext &ctx) {
  Value base = ctx.input(0), exponent = ctx.input(1);
  Type resultType = elementTypeOf(base);
  // Integer powers are computed in f64, exact for every int32 result.
  Type computeType =
      isa<FloatType>(resultType) ? resultType : Float64Type::get(ctx.context());
  if (computeType != resultType)
    base = ctx.castTo(base, computeType);
  // Since opset 12 the exponent may have another type.
  if (elementTypeOf(exponent) != computeType)
    exponent = ctx.castTo(exponent, computeType);
  Value power = ctx.create<PowOp>(base, exponent);
  return ctx.setOutput(
      0, computeType == resultType ? power : ctx.castTo(power, resultType));
}

LogicalResult importMod(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  bool fmod = ctx.intAttr("fmod", 0);
  Value remainder = ctx.create<RemOp>(a, b);
  if (fmod)
    return ctx.setOutput(0, remainder);
  // The sign of the divisor: adjust where a nonzero remainder's sign
  // differs from it.
  Value zero = ctx.scalarLike(a, 0.0);
  Value nonzero = ctx.create<CompareOp>(CompareKind::NE, remainder, zero);
  Value signsDiffer =
      ctx.create<XorOp>(ctx.create<CompareOp>(CompareKind::LT, remainder, zero),
                        ctx.create<CompareOp>(CompareKind::LT, b, zero));
  Value adjust = ctx.create<AndOp>(nonzero, signsDiffer);
  return ctx.setOutput(
      0,
      ctx.create<WhereOp>(adjust, ctx.create<AddOp>(remainder, b), remainder));
}

LogicalResult importBitwiseNot(NodeContext &ctx) {
  Value x = ctx.input(0);
  return ctx.setOutput(0, ctx.create<XorOp>(x, ctx.scalarLike(x, -1)));
}

LogicalResult importCast(NodeContext &ctx) {
  // saturate only concerns 8-bit floats, which pith does not have.
  ctx.ignoreAttribute("saturate");
  int64_t to = ctx.intAttr("to", onnx::TensorProto::UNDEFINED);
  Type elementType = convertElementType(ctx.context(), to);
  if (!elementType)
    return ctx.error("casting to " + dataTypeName(to) + " is not supported");
  return ctx.setOutput(0, ctx.castTo(ctx.input(0), elementType));
}

LogicalResult importCastLike(NodeContext &ctx) {
  ctx.ignoreAttribute("saturate");
  return ctx.setOutput(0,
                       ctx.castTo(ctx.input(0), elementTypeOf(ctx.input(1))));
}

} // namespace

void addElementwiseRules(RuleTable &table) {
  llvm::StringRef d = kDefaultDomain;
  table.add(d, "Abs", unary<AbsOp>);
  table.add(d, "Neg", unary<NegOp>);
  table.add(d, "Sign", unary<SignOp>, 9);
  table.add(d, "Exp", unary<ExpOp>);
  table.add(d, "Log", unary<LogOp>);
  table.add(d, "Sqrt", unary<SqrtOp>);
  table.add(d, "Reciprocal", unary<ReciprocalOp>);
  table.add(d, "Tanh", unary<TanhOp>);
  table.add(d, "Sigmoid", unary<SigmoidOp>);
  table.add(d, "Relu", unary<ReluOp>);
  table.add(d, "Erf", unary<ErfOp>, 9);
  table.add(d, "Sin", unary<SinOp>, 7);
  table.add(d, "Cos", unary<CosOp>, 7);
  table.add(d, "Tan", importTan, 7);
  table.add(d, "Atan", unary<AtanOp>, 7);
  table.add(d, "Asin", importArcSine<false>, 7);
  table.add(d, "Acos", importArcSine<true>, 7);
  table.add(d, "Sinh", hyperbolic<SubOp>, 9);
  table.add(d, "Cosh", hyperbolic<AddOp>, 9);
  table.add(d, "Asinh", inverseHyperbolic<1>, 9);
  table.add(d, "Acosh", inverseHyperbolic<-1>, 9);
  table.add(d, "Atanh", importAtanh, 9);
  table.add(d, "Floor", unary<FloorOp>);
  table.add(d, "Ceil", unary<CeilOp>);
  table.add(d, "Round", unary<RoundOp>, 11);
  table.add(d, "Softplus", unary<SoftplusOp>);
  table.add(d, "Softsign", importSoftsign);
  table.add(d, "Mish", importMish, 18);
  table.add(d, "HardSwish", unary<HardSwishOp>, 14);
  table.add(d, "HardSigmoid", importHardSigmoid);
  table.add(d, "LeakyRelu", importLeakyRelu);
  table.add(d, "Elu", importElu);
  table.add(d, "Selu", importSelu);
  table.add(d, "Celu", importCelu, 12);
  table.add(d, "Gelu", importGelu, 20);
  table.add(d, "ThresholdedRelu", importThresholdedRelu, 10);
  table.add(d, "Shrink", importShrink, 9);
  table.add(d, "PRelu", importPRelu, 1, 2);
  table.add(d, "Clip", importClip);
  table.add(d, "IsNaN", importIsNaN, 9);
  table.add(d, "IsInf", importIsInf, 10);
  table.add(d, "Not", unary<NotOp>);
  table.add(d, "Identity", importIdentity);
  table.add(d, "Dropout", importDropout);

  table.add(d, "Add", binary<AddOp>, 1, 2);
  table.add(d, "Sub", binary<SubOp>, 1, 2);
  table.add(d, "Mul", binary<MulOp>, 1, 2);
  table.add(d, "Div", binary<DivOp>, 1, 2);
  table.add(d, "Pow", importPow, 1, 2);
  table.add(d, "Mod", importMod, 10, 2);
  table.add(d, "And", binary<AndOp>, 1, 2);
  table.add(d, "Or", binary<OrOp>, 1, 2);
  table.add(d, "Xor", binary<XorOp>, 1, 2);
  table.add(d, "BitwiseAnd", binary<AndOp>, 18, 2);
  table.add(d, "BitwiseOr", binary<OrOp>, 18, 2);
  table.add(d, "BitwiseXor", binary<XorOp>, 18, 2);
  table.add(d, "BitwiseNot", importBitwiseNot, 18);
  table.add(d, "Equal", comparison<CompareKind::EQ>, 1, 2);
  table.add(d, "Less", comparison<CompareKind::LT>, 1, 2);
  table.add(d, "LessOrEqual", comparison<CompareKind::LE>, 12, 2);
  table.add(d, "Greater", comparison<CompareKind::GT>, 1, 2);
  table.add(d, "GreaterOrEqual", comparison<CompareKind::GE>, 12, 2);
  table.add(
      d, "Where",
      [](NodeContext &ctx) {
        return ctx.setOutput(
            0, ctx.create<WhereOp>(ctx.input(0), ctx.input(1), ctx.input(2)));
      },
      9, 3);
  table.add(d, "Max", variadic<MaxOp>);
  table.add(d, "Min", variadic<MinOp>);
  table.add(d, "Sum", variadic<AddOp>);
  table.add(d, "Mean", importMean);
  table.add(d, "Cast", importCast);
  table.add(d, "CastLike", importCastLike, 15, 2);
}

} // namespace pith::importer
