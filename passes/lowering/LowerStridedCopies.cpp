//===- LowerStridedCopies.cpp - pith-lower-strided-copies -----------------===//
//
// Part of pith. Copies LLVM cannot lower to memcpy become loops, so that
// compiled code never calls into MLIR's runtime library: on a CPU, where
// rows are contiguous (a tensor.pad's copy into the middle of the padded
// buffer), loops over rows that move each by vectors; else linalg.copy. On
// a GPU every copy becomes linalg.copy, to become a kernel.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

/// Bytes a row copy moves at once at most: four 64-byte vectors.
constexpr int64_t kChunkBytes = 256;

/// `copy` as loops over its rows, each moved by vectors of the largest
/// power of two of elements (up to kChunkBytes) that divides the row;
/// fails (leaving the copy) where the shapes are not static or a row is
/// not contiguous in both buffers.
LogicalResult writeRowCopies(RewriterBase &rewriter, memref::CopyOp copy) {
  auto source = dyn_cast<MemRefType>(copy.getSource().getType());
  auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
  if (!source || !target || !source.hasStaticShape() || source.getRank() == 0)
    return failure();
  Type element = source.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return failure();
  for (MemRefType type : {source, target}) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        strides.back() != 1)
      return failure();
  }
  int64_t rank = source.getRank();
  int64_t row = source.getShape().back();
  int64_t chunk = kChunkBytes / (element.getIntOrFloatBitWidth() / 8);
  while (row % chunk != 0)
    chunk /= 2;
  Location loc = copy.getLoc();
  rewriter.setInsertionPoint(copy);
  SmallVector<Value> lower, upper, steps;
  for (int64_t dim = 0; dim < rank; ++dim) {
    lower.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
    upper.push_back(
        arith::ConstantIndexOp::create(rewriter, loc, source.getDimSize(dim)));
    steps.push_back(arith::ConstantIndexOp::create(
        rewriter, loc, dim + 1 == rank ? chunk : 1));
  }
  auto vectorType = VectorType::get({chunk}, element);
  scf::buildLoopNest(rewriter, loc, lower, upper, steps,
                     [&](OpBuilder &b, Location loc, ValueRange at) {
                       Value values = vector::LoadOp::create(
                           b, loc, vectorType, copy.getSource(), at);
                       vector::StoreOp::create(b, loc, values,
                                               copy.getTarget(), at);
                     });
  rewriter.eraseOp(copy);
  return success();
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
      if (!all && succeeded(writeRowCopies(rewriter, copy)))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
