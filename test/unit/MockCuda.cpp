//===- MockCuda.cpp - A stand-in for libcuda.so.1 in the runtime's tests --===//
//
// Part of pith. The CUDA driver API calls the runtime makes, on host
// memory: allocations are malloc'd (filled with 0xA5), copies are memcpy,
// a graph is the launches captured into it, and a launch runs nothing but
// is recorded, with its argument array (which
// the runtime keeps while the model is loaded), for the test to inspect
// through mockCudaLaunches and mockCudaAllocations.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace {

struct Launch {
  unsigned grid[3], block[3];
  void **arguments;
};

std::vector<Launch> launches, captured;
bool capturing = false;
std::vector<std::pair<uint64_t, size_t>> allocations;
int dummy;

} // namespace

extern "C" {

// What the test reads.
const std::vector<Launch> *mockCudaLaunches() { return &launches; }
const std::vector<Launch> *mockCudaCaptured() { return &captured; }
const std::vector<std::pair<uint64_t, size_t>> *mockCudaAllocations() {
  return &allocations;
}

int cuInit(unsigned) { return 0; }
int cuGetErrorName(int, const char **name) {
  *name = "CUDA_ERROR_MOCK";
  return 0;
}
int cuGetErrorString(int, const char **text) {
  *text = "mock";
  return 0;
}
int cuDeviceGetCount(int *count) {
  *count = 1;
  return 0;
}
int cuDeviceGet(int *device, int) {
  *device = 0;
  return 0;
}
int cuDeviceGetName(char *name, int length, int) {
  std::strncpy(name, "Mock GPU", length);
  return 0;
}
int cuDeviceGetAttribute(int *value, int attribute, int) {
  *value = attribute == 75 ? 9 : 0; // compute capability 9.0
  return 0;
}
int cuDevicePrimaryCtxRetain(void **context, int) {
  *context = &dummy;
  return 0;
}
int cuDevicePrimaryCtxRelease_v2(int) { return 0; }
int cuCtxPushCurrent_v2(void *) { return 0; }
int cuCtxPopCurrent_v2(void **context) {
  *context = &dummy;
  return 0;
}
int cuModuleLoadData(void **module, const void *) {
  *module = &dummy;
  return 0;
}
int cuModuleUnload(void *) { return 0; }
int cuModuleGetFunction(void **function, void *, const char *) {
  *function = &dummy;
  return 0;
}
int cuMemAlloc_v2(uint64_t *pointer, size_t bytes) {
  void *memory = std::malloc(bytes);
  std::memset(memory, 0xA5, bytes);
  *pointer = reinterpret_cast<uint64_t>(memory);
  allocations.push_back({*pointer, bytes});
  return 0;
}
int cuMemFree_v2(uint64_t pointer) {
  std::free(reinterpret_cast<void *>(pointer));
  return 0;
}
int cuMemcpyHtoD_v2(uint64_t target, const void *source, size_t bytes) {
  std::memcpy(reinterpret_cast<void *>(target), source, bytes);
  return 0;
}
int cuMemcpyHtoDAsync_v2(uint64_t target, const void *source, size_t bytes,
                         void *) {
  return cuMemcpyHtoD_v2(target, source, bytes);
}
int cuMemcpyDtoHAsync_v2(void *target, uint64_t source, size_t bytes, void *) {
  std::memcpy(target, reinterpret_cast<const void *>(source), bytes);
  return 0;
}
int cuStreamCreate(void **stream, unsigned) {
  *stream = &dummy;
  return 0;
}
int cuStreamDestroy_v2(void *) { return 0; }
int cuStreamSynchronize(void *) { return 0; }
int cuLaunchKernel(void *, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                   unsigned by, unsigned bz, unsigned, void *, void **params,
                   void **) {
  (capturing ? captured : launches)
      .push_back({{gx, gy, gz}, {bx, by, bz}, params});
  return 0;
}
// A graph is the launches captured; launching it records them again.
int cuStreamBeginCapture_v2(void *, int) {
  capturing = true;
  return 0;
}
int cuStreamEndCapture(void *, void **graph) {
  capturing = false;
  *graph = &dummy;
  return 0;
}
int cuGraphInstantiateWithFlags(void **exec, void *, unsigned long long) {
  *exec = &dummy;
  return 0;
}
int cuGraphLaunch(void *, void *) {
  launches.insert(launches.end(), captured.begin(), captured.end());
  return 0;
}
int cuGraphExecDestroy(void *) { return 0; }
int cuGraphDestroy(void *) { return 0; }

} // extern "C"
