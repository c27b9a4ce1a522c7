//===- PithFolds.cpp - pith operations: folders ---------------------------===//
//
// Part of pith. Folders: identities (a reshape to the same type, a transpose
// by the identity, x * 1, ...) and constant evaluation. Constant evaluation
// covers the small tensors that shape computations in exported models are
// made of; it never expands a weight into IR text, so results with more
// than kMaxFoldedElements elements are left alone.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"

#include "dialects/pith/PithOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"

#include <cstring>

using namespace mlir;
using namespace mlir::pith;

/// Constant results with more elements than this are not folded.
static constexpr int64_t kMaxFoldedElements = 4096;

/// Weights are aligned for the widest vector loads (AVX-512).
static constexpr size_t kWeightAlignment = 64;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The attribute as a dense constant cheap to evaluate (a splat, or small),
/// or null.
static DenseElementsAttr smallDense(Attribute attr) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense ||
      (!dense.isSplat() && dense.getNumElements() > kMaxFoldedElements))
    return {};
  return dense;
}

static SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t dim = static_cast<int64_t>(shape.size()) - 2; dim >= 0; --dim)
    strides[dim] = strides[dim + 1] * shape[dim + 1];
  return strides;
}

/// Calls `fn` with every position of `shape`, in row-major order.
static void forEachPosition(ArrayRef<int64_t> shape,
                            function_ref<void(ArrayRef<int64_t>)> fn) {
  if (llvm::is_contained(shape, 0))
    return;
  SmallVector<int64_t> position(shape.size(), 0);
  while (true) {
    fn(position);
    int64_t dim = static_cast<int64_t>(shape.size()) - 1;
    for (; dim >= 0; --dim) {
      if (++position[dim] < shape[dim])
        break;
      position[dim] = 0;
    }
    if (dim < 0)
      return;
  }
}

/// Builds a constant of `resultType` element by element; `elementAt` gives
/// the element at a position, or null to give up.
static Attribute
buildConstant(ShapedType resultType,
              function_ref<Attribute(ArrayRef<int64_t>)> elementAt) {
  if (resultType.getNumElements() > kMaxFoldedElements)
    return {};
  SmallVector<Attribute> elements;
  elements.reserve(resultType.getNumElements());
  bool complete = true;
  forEachPosition(resultType.getShape(), [&](ArrayRef<int64_t> position) {
    Attribute element = complete ? elementAt(position) : Attribute();
    complete = complete && element;
    elements.push_back(element);
  });
  if (!complete)
    return {};
  return DenseElementsAttr::get(resultType, elements);
}

/// Builds a constant of `resultType` whose element at each position is the
/// element of `source` at the row-major index `sourceIndex(position)`.
static Attribute
remapConstant(DenseElementsAttr source, ShapedType resultType,
              function_ref<int64_t(ArrayRef<int64_t>)> sourceIndex) {
  if (source.isSplat())
    return DenseElementsAttr::get(resultType,
                                  source.getSplatValue<Attribute>());
  auto values = llvm::to_vector(source.getValues<Attribute>());
  return buildConstant(resultType, [&](ArrayRef<int64_t> position) {
    int64_t index = sourceIndex(position);
    // Out of range only for invalid IR, which is not folded.
    bool inRange = index >= 0 && index < static_cast<int64_t>(values.size());
    return inRange ? values[index] : Attribute();
  });
}

/// Builds a resource constant of `resultType` whose element at each position
/// is the element of `source` at the row-major index `sourceIndex(position)`,
/// named after `source` with `suffix`. Null where `source`'s bytes are not
/// loaded or its elements are wider than a byte but not whole bytes.
static Attribute
remapResource(DenseResourceElementsAttr source, ShapedType resultType,
              function_ref<int64_t(ArrayRef<int64_t>)> sourceIndex,
              StringRef suffix) {
  DenseResourceElementsHandle handle = source.getRawHandle();
  const AsmResourceBlob *blob = handle.getBlob();
  // Sub-byte elements (i4, i2) are held a byte each.
  unsigned bits = resultType.getElementTypeBitWidth();
  if (!blob || (bits > 8 && bits % 8 != 0))
    return {};
  size_t width = std::max(1u, bits / 8);
  ArrayRef<char> data = blob->getData();
  if (data.size() != static_cast<size_t>(source.getNumElements()) * width)
    return {};
  AsmResourceBlob result = HeapAsmResourceBlob::allocate(
      resultType.getNumElements() * width, kWeightAlignment);
  MutableArrayRef<char> bytes = result.getMutableData();
  size_t offset = 0;
  forEachPosition(resultType.getShape(), [&](ArrayRef<int64_t> position) {
    std::memcpy(bytes.data() + offset,
                data.data() + sourceIndex(position) * width, width);
    offset += width;
  });
  return DenseResourceElementsAttr::get(
      resultType, (handle.getKey() + suffix).str(), std::move(result));
}

