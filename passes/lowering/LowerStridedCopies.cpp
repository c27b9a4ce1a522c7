//===- LowerStridedCopies.cpp - pith-lower-strided-copies -----------------===//
//
// Part of pith. Copies LLVM cannot lower to memcpy become linalg.copy, so
// that compiled code never calls into MLIR's runtime library; on a GPU
// every copy does, to become a kernel.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

bool isContiguous(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && (memref.getLayout().isIdentity() ||
                    memref::isStaticShapeAndContiguousRowMajor(memref));
}

struct LowerStridedCopiesPass
    : mlir::pith::impl::LowerStridedCopiesPassBase<LowerStridedCopiesPass> {
  using LowerStridedCopiesPassBase::LowerStridedCopiesPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](memref::CopyOp copy) {
      if (!all && isContiguous(copy.getSource().getType()) &&
          isContiguous(copy.getTarget().getType()))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
