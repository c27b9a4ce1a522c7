//===- LoweringUtils.h - Shared pieces of pith-lower-to-linalg --*- C++ -*-===//
//
// Part of pith. The type conversion and the builders every family of
// pith-to-linalg patterns uses.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_LOWERING_LOWERINGUTILS_H
#define PITH_PASSES_LOWERING_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "passes/Passes.h"

namespace mlir::pith::lowering {

/// pith's unsigned element types (ui8, ...) become signless: arith and
/// linalg work on signless integers, and each pattern picks the unsigned
/// arithmetic from the pith op's own types. Sub-byte types (i4, ui2, ...)
/// become i8, one element a byte, sign- or zero-extended.
class PithTypeConverter : public TypeConverter {
public:
  PithTypeConverter();
};

/// Whether `type`'s element type is an unsigned integer (before conversion).
bool isUnsigned(Type type);

/// `type`'s element type, as a scalar.
Type elementTypeOf(Type type);

/// An empty tensor of `type`, for a result to be written into.
Value emptyTensor(OpBuilder &builder, Location loc, RankedTensorType type);

/// A scalar constant of `type` (float or integer) holding `value`.
Value scalar(OpBuilder &builder, Location loc, Type type, double value);

/// A tensor of `type` filled with zeros, for a sum to accumulate into.
Value zeroFilled(OpBuilder &builder, Location loc, RankedTensorType type);

/// The map from an elementwise loop nest over `resultShape` to an operand
/// of `operandShape` that numpy-broadcasts to it: trailing axes align, and
/// an extent of 1 against a larger one reads index 0.
AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> resultShape,
                       ArrayRef<int64_t> operandShape);

/// A linalg.generic over the elements of `resultType` whose inputs
/// broadcast to it; `body` computes one result element from one element of
/// each input.
using ScalarBody =
    function_ref<Value(OpBuilder &, Location, ValueRange /*elements*/)>;
Value elementwise(OpBuilder &builder, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ScalarBody body);

/// The groups of `from`'s and `to`'s dimensions that hold the same
/// elements, finest first: [1, 1, 96, 12544] and [1, 96, 112, 112] give
/// {0} {1, 2} {3} and {0} {1} {2, 3}. Nothing where a shape has no
/// dimensions, an empty or a dynamic one.
std::optional<std::pair<SmallVector<ReassociationIndices>,
                        SmallVector<ReassociationIndices>>>
commonGroups(ArrayRef<int64_t> from, ArrayRef<int64_t> to);

/// The elementwise op that is the one use of float contraction `op`'s
/// result and reads it as it lies, over the same loops (a bias and an
/// activation, once pith-fuse-elementwise has moved reshapes past them),
/// in the same block; null if there is none. pith-parallelize and
/// pith-vectorize-contractions tile the two together.
linalg::GenericOp epilogueOf(linalg::LinalgOp op);

/// Erases `producer`, fused into the tiles of its consumer, with the slices
/// of it that tile-and-fuse leaves unused, unless it still has other uses.
void eraseFusedProducer(RewriterBase &rewriter, Operation *producer);

/// `value` (of a tensor type) reshaped to `shape`, same elements.
Value reshapeTo(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> shape);

/// A linear layer's result: its [M, N] `product` plus `bias` ([N], or
/// null), reshaped to `shape`.
Value linearResult(OpBuilder &builder, Location loc, Value product, Value bias,
                   ArrayRef<int64_t> shape);

/// The value of `value`'s defining pith.constant; null for anything else
/// (and for a null `value`).
Attribute constantValue(Value value);

/// The name constants made from `value` (a constant) derive from: its
/// resource key, else `fallback`.
std::string resourceKey(Value value, StringRef fallback);

/// A linear layer's result from its product over panels of output
/// features, [M, panels, width]: the first `features` columns of it viewed
/// [M, panels width], plus `bias`, reshaped to `shape`.
Value panelsToLinear(OpBuilder &builder, Location loc, Value panels,
                     int64_t features, Value bias, ArrayRef<int64_t> shape);

/// `value` permuted so that result axis i is input axis permutation[i].
Value transposeTo(OpBuilder &builder, Location loc, Value value,
                  ArrayRef<int64_t> permutation);

/// A reduction of `input` over `axes` into a tensor of the remaining axes,
/// starting from `init` and combining with `combine(accumulator, element)`.
Value reduce(OpBuilder &builder, Location loc, Value input,
             ArrayRef<int64_t> axes, Value init,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

// Pattern families (one file each).
void populateElementwisePatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns);
void populateDataMovementPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns);
void populateContractionPatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns,
                                 QuantizedLayout layout);
void populateReductionPatterns(const TypeConverter &converter,
                               RewritePatternSet &patterns);
void populateQuantizationPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns,
                                  QuantizedLayout layout);
void populateSparsityPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns,
                              QuantizedLayout layout);

} // namespace mlir::pith::lowering

#endif // PITH_PASSES_LOWERING_LOWERINGUTILS_H
