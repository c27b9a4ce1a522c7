//===- VectorShuffles.h - Data movement in vector registers -----*- C++ -*-===//
//
// Part of pith. What the vectorizers share to move data between lanes.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_LOWERING_VECTORSHUFFLES_H
#define PITH_PASSES_LOWERING_VECTORSHUFFLES_H

#include "mlir/IR/Builders.h"

namespace mlir::pith::lowering {

/// The transpose of the square matrix whose rows are `rows` (n vectors of
/// n lanes, n a power of two): n log2(n) two-source shuffles, each stage
/// swapping one bit of the row index with the same bit of the lane index.
SmallVector<Value> transposeSquare(OpBuilder &builder, Location loc,
                                   ArrayRef<Value> rows);

} // namespace mlir::pith::lowering

#endif // PITH_PASSES_LOWERING_VECTORSHUFFLES_H
