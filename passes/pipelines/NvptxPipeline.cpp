//===- NvptxPipeline.cpp - pith-nvptx-pipeline ----------------------------===//
//
// Part of pith. The named pipeline from the pith dialect to NVIDIA GPU
// kernels: linalg on buffers, loops mapped to threads, kernels outlined
// into one gpu.module and lowered to NVVM and PTX; the host side becomes
// a list of launches the runtime replays. Every step is a pass pith-opt
// can run alone.
//
//===----------------------------------------------------------------------===//

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "passes/Passes.h"

using namespace mlir;

void mlir::pith::buildNvptxPipeline(OpPassManager &pm,
                                    const NvptxPipelineOptions &options) {
  // Graph level, as for CPUs, with quantized weights in panels of a warp's
  // width: its threads, one per output feature, each read runs of 16
  // consecutive bytes, the warp 512.
  // Every constant buffer becomes a weight, so that kernels read only
  // device memory.
  LowerToLinalgPassOptions lowering;
  lowering.panelWidth = 32;
  lowering.threadBytes = 16;
  // No GPU kernel multiplies kept values alone yet: N:M weights expand.
  lowering.packSparse = false;
  buildGraphToLinalg(pm, lowering);
  pm.addPass(createApproximateMathPass());
  OutlineWeightsPassOptions weights;
  weights.minBytes = 0;
  pm.addPass(createOutlineWeightsPass(weights));

  // Buffers: the caller's for inputs, weights and outputs, one workspace
  // for the rest.
  buildModelBufferization(pm);
  pm.addPass(createCanonicalizerPass());

  // Loops to threads; kernels out of the host function.
  LowerStridedCopiesPassOptions copies;
  copies.all = true;
  pm.addPass(createLowerStridedCopiesPass(copies));
  MapReductionsToGpuPassOptions reductions;
  reductions.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createMapReductionsToGpuPass(reductions));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  MapToGpuPassOptions mapping;
  mapping.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createMapToGpuPass(mapping));
  if (options.emulate) {
    pm.addPass(createEmulateGpuPass());
    pm.addPass(createCanonicalizerPass());
    buildHostLoweringToLLVM(pm);
    return;
  }
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createPlanLaunchesPass());

  // Kernels to NVVM.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  if (!options.emitBinary)
    return;
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
