//===- RuntimeTest.cpp - Unit tests of the runtime C API ------------------===//
//
// Part of pith. pith/runtime.h on packages compiled here: binding, the
// errors every misuse gets, several models in one process, and one model
// invoked from several threads at once.
//
//===----------------------------------------------------------------------===//

#include "pith/runtime.h"
#include "lib/package/Package.h"
#include "pith/Compiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <dlfcn.h>

#include <string>
#include <thread>
#include <vector>

namespace {

/// y = x * factor + [0, 1, 2, 3] per row, on f32[16, 4]; the weight is
/// large enough (256 bytes) to live in the package rather than the code.
std::string scaleModel(float factor) {
  std::string weight = "dense<[";
  for (int row = 0; row < 16; ++row)
    weight += std::string(row ? ", " : "") + "[0.0, 1.0, 2.0, 3.0]";
  weight += "]>";
  return R"mlir(
func.func @main(%x: tensor<16x4xf32> {pith.name = "x"}) -> (tensor<16x4xf32> {pith.name = "y"}) {
  %f = pith.constant dense<)mlir" +
         std::to_string(factor) + R"mlir(> : tensor<16x4xf32>
  %w = pith.constant )mlir" +
         weight + R"mlir( : tensor<16x4xf32>
  %s = pith.mul %x, %f : (tensor<16x4xf32>, tensor<16x4xf32>) -> tensor<16x4xf32>
  %y = pith.add %s, %w : (tensor<16x4xf32>, tensor<16x4xf32>) -> tensor<16x4xf32>
  return %y : tensor<16x4xf32>
}
)mlir";
}

class RuntimeTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    pith::registerPasses();
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("pith-runtime-test", directory));
    for (float factor : {2.0f, 3.0f}) {
      std::string name = "scale" + std::to_string(static_cast<int>(factor));
      std::string source = (directory + "/" + name + ".mlir").str();
      std::error_code ec;
      llvm::raw_fd_ostream(source, ec) << scaleModel(factor);
      ASSERT_FALSE(ec);
      std::string package = (directory + "/" + name + ".pith").str();
      pith::CompileOptions options;
      llvm::Error error = pith::compileFile(source, package, options);
      ASSERT_FALSE(static_cast<bool>(error))
          << llvm::toString(std::move(error));
      packages.push_back(package);
    }
  }
  static void TearDownTestSuite() {
    llvm::sys::fs::remove_directories(directory);
  }

  static pith_model *load(const std::string &path) {
    pith_model *model = nullptr;
    pith_status *status = pith_model_load(path.c_str(), &model);
    EXPECT_EQ(status, nullptr) << pith_status_get_message(status);
    pith_status_free(status);
    return model;
  }

  /// Runs `model` on x = `value` everywhere; returns y, or an empty vector
  /// with `message` set.
  static std::vector<float> run(pith_model *model, float value,
                                std::string *message = nullptr) {
    std::vector<float> x(64, value), y(64, -1.0f);
    int64_t shape[] = {16, 4};
    pith_tensor input = {"x", PITH_F32, 2, shape, x.data(), 256};
    pith_tensor output = {"y", PITH_F32, 2, shape, y.data(), 256};
    pith_status *status = pith_model_invoke(model, &input, 1, &output, 1);
    if (status) {
      if (message)
        *message = pith_status_get_message(status);
      pith_status_free(status);
      return {};
    }
    return y;
  }

  static std::vector<float> expected(float value, float factor) {
    std::vector<float> y;
    for (int i = 0; i < 64; ++i)
      y.push_back(value * factor + i % 4);
    return y;
  }

  static llvm::SmallString<128> directory;
  static std::vector<std::string> packages;
};

llvm::SmallString<128> RuntimeTest::directory;
std::vector<std::string> RuntimeTest::packages;

