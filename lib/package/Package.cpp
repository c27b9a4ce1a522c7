//===- Package.cpp - Writing and reading .pith packages -------------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/package/Package.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pith::package {
namespace {

size_t alignUp(size_t value) {
  return (value + kSegmentAlignment - 1) / kSegmentAlignment *
         kSegmentAlignment;
}

/// Lays out byte ranges one after another in the data region.
struct DataRegion {
  std::vector<std::string_view> pieces;
  size_t end = 0;

  fb::Segment add(std::string_view bytes) {
    size_t offset = alignUp(end);
    pieces.push_back(bytes);
    end = offset + bytes.size();
    return fb::Segment(offset, bytes.size());
  }
};

flatbuffers::Offset<fb::Tensor>
buildTensor(flatbuffers::FlatBufferBuilder &builder, const TensorSpec &spec) {
  return fb::CreateTensorDirect(builder, spec.name.c_str(), spec.dtype,
                                &spec.shape);
}

bool writeAll(FILE *file, const void *data, size_t size) {
  return size == 0 || std::fwrite(data, 1, size, file) == size;
}

bool writePadding(FILE *file, size_t from, size_t to) {
  static const char zeros[kSegmentAlignment] = {};
  return writeAll(file, zeros, to - from);
}

} // namespace

size_t dtypeSize(fb::DType dtype) {
  switch (dtype) {
  case fb::DType::F64:
  case fb::DType::I64:
  case fb::DType::U64:
    return 8;
  case fb::DType::F32:
  case fb::DType::I32:
  case fb::DType::U32:
    return 4;
  case fb::DType::F16:
  case fb::DType::BF16:
  case fb::DType::I16:
  case fb::DType::U16:
    return 2;
  case fb::DType::I8:
  case fb::DType::U8:
  case fb::DType::Bool:
    return 1;
  }
  return 0;
}

