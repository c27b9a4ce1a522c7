//===- main.cpp - pith-import-onnx: ONNX models into the pith dialect -----===//
//
// Part of pith. Reads an ONNX model (protobuf, or ONNX's text syntax with
// --text) and prints it in the pith dialect.
//
//===----------------------------------------------------------------------===//

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "pith/Compiler.h"
#include "pith/Import.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<model.onnx>"),
                                      cl::Required);
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"),
                                       cl::init("-"));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Shape of a graph input, e.g. input_ids=1x128; "
                         "fixes its symbolic dimensions (repeatable)"),
                cl::value_desc("name=DxD..."));
static cl::opt<bool> textFormat("text",
                                cl::desc("Read ONNX's textual syntax"));
static cl::opt<bool>
    splitInputFile("split-input-file",
                   cl::desc("Import each '# -----'-separated chunk of a "
                            "--text file as its own model"));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "pith-import-onnx: ONNX models into the pith "
                              "dialect\n");

  pith::OnnxImportOptions options;
  options.textFormat = textFormat;
  for (const std::string &spec : inputShapes) {
    if (llvm::Error error = pith::parseInputShape(spec, options)) {
      llvm::errs() << "pith-import-onnx: error: "
                   << llvm::toString(std::move(error)) << "\n";
      return 1;
    }
  }

  mlir::DialectRegistry registry;
  pith::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.getDiagEngine().registerHandler([](mlir::Diagnostic &diag) {
    pith::printImportDiagnostic(llvm::errs(), diag);
  });

  std::string errorMessage;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &errorMessage);
  if (!output) {
    llvm::errs() << "pith-import-onnx: error: " << errorMessage << "\n";
    return 1;
  }

  auto write = [](mlir::ModuleOp module,
                  llvm::raw_ostream &os) -> llvm::LogicalResult {
    if (failed(mlir::verify(module)))
      return mlir::failure();
    if (emitBytecode)
      return mlir::writeBytecodeToFile(module, os);
    module.print(os);
    return mlir::success();
  };
  auto importOne = [&](llvm::StringRef data, llvm::StringRef name,
                       llvm::raw_ostream &os) -> llvm::LogicalResult {
    mlir::OwningOpRef<mlir::ModuleOp> module =
        pith::importOnnxBuffer(context, data, name, options);
    return llvm::success(module && succeeded(write(*module, os)));
  };

  if (splitInputFile) {
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        mlir::openInputFile(inputPath, &errorMessage);
    if (!buffer) {
      llvm::errs() << "pith-import-onnx: error: " << errorMessage << "\n";
      return 1;
    }
    auto chunk = [&](std::unique_ptr<llvm::MemoryBuffer> piece,
                     llvm::raw_ostream &os) {
      return importOne(piece->getBuffer(), inputPath, os);
    };
    if (failed(mlir::splitAndProcessBuffer(std::move(buffer), chunk,
                                           output->os(), "# -----",
                                           "// -----")))
      return 1;
  } else if (textFormat) {
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        mlir::openInputFile(inputPath, &errorMessage);
    if (!buffer) {
      llvm::errs() << "pith-import-onnx: error: " << errorMessage << "\n";
      return 1;
    }
    if (failed(importOne(buffer->getBuffer(), inputPath, output->os())))
      return 1;
  } else {
    // A model file is mapped, with its external data, not read.
    mlir::OwningOpRef<mlir::ModuleOp> module =
        pith::importOnnxFile(context, inputPath, options);
    if (!module || failed(write(*module, output->os())))
      return 1;
  }
  output->keep();
  return 0;
}