TEST_F(RuntimeTest, ReportsTheSignature) {
  pith_model *model = load(packages[0]);
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(pith_model_input_count(model), 1u);
  ASSERT_EQ(pith_model_output_count(model), 1u);
  const pith_tensor_info *x = pith_model_input(model, 0);
  EXPECT_STREQ(x->name, "x");
  EXPECT_EQ(x->dtype, PITH_F32);
  ASSERT_EQ(x->rank, 2u);
  EXPECT_EQ(x->shape[0], 16);
  EXPECT_STREQ(pith_model_output(model, 0)->name, "y");
  EXPECT_EQ(pith_model_input(model, 1), nullptr);
  EXPECT_STREQ(pith_model_target(model), "host");
  EXPECT_EQ(std::string(pith_model_producer(model)).rfind("pith ", 0), 0u);
  // The 256-byte weight is mapped from the package.
  EXPECT_EQ(pith_model_weight_bytes(model), 256u);
  pith_model_free(model);
}

TEST_F(RuntimeTest, ModelsInOneProcessKeepTheirOwnCode) {
  // Loaded together, and again after one is freed (its descriptor number
  // is reused): each model runs its own code.
  pith_model *two = load(packages[0]);
  pith_model *three = load(packages[1]);
  EXPECT_EQ(run(two, 1.0f), expected(1.0f, 2.0f));
  EXPECT_EQ(run(three, 1.0f), expected(1.0f, 3.0f));
  pith_model_free(two);
  pith_model *threeAgain = load(packages[1]);
  pith_model *twoAgain = load(packages[0]);
  EXPECT_EQ(run(twoAgain, 5.0f), expected(5.0f, 2.0f));
  EXPECT_EQ(run(threeAgain, 5.0f), expected(5.0f, 3.0f));
  EXPECT_EQ(run(three, 5.0f), expected(5.0f, 3.0f));
  pith_model_free(three);
  pith_model_free(threeAgain);
  pith_model_free(twoAgain);
}

TEST_F(RuntimeTest, ThreadsInvokeOneModelAtOnce) {
  pith_model *model = load(packages[1]);
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        if (run(model, float(t * 1000 + i)) !=
            expected(float(t * 1000 + i), 3.0f))
          ++failures[t];
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures, std::vector<int>(8, 0));
  pith_model_free(model);
}

TEST_F(RuntimeTest, BindsByPosition) {
  pith_model *model = load(packages[0]);
  std::vector<float> x(64, 1.0f), y(64);
  int64_t shape[] = {16, 4};
  pith_tensor input = {nullptr, PITH_F32, 2, shape, x.data(), 256};
  pith_tensor output = {nullptr, PITH_F32, 2, shape, y.data(), 256};
  EXPECT_EQ(pith_model_invoke(model, &input, 1, &output, 1), nullptr);
  EXPECT_EQ(y, expected(1.0f, 2.0f));
  pith_model_free(model);
}

TEST_F(RuntimeTest, RejectsMisuseWithAMessage) {
  pith_model *model = load(packages[0]);
  std::vector<float> x(64), y(64);
  int64_t shape[] = {16, 4}, wrong[] = {2, 8};
  auto invoke = [&](pith_tensor input, pith_tensor output, size_t inputs = 1) {
    pith_status *status = pith_model_invoke(model, &input, inputs, &output, 1);
    std::pair<pith_status_code, std::string> result = {
        pith_status_get_code(status), pith_status_get_message(status)};
    pith_status_free(status);
    return result;
  };
  pith_tensor good = {"x", PITH_F32, 2, shape, x.data(), 256};
  pith_tensor out = {"y", PITH_F32, 2, shape, y.data(), 256};

  auto shapeError = invoke({"x", PITH_F32, 2, wrong, x.data(), 256}, out);
  EXPECT_EQ(shapeError.first, PITH_SIGNATURE_MISMATCH);
  EXPECT_EQ(shapeError.second, "input 'x' must be f32[16,4], got f32[2,8]");
  auto dtypeError = invoke({"x", PITH_I32, 2, shape, x.data(), 256}, out);
  EXPECT_EQ(dtypeError.second, "input 'x' must be f32[16,4], got i32[16,4]");
  auto sizeError = invoke({"x", PITH_F32, 2, shape, x.data(), 60}, out);
  EXPECT_EQ(sizeError.first, PITH_INVALID_ARGUMENT);
  EXPECT_EQ(sizeError.second,
            "input 'x' needs a buffer of 256 bytes, got 60 bytes");
  auto nullData = invoke(good, {"y", PITH_F32, 2, shape, nullptr, 256});
  EXPECT_EQ(nullData.second,
            "output 'y' needs a buffer of 256 bytes, got a null pointer");
  auto nameError = invoke({"z", PITH_F32, 2, shape, x.data(), 256}, out);
  EXPECT_EQ(nameError.second, "the model has no input 'z'; its inputs are 'x'");
  auto countError = invoke(good, out, 0);
  EXPECT_EQ(countError.second, "the model has 1 inputs, 0 were given");
  auto mixed = invoke(good, {nullptr, PITH_F32, 2, shape, y.data(), 256});
  EXPECT_EQ(mixed.first, PITH_OK) << mixed.second;

  pith_status *status = pith_model_invoke(nullptr, &good, 1, &out, 1);
  EXPECT_EQ(pith_status_get_code(status), PITH_INVALID_ARGUMENT);
  pith_status_free(status);
  pith_model *none = reinterpret_cast<pith_model *>(1);
  status = pith_model_load("/nonexistent/model.pith", &none);
  EXPECT_EQ(none, nullptr);
  EXPECT_EQ(pith_status_get_code(status), PITH_IO_ERROR);
  pith_status_free(status);
  pith_model_free(model);
}

