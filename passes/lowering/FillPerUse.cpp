//===- FillPerUse.cpp - pith-fill-per-use ---------------------------------===//
//
// Part of pith. CSE merges identical fills (the zeros each sum starts
// from), and one-shot bufferization gives a shared fill one buffer: every
// op that writes into it but the last first copies it whole. A fill of
// its own per use is written in place instead, and pith-parallelize and
// the vectorizers can move it into the chunks and tiles that use it.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_FILLPERUSEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct FillPerUsePass : mlir::pith::impl::FillPerUsePassBase<FillPerUsePass> {
  using FillPerUsePassBase::FillPerUsePassBase;

  void runOnOperation() override {
    SmallVector<linalg::FillOp> shared;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() && !fill->hasOneUse() &&
          !fill->use_empty())
        shared.push_back(fill);
    });
    // Each clone goes just before its user where the two share a block.
    for (linalg::FillOp fill : shared) {
      OpBuilder builder(fill);
      for (OpOperand &use : llvm::make_early_inc_range(fill->getUses())) {
        Operation *user = use.getOwner();
        if (user->getBlock() == fill->getBlock())
          builder.setInsertionPoint(user);
        else
          builder.setInsertionPointAfter(fill);
        use.set(builder.clone(*fill)->getResult(0));
      }
      fill.erase();
    }
  }
};

} // namespace
