//===- pith/Compiler.h - The pith compiler's C++ API ------------*- C++ -*-===//
//
// Part of pith. What the tools and the python module share: registration
// of everything pith understands, and running pass pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_COMPILER_H
#define PITH_COMPILER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

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

} // namespace pith

#endif // PITH_COMPILER_H
