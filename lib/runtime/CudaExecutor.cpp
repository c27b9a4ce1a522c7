//===- CudaExecutor.cpp - Running GPU packages on the CUDA driver ---------===//
//
// Part of pith. The driver API functions pith calls are declared here with
// the driver's stable C ABI (the names cuda.h maps its calls to), and
// looked up in libcuda.so.1 ($PITH_CUDA_DRIVER names another file) when
// the first GPU package loads. A model's launches never change, so they are
// captured once into a CUDA graph that each run replays: one call instead
// of one per kernel.
//
//===----------------------------------------------------------------------===//

#include "lib/runtime/CudaExecutor.h"

#include <cstdint>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <type_traits>

namespace pith::runtime {
namespace {

namespace fb = package::fb;

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;

constexpr CUresult kSuccess = 0;
constexpr int kComputeCapabilityMajor = 75;
constexpr int kComputeCapabilityMinor = 76;
constexpr int kCaptureModeThreadLocal = 1;

/// The driver's entry points pith uses.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice);
  CUresult (*cuCtxPushCurrent)(CUcontext);
  CUresult (*cuCtxPopCurrent)(CUcontext *);
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  // CUDA graphs (CUDA 11.4 and later); null where the driver lacks them.
  CUresult (*cuStreamBeginCapture)(CUstream, int);
  CUresult (*cuStreamEndCapture)(CUstream, CUgraph *);
  CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *, CUgraph,
                                          unsigned long long);
  CUresult (*cuGraphLaunch)(CUgraphExec, CUstream);
  CUresult (*cuGraphExecDestroy)(CUgraphExec);
  CUresult (*cuGraphDestroy)(CUgraph);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);

  /// "CUDA_ERROR_X (what it means)" for `result`.
  std::string describe(CUresult result) const {
    const char *name = nullptr, *text = nullptr;
    if (cuGetErrorName(result, &name) != kSuccess ||
        cuGetErrorString(result, &text) != kSuccess) {
      // Without a working driver (the toolkit's stub, an old driver), the
      // driver cannot name its errors; these are the ones met then.
      switch (result) {
      case 34:
        return "CUDA_ERROR_STUB_LIBRARY (a stub of the driver, not the "
               "driver)";
      case 35:
        return "CUDA_ERROR_INSUFFICIENT_DRIVER (the driver is older than "
               "the CUDA runtime)";
      case 100:
        return "CUDA_ERROR_NO_DEVICE (no CUDA-capable device)";
      default:
        return "CUDA error " + std::to_string(result);
      }
    }
    return std::string(name) + " (" + text + ")";
  }
};

