//===- Registration.cpp - The named pipelines -----------------------------===//
//
// Part of pith. Registers each named pipeline for textual pass pipelines.
//
//===----------------------------------------------------------------------===//

#include "mlir/Pass/PassRegistry.h"
#include "passes/Passes.h"

using namespace mlir;

void mlir::pith::registerPithPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "pith-cpu-pipeline",
      "Lower the pith dialect to the LLVM dialect for CPUs", buildCpuPipeline);
  PassPipelineRegistration<NvptxPipelineOptions>(
      "pith-nvptx-pipeline",
      "Lower the pith dialect to PTX kernels and a list of launches",
      buildNvptxPipeline);
}
