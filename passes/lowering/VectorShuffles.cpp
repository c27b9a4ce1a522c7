//===- VectorShuffles.cpp - Data movement in vector registers -------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/VectorShuffles.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::pith::lowering {

SmallVector<Value> transposeSquare(OpBuilder &builder, Location loc,
                                   ArrayRef<Value> rows) {
  auto n = static_cast<int64_t>(rows.size());
  assert(llvm::isPowerOf2_64(n) &&
         cast<VectorType>(rows.front().getType()).getDimSize(0) == n &&
         "a square of a power of two");
  SmallVector<Value> current(rows.begin(), rows.end());
  for (int64_t bit = 1; bit < n; bit <<= 1) {
    // Rows i (bit clear) and j = i | bit: element (i, lane c) with c's bit
    // set trades places with element (j, lane c without it). A mask index
    // of n or more picks lane index - n of the second source.
    SmallVector<int64_t> low(n), high(n);
    for (int64_t lane = 0; lane < n; ++lane) {
      bool set = lane & bit;
      low[lane] = set ? n + (lane ^ bit) : lane;
      high[lane] = set ? n + lane : lane | bit;
    }
    SmallVector<Value> next(n);
    for (int64_t i = 0; i < n; ++i) {
      if (i & bit)
        continue;
      next[i] = vector::ShuffleOp::create(builder, loc, current[i],
                                          current[i | bit], low);
      next[i | bit] = vector::ShuffleOp::create(builder, loc, current[i],
                                                current[i | bit], high);
    }
    current = std::move(next);
  }
  return current;
}

} // namespace mlir::pith::lowering
