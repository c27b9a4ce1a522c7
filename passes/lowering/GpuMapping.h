//===- GpuMapping.h - Shared pieces of the passes that map to GPUs -*- C++
//-*-===//
//
// Part of pith. Launch construction and thread numbering shared by
// pith-map-to-gpu and pith-map-reductions-to-gpu.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_LOWERING_GPUMAPPING_H
#define PITH_PASSES_LOWERING_GPUMAPPING_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace mlir::pith::gpu_mapping {

/// A launch of gridX x gridY blocks of `blockSize` threads at `builder`'s
/// insertion point, which moves to the start of its (empty) body.
gpu::LaunchOp createLaunch(OpBuilder &builder, Location loc, int64_t gridX,
                           int64_t gridY, int64_t blockSize);

/// The global number of the thread, blockIdx.x * blockDim.x + threadIdx.x,
/// for blocks of `blockSize` threads.
Value globalThreadId(OpBuilder &builder, Location loc, gpu::LaunchOp launch,
                     int64_t blockSize);

/// `id` as indices of an iteration space of `counts`, the last dimension
/// varying fastest.
SmallVector<Value> delinearize(OpBuilder &builder, Location loc, Value id,
                               ArrayRef<int64_t> counts);

/// Opens `if (id < total)` where `total` is not a multiple of the block
/// size, moving `builder` into it.
void guardTail(OpBuilder &builder, Location loc, Value id, int64_t total,
               int64_t blockSize);

/// Lets the float arithmetic in `launch` contract (a multiply and an add
/// into one fma): a GPU has no separate multiply-add cost to save, and the
/// fused form rounds once.
void allowContraction(gpu::LaunchOp launch);

} // namespace mlir::pith::gpu_mapping

#endif // PITH_PASSES_LOWERING_GPUMAPPING_H