/// The row-major index in a tensor of `shape` that numpy broadcasting maps
/// the (longer or equal) result position `position` to.
static int64_t broadcastIndex(ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> position) {
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  size_t offset = position.size() - shape.size();
  int64_t index = 0;
  for (auto [dim, extent] : llvm::enumerate(shape)) {
    if (extent != 1)
      index += position[offset + dim] * strides[dim];
  }
  return index;
}

/// Evaluates an elementwise function of broadcast constant operands.
/// `evaluate` maps one element of each operand to the result element, or
/// to null to give up.
static Attribute
foldElementwise(ArrayRef<Attribute> operands, Type resultType,
                function_ref<Attribute(ArrayRef<Attribute>)> evaluate) {
  auto shaped = cast<ShapedType>(resultType);
  SmallVector<DenseElementsAttr> constants;
  for (Attribute operand : operands) {
    DenseElementsAttr dense = smallDense(operand);
    if (!dense)
      return {};
    constants.push_back(dense);
  }
  if (llvm::all_of(constants, [](auto c) { return c.isSplat(); })) {
    SmallVector<Attribute> elements;
    for (DenseElementsAttr constant : constants)
      elements.push_back(constant.getSplatValue<Attribute>());
    Attribute value = evaluate(elements);
    return value ? DenseElementsAttr::get(shaped, value) : Attribute();
  }
  SmallVector<SmallVector<Attribute>> values;
  for (DenseElementsAttr constant : constants)
    values.push_back(llvm::to_vector(constant.getValues<Attribute>()));
  SmallVector<Attribute> elements(constants.size());
  return buildConstant(shaped, [&](ArrayRef<int64_t> position) {
    for (auto [k, constant] : llvm::enumerate(constants)) {
      elements[k] =
          values[k][broadcastIndex(constant.getType().getShape(), position)];
    }
    return evaluate(elements);
  });
}

using FloatFn = function_ref<std::optional<APFloat>(ArrayRef<APFloat>)>;
/// Integer element functions also learn whether the operands are unsigned.
using IntFn = function_ref<std::optional<APInt>(ArrayRef<APInt>, bool)>;

/// Evaluates an arithmetic op on constants whose result has the operands'
/// element type. `floatFn` or `intFn` computes one element; either may be
/// null when the op does not apply to that kind of element.
static Attribute foldArithmetic(ArrayRef<Attribute> operands, Type resultType,
                                FloatFn floatFn, IntFn intFn) {
  Type elementType = cast<ShapedType>(resultType).getElementType();
  return foldElementwise(
      operands, resultType, [&](ArrayRef<Attribute> elements) -> Attribute {
        if (isa<FloatAttr>(elements.front())) {
          if (!floatFn)
            return {};
          auto values = llvm::map_to_vector(elements, [](Attribute element) {
            return cast<FloatAttr>(element).getValue();
          });
          std::optional<APFloat> value = floatFn(values);
          return value ? FloatAttr::get(elementType, *value) : Attribute();
        }
        if (!intFn)
          return {};
        auto values = llvm::map_to_vector(elements, [](Attribute element) {
          return cast<IntegerAttr>(element).getValue();
        });
        std::optional<APInt> value =
            intFn(values, elementType.isUnsignedInteger());
        return value ? IntegerAttr::get(elementType, *value) : Attribute();
      });
}

