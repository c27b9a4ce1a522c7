//===- NvptxTarget.h - NVIDIA GPU targets: PTX and cubin --------*- C++ -*-===//
//
// Part of pith. A GPU target names an NVIDIA architecture and the PTX
// version its code needs; PTX from the NVPTX pipeline is assembled into a
// cubin by the CUDA toolkit's ptxas where one is installed.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_TARGET_NVPTX_NVPTXTARGET_H
#define PITH_LIB_TARGET_NVPTX_NVPTXTARGET_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace pith {

struct GpuTarget {
  /// sm_80, sm_86, sm_89 or sm_90: the target's and the chip's name.
  std::string chip;
  /// The PTX version the code is written in, as an LLVM feature (+ptx80).
  std::string features;
  static constexpr llvm::StringLiteral kTriple = "nvptx64-nvidia-cuda";
};

/// Whether `name` names a GPU target (sm_*), known or not.
bool isGpuTargetName(llvm::StringRef name);

/// The GPU target called `name`.
llvm::Expected<GpuTarget> resolveGpuTarget(llvm::StringRef name);

/// The CUDA toolkit's directory (holding bin/ptxas and nvvm/libdevice):
/// $CUDA_PATH, the directory above a ptxas on PATH, or /usr/local/cuda;
/// none when no ptxas is found.
std::optional<std::string> findCudaToolkit();

/// Assembles `ptx` for `target` with the toolkit's ptxas into a cubin,
/// whose bytes come back; a rejected PTX is an error quoting ptxas.
llvm::Expected<std::string> assembleCubin(llvm::StringRef ptx,
                                          const GpuTarget &target,
                                          llvm::StringRef toolkit);

} // namespace pith

#endif // PITH_LIB_TARGET_NVPTX_NVPTXTARGET_H
