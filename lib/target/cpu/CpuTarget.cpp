//===- CpuTarget.cpp - CPU targets: object files and shared objects -------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/target/cpu/CpuTarget.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <mutex>

namespace pith {
namespace {

void initializeLLVMTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTarget &target) {
  initializeLLVMTargets();
  std::string message;
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, message);
  if (!llvmTarget)
    return error("target '" + target.name + "': " + message);
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return error("target '" + target.name + "': cannot create a machine");
  return std::move(machine);
}

} // namespace

llvm::Expected<CpuTarget> resolveCpuTarget(llvm::StringRef name) {
  if (name == "host") {
    std::string features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") +
                  std::string(feature.getValue() ? "+" : "-") +
                  feature.getKey().str();
    return CpuTarget{"host", llvm::sys::getDefaultTargetTriple(),
                     llvm::sys::getHostCPUName().str(), features};
  }
  if (name == "x86-64-v3" || name == "x86-64-v4" || name == "znver4" ||
      name == "sapphirerapids") {
    // The CPU implies its features; they are spelled out so that the
    // runtime can check them.
    llvm::SmallVector<llvm::StringRef> implied;
    llvm::X86::getFeaturesForCPU(name, implied, /*NeedPlus=*/true);
    return CpuTarget{name.str(), "x86_64-unknown-linux-gnu", name.str(),
                     llvm::join(implied, ",")};
  }
  if (name == "aarch64")
    return CpuTarget{"aarch64", "aarch64-unknown-linux-gnu", "generic",
                     "+neon"};
  return error("unknown target '" + name +
               "'; CPU targets: host, x86-64-v3, x86-64-v4, znver4, "
               "sapphirerapids, aarch64");
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const CpuTarget &target) {
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerOpenMPDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return error("cannot translate the module to LLVM IR");
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  // The CPU and features travel with each function, so that the IR says
  // what it was optimized for and any later tool generates the same code.
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty())
      function.addFnAttr("target-features", target.features);
  }
  llvmModule->setDataLayout((*machine)->createDataLayout());
  auto optimize = mlir::makeOptimizingTransformer(3, 0, machine->get());
  if (llvm::Error failure = optimize(llvmModule.get()))
    return std::move(failure);
  return std::move(llvmModule);
}

llvm::Error emitObject(llvm::Module &module, const CpuTarget &target,
                       llvm::raw_pwrite_stream &os) {
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(target);
  if (!machine)
    return machine.takeError();
  llvm::legacy::PassManager passes;
  if ((*machine)->addPassesToEmitFile(passes, os, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return error("target '" + target.name + "' cannot emit object files");
  passes.run(module);
  return llvm::Error::success();
}

llvm::Error linkSharedObject(llvm::StringRef objectPath,
                             llvm::StringRef outputPath) {
  llvm::ErrorOr<std::string> clang = llvm::sys::findProgramByName("clang-22");
  if (!clang)
    clang = llvm::sys::findProgramByName("clang", {"/usr/lib/llvm-22/bin"});
  if (!clang)
    return error("cannot find clang-22 to link a shared object");
  llvm::SmallVector<llvm::StringRef> arguments = {
      *clang, "-shared", "-fuse-ld=lld", "-o", outputPath, objectPath,
      "-Wl,--as-needed", "-lm",
      // Parallel loops call libomp (libomp.so.5, found by soname).
      "-fopenmp=libomp"};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*clang, arguments, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0)
    return error("linking '" + outputPath + "' failed" +
                 (message.empty() ? "" : ": " + message));
  return llvm::Error::success();
}

} // namespace pith
