//===- Package.h - Writing and reading .pith packages -----------*- C++ -*-===//
//
// Part of pith. The compiler writes packages and the runtime reads them;
// neither side needs LLVM or MLIR for it. The format is package.fbs.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_PACKAGE_PACKAGE_H
#define PITH_LIB_PACKAGE_PACKAGE_H

#include "lib/package/package_generated.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::package {

/// The version of the format this build writes and reads.
constexpr uint32_t kFormatVersion = 1;

/// Alignment of everything in the data region.
constexpr size_t kSegmentAlignment = 64;

/// Bytes per element of `dtype`.
size_t dtypeSize(fb::DType dtype);

struct TensorSpec {
  std::string name;
  fb::DType dtype = fb::DType::F32;
  std::vector<int64_t> shape;
};

struct WeightSpec {
  TensorSpec tensor;
  std::string_view bytes;
};

struct TargetSpec {
  std::string name, triple, cpu, features;
};

struct LayerReportSpec {
  std::string layer, method, refines;
  uint64_t bytesBefore = 0, bytesAfter = 0;
  double relativeError = 0, sqnrDb = 0, outputError = -1;
};

/// A kernel's argument (fb::KernelArgument).
struct KernelArgumentSpec {
  int32_t buffer = -1;
  uint64_t byteOffset = 0;
  uint64_t value = 0;
  uint8_t size = 0;
};

struct LaunchSpec {
  uint32_t kernel = 0;
  std::vector<uint32_t> grid, block;
  std::vector<KernelArgumentSpec> arguments;
};

/// A GPU target's code (fb::GpuCode); the byte ranges are the caller's.
struct GpuCodeSpec {
  std::string_view ptx, cubin;
  std::vector<std::string> kernels;
  std::vector<LaunchSpec> launches;
};

/// Everything a package holds; the byte ranges are the caller's. A CPU
/// package has a shared object, a GPU package `gpu` code.
struct PackageSpec {
  std::string producer;
  TargetSpec target;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<WeightSpec> weights;
  std::string_view sharedObject;
  std::string entry;
  std::optional<GpuCodeSpec> gpu;
  uint64_t workspaceBytes = 0;
  std::vector<LayerReportSpec> report;
};

/// Writes `spec` to `path`; on failure returns false with `error` set.
bool writePackage(const PackageSpec &spec, const std::string &path,
                  std::string &error);

/// A package file mapped read-only, verified: its FlatBuffer passed the
/// verifier, every segment lies inside the file at an aligned offset, and
/// every weight's size matches its shape.
class PackageFile {
public:
  /// Maps and verifies `path`; on failure returns null with `error` set.
  static std::unique_ptr<PackageFile> open(const std::string &path,
                                           std::string &error);
  ~PackageFile();
  PackageFile(const PackageFile &) = delete;
  PackageFile &operator=(const PackageFile &) = delete;

  const fb::Package &package() const { return *root; }
  /// The bytes of `segment`, in the mapping.
  const uint8_t *data(const fb::Segment &segment) const {
    return dataRegion + segment.offset();
  }
  size_t fileSize() const { return size; }

private:
  PackageFile(const uint8_t *mapping, size_t size)
      : mapping(mapping), size(size) {}
  std::string verify();

  const uint8_t *mapping;
  size_t size;
  const uint8_t *dataRegion = nullptr;
  const fb::Package *root = nullptr;
};

} // namespace pith::package

#endif // PITH_LIB_PACKAGE_PACKAGE_H