/// The integer elements of a small constant, as int64.
static SmallVector<int64_t> indexValues(DenseElementsAttr indices) {
  return llvm::map_to_vector(indices.getValues<APInt>(),
                             [](const APInt &v) { return v.getSExtValue(); });
}

/// An index into an axis of `extent` as the folders read it: negative ones
/// count from the end, out-of-range ones clamp.
static int64_t clampIndex(int64_t index, int64_t extent) {
  return std::clamp<int64_t>(index < 0 ? index + extent : index, 0, extent - 1);
}

/// `value` in double precision.
static double toDouble(const APFloat &value) {
  APFloat wide = value;
  bool losesInfo = false;
  wide.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &losesInfo);
  return wide.convertToDouble();
}

/// `value` rounded to nearest even in `semantics`.
static APFloat fromDouble(double value, const llvm::fltSemantics &semantics) {
  APFloat result(value);
  bool losesInfo = false;
  result.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
  return result;
}

/// True if `attr` is a constant whose every element is `value` (and, for
/// zero, a positive zero).
static bool isSplatOf(Attribute attr, int64_t value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Attribute element = splat.getSplatValue<Attribute>();
  if (auto floatAttr = dyn_cast<FloatAttr>(element)) {
    return floatAttr.getValueAsDouble() == static_cast<double>(value) &&
           !floatAttr.getValue().isNegative();
  }
  if (auto intAttr = dyn_cast<IntegerAttr>(element))
    return intAttr.getValue() == value;
  return false;
}

/// Whether `value` can replace a result of `type`: folding must not change
/// types (x * 1 may broadcast x).
static bool sameType(Value value, Type type) { return value.getType() == type; }

Attribute mlir::pith::detail::reshapeConstant(Attribute value,
                                              ShapedType type) {
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(value))
    return dense.reshape(type);
  if (auto resource = dyn_cast_if_present<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return {};
}

Attribute mlir::pith::detail::permuteConstant(Attribute value,
                                              ShapedType resultType,
                                              ArrayRef<int64_t> permutation,
                                              StringRef suffix,
                                              ArrayRef<int64_t> sourceShape) {
  auto shaped = dyn_cast_if_present<ElementsAttr>(value);
  if (!shaped)
    return {};
  SmallVector<int64_t> strides = rowMajorStrides(
      sourceShape.empty() ? cast<ShapedType>(shaped.getType()).getShape()
                          : sourceShape);
  auto sourceIndex = [&](ArrayRef<int64_t> position) {
    int64_t index = 0;
    for (auto [dim, source] : llvm::enumerate(permutation))
      index += position[dim] * strides[source];
    return index;
  };
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return remapResource(resource, resultType, sourceIndex, suffix);
  if (DenseElementsAttr input = smallDense(value))
    return remapConstant(input, resultType, sourceIndex);
  return {};
}

std::optional<std::vector<float>>
mlir::pith::detail::readFloats(Attribute value) {
  auto elements = dyn_cast_if_present<ElementsAttr>(value);
  if (!elements || !elements.getElementType().isF32())
    return std::nullopt;
  size_t count = elements.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != count * sizeof(float))
      return std::nullopt;
    std::vector<float> result(count);
    std::memcpy(result.data(), blob->getData().data(), count * sizeof(float));
    return result;
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  return std::nullopt;
}

std::optional<std::vector<int8_t>>
mlir::pith::detail::readBytes(Attribute value) {
  auto elements = dyn_cast_if_present<ElementsAttr>(value);
  auto integer =
      elements ? dyn_cast<IntegerType>(elements.getElementType()) : nullptr;
  if (!integer || integer.getWidth() > 8)
    return std::nullopt;
  size_t count = elements.getNumElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    const AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != count)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::vector<int8_t>(data.begin(), data.end());
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    std::vector<int8_t> result;
    result.reserve(count);
    for (const APInt &element : dense.getValues<APInt>())
      result.push_back(static_cast<int8_t>(integer.isUnsigned()
                                               ? element.getZExtValue()
                                               : element.getSExtValue()));
    return result;
  }
  return std::nullopt;
}

