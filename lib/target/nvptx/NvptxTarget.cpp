//===- NvptxTarget.cpp - NVIDIA GPU targets: PTX and cubin ----------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/target/nvptx/NvptxTarget.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace pith {
namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

bool hasPtxas(llvm::StringRef toolkit) {
  llvm::SmallString<128> path(toolkit);
  llvm::sys::path::append(path, "bin", "ptxas");
  return llvm::sys::fs::can_execute(path);
}

} // namespace

bool isGpuTargetName(llvm::StringRef name) { return name.starts_with("sm_"); }

llvm::Expected<GpuTarget> resolveGpuTarget(llvm::StringRef name) {
  // The lowest PTX version each architecture accepts: newer drivers JIT
  // older PTX, never the reverse.
  struct Known {
    llvm::StringLiteral chip, features;
  };
  static constexpr Known known[] = {{"sm_80", "+ptx70"},
                                    {"sm_86", "+ptx71"},
                                    {"sm_89", "+ptx78"},
                                    {"sm_90", "+ptx80"}};
  for (const Known &target : known)
    if (name == target.chip)
      return GpuTarget{target.chip.str(), target.features.str()};
  return error("unknown GPU target '" + name +
               "'; GPU targets: sm_80, sm_86, sm_89, sm_90");
}

std::optional<std::string> findCudaToolkit() {
  if (std::optional<std::string> path = llvm::sys::Process::GetEnv("CUDA_PATH"))
    if (hasPtxas(*path))
      return path;
  if (llvm::ErrorOr<std::string> ptxas =
          llvm::sys::findProgramByName("ptxas")) {
    llvm::SmallString<128> real;
    if (!llvm::sys::fs::real_path(*ptxas, real)) {
      llvm::StringRef toolkit =
          llvm::sys::path::parent_path(llvm::sys::path::parent_path(real));
      if (hasPtxas(toolkit))
        return toolkit.str();
    }
  }
  if (hasPtxas("/usr/local/cuda"))
    return std::string("/usr/local/cuda");
  return std::nullopt;
}

llvm::Expected<std::string> assembleCubin(llvm::StringRef ptx,
                                          const GpuTarget &target,
                                          llvm::StringRef toolkit) {
  llvm::SmallString<128> ptxPath, cubinPath, logPath;
  for (auto [path, suffix] :
       {std::pair{&ptxPath, "ptx"}, std::pair{&cubinPath, "cubin"},
        std::pair{&logPath, "log"}})
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("pith-kernels", suffix, *path))
      return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removePtx(ptxPath), removeCubin(cubinPath),
      removeLog(logPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(ptxPath, ec);
    if (ec)
      return error("cannot write '" + ptxPath + "': " + ec.message());
    os << ptx;
  }
  llvm::SmallString<128> ptxas(toolkit);
  llvm::sys::path::append(ptxas, "bin", "ptxas");
  std::string arch = "-arch=" + target.chip;
  llvm::SmallVector<llvm::StringRef> arguments = {ptxas, arch,      "-O3",
                                                  "-o",  cubinPath, ptxPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(),
                                                logPath.str()};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(ptxas, arguments, std::nullopt,
                                         redirects, 0, 0, &message);
  if (status != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
      log = (*buffer)->getBuffer().trim().str();
    return error(
        "ptxas rejected the PTX for " + target.chip +
        (log.empty() ? (message.empty() ? "" : ": " + message) : ":\n" + log));
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> cubin =
      llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false);
  if (!cubin)
    return error("cannot read '" + cubinPath +
                 "': " + cubin.getError().message());
  return (*cubin)->getBuffer().str();
}

} // namespace pith
