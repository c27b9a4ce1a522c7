//===- PithFolds.h - Folding helpers of pith ops ----------------*- C++ -*-===//
//
// Part of pith. Helpers that the folders generated from PithOps.td call.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHFOLDS_H
#define PITH_DIALECTS_PITH_PITHFOLDS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"

#include <cmath>
#include <optional>
#include <vector>

namespace mlir::pith::detail {

/// Folds a float function of one constant operand by evaluating `fn` in
/// double precision and rounding to the element type; null if `operand` is
/// not a small dense constant.
OpFoldResult foldFloatMath(Attribute operand, Type resultType,
                           double (*fn)(double));

/// `value` (a constant) retyped to `type`, the same elements in row-major
/// order. Only the type changes: no data is copied, so this holds for
/// weights in resources too. Null for other attributes.
Attribute reshapeConstant(Attribute value, ShapedType type);

/// `value` (a constant) with its axes permuted into `resultType`: result
/// axis i is axis `permutation[i]` of `value`, or of `value` viewed with
/// `sourceShape` (the same elements, row-major) when one is given. A
/// resource gets a new, aligned blob named after the old one with
/// `suffix`; a small dense constant, new elements. Null for anything else
/// (large dense constants are not copied element by element).
Attribute permuteConstant(Attribute value, ShapedType resultType,
                          ArrayRef<int64_t> permutation, StringRef suffix,
                          ArrayRef<int64_t> sourceShape = {});

/// The elements of an f32 constant (a dialect resource or dense elements),
/// row-major; nothing for other constants or a resource not loaded.
std::optional<std::vector<float>> readFloats(Attribute value);

/// The elements of an integer constant of at most 8 bits (quantized
/// storage), one byte each, sign- or zero-extended by the type's
/// signedness as resources of sub-byte types hold them; nothing for other
/// constants or a resource not loaded.
std::optional<std::vector<int8_t>> readBytes(Attribute value);

/// `values` as bytes, for makeResource.
template <typename T> ArrayRef<char> asBytes(ArrayRef<T> values) {
  return {reinterpret_cast<const char *>(values.data()),
          values.size() * sizeof(T)};
}

/// A dialect-resource constant of `type` holding `bytes`, 64-byte aligned.
DenseResourceElementsAttr makeResource(ShapedType type, StringRef name,
                                       ArrayRef<char> bytes);

} // namespace mlir::pith::detail

#endif // PITH_DIALECTS_PITH_PITHFOLDS_H
