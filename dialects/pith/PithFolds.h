//===- PithFolds.h - Folding helpers of pith ops ----------------*- C++ -*-===//
//
// Part of pith. Helpers that the folders generated from PithOps.td call.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHFOLDS_H
#define PITH_DIALECTS_PITH_PITHFOLDS_H

#include "mlir/IR/OpDefinition.h"

#include <cmath>

namespace mlir::pith::detail {

/// Folds a float function of one constant operand by evaluating `fn` in
/// double precision and rounding to the element type; null if `operand` is
/// not a small dense constant.
OpFoldResult foldFloatMath(Attribute operand, Type resultType,
                           double (*fn)(double));

/// `value` (a constant) with its axes permuted into `resultType`: result
/// axis i is axis `permutation[i]` of `value`, or of `value` viewed with
/// `sourceShape` (the same elements, row-major) when one is given. A
/// resource gets a new, aligned blob named after the old one with
/// `suffix`; a small dense constant, new elements. Null for anything else
/// (large dense constants are not copied element by element).
Attribute permuteConstant(Attribute value, ShapedType resultType,
                          ArrayRef<int64_t> permutation, StringRef suffix,
                          ArrayRef<int64_t> sourceShape = {});

} // namespace mlir::pith::detail

#endif // PITH_DIALECTS_PITH_PITHFOLDS_H
