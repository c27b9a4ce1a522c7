//===- CpuTarget.h - CPU targets: object files and shared objects -*- C++
//-*-===//
//
// Part of pith. A CPU target names a triple, a CPU and its features; the
// LLVM dialect module the CPU pipeline makes becomes LLVM IR, an object
// file for the target, and a shared object the runtime loads.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_TARGET_CPU_CPUTARGET_H
#define PITH_LIB_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace pith {

struct CpuTarget {
  std::string name;
  std::string triple;
  std::string cpu;
  std::string features;
};

/// The target called `name`: host (this machine's CPU and features),
/// x86-64-v3, x86-64-v4, znver4, sapphirerapids, or aarch64 (objects only).
llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef name);

/// Translates an LLVM-dialect module to LLVM IR for `target`, optimized at
/// -O3 for its CPU.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const CpuTarget &target);

/// Emits `module` as an object file for `target`.
llvm::Error emitObject(llvm::Module &module, const CpuTarget &target,
                       llvm::raw_pwrite_stream &os);

/// Links an object file into a shared object (with clang and lld), which
/// needs libm and libc only.
llvm::Error linkSharedObject(llvm::StringRef objectPath,
                             llvm::StringRef outputPath);

} // namespace pith

#endif // PITH_LIB_TARGET_CPU_CPUTARGET_H
