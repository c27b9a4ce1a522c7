//===- EmulateGpu.cpp - pith-emulate-gpu ----------------------------------===//
//
// Part of pith. Each gpu.launch becomes loops on the host over its blocks
// and threads, in sequence, so that the GPU mapping (thread numbering,
// guards, split reductions, loads of runs) runs and is checked on a CPU.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_EMULATEGPUPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct EmulateGpuPass : mlir::pith::impl::EmulateGpuPassBase<EmulateGpuPass> {
  using EmulateGpuPassBase::EmulateGpuPassBase;

  LogicalResult emulate(gpu::LaunchOp launch) {
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.hasClusterSize() || launch.getDynamicSharedMemorySize())
      return launch.emitOpError("is asynchronous, clustered or uses shared "
                                "memory, which pith-emulate-gpu does not run");
    if (!launch.getBody().hasOneBlock())
      return launch.emitOpError("has control flow at its top level");
    OpBuilder builder(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    // Blocks outermost, z to x, then threads, z to x.
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues(),
                    block = launch.getBlockSizeOperandValues(),
                    blockIds = launch.getBlockIds(),
                    threadIds = launch.getThreadIds(),
                    gridArgs = launch.getGridSize(),
                    blockArgs = launch.getBlockSize();
    Value sizes[] = {grid.z, grid.y, grid.x, block.z, block.y, block.x};
    Value ids[] = {blockIds.z,  blockIds.y,  blockIds.x,
                   threadIds.z, threadIds.y, threadIds.x};
    for (auto [size, id] : llvm::zip(sizes, ids)) {
      auto loop = scf::ForOp::create(builder, loc, zero, size, one);
      id.replaceAllUsesWith(loop.getInductionVar());
      builder.setInsertionPoint(loop.getBody()->getTerminator());
    }
    gridArgs.x.replaceAllUsesWith(grid.x);
    gridArgs.y.replaceAllUsesWith(grid.y);
    gridArgs.z.replaceAllUsesWith(grid.z);
    blockArgs.x.replaceAllUsesWith(block.x);
    blockArgs.y.replaceAllUsesWith(block.y);
    blockArgs.z.replaceAllUsesWith(block.z);
    Block &body = launch.getBody().front();
    // The alignment a GPU's buffers guarantee; a CPU loads vectors from any
    // address, and a caller's input need not be aligned.
    body.walk([](vector::LoadOp load) { load.removeAlignmentAttr(); });
    Operation *innermost = builder.getInsertionBlock()->getTerminator();
    for (Operation &op : llvm::make_early_inc_range(body.without_terminator()))
      op.moveBefore(innermost);
    launch.erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation()->walk(
        [&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(emulate(launch)))
        return signalPassFailure();
  }
};

} // namespace