/// A GPU package with one launch of one kernel on its input and output;
/// `kernel` and `buffer` index the kernels and the buffers.
pith_status *loadGpuPackage(const std::string &path, uint32_t kernel,
                            int32_t buffer) {
  namespace package = pith::package;
  package::PackageSpec spec;
  spec.producer = "test";
  spec.target = {"sm_90", "nvptx64-nvidia-cuda", "sm_90", "+ptx80"};
  spec.inputs = {{"x", package::fb::DType::F32, {4}}};
  spec.outputs = {{"y", package::fb::DType::F32, {4}}};
  package::GpuCodeSpec code;
  code.ptx = ".version 8.0\n.target sm_90\n";
  code.kernels = {"k"};
  code.launches = {{kernel, {1, 1, 1}, {4, 1, 1}, {{buffer, 0, 0, 0}}}};
  spec.gpu = code;
  std::string error;
  EXPECT_TRUE(package::writePackage(spec, path, error)) << error;
  pith_model *model = nullptr;
  pith_status *status = pith_model_load(path.c_str(), &model);
  pith_model_free(model);
  return status;
}

TEST(GpuPackageTest, VerifiesLaunchesBeforeOpeningTheDriver) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("pith-gpu", "pith", path));
  std::string file = path.str().str();
  pith_status *status = loadGpuPackage(file, /*kernel=*/1, /*buffer=*/0);
  EXPECT_EQ(pith_status_get_code(status), PITH_INVALID_PACKAGE);
  EXPECT_NE(std::string(pith_status_get_message(status))
                .find("a launch of its GPU code is malformed"),
            std::string::npos)
      << pith_status_get_message(status);
  pith_status_free(status);
  // Buffers 0 and 1 are the input and the output; there is no third.
  status = loadGpuPackage(file, /*kernel=*/0, /*buffer=*/2);
  EXPECT_NE(std::string(pith_status_get_message(status))
                .find("a kernel argument of its GPU code is malformed"),
            std::string::npos)
      << pith_status_get_message(status);
  pith_status_free(status);
  llvm::sys::fs::remove(path);
}

/// What MockCuda.cpp records of a launch.
struct MockLaunch {
  unsigned grid[3], block[3];
  void **arguments;
};