DenseResourceElementsAttr
mlir::pith::detail::makeResource(ShapedType type, StringRef name,
                                 ArrayRef<char> bytes) {
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, kWeightAlignment));
}

OpFoldResult mlir::pith::detail::foldFloatMath(Attribute operand,
                                               Type resultType,
                                               double (*fn)(double)) {
  return foldArithmetic(
      operand, resultType,
      [fn](ArrayRef<APFloat> values) -> std::optional<APFloat> {
        return fromDouble(fn(toDouble(values[0])), values[0].getSemantics());
      },
      nullptr);
}

//===----------------------------------------------------------------------===//
// Constants and unary ops
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getInput(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return neg(v[0]); },
      [](ArrayRef<APInt> v, bool) -> std::optional<APInt> { return -v[0]; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getInput(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return abs(v[0]); },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? v[0] : v[0].abs();
      });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getInput(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        if (v[0].isNegative() && !v[0].isNaN())
          return APFloat::getZero(v[0].getSemantics());
        return v[0];
      },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        if (!isUnsigned && v[0].isNegative())
          return APInt::getZero(v[0].getBitWidth());
        return v[0];
      });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getInput(), getType(), nullptr,
      [](ArrayRef<APInt> v, bool) -> std::optional<APInt> { return ~v[0]; });
}

OpFoldResult ClampOp::fold(FoldAdaptor adaptor) {
  if (!getMinAttr() && !getMaxAttr())
    return getInput();
  auto lower = dyn_cast_if_present<FloatAttr>(getMinAttr());
  auto upper = dyn_cast_if_present<FloatAttr>(getMaxAttr());
  auto lowerInt = dyn_cast_if_present<IntegerAttr>(getMinAttr());
  auto upperInt = dyn_cast_if_present<IntegerAttr>(getMaxAttr());
  return foldArithmetic(
      adaptor.getInput(), getType(),
      [&](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        APFloat value = v[0];
        if (lower && value < lower.getValue())
          value = lower.getValue();
        if (upper && value > upper.getValue())
          value = upper.getValue();
        return value;
      },
      [&](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        APInt value = v[0];
        if (lowerInt && (isUnsigned ? value.ult(lowerInt.getValue())
                                    : value.slt(lowerInt.getValue())))
          value = lowerInt.getValue();
        if (upperInt && (isUnsigned ? value.ugt(upperInt.getValue())
                                    : value.sgt(upperInt.getValue())))
          value = upperInt.getValue();
        return value;
      });
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 is x for integers; for floats only x + (-0.0) is, which is rare.
  if (getType().getElementType().isInteger()) {
    if (isSplatOf(adaptor.getRhs(), 0) && sameType(getLhs(), getType()))
      return getLhs();
    if (isSplatOf(adaptor.getLhs(), 0) && sameType(getRhs(), getType()))
      return getRhs();
  }
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return v[0] + v[1]; },
      [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
        return v[0] + v[1];
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0) && sameType(getLhs(), getType()))
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return v[0] - v[1]; },
      [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
        return v[0] - v[1];
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1) && sameType(getLhs(), getType()))
    return getLhs();
  if (isSplatOf(adaptor.getLhs(), 1) && sameType(getRhs(), getType()))
    return getRhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return v[0] * v[1]; },
      [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
        return v[0] * v[1];
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1) && sameType(getLhs(), getType()))
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> { return v[0] / v[1]; },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        if (v[1].isZero())
          return std::nullopt;
        if (isUnsigned)
          return v[0].udiv(v[1]);
        bool overflow = false;
        APInt quotient = v[0].sdiv_ov(v[1], overflow);
        return overflow ? std::nullopt : std::optional<APInt>(quotient);
      });
}

