//===- ImportFuzzer.cpp - libFuzzer target for the ONNX importer ----------===//
//
// Part of pith. Feeds arbitrary bytes to the importer as a protobuf model:
// it must reject bad input with diagnostics, never crash or leak memory.
// The test suite runs it for a bounded time over the seeds in corpus/.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "pith/Import.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context per input: resources of one input must not outlive it.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  pith::OnnxImportOptions options;
  // External data resolves against a directory that does not exist.
  (void)pith::importOnnxBuffer(
      context,
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent/fuzz.onnx", options);
  return 0;
}
