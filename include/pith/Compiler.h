//===- pith/Compiler.h - The pith compiler's C++ API ------------*- C++ -*-===//
//
// Part of pith. What the tools and the python module share: registration
// of everything pith understands, and running pass pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_COMPILER_H
#define PITH_COMPILER_H

#include "pith/Import.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace pith {

/// pith's version, as the tools and the package format report it.
llvm::StringRef getVersion();

/// Adds the pith dialect and every upstream dialect and extension that
/// pith's pipelines go through.
void registerDialects(mlir::DialectRegistry &registry);

/// Registers every pith pass and the upstream passes, for textual
/// pipelines (`pith-opt`, runPipeline).
void registerPasses();

/// Parses `source` (MLIR text or bytecode), verifies it, runs `pipeline` on
/// its top-level module and prints the result. `pipeline` is a textual pass
/// pipeline without the module anchor, e.g. "canonicalize,func.func(cse)",
/// or empty. Diagnostics come back in the error, each with its location.
llvm::Expected<std::string> runPipeline(llvm::StringRef source,
                                        llvm::StringRef pipeline);

/// What compileFile writes.
enum class EmitKind {
  /// The LLVM-dialect module the CPU pipeline makes (text).
  Mlir,
  /// LLVM IR after optimization (text).
  LLVMIR,
  /// An object file for the target.
  Object,
  /// A .pith package: signature, weights and a shared object.
  Package,
};

struct CompileOptions {
  /// A CPU target (see resolveCpuTarget): host, x86-64-v3, ...
  std::string target = "host";
  EmitKind emit = EmitKind::Package;
  /// For ONNX models; the input is ONNX unless its name ends in .mlir or
  /// .mlirbc (the pith dialect), and ONNX text if it ends in .onnxtxt.
  OnnxImportOptions import;
  /// Whether ops with enough work run on OpenMP threads (pith-parallelize).
  bool parallel = true;
  /// Called as each step starts: `step` of `steps`, and what it does.
  std::function<void(unsigned step, unsigned steps, llvm::StringRef what)>
      progress;
  /// Receives each warning, formatted like an error; errors end the
  /// compilation and come back from compileFile.
  std::function<void(llvm::StringRef message)> warning;
};

/// Compiles the model at `inputPath` and writes `options.emit` to
/// `outputPath`. The model's entry point is its one public function, with
/// static shapes. Every diagnostic comes back in the error.
llvm::Error compileFile(llvm::StringRef inputPath, llvm::StringRef outputPath,
                        const CompileOptions &options);

} // namespace pith

#endif // PITH_COMPILER_H