OpFoldResult RemOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        APFloat remainder = v[0];
        remainder.mod(v[1]);
        return remainder;
      },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        if (v[1].isZero())
          return std::nullopt;
        return isUnsigned ? v[0].urem(v[1]) : v[0].srem(v[1]);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1) && sameType(getLhs(), getType()))
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        return fromDouble(std::pow(toDouble(v[0]), toDouble(v[1])),
                          v[0].getSemantics());
      },
      nullptr);
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        return maximum(v[0], v[1]);
      },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umax(v[0], v[1])
                          : llvm::APIntOps::smax(v[0], v[1]);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APFloat> v) -> std::optional<APFloat> {
        return minimum(v[0], v[1]);
      },
      [](ArrayRef<APInt> v, bool isUnsigned) -> std::optional<APInt> {
        return isUnsigned ? llvm::APIntOps::umin(v[0], v[1])
                          : llvm::APIntOps::smin(v[0], v[1]);
      });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
                          return v[0] & v[1];
                        });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
                          return v[0] | v[1];
                        });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](ArrayRef<APInt> v, bool) -> std::optional<APInt> {
                          return v[0] ^ v[1];
                        });
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  CompareKind kind = getKind();
  Type boolType = getType().getElementType();
  bool isUnsigned = getLhs().getType().getElementType().isUnsignedInteger();
  return foldElementwise(
      adaptor.getOperands(), getType(),
      [&](ArrayRef<Attribute> elements) -> Attribute {
        bool result = false;
        if (auto lhsFloat = dyn_cast<FloatAttr>(elements[0])) {
          APFloat::cmpResult order = lhsFloat.getValue().compare(
              cast<FloatAttr>(elements[1]).getValue());
          bool unordered = order == APFloat::cmpUnordered;
          switch (kind) {
          case CompareKind::EQ:
            result = order == APFloat::cmpEqual;
            break;
          case CompareKind::NE:
            result = order != APFloat::cmpEqual;
            break;
          case CompareKind::LT:
            result = order == APFloat::cmpLessThan;
            break;
          case CompareKind::GT:
            result = order == APFloat::cmpGreaterThan;
            break;
          case CompareKind::LE:
            result = !unordered && order != APFloat::cmpGreaterThan;
            break;
          case CompareKind::GE:
            result = !unordered && order != APFloat::cmpLessThan;
            break;
          }
        } else {
          llvm::APSInt lhs(cast<IntegerAttr>(elements[0]).getValue(),
                           isUnsigned);
          llvm::APSInt rhs(cast<IntegerAttr>(elements[1]).getValue(),
                           isUnsigned);
          switch (kind) {
          case CompareKind::EQ:
            result = lhs == rhs;
            break;
          case CompareKind::NE:
            result = lhs != rhs;
            break;
          case CompareKind::LT:
            result = lhs < rhs;
            break;
          case CompareKind::LE:
            result = lhs <= rhs;
            break;
          case CompareKind::GT:
            result = lhs > rhs;
            break;
          case CompareKind::GE:
            result = lhs >= rhs;
            break;
          }
        }
        return IntegerAttr::get(boolType, result);
      });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  if (auto condition =
          dyn_cast_if_present<SplatElementsAttr>(adaptor.getCondition())) {
    Value chosen = condition.getSplatValue<bool>() ? getOnTrue() : getOnFalse();
    if (sameType(chosen, getType()))
      return chosen;
  }
  return foldElementwise(
      adaptor.getOperands(), getType(), [](ArrayRef<Attribute> elements) {
        bool condition =
            cast<IntegerAttr>(elements[0]).getValue().getBoolValue();
        return condition ? elements[1] : elements[2];
      });
}

