//===- CpuPipeline.cpp - pith-cpu-pipeline --------------------------------===//
//
// Part of pith. The named pipeline from the pith dialect to the LLVM
// dialect for CPUs. Every step is a pass pith-opt can run alone.
//
//===----------------------------------------------------------------------===//

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "passes/Passes.h"

using namespace mlir;

void mlir::pith::buildCpuPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  LowerToLinalgPassOptions lowering;
  lowering.int8Dot = options.int8Dot;
  lowering.int8DotBits = options.vnni ? 8 : 4;
  buildGraphToLinalg(pm, lowering);
  pm.addPass(createPadInPlacePass());
  PackWeightsPassOptions packing;
  packing.vectorBits = options.vectorBits;
  pm.addPass(createPackWeightsPass(packing));
  if (options.parallelize)
    pm.addPass(createParallelizePass());

  // Contractions to register tiles of vector code; the output tile stays
  // in registers across the K loop.
  VectorizeContractionsPassOptions vectorize;
  vectorize.vectorBits = options.vectorBits;
  vectorize.bf16Dot = options.bf16Dot;
  pm.addPass(createVectorizeContractionsPass(vectorize));
  VectorizeRowsPassOptions rows;
  rows.vectorBits = options.vectorBits;
  pm.addPass(createVectorizeRowsPass(rows));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantSubsetHoistingPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createApproximateMathPass());
  pm.addPass(createOutlineWeightsPass());

  buildModelBufferization(pm);
  pm.addPass(createForallToParallelLoopPass());

  // Vectors to 1-D vector code, the rest to loops, then LLVM.
  LowerVectorsPassOptions lowerVectors;
  lowerVectors.vnni = options.vnni;
  lowerVectors.vectorBits = options.vectorBits;
  pm.addPass(createLowerVectorsPass(lowerVectors));
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerStridedCopiesPass());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the alloca scopes scf-to-openmp wraps loop bodies in (their
  // allocas move to the parallel region), before scf-to-cf splits them.
  pm.addPass(createCanonicalizerPass());
  buildHostLoweringToLLVM(pm);
}

void mlir::pith::buildGraphToLinalg(OpPassManager &pm,
                                    const LowerToLinalgPassOptions &lowering) {
  // Layers into pith.linear, then everything into linalg, elementwise ops
  // fused into their consumers.
  pm.addPass(createFuseLinearPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLowerToLinalgPass(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createFuseElementwisePass());
  pm.addPass(createCSEPass());
  pm.addPass(createFillPerUsePass());
}

void mlir::pith::buildModelBufferization(OpPassManager &pm) {
  // Identity layouts at the boundary; results are written into buffers the
  // caller passes (the outputs' allocations become them).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Producers of what is inserted into a larger tensor (a padded input)
  // write into it rather than into a buffer of their own.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addNestedPass<func::FuncOp>(createAllocateResultsPass());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createPlanWorkspacePass());
}

void mlir::pith::buildHostLoweringToLLVM(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Vector reductions (softmax's sum, layer norm's) add in a tree, not
  // lane by lane: a different rounding order, within float tolerance.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createExportEntryPointsPass());
}
