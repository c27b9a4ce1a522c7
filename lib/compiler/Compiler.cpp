//===- Compiler.cpp - The pith compiler's C++ API -------------------------===//
//
// Part of pith. Registration and pipeline running shared by pith-opt,
// pith-compile and the python module.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "dialects/pith/PithDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "passes/Passes.h"
#include "llvm/Support/SourceMgr.h"

llvm::StringRef pith::getVersion() { return PITH_VERSION; }

void pith::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::pith::PithDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
}

void pith::registerPasses() {
  mlir::registerAllPasses();
  mlir::pith::registerPithPasses();
  mlir::pith::registerPithPipelines();
}

llvm::Expected<std::string> pith::runPipeline(llvm::StringRef source,
                                              llvm::StringRef pipeline) {
  mlir::DialectRegistry registry;
  registerDialects(registry);
  mlir::MLIRContext context(registry);

  // Every diagnostic is kept, in "file:line:col: error: ..." form with the
  // offending source line, so that the caller sees all of them at once.
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(source, "<input>"), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context,
                                           diagnosticStream);
  auto fail = [&](llvm::StringRef what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ":\n" + diagnostics);
  };

  mlir::OwningOpRef<mlir::Operation *> module =
      mlir::parseSourceFile(sourceMgr, mlir::ParserConfig(&context));
  if (!module)
    return fail("cannot parse the input");

  mlir::PassManager pm(&context, module.get()->getName().getStringRef());
  if (!pipeline.empty() &&
      failed(mlir::parsePassPipeline(pipeline, pm, diagnosticStream)))
    return fail("invalid pass pipeline '" + pipeline.str() + "'");
  if (failed(pm.run(module.get())))
    return fail("the pipeline failed");

  std::string output;
  llvm::raw_string_ostream outputStream(output);
  module.get()->print(outputStream);
  return output;
}