/// Converts one constant element to `target`, as pith.cast does, or gives
/// null where the result is unspecified (a float out of integer range).
static Attribute castElement(Attribute element, Type sourceType, Type target) {
  auto targetInt = dyn_cast<IntegerType>(target);
  if (auto value = dyn_cast<FloatAttr>(element)) {
    APFloat number = value.getValue();
    if (!targetInt) {
      bool losesInfo = false;
      number.convert(cast<FloatType>(target).getFloatSemantics(),
                     APFloat::rmNearestTiesToEven, &losesInfo);
      return FloatAttr::get(target, number);
    }
    if (targetInt.getWidth() == 1)
      return IntegerAttr::get(target, number.isNonZero());
    llvm::APSInt integer(targetInt.getWidth(), targetInt.isUnsigned());
    bool isExact = false;
    if (number.convertToInteger(integer, APFloat::rmTowardZero, &isExact) ==
        APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(target, integer);
  }
  APInt integer = cast<IntegerAttr>(element).getValue();
  // Booleans and unsigned integers extend with zeros.
  bool isSigned = sourceType.isSignlessInteger() && integer.getBitWidth() > 1;
  if (auto floatType = dyn_cast<FloatType>(target)) {
    APFloat number(floatType.getFloatSemantics());
    number.convertFromAPInt(integer, isSigned, APFloat::rmNearestTiesToEven);
    return FloatAttr::get(target, number);
  }
  if (targetInt.getWidth() == 1)
    return IntegerAttr::get(target, !integer.isZero());
  return IntegerAttr::get(target,
                          isSigned ? integer.sextOrTrunc(targetInt.getWidth())
                                   : integer.zextOrTrunc(targetInt.getWidth()));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type sourceType = getInput().getType().getElementType();
  Type targetType = getType().getElementType();
  return foldElementwise(
      adaptor.getInput(), getType(), [&](ArrayRef<Attribute> elements) {
        return castElement(elements[0], sourceType, targetType);
      });
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return detail::reshapeConstant(adaptor.getInput(), getType());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return getInput();
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t dim : permutation)
      composed.push_back(producer.getPermutation()[dim]);
    getInputMutable().assign(producer.getInput());
    setPermutation(composed);
    return getResult();
  }
  // Transposing a weight is done once here rather than at every run.
  return detail::permuteConstant(adaptor.getInput(), getType(), permutation,
                                 "_transposed");
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  SmallVector<SmallVector<Attribute>> values;
  for (Attribute operand : adaptor.getInputs()) {
    DenseElementsAttr dense = smallDense(operand);
    if (!dense)
      return {};
    values.push_back(llvm::to_vector(dense.getValues<Attribute>()));
  }
  auto axis = static_cast<int64_t>(getAxis());
  return buildConstant(getType(), [&](ArrayRef<int64_t> position) {
    SmallVector<int64_t> local(position);
    for (auto [k, input] : llvm::enumerate(getInputs())) {
      ArrayRef<int64_t> shape =
          cast<RankedTensorType>(input.getType()).getShape();
      if (local[axis] < shape[axis]) {
        int64_t index = 0;
        for (auto [dim, stride] : llvm::enumerate(rowMajorStrides(shape)))
          index += local[dim] * stride;
        return values[k][index];
      }
      local[axis] -= shape[axis];
    }
    llvm_unreachable("position beyond the concatenated extent");
  });
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1 && getResult(0).getType() == getInput().getType()) {
    results.push_back(getInput());
    return success();
  }
  DenseElementsAttr input = smallDense(adaptor.getInput());
  if (!input)
    return failure();
  auto axis = static_cast<int64_t>(getAxis());
  SmallVector<int64_t> strides =
      rowMajorStrides(getInput().getType().getShape());
  int64_t offset = 0;
  for (Value output : getOutputs()) {
    auto type = cast<RankedTensorType>(output.getType());
    results.push_back(
        remapConstant(input, type, [&](ArrayRef<int64_t> position) {
          int64_t index = 0;
          for (auto [dim, stride] : llvm::enumerate(strides))
            index += (position[dim] +
                      (dim == static_cast<size_t>(axis) ? offset : 0)) *
                     stride;
          return index;
        }));
    offset += type.getDimSize(axis);
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getSteps(), [](int64_t step) { return step == 1; }))
    return getInput();
  SmallVector<int64_t> strides =
      rowMajorStrides(getInput().getType().getShape());
  auto sourceIndex = [&](ArrayRef<int64_t> position) {
    int64_t index = 0;
    for (auto [dim, stride] : llvm::enumerate(strides))
      index += (getStarts()[dim] + position[dim] * getSteps()[dim]) * stride;
    return index;
  };
  // Slicing a weight (e.g. flipping a kernel) is done once, here.
  if (auto resource =
          dyn_cast_if_present<DenseResourceElementsAttr>(adaptor.getInput()))
    return remapResource(resource, getType(), sourceIndex, "_sliced");
  if (DenseElementsAttr input = smallDense(adaptor.getInput()))
    return remapConstant(input, getType(), sourceIndex);
  return {};
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr input = smallDense(adaptor.getInput());
  if (!input)
    return {};
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  return remapConstant(input, getType(), [&](ArrayRef<int64_t> position) {
    return broadcastIndex(shape, position);
  });
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t pad) { return pad == 0; }))
    return getInput();
  return {};
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = smallDense(adaptor.getInput());
  DenseElementsAttr indices = smallDense(adaptor.getIndices());
  if (!input || !indices)
    return {};
  auto axis = static_cast<int64_t>(getAxis());
  ArrayRef<int64_t> inputShape = getInput().getType().getShape();
  SmallVector<int64_t> inputStrides = rowMajorStrides(inputShape);
  SmallVector<int64_t> indexStrides =
      rowMajorStrides(getIndices().getType().getShape());
  SmallVector<int64_t> selectedIndices = indexValues(indices);
  int64_t extent = inputShape[axis];
  size_t indexRank = indexStrides.size();
  return remapConstant(input, getType(), [&](ArrayRef<int64_t> position) {
    int64_t indexPosition = 0;
    for (auto [j, stride] : llvm::enumerate(indexStrides))
      indexPosition += position[axis + j] * stride;
    int64_t index =
        clampIndex(selectedIndices[indexPosition], extent) * inputStrides[axis];
    for (int64_t dim = 0; dim < axis; ++dim)
      index += position[dim] * inputStrides[dim];
    for (size_t dim = axis + 1; dim < inputShape.size(); ++dim)
      index += position[dim + indexRank - 1] * inputStrides[dim];
    return index;
  });
}

