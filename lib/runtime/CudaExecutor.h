//===- CudaExecutor.h - Running GPU packages on the CUDA driver -*- C++ -*-===//
//
// Part of pith. The CUDA driver (libcuda.so.1) is opened with dlopen the
// first time a GPU package loads, so that the runtime links nothing of
// CUDA and CPU-only machines run CPU packages unaffected.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_RUNTIME_CUDAEXECUTOR_H
#define PITH_LIB_RUNTIME_CUDAEXECUTOR_H

#include "lib/package/Package.h"

#include <memory>
#include <string>
#include <vector>

namespace pith::runtime {

/// A GPU package loaded onto the first CUDA device: its module, its
/// weights, one workspace and one device buffer per input and output (so
/// runs of one model take turns), and the arguments of every launch,
/// fixed at load.
class CudaExecutor {
public:
  /// Loads `package`'s code and weights; on failure returns null with
  /// `error` set to what is missing (the driver, a device, a new enough
  /// GPU) or what the driver said.
  static std::unique_ptr<CudaExecutor> load(const package::PackageFile &file,
                                            std::string &error);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor &) = delete;
  CudaExecutor &operator=(const CudaExecutor &) = delete;

  /// One run on the caller's buffers, one per input, weight and output in
  /// the entry point's order (the weights' go unread: the device has its
  /// own copies): copies the inputs to the device, launches the kernels
  /// and copies the outputs back. Returns an empty string or the driver's
  /// error.
  std::string run(void *const *hostBuffers);

  /// The device's name and compute capability, e.g. "NVIDIA H100 (sm_90)".
  const std::string &device() const { return deviceName; }

private:
  CudaExecutor() = default;
  struct State;
  std::unique_ptr<State> state;
  std::string deviceName;
};

} // namespace pith::runtime

#endif // PITH_LIB_RUNTIME_CUDAEXECUTOR_H