/// A GPU package run on the stand-in driver of MockCuda.cpp: the weights
/// and the input reach device buffers, every launch gets the package's
/// sizes and arguments (buffers as device addresses), and the output comes
/// back from its device buffer.
TEST_F(RuntimeTest, RunsGpuPackagesThroughTheDriver) {
  std::string source = (directory + "/scale-gpu.mlir").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream(source, ec) << scaleModel(2.0f);
    ASSERT_FALSE(ec);
  }
  std::string path = (directory + "/scale-gpu.pith").str();
  pith::CompileOptions options;
  options.target = "sm_90";
  llvm::Error error = pith::compileFile(source, path, options);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));

  // The driver is opened once per process, with the first GPU package.
  ASSERT_EQ(setenv("PITH_CUDA_DRIVER", PITH_MOCK_CUDA, 1), 0);
  void *mock = dlopen(PITH_MOCK_CUDA, RTLD_NOW);
  ASSERT_NE(mock, nullptr) << dlerror();
  using Launches = const std::vector<MockLaunch> *(*)();
  using Allocations = const std::vector<std::pair<uint64_t, size_t>> *(*)();
  auto launches = reinterpret_cast<Launches>(dlsym(mock, "mockCudaLaunches"))();
  auto captured = reinterpret_cast<Launches>(dlsym(mock, "mockCudaCaptured"))();
  auto allocations =
      reinterpret_cast<Allocations>(dlsym(mock, "mockCudaAllocations"))();
  size_t firstAllocation = allocations->size();

  pith_model *model = load(path);
  ASSERT_NE(model, nullptr);
  EXPECT_STREQ(pith_model_target(model), "sm_90");
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i)
    x[i] = static_cast<float>(i);
  std::vector<float> y(64, 0.0f);
  int64_t shape[] = {16, 4};
  pith_tensor input = {"x", PITH_F32, 2, shape, x.data(), 256};
  pith_tensor output = {"y", PITH_F32, 2, shape, y.data(), 256};
  pith_status *status = pith_model_invoke(model, &input, 1, &output, 1);
  ASSERT_EQ(status, nullptr) << pith_status_get_message(status);

  std::string message;
  auto file = pith::package::PackageFile::open(path, message);
  ASSERT_TRUE(file) << message;
  const auto &package = file->package();
  const auto &code = *package.gpu();
  // Device buffers in the order arguments number them: the input, the
  // weights, the output, the workspace.
  size_t buffers =
      2 + package.weights()->size() + (code.workspace_bytes() ? 1 : 0);
  ASSERT_EQ(allocations->size() - firstAllocation, buffers);
  auto device = [&](size_t buffer) {
    return (*allocations)[firstAllocation + buffer];
  };
  EXPECT_EQ(
      std::memcmp(reinterpret_cast<void *>(device(0).first), x.data(), 256), 0);
  for (size_t i = 0; i < package.weights()->size(); ++i) {
    const auto *weight = package.weights()->Get(i);
    ASSERT_EQ(device(1 + i).second, weight->data()->size());
    EXPECT_EQ(std::memcmp(reinterpret_cast<void *>(device(1 + i).first),
                          file->data(*weight->data()), device(1 + i).second),
              0);
  }
  // No kernel ran: the output is the device buffer's fill, 0xA5 bytes.
  uint32_t fill;
  std::memcpy(&fill, y.data(), 4);
  EXPECT_EQ(fill, 0xA5A5A5A5u);

  // Captured once into a graph at load, replayed by the run.
  EXPECT_EQ(captured->size(), code.launches()->size());
  ASSERT_EQ(launches->size(), code.launches()->size());
  for (size_t i = 0; i < launches->size(); ++i) {
    const MockLaunch &launch = (*launches)[i];
    const auto &planned = *code.launches()->Get(i);
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(launch.grid[d], planned.grid()->Get(d));
      EXPECT_EQ(launch.block[d], planned.block()->Get(d));
    }
    for (size_t a = 0; a < planned.arguments()->size(); ++a) {
      const auto &argument = *planned.arguments()->Get(a);
      uint64_t value = *static_cast<uint64_t *>(launch.arguments[a]);
      if (argument.buffer() >= 0)
        EXPECT_EQ(value,
                  device(argument.buffer()).first + argument.byte_offset());
      else
        EXPECT_EQ(value, argument.value());
    }
  }
  pith_model_free(model);

  // Without graphs, a run launches each kernel itself.
  ASSERT_EQ(setenv("PITH_CUDA_GRAPHS", "0", 1), 0);
  model = load(path);
  status = pith_model_invoke(model, &input, 1, &output, 1);
  ASSERT_EQ(status, nullptr) << pith_status_get_message(status);
  EXPECT_EQ(captured->size(), code.launches()->size());
  EXPECT_EQ(launches->size(), 2 * code.launches()->size());
  pith_model_free(model);
  unsetenv("PITH_CUDA_GRAPHS");
}

} // namespace