OpFoldResult GatherElementsOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = smallDense(adaptor.getInput());
  DenseElementsAttr indices = smallDense(adaptor.getIndices());
  if (!input || !indices)
    return {};
  auto axis = static_cast<int64_t>(getAxis());
  ArrayRef<int64_t> inputShape = getInput().getType().getShape();
  SmallVector<int64_t> inputStrides = rowMajorStrides(inputShape);
  SmallVector<int64_t> indexStrides =
      rowMajorStrides(getIndices().getType().getShape());
  SmallVector<int64_t> selected = indexValues(indices);
  return remapConstant(input, getType(), [&](ArrayRef<int64_t> position) {
    int64_t indexPosition = 0, index = 0;
    for (auto [dim, coordinate] : llvm::enumerate(position)) {
      indexPosition += coordinate * indexStrides[dim];
      if (static_cast<int64_t>(dim) != axis)
        index += coordinate * inputStrides[dim];
    }
    return index + clampIndex(selected[indexPosition], inputShape[axis]) *
                       inputStrides[axis];
  });
}

OpFoldResult GatherNdOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = smallDense(adaptor.getInput());
  DenseElementsAttr indices = smallDense(adaptor.getIndices());
  if (!input || !indices)
    return {};
  auto batchDims = static_cast<int64_t>(getBatchDims());
  ArrayRef<int64_t> inputShape = getInput().getType().getShape();
  SmallVector<int64_t> inputStrides = rowMajorStrides(inputShape);
  ArrayRef<int64_t> indexShape = getIndices().getType().getShape();
  int64_t depth = indexShape.back();
  SmallVector<int64_t> indexStrides = rowMajorStrides(indexShape);
  SmallVector<int64_t> coordinates = indexValues(indices);
  int64_t tupleAxes = indexShape.size() - 1;
  return remapConstant(input, getType(), [&](ArrayRef<int64_t> position) {
    // position = indices' leading axes, then the slice's axes.
    int64_t tuple = 0, index = 0;
    for (int64_t dim = 0; dim < tupleAxes; ++dim)
      tuple += position[dim] * indexStrides[dim];
    for (int64_t dim = 0; dim < batchDims; ++dim)
      index += position[dim] * inputStrides[dim];
    for (int64_t k = 0; k < depth; ++k) {
      int64_t axis = batchDims + k;
      index += clampIndex(coordinates[tuple + k], inputShape[axis]) *
               inputStrides[axis];
    }
    for (size_t dim = tupleAxes; dim < position.size(); ++dim)
      index +=
          position[dim] * inputStrides[batchDims + depth + dim - tupleAxes];
    return index;
  });
}