/// The driver, opened and initialized once per process; null with
/// `error` set when it cannot be.
const Driver *openDriver(std::string &error) {
  static std::once_flag once;
  static Driver driver;
  static std::string failure;
  std::call_once(once, [] {
    const char *path = std::getenv("PITH_CUDA_DRIVER");
    if (!path || !*path)
      path = "libcuda.so.1";
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      failure = std::string("the CUDA driver cannot be loaded: ") + dlerror();
      return;
    }
    auto bind = [&](auto &function, const char *name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(
          dlsym(library, name));
      if (!function && failure.empty())
        failure = std::string("the CUDA driver '") + path + "' lacks " + name;
    };
    bind(driver.cuInit, "cuInit");
    bind(driver.cuGetErrorName, "cuGetErrorName");
    bind(driver.cuGetErrorString, "cuGetErrorString");
    bind(driver.cuDeviceGetCount, "cuDeviceGetCount");
    bind(driver.cuDeviceGet, "cuDeviceGet");
    bind(driver.cuDeviceGetName, "cuDeviceGetName");
    bind(driver.cuDeviceGetAttribute, "cuDeviceGetAttribute");
    bind(driver.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(driver.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
    bind(driver.cuCtxPushCurrent, "cuCtxPushCurrent_v2");
    bind(driver.cuCtxPopCurrent, "cuCtxPopCurrent_v2");
    bind(driver.cuModuleLoadData, "cuModuleLoadData");
    bind(driver.cuModuleUnload, "cuModuleUnload");
    bind(driver.cuModuleGetFunction, "cuModuleGetFunction");
    bind(driver.cuMemAlloc, "cuMemAlloc_v2");
    bind(driver.cuMemFree, "cuMemFree_v2");
    bind(driver.cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    bind(driver.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
    bind(driver.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
    bind(driver.cuStreamCreate, "cuStreamCreate");
    bind(driver.cuStreamDestroy, "cuStreamDestroy_v2");
    bind(driver.cuStreamSynchronize, "cuStreamSynchronize");
    bind(driver.cuLaunchKernel, "cuLaunchKernel");
    if (!failure.empty())
      return;
    auto bindOptional = [&](auto &function, const char *name) {
      function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(
          dlsym(library, name));
    };
    bindOptional(driver.cuStreamBeginCapture, "cuStreamBeginCapture_v2");
    bindOptional(driver.cuStreamEndCapture, "cuStreamEndCapture");
    bindOptional(driver.cuGraphInstantiateWithFlags,
                 "cuGraphInstantiateWithFlags");
    bindOptional(driver.cuGraphLaunch, "cuGraphLaunch");
    bindOptional(driver.cuGraphExecDestroy, "cuGraphExecDestroy");
    bindOptional(driver.cuGraphDestroy, "cuGraphDestroy");
    if (CUresult result = driver.cuInit(0); result != kSuccess)
      failure = "the CUDA driver cannot start: " + driver.describe(result);
  });
  error = failure;
  return failure.empty() ? &driver : nullptr;
}

/// Makes `context` current on this thread for its lifetime.
class ContextScope {
public:
  ContextScope(const Driver &driver, CUcontext context) : driver(driver) {
    driver.cuCtxPushCurrent(context);
  }
  ~ContextScope() {
    CUcontext previous;
    driver.cuCtxPopCurrent(&previous);
  }

private:
  const Driver &driver;
};

} // namespace

struct CudaExecutor::State {
  const Driver *driver = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  CUstream stream = nullptr;
  std::vector<CUfunction> functions;
  /// Every device allocation: inputs, weights, outputs, workspace, in the
  /// order kernel arguments number them, and its size.
  std::vector<CUdeviceptr> buffers;
  std::vector<size_t> sizes;
  size_t inputCount = 0, weightCount = 0, outputCount = 0;
  struct Launch {
    CUfunction function;
    unsigned grid[3], block[3];
    std::vector<uint64_t> values;
    std::vector<void *> arguments;
  };
  std::vector<Launch> launches;
  /// The launches captured once into a CUDA graph, which a run replays
  /// with one call; null where graphs are unavailable or turned off.
  CUgraph graph = nullptr;
  CUgraphExec graphExec = nullptr;
  std::mutex runMutex;

  /// Every launch, in order, on the stream; the driver's error or 0.
  CUresult launchAll() {
    for (Launch &launch : launches)
      if (CUresult result = driver->cuLaunchKernel(
              launch.function, launch.grid[0], launch.grid[1], launch.grid[2],
              launch.block[0], launch.block[1], launch.block[2], 0, stream,
              launch.arguments.data(), nullptr))
        return result;
    return kSuccess;
  }

  /// Captures the launches into a graph, unless the driver has no graphs
  /// or $PITH_CUDA_GRAPHS is 0; on any failure runs launch the kernels one by
  /// one.
  void captureGraph() {
    const char *setting = std::getenv("PITH_CUDA_GRAPHS");
    if ((setting && std::string(setting) == "0") || launches.empty() ||
        !driver->cuStreamBeginCapture || !driver->cuStreamEndCapture ||
        !driver->cuGraphInstantiateWithFlags || !driver->cuGraphLaunch ||
        !driver->cuGraphExecDestroy || !driver->cuGraphDestroy)
      return;
    if (driver->cuStreamBeginCapture(stream, kCaptureModeThreadLocal))
      return;
    CUresult launched = launchAll();
    CUresult ended = driver->cuStreamEndCapture(stream, &graph);
    if (launched || ended || !graph ||
        driver->cuGraphInstantiateWithFlags(&graphExec, graph, 0)) {
      if (graph)
        driver->cuGraphDestroy(graph);
      graph = nullptr;
      graphExec = nullptr;
    }
  }

  ~State() {
    if (!driver || !context)
      return;
    ContextScope scope(*driver, context);
    for (CUdeviceptr buffer : buffers)
      if (buffer)
        driver->cuMemFree(buffer);
    if (graphExec)
      driver->cuGraphExecDestroy(graphExec);
    if (graph)
      driver->cuGraphDestroy(graph);
    if (module)
      driver->cuModuleUnload(module);
    if (stream)
      driver->cuStreamDestroy(stream);
    driver->cuDevicePrimaryCtxRelease(device);
  }
};

std::unique_ptr<CudaExecutor>
CudaExecutor::load(const package::PackageFile &file, std::string &error) {
  const fb::Package &package = file.package();
  const fb::GpuCode &code = *package.gpu();
  std::string chip = package.target()->cpu()->str();
  const Driver *driver = openDriver(error);
  if (!driver)
    return nullptr;
  std::unique_ptr<CudaExecutor> executor(new CudaExecutor);
  executor->state = std::make_unique<State>();
  State &state = *executor->state;
  state.driver = driver;
  auto failed = [&](CUresult result, const std::string &what) {
    if (result == kSuccess)
      return false;
    error = what + ": " + driver->describe(result);
    return true;
  };

  int devices = 0;
  if (failed(driver->cuDeviceGetCount(&devices), "cannot count CUDA devices"))
    return nullptr;
  if (devices == 0) {
    error = "there is no CUDA device";
    return nullptr;
  }
  int major = 0, minor = 0;
  char name[256] = {};
  if (failed(driver->cuDeviceGet(&state.device, 0), "cannot open device 0") ||
      failed(driver->cuDeviceGetAttribute(&major, kComputeCapabilityMajor,
                                          state.device),
             "cannot query device 0") ||
      failed(driver->cuDeviceGetAttribute(&minor, kComputeCapabilityMinor,
                                          state.device),
             "cannot query device 0") ||
      failed(driver->cuDeviceGetName(name, sizeof name - 1, state.device),
             "cannot query device 0"))
    return nullptr;
  std::string deviceChip =
      "sm_" + std::to_string(major) + std::to_string(minor);
  executor->deviceName = std::string(name) + " (" + deviceChip + ")";
  // sm_XY: the package needs compute capability X.Y or newer.
  bool named = chip.rfind("sm_", 0) == 0;
  int needed = named ? std::atoi(chip.c_str() + 3) : 0,
      has = major * 10 + minor;
  if (needed <= 0) {
    error = "the package's GPU target '" + chip + "' is not an architecture";
    return nullptr;
  }
  if (has < needed) {
    error = "the package was compiled for " + chip + ", and device 0, " +
            executor->deviceName + ", is older";
    return nullptr;
  }
  if (failed(driver->cuDevicePrimaryCtxRetain(&state.context, state.device),
             "cannot create a CUDA context"))
    return nullptr;
  ContextScope scope(*driver, state.context);
  if (failed(driver->cuStreamCreate(&state.stream, 0),
             "cannot create a CUDA stream"))
    return nullptr;

  // A cubin for this very architecture loads as is; PTX (NUL-terminated)
  // is compiled by the driver for any newer one.
  std::string ptx;
  const void *image;
  if (code.cubin() && deviceChip == chip) {
    image = file.data(*code.cubin());
  } else {
    ptx.assign(reinterpret_cast<const char *>(file.data(*code.ptx())),
               code.ptx()->size());
    image = ptx.c_str();
  }
  if (!ptx.empty() || code.cubin()) {
    if (failed(driver->cuModuleLoadData(&state.module, image),
               "cannot load the kernels"))
      return nullptr;
  }
  for (const flatbuffers::String *kernel : *code.kernels()) {
    CUfunction function = nullptr;
    if (!state.module || failed(driver->cuModuleGetFunction(
                                    &function, state.module, kernel->c_str()),
                                "cannot find kernel '" + kernel->str() + "'"))
      return nullptr;
    state.functions.push_back(function);
  }

  // Device buffers, in the order kernel arguments number them; weights
  // are copied once.
  auto allocate = [&](size_t bytes) -> bool {
    CUdeviceptr buffer = 0;
    if (failed(driver->cuMemAlloc(&buffer, bytes ? bytes : 1),
               "cannot allocate " + std::to_string(bytes) +
                   " bytes on the GPU"))
      return false;
    state.buffers.push_back(buffer);
    state.sizes.push_back(bytes);
    return true;
  };
  auto tensorBytes = [](const fb::Tensor &tensor) {
    size_t bytes = package::dtypeSize(tensor.dtype());
    for (int64_t dim : *tensor.shape())
      bytes *= dim;
    return bytes;
  };
  for (const fb::Tensor *input : *package.inputs())
    if (!allocate(tensorBytes(*input)))
      return nullptr;
  state.inputCount = package.inputs()->size();
  for (const fb::Weight *weight : *package.weights()) {
    if (!allocate(weight->data()->size()) ||
        failed(driver->cuMemcpyHtoD(state.buffers.back(),
                                    file.data(*weight->data()),
                                    weight->data()->size()),
               "cannot copy weight '" + weight->name()->str() + "' to the GPU"))
      return nullptr;
  }
  state.weightCount = package.weights()->size();
  for (const fb::Tensor *output : *package.outputs())
    if (!allocate(tensorBytes(*output)))
      return nullptr;
  state.outputCount = package.outputs()->size();
  if (code.workspace_bytes() && !allocate(code.workspace_bytes()))
    return nullptr;

  for (const fb::Launch *launch : *code.launches()) {
    State::Launch &planned = state.launches.emplace_back();
    planned.function = state.functions[launch->kernel()];
    for (int i = 0; i < 3; ++i) {
      planned.grid[i] = launch->grid()->Get(i);
      planned.block[i] = launch->block()->Get(i);
    }
    // Each argument in a 64-bit slot: the driver reads as many bytes as
    // the kernel's parameter has, from the slot's start (little-endian).
    for (const fb::KernelArgument *argument : *launch->arguments())
      planned.values.push_back(argument->buffer() >= 0
                                   ? state.buffers[argument->buffer()] +
                                         argument->byte_offset()
                                   : argument->value());
    for (uint64_t &value : planned.values)
      planned.arguments.push_back(&value);
  }
  state.captureGraph();
  return executor;
}

CudaExecutor::~CudaExecutor() = default;

std::string CudaExecutor::run(void *const *hostBuffers) {
  State &s = *state;
  const Driver &driver = *s.driver;
  std::lock_guard<std::mutex> lock(s.runMutex);
  ContextScope scope(driver, s.context);
  auto check = [&](CUresult result, const std::string &what) {
    return result == kSuccess ? std::string()
                              : what + ": " + driver.describe(result);
  };
  for (size_t i = 0; i < s.inputCount; ++i)
    if (std::string problem =
            check(driver.cuMemcpyHtoDAsync(s.buffers[i], hostBuffers[i],
                                           s.sizes[i], s.stream),
                  "cannot copy an input to the GPU");
        !problem.empty())
      return problem;
  if (std::string problem =
          check(s.graphExec ? driver.cuGraphLaunch(s.graphExec, s.stream)
                            : s.launchAll(),
                "cannot launch the kernels");
      !problem.empty())
    return problem;
  for (size_t i = s.inputCount + s.weightCount;
       i < s.inputCount + s.weightCount + s.outputCount; ++i)
    if (std::string problem =
            check(driver.cuMemcpyDtoHAsync(hostBuffers[i], s.buffers[i],
                                           s.sizes[i], s.stream),
                  "cannot copy an output from the GPU");
        !problem.empty())
      return problem;
  return check(driver.cuStreamSynchronize(s.stream), "the GPU run failed");
}

} // namespace pith::runtime