bool writePackage(const PackageSpec &spec, const std::string &path,
                  std::string &error) {
  flatbuffers::FlatBufferBuilder builder(1 << 16);
  DataRegion region;

  std::vector<flatbuffers::Offset<fb::Tensor>> inputs, outputs;
  for (const TensorSpec &input : spec.inputs)
    inputs.push_back(buildTensor(builder, input));
  for (const TensorSpec &output : spec.outputs)
    outputs.push_back(buildTensor(builder, output));
  std::vector<flatbuffers::Offset<fb::Weight>> weights;
  for (const WeightSpec &weight : spec.weights) {
    fb::Segment segment = region.add(weight.bytes);
    weights.push_back(fb::CreateWeightDirect(
        builder, weight.tensor.name.c_str(), weight.tensor.dtype,
        &weight.tensor.shape, &segment));
  }
  flatbuffers::Offset<fb::CodeObject> code;
  flatbuffers::Offset<fb::GpuCode> gpu;
  if (spec.gpu) {
    fb::Segment ptx = region.add(spec.gpu->ptx);
    std::optional<fb::Segment> cubin;
    if (!spec.gpu->cubin.empty())
      cubin = region.add(spec.gpu->cubin);
    std::vector<flatbuffers::Offset<flatbuffers::String>> kernels;
    for (const std::string &kernel : spec.gpu->kernels)
      kernels.push_back(builder.CreateString(kernel));
    std::vector<flatbuffers::Offset<fb::Launch>> launches;
    for (const LaunchSpec &launch : spec.gpu->launches) {
      std::vector<flatbuffers::Offset<fb::KernelArgument>> arguments;
      for (const KernelArgumentSpec &argument : launch.arguments)
        arguments.push_back(fb::CreateKernelArgument(
            builder, argument.buffer, argument.byteOffset, argument.value,
            argument.size));
      launches.push_back(fb::CreateLaunchDirect(
          builder, launch.kernel, &launch.grid, &launch.block, &arguments));
    }
    gpu = fb::CreateGpuCodeDirect(builder, &ptx, cubin ? &*cubin : nullptr,
                                  &kernels, &launches, spec.workspaceBytes);
  } else {
    fb::Segment codeSegment = region.add(spec.sharedObject);
    code = fb::CreateCodeObjectDirect(builder, "elf-shared-object",
                                      spec.entry.c_str(), &codeSegment,
                                      spec.workspaceBytes);
  }
  auto target = fb::CreateTargetDirect(
      builder, spec.target.name.c_str(), spec.target.triple.c_str(),
      spec.target.cpu.c_str(), spec.target.features.c_str());
  std::vector<flatbuffers::Offset<fb::LayerReport>> report;
  for (const LayerReportSpec &layer : spec.report)
    report.push_back(fb::CreateLayerReportDirect(
        builder, layer.layer.c_str(), layer.method.c_str(), layer.bytesBefore,
        layer.bytesAfter, layer.relativeError, layer.sqnrDb,
        layer.refines.empty() ? nullptr : layer.refines.c_str(),
        layer.outputError));
  auto root = fb::CreatePackageDirect(builder, kFormatVersion,
                                      spec.producer.c_str(), target, &inputs,
                                      &outputs, &weights, code, &report, gpu);
  fb::FinishSizePrefixedPackageBuffer(builder, root);

  // Written next to the destination and renamed, so that a failed write
  // never leaves a truncated package behind.
  std::string temporary = path + ".tmp";
  FILE *file = std::fopen(temporary.c_str(), "wb");
  if (!file) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  size_t headerSize = builder.GetSize();
  size_t dataStart = alignUp(headerSize);
  bool ok = writeAll(file, builder.GetBufferPointer(), headerSize) &&
            writePadding(file, headerSize, dataStart);
  size_t position = 0;
  for (std::string_view piece : region.pieces) {
    size_t offset = alignUp(position);
    ok = ok && writePadding(file, position, offset) &&
         writeAll(file, piece.data(), piece.size());
    position = offset + piece.size();
  }
  ok = std::fclose(file) == 0 && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

std::unique_ptr<PackageFile> PackageFile::open(const std::string &path,
                                               std::string &error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = "'" + path + "' is not a regular file";
    ::close(fd);
    return nullptr;
  }
  size_t size = info.st_size;
  void *mapping =
      size ? mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
  ::close(fd);
  if (mapping == MAP_FAILED) {
    error = "cannot map '" + path + "': " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<PackageFile> file(
      new PackageFile(static_cast<const uint8_t *>(mapping), size));
  std::string problem = file->verify();
  if (!problem.empty()) {
    error = "'" + path + "' is not a valid pith package: " + problem;
    return nullptr;
  }
  return file;
}

PackageFile::~PackageFile() {
  if (size)
    munmap(const_cast<uint8_t *>(mapping), size);
}

std::string PackageFile::verify() {
  const size_t prefixSize = sizeof(flatbuffers::uoffset_t);
  if (size < prefixSize + 8 ||
      !flatbuffers::BufferHasIdentifier(mapping, fb::PackageIdentifier(),
                                        /*size_prefixed=*/true))
    return "it does not start with a package header (identifier 'PITH')";
  size_t headerSize =
      prefixSize + flatbuffers::ReadScalar<flatbuffers::uoffset_t>(mapping);
  if (headerSize > size)
    return "it is truncated (its header needs " + std::to_string(headerSize) +
           " bytes, the file has " + std::to_string(size) + ")";
  flatbuffers::Verifier verifier(mapping, headerSize);
  if (!fb::VerifySizePrefixedPackageBuffer(verifier))
    return "its header is corrupt (the FlatBuffers verifier rejects it)";
  root = fb::GetSizePrefixedPackage(mapping);
  if (root->format_version() != kFormatVersion)
    return "it has format version " + std::to_string(root->format_version()) +
           ", this runtime reads " + std::to_string(kFormatVersion);

  size_t dataStart = alignUp(headerSize);
  size_t dataSize = dataStart <= size ? size - dataStart : 0;
  dataRegion = mapping + dataStart;
  auto checkSegment = [&](const fb::Segment &segment,
                          const std::string &what) -> std::string {
    if (segment.offset() % kSegmentAlignment != 0)
      return what + " is not aligned to " + std::to_string(kSegmentAlignment) +
             " bytes";
    if (segment.offset() > dataSize ||
        segment.size() > dataSize - segment.offset())
      return what + " lies past the end of the file (truncated?)";
    return "";
  };
  auto checkTensor = [](const fb::Tensor *tensor) -> std::string {
    if (tensor->dtype() > fb::DType::MAX)
      return "tensor '" + tensor->name()->str() + "' has an unknown type";
    for (int64_t dim : *tensor->shape())
      if (dim < 0)
        return "tensor '" + tensor->name()->str() + "' has a negative size";
    return "";
  };
  for (const auto *tensors : {root->inputs(), root->outputs()})
    for (const fb::Tensor *tensor : *tensors)
      if (std::string problem = checkTensor(tensor); !problem.empty())
        return problem;
  for (const fb::Weight *weight : *root->weights()) {
    std::string what = "weight '" + weight->name()->str() + "'";
    if (std::string problem = checkSegment(*weight->data(), what);
        !problem.empty())
      return problem;
    if (weight->dtype() > fb::DType::MAX)
      return what + " has an unknown type";
    uint64_t bytes = dtypeSize(weight->dtype());
    for (int64_t dim : *weight->shape()) {
      if (dim < 0 || (dim && bytes > UINT64_MAX / dim))
        return what + " has an invalid shape";
      bytes *= dim;
    }
    if (bytes != weight->data()->size())
      return what + " holds " + std::to_string(weight->data()->size()) +
             " bytes, its shape needs " + std::to_string(bytes);
  }
  const fb::CodeObject *code = root->code();
  const fb::GpuCode *gpu = root->gpu();
  if (!code == !gpu)
    return "it must hold either CPU or GPU code, and holds " +
           std::string(code ? "both" : "neither");
  if (gpu) {
    size_t buffers = root->inputs()->size() + root->weights()->size() +
                     root->outputs()->size() + (gpu->workspace_bytes() ? 1 : 0);
    for (const fb::Launch *launch : *gpu->launches()) {
      if (launch->kernel() >= gpu->kernels()->size() ||
          launch->grid()->size() != 3 || launch->block()->size() != 3)
        return "a launch of its GPU code is malformed";
      for (const fb::KernelArgument *argument : *launch->arguments())
        if (argument->buffer() >= static_cast<int64_t>(buffers) ||
            (argument->buffer() < 0 && argument->size() > 8))
          return "a kernel argument of its GPU code is malformed";
    }
    if (gpu->cubin())
      if (std::string problem = checkSegment(*gpu->cubin(), "its cubin");
          !problem.empty())
        return problem;
    return checkSegment(*gpu->ptx(), "its PTX");
  }
  if (code->format()->str() != "elf-shared-object")
    return "its code has the unknown format '" + code->format()->str() + "'";
  return checkSegment(*code->data(), "its code");
}

} // namespace pith::package
