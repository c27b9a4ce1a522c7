//===- GpuMapping.cpp - Shared pieces of the passes that map to GPUs ------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/GpuMapping.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::pith::gpu_mapping {

gpu::LaunchOp createLaunch(OpBuilder &builder, Location loc, int64_t gridX,
                           int64_t gridY, int64_t blockSize) {
  auto constant = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(builder, loc, value);
  };
  Value one = constant(1);
  auto launch =
      gpu::LaunchOp::create(builder, loc, constant(gridX), constant(gridY), one,
                            constant(blockSize), one, one);
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  builder.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

Value globalThreadId(OpBuilder &builder, Location loc, gpu::LaunchOp launch,
                     int64_t blockSize) {
  Value size = arith::ConstantIndexOp::create(builder, loc, blockSize);
  return arith::AddIOp::create(
      builder, loc,
      arith::MulIOp::create(builder, loc, launch.getBlockIds().x, size),
      launch.getThreadIds().x);
}

SmallVector<Value> delinearize(OpBuilder &builder, Location loc, Value id,
                               ArrayRef<int64_t> counts) {
  SmallVector<Value> indices(counts.size());
  Value rest = id;
  for (int64_t dim = counts.size() - 1; dim >= 0; --dim) {
    if (dim == 0) {
      indices[dim] = rest;
      break;
    }
    Value count = arith::ConstantIndexOp::create(builder, loc, counts[dim]);
    indices[dim] = arith::RemUIOp::create(builder, loc, rest, count);
    rest = arith::DivUIOp::create(builder, loc, rest, count);
  }
  return indices;
}

void guardTail(OpBuilder &builder, Location loc, Value id, int64_t total,
               int64_t blockSize) {
  if (total % blockSize == 0)
    return;
  Value inside = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::ult, id,
      arith::ConstantIndexOp::create(builder, loc, total));
  auto guard = scf::IfOp::create(builder, loc, inside);
  builder.setInsertionPointToStart(&guard.getThenRegion().front());
}

void allowContraction(gpu::LaunchOp launch) {
  launch.walk([](arith::ArithFastMathInterface op) {
    // Some ops (arith.truncf) leave the attribute out.
    arith::FastMathFlagsAttr attr = op.getFastMathFlagsAttr();
    arith::FastMathFlags flags =
        attr ? attr.getValue() : arith::FastMathFlags::none;
    op->setAttr(op.getFastMathAttrName(),
                arith::FastMathFlagsAttr::get(
                    op->getContext(), flags | arith::FastMathFlags::contract));
  });
}

} // namespace mlir::pith::gpu_mapping
