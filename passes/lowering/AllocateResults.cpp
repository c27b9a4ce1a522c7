//===- AllocateResults.cpp - pith-allocate-results ------------------------===//
//
// Part of pith. buffer-results-to-out-params has a function write its
// results into the caller's buffers when each result is an allocation of
// its own; a result that is a reshaped view of one is copied there
// instead. Allocated in the result's shape, with the producer writing
// into a view of it, the buffer is the result itself and nothing is
// copied.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_ALLOCATERESULTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Whether `type` is a static memref of identity layout with dimensions.
bool isPlain(MemRefType type) {
  return type && type.hasStaticShape() && type.getLayout().isIdentity() &&
         type.getRank() > 0;
}

/// `buffer` (plain, of the same elements) viewed as `type`: collapsed to
/// one dimension and expanded, each step a valid reshape of a contiguous
/// buffer.
Value viewAs(OpBuilder &builder, Location loc, Value buffer, MemRefType type) {
  auto all = [](int64_t rank) {
    return SmallVector<ReassociationIndices>{
        llvm::to_vector(llvm::seq<int64_t>(0, rank))};
  };
  auto bufferType = cast<MemRefType>(buffer.getType());
  Value flat = buffer;
  if (bufferType.getRank() != 1)
    flat = memref::CollapseShapeOp::create(builder, loc, buffer,
                                           all(bufferType.getRank()));
  if (type.getRank() == 1)
    return flat;
  return memref::ExpandShapeOp::create(builder, loc, type, flat,
                                       all(type.getRank()));
}

struct AllocateResultsPass
    : mlir::pith::impl::AllocateResultsPassBase<AllocateResultsPass> {
  using AllocateResultsPassBase::AllocateResultsPassBase;

  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      for (OpOperand &result : ret->getOpOperands()) {
        Value value = result.get();
        while (isa_and_present<memref::CollapseShapeOp, memref::ExpandShapeOp>(
            value.getDefiningOp()))
          value = value.getDefiningOp()->getOperand(0);
        auto alloc = value.getDefiningOp<memref::AllocOp>();
        auto type = dyn_cast<MemRefType>(result.get().getType());
        if (!alloc || value == result.get() || !isPlain(type) ||
            !isPlain(alloc.getType()) || alloc->getBlock() != ret->getBlock())
          continue;
        OpBuilder builder(alloc);
        auto resultAlloc = memref::AllocOp::create(
            builder, alloc.getLoc(), type, alloc.getAlignmentAttr());
        Value view =
            viewAs(builder, alloc.getLoc(), resultAlloc, alloc.getType());
        alloc.replaceAllUsesWith(view);
        alloc.erase();
        result.set(resultAlloc);
      }
    });
  }
};

} // namespace
