//===- MapToGpu.cpp - pith-map-to-gpu -------------------------------------===//
//
// Part of pith. The loops of a bufferized model become GPU launches: one
// thread per iteration of each top-level parallel loop, numbered so that
// neighbouring threads touch neighbouring elements.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "passes/Passes.h"
#include "passes/lowering/GpuMapping.h"

namespace mlir::pith {
#define GEN_PASS_DEF_MAPTOGPUPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Whether `op` computes a constant or an address, touches no memory, and
/// so stays on the host, where ops run on the GPU may move past it.
bool isAddressOrConstant(Operation *op) {
  return op->hasTrait<OpTrait::ConstantLike>() || isa<ViewLikeOpInterface>(op);
}

/// Whether `op` stays on the host and ends a run of serial ops: they may
/// not move past it.
bool endsSerialRun(Operation *op) {
  return op->hasTrait<OpTrait::IsTerminator>() ||
         isa<memref::AllocOp, memref::DeallocOp, memref::GetGlobalOp,
             gpu::LaunchOp>(op);
}

struct MapToGpuPass : mlir::pith::impl::MapToGpuPassBase<MapToGpuPass> {
  using MapToGpuPassBase::MapToGpuPassBase;

  /// `loop` as a launch of one thread per iteration.
  LogicalResult mapParallel(scf::ParallelOp loop) {
    if (loop.getNumResults())
      return loop.emitOpError("with reductions cannot run on the GPU");
    SmallVector<int64_t> lower, upper, steps;
    for (auto [lb, ub, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> l = getConstantIntValue(lb),
                             u = getConstantIntValue(ub),
                             s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return loop.emitOpError("needs static bounds to run on the GPU");
      lower.push_back(*l);
      upper.push_back(*u);
      steps.push_back(*s);
    }
    SmallVector<int64_t> counts;
    int64_t total = 1;
    for (auto [l, u, s] : llvm::zip(lower, upper, steps)) {
      counts.push_back(u > l ? (u - l + s - 1) / s : 0);
      total *= counts.back();
    }
    Location loc = loop.getLoc();
    OpBuilder builder(loop);
    if (total == 0) {
      loop.erase();
      return success();
    }
    int64_t threads = std::min<int64_t>(blockSize, total);
    gpu::LaunchOp launch = pith::gpu_mapping::createLaunch(
        builder, loc, (total + threads - 1) / threads, 1, threads);
    Value id = pith::gpu_mapping::globalThreadId(builder, loc, launch, threads);
    pith::gpu_mapping::guardTail(builder, loc, id, total, threads);
    auto constant = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(builder, loc, value);
    };
    IRMapping mapping;
    for (auto [dim, index] : llvm::enumerate(
             pith::gpu_mapping::delinearize(builder, loc, id, counts))) {
      Value value = index;
      if (steps[dim] != 1)
        value =
            arith::MulIOp::create(builder, loc, value, constant(steps[dim]));
      if (lower[dim] != 0)
        value =
            arith::AddIOp::create(builder, loc, value, constant(lower[dim]));
      mapping.map(loop.getInductionVars()[dim], value);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
    pith::gpu_mapping::allowContraction(launch);
    loop.erase();
    return success();
  }

  /// `ops`, consecutive, in a launch of one thread.
  LogicalResult mapSerial(ArrayRef<Operation *> ops) {
    llvm::SmallPtrSet<Operation *, 8> inside(ops.begin(), ops.end());
    for (Operation *op : ops)
      for (Operation *user : op->getUsers())
        if (!inside.contains(getTopLevel(user)))
          return op->emitOpError("computes a value the host would need; "
                                 "it cannot run on the GPU");
    // After the last op, so that host ops between them (constants, views)
    // dominate it.
    OpBuilder builder(ops.back()->getContext());
    builder.setInsertionPointAfter(ops.back());
    gpu::LaunchOp launch = pith::gpu_mapping::createLaunch(
        builder, ops.front()->getLoc(), 1, 1, 1);
    Operation *terminator = launch.getBody().front().getTerminator();
    for (Operation *op : ops)
      op->moveBefore(terminator);
    pith::gpu_mapping::allowContraction(launch);
    return success();
  }

  /// The ancestor of `op` at the top level of the function.
  Operation *getTopLevel(Operation *op) {
    Block *body = &getOperation().getBody().front();
    while (op->getBlock() != body)
      op = op->getParentOp();
    return op;
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitOpError("has control flow at its top level; it cannot run on "
                       "the GPU");
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front())
      ops.push_back(&op);
    SmallVector<Operation *> serial;
    auto flushSerial = [&]() -> LogicalResult {
      if (serial.empty())
        return success();
      LogicalResult result = mapSerial(serial);
      serial.clear();
      return result;
    };
    for (Operation *op : ops) {
      if (isAddressOrConstant(op))
        continue;
      if (endsSerialRun(op)) {
        if (failed(flushSerial()))
          return signalPassFailure();
        continue;
      }
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        if (failed(flushSerial()) || failed(mapParallel(loop)))
          return signalPassFailure();
        continue;
      }
      serial.push_back(op);
    }
    if (failed(flushSerial()))
      return signalPassFailure();
    sinkGlobals(func);
  }

  /// Constant buffers the launches read: each launch gets its own
  /// memref.get_global, so that outlining takes the global into the kernel
  /// module instead of passing a host address.
  void sinkGlobals(func::FuncOp func) {
    for (auto global : llvm::make_early_inc_range(
             func.getBody().front().getOps<memref::GetGlobalOp>())) {
      for (OpOperand &use : llvm::make_early_inc_range(global->getUses())) {
        auto launch = use.getOwner()->getParentOfType<gpu::LaunchOp>();
        if (!launch)
          continue;
        OpBuilder builder = OpBuilder::atBlockBegin(&launch.getBody().front());
        use.set(builder.clone(*global)->getResult(0));
      }
      if (global->use_empty())
        global->erase();
    }
  }
};

} // namespace
