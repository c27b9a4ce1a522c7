//===- Runtime.cpp - libpith_runtime: load and run .pith packages ---------===//
//
// Part of pith. A model is its mapped package (weights are used in place),
// its code object loaded from memory, and its signature. Invocation checks
// the caller's tensors against the signature, then passes one pointer per
// input, weight and output to the code's entry point. A GPU package's
// kernels run through the CUDA driver instead (CudaExecutor).
//
//===----------------------------------------------------------------------===//

#include "pith/runtime.h"

#include "lib/package/Package.h"
#include "lib/runtime/CudaExecutor.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace pith::package;

struct pith_status {
  pith_status_code code;
  std::string message;
};

namespace {

pith_status *makeStatus(pith_status_code code, std::string message) {
  return new (std::nothrow) pith_status{code, std::move(message)};
}

using EntryPoint = void (*)(void **);

/// A 64-byte-aligned scratch buffer for one run.
struct Workspace {
  struct Free {
    void operator()(void *data) const { std::free(data); }
  };
  std::unique_ptr<void, Free> data;
};

/// One input or output: its signature, with storage for the pointers in
/// pith_tensor_info.
struct TensorSignature {
  std::string name;
  std::vector<int64_t> shape;
  pith_tensor_info info;
  size_t byteSize;
};

std::string describe(pith_dtype dtype, const int64_t *shape, size_t rank) {
  std::string text = pith_dtype_name(dtype);
  text += "[";
  for (size_t i = 0; i < rank; ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

/// The CPU features a package's code may use that this machine lacks.
std::string missingCpuFeatures(const std::string &features) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  struct Feature {
    const char *name;
    bool present;
  };
  const Feature known[] = {
      {"sse4.2", __builtin_cpu_supports("sse4.2") != 0},
      {"avx", __builtin_cpu_supports("avx") != 0},
      {"avx2", __builtin_cpu_supports("avx2") != 0},
      {"fma", __builtin_cpu_supports("fma") != 0},
      {"f16c", __builtin_cpu_supports("f16c") != 0},
      {"bmi", __builtin_cpu_supports("bmi") != 0},
      {"bmi2", __builtin_cpu_supports("bmi2") != 0},
      {"avxvnni", __builtin_cpu_supports("avxvnni") != 0},
      {"avx512f", __builtin_cpu_supports("avx512f") != 0},
      {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {"avx512cd", __builtin_cpu_supports("avx512cd") != 0},
      {"avx512dq", __builtin_cpu_supports("avx512dq") != 0},
      {"avx512vl", __builtin_cpu_supports("avx512vl") != 0},
      {"avx512vnni", __builtin_cpu_supports("avx512vnni") != 0},
      {"avx512vbmi", __builtin_cpu_supports("avx512vbmi") != 0},
      {"avx512bf16", __builtin_cpu_supports("avx512bf16") != 0},
      {"avx512fp16", __builtin_cpu_supports("avx512fp16") != 0},
  };
  std::string missing;
  size_t start = 0;
  while (start < features.size()) {
    size_t end = features.find(',', start);
    if (end == std::string::npos)
      end = features.size();
    std::string feature = features.substr(start, end - start);
    start = end + 1;
    if (feature.size() < 2 || feature[0] != '+')
      continue;
    for (const Feature &candidate : known)
      if (feature.compare(1, std::string::npos, candidate.name) == 0 &&
          !candidate.present)
        missing += (missing.empty() ? "" : ", ") + feature.substr(1);
  }
  return missing;
#else
  return "";
#endif
}

bool tripleMatchesHost(const std::string &triple) {
#if defined(__x86_64__)
  return triple.rfind("x86_64", 0) == 0;
#elif defined(__aarch64__)
  return triple.rfind("aarch64", 0) == 0;
#else
  return false;
#endif
}

} // namespace

struct pith_model {
  std::unique_ptr<PackageFile> file;
  std::vector<TensorSignature> inputs, outputs;
  std::vector<void *> weights;
  size_t weightBytes = 0;
  std::string target, cpu, producer;
  void *library = nullptr;
  int codeFd = -1;
  EntryPoint entry = nullptr;
  std::unique_ptr<pith::runtime::CudaExecutor> gpu;
  size_t workspaceBytes = 0;
  // Workspaces of finished runs, reused: a run takes one (or allocates
  // one when all are in use by other threads) and gives it back.
  mutable std::mutex workspaceMutex;
  mutable std::vector<Workspace> idleWorkspaces;

  ~pith_model() {
    if (library)
      dlclose(library);
    if (codeFd >= 0)
      close(codeFd);
  }

  pith_status *load(const std::string &path);
  pith_status *loadCode(const std::string &path);
  Workspace takeWorkspace() const;
  void returnWorkspace(Workspace workspace) const;
  pith_status *bind(const char *what, const std::vector<TensorSignature> &,
                    const pith_tensor *tensors, size_t count,
                    void **slots) const;
};

pith_status *pith_model::load(const std::string &path) {
  std::string error;
  file = PackageFile::open(path, error);
  if (!file) {
    bool io = error.rfind("cannot open", 0) == 0 ||
              error.rfind("cannot map", 0) == 0 ||
              error.find("not a regular file") != std::string::npos;
    return makeStatus(io ? PITH_IO_ERROR : PITH_INVALID_PACKAGE, error);
  }
  const fb::Package &package = file->package();
  const fb::Target &packageTarget = *package.target();
  target = packageTarget.name()->str();
  cpu = packageTarget.cpu()->str();
  producer = package.producer()->str();
  bool isGpu = package.gpu() != nullptr;
  if (!isGpu && !tripleMatchesHost(packageTarget.triple()->str()))
    return makeStatus(PITH_UNSUPPORTED_TARGET,
                      "'" + path + "' was compiled for " +
                          packageTarget.triple()->str() + " (target '" +
                          target + "'), which this machine cannot run");
  std::string missing =
      isGpu ? "" : missingCpuFeatures(packageTarget.features()->str());
  if (!missing.empty())
    return makeStatus(PITH_UNSUPPORTED_TARGET,
                      "'" + path + "' was compiled for target '" + target +
                          "' (" + cpu +
                          "), which needs CPU features this "
                          "machine lacks: " +
                          missing);

  auto readSignature =
      [](const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>> &tensors,
         std::vector<TensorSignature> &signatures) {
        signatures.resize(tensors.size());
        for (size_t i = 0; i < tensors.size(); ++i) {
          const fb::Tensor &tensor = *tensors[i];
          TensorSignature &signature = signatures[i];
          signature.name = tensor.name()->str();
          signature.shape.assign(tensor.shape()->begin(),
                                 tensor.shape()->end());
          signature.byteSize = dtypeSize(tensor.dtype());
          for (int64_t dim : signature.shape)
            signature.byteSize *= dim;
          // The vector is sized up front, so these pointers stay valid.
          signature.info = {signature.name.c_str(),
                            static_cast<pith_dtype>(tensor.dtype()),
                            signature.shape.size(), signature.shape.data()};
        }
      };
  readSignature(*package.inputs(), inputs);
  readSignature(*package.outputs(), outputs);
  for (const fb::Weight *weight : *package.weights()) {
    weights.push_back(const_cast<uint8_t *>(file->data(*weight->data())));
    weightBytes += weight->data()->size();
  }
  if (isGpu) {
    std::string error;
    gpu = pith::runtime::CudaExecutor::load(*file, error);
    if (!gpu)
      return makeStatus(PITH_UNSUPPORTED_TARGET,
                        "'" + path + "' runs on an NVIDIA GPU (" + target +
                            "), and " + error);
    return nullptr;
  }
  return loadCode(path);
}

Workspace pith_model::takeWorkspace() const {
  {
    std::lock_guard<std::mutex> lock(workspaceMutex);
    if (!idleWorkspaces.empty()) {
      Workspace workspace = std::move(idleWorkspaces.back());
      idleWorkspaces.pop_back();
      return workspace;
    }
  }
  size_t bytes = (workspaceBytes + 63) / 64 * 64;
  return Workspace{
      std::unique_ptr<void, Workspace::Free>(std::aligned_alloc(64, bytes))};
}

void pith_model::returnWorkspace(Workspace workspace) const {
  std::lock_guard<std::mutex> lock(workspaceMutex);
  idleWorkspaces.push_back(std::move(workspace));
}

pith_status *pith_model::loadCode(const std::string &path) {
  const fb::CodeObject &code = *file->package().code();
  workspaceBytes = code.workspace_bytes();
  // The shared object is loaded from memory: written to an anonymous file
  // that dlopen reads through /proc, so nothing is left on disk. The file
  // stays open while the code is loaded: dlopen returns an already loaded
  // library whose path matches, so no two models may share a descriptor
  // number (and so a path) at once.
  int fd = codeFd = memfd_create("pith-model", MFD_CLOEXEC);
  if (fd < 0)
    return makeStatus(PITH_INTERNAL,
                      "cannot load the code of '" + path +
                          "': memfd_create: " + std::strerror(errno));
  const uint8_t *bytes = file->data(*code.data());
  size_t remaining = code.data()->size();
  while (remaining) {
    ssize_t written = write(fd, bytes, remaining);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return makeStatus(PITH_INTERNAL, "cannot load the code of '" + path +
                                           "': " + std::strerror(errno));
    bytes += written;
    remaining -= written;
  }
  std::string fdPath = "/proc/self/fd/" + std::to_string(fd);
  library = dlopen(fdPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return makeStatus(PITH_INTERNAL,
                      "cannot load the code of '" + path + "': " + dlerror());
  entry = reinterpret_cast<EntryPoint>(dlsym(library, code.entry()->c_str()));
  if (!entry)
    return makeStatus(PITH_INVALID_PACKAGE,
                      "'" + path + "' has no entry point '" +
                          code.entry()->str() + "' in its code");
  return nullptr;
}

pith_status *pith_model::bind(const char *what,
                              const std::vector<TensorSignature> &signatures,
                              const pith_tensor *tensors, size_t count,
                              void **slots) const {
  if (count != signatures.size())
    return makeStatus(PITH_INVALID_ARGUMENT,
                      "the model has " + std::to_string(signatures.size()) +
                          " " + what + "s, " + std::to_string(count) +
                          " were given");
  if (count && !tensors)
    return makeStatus(PITH_INVALID_ARGUMENT,
                      std::string("the ") + what + " array is null");
  bool byName = count && tensors[0].name;
  std::vector<bool> bound(count, false);
  for (size_t i = 0; i < count; ++i) {
    const pith_tensor &tensor = tensors[i];
    if (static_cast<bool>(tensor.name) != byName)
      return makeStatus(PITH_INVALID_ARGUMENT,
                        std::string(what) +
                            "s must all be bound by name or all by position");
    size_t index = i;
    if (byName) {
      index = count;
      for (size_t j = 0; j < count; ++j)
        if (signatures[j].name == tensor.name)
          index = j;
      if (index == count) {
        std::string names;
        for (const TensorSignature &signature : signatures)
          names += (names.empty() ? "'" : ", '") + signature.name + "'";
        return makeStatus(PITH_INVALID_ARGUMENT,
                          std::string("the model has no ") + what + " '" +
                              tensor.name + "'; its " + what + "s are " +
                              names);
      }
      if (bound[index])
        return makeStatus(PITH_INVALID_ARGUMENT, std::string(what) + " '" +
                                                     tensor.name +
                                                     "' is given twice");
    }
    bound[index] = true;
    const TensorSignature &signature = signatures[index];
    bool sameShape =
        tensor.rank == signature.shape.size() &&
        (tensor.rank == 0 ||
         (tensor.shape && std::equal(signature.shape.begin(),
                                     signature.shape.end(), tensor.shape)));
    if (tensor.dtype != signature.info.dtype || !sameShape) {
      std::string given =
          tensor.rank && !tensor.shape
              ? std::string("a null shape")
              : describe(tensor.dtype, tensor.shape, tensor.rank);
      return makeStatus(
          PITH_SIGNATURE_MISMATCH,
          std::string(what) + " '" + signature.name + "' must be " +
              describe(signature.info.dtype, signature.shape.data(),
                       signature.shape.size()) +
              ", got " + given);
    }
    if (tensor.size_bytes < signature.byteSize ||
        (signature.byteSize && !tensor.data))
      return makeStatus(
          PITH_INVALID_ARGUMENT,
          std::string(what) + " '" + signature.name + "' needs a buffer of " +
              std::to_string(signature.byteSize) + " bytes, got " +
              (tensor.data ? std::to_string(tensor.size_bytes) + " bytes"
                           : std::string("a null pointer")));
    slots[index] = tensor.data;
  }
  return nullptr;
}

extern "C" {

pith_status_code pith_status_get_code(const pith_status *status) {
  return status ? status->code : PITH_OK;
}

const char *pith_status_get_message(const pith_status *status) {
  return status ? status->message.c_str() : "ok";
}

void pith_status_free(pith_status *status) { delete status; }

size_t pith_dtype_size(pith_dtype dtype) {
  if (dtype < PITH_F32 || dtype > PITH_BOOL)
    return 0;
  return dtypeSize(static_cast<fb::DType>(dtype));
}

const char *pith_dtype_name(pith_dtype dtype) {
  static const char *const names[] = {"f32", "f64", "f16", "bf16", "i8",
                                      "i16", "i32", "i64", "u8",   "u16",
                                      "u32", "u64", "bool"};
  if (dtype < PITH_F32 || dtype > PITH_BOOL)
    return "unknown";
  return names[dtype];
}

pith_status *pith_model_load(const char *path, pith_model **model) {
  if (!model)
    return makeStatus(PITH_INVALID_ARGUMENT, "the model pointer is null");
  *model = nullptr;
  if (!path)
    return makeStatus(PITH_INVALID_ARGUMENT, "the path is null");
  auto loaded = std::unique_ptr<pith_model>(new (std::nothrow) pith_model);
  if (!loaded)
    return makeStatus(PITH_INTERNAL, "out of memory");
  try {
    if (pith_status *status = loaded->load(path))
      return status;
  } catch (const std::exception &exception) {
    return makeStatus(PITH_INTERNAL, std::string("cannot load '") + path +
                                         "': " + exception.what());
  }
  *model = loaded.release();
  return nullptr;
}

void pith_model_free(pith_model *model) { delete model; }

size_t pith_model_input_count(const pith_model *model) {
  return model ? model->inputs.size() : 0;
}

size_t pith_model_output_count(const pith_model *model) {
  return model ? model->outputs.size() : 0;
}

const pith_tensor_info *pith_model_input(const pith_model *model,
                                         size_t index) {
  if (!model || index >= model->inputs.size())
    return nullptr;
  return &model->inputs[index].info;
}

const pith_tensor_info *pith_model_output(const pith_model *model,
                                          size_t index) {
  if (!model || index >= model->outputs.size())
    return nullptr;
  return &model->outputs[index].info;
}

const char *pith_model_target(const pith_model *model) {
  return model ? model->target.c_str() : "";
}

const char *pith_model_cpu(const pith_model *model) {
  return model ? model->cpu.c_str() : "";
}

const char *pith_model_producer(const pith_model *model) {
  return model ? model->producer.c_str() : "";
}

size_t pith_model_report_count(const pith_model *model) {
  const auto *report = model ? model->file->package().report() : nullptr;
  return report ? report->size() : 0;
}

int pith_model_report_line(const pith_model *model, size_t index,
                           pith_layer_report *line) {
  if (!line || index >= pith_model_report_count(model))
    return 0;
  const fb::LayerReport &entry = *model->file->package().report()->Get(index);
  line->layer = entry.layer()->c_str();
  line->method = entry.method()->c_str();
  line->bytes_before = entry.bytes_before();
  line->bytes_after = entry.bytes_after();
  line->relative_error = entry.relative_error();
  line->sqnr_db = entry.sqnr_db();
  line->refines = entry.refines() ? entry.refines()->c_str() : "";
  line->output_error = entry.output_error();
  return 1;
}

size_t pith_model_weight_bytes(const pith_model *model) {
  return model ? model->weightBytes : 0;
}

pith_status *pith_model_invoke(const pith_model *model,
                               const pith_tensor *inputs, size_t input_count,
                               const pith_tensor *outputs,
                               size_t output_count) {
  if (!model)
    return makeStatus(PITH_INVALID_ARGUMENT, "the model is null");
  try {
    // Inputs, then weights, then outputs, then the workspace: the entry
    // point's order.
    size_t weightCount = model->weights.size();
    std::vector<void *> buffers(model->inputs.size() + weightCount +
                                model->outputs.size() +
                                (model->workspaceBytes ? 1 : 0));
    if (pith_status *status = model->bind("input", model->inputs, inputs,
                                          input_count, buffers.data()))
      return status;
    std::copy(model->weights.begin(), model->weights.end(),
              buffers.begin() + model->inputs.size());
    if (pith_status *status =
            model->bind("output", model->outputs, outputs, output_count,
                        buffers.data() + model->inputs.size() + weightCount))
      return status;
    if (model->gpu) {
      std::string problem = model->gpu->run(buffers.data());
      if (!problem.empty())
        return makeStatus(PITH_INTERNAL, problem);
      return nullptr;
    }
    Workspace workspace;
    if (model->workspaceBytes) {
      workspace = model->takeWorkspace();
      if (!workspace.data)
        return makeStatus(PITH_INTERNAL,
                          "cannot allocate a workspace of " +
                              std::to_string(model->workspaceBytes) + " bytes");
      buffers.back() = workspace.data.get();
    }
    model->entry(buffers.data());
    if (workspace.data)
      model->returnWorkspace(std::move(workspace));
  } catch (const std::exception &exception) {
    return makeStatus(PITH_INTERNAL,
                      std::string("invoke failed: ") + exception.what());
  }
  return nullptr;
}

} // extern "C"
