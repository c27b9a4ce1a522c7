//===- main.cpp - pith-run: run a compiled model --------------------------===//
//
// Part of pith. Loads a .pith package, binds inputs from .npy files (or
// random values), runs it once and writes each output as <name>.npy. It
// links only the runtime, never LLVM or MLIR.
//
//===----------------------------------------------------------------------===//

#include "lib/runtime/HostTensor.h"
#include "pith/runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

const char *kUsage =
    "usage: pith-run model.pith [--input NAME=@FILE.npy]... [--random-inputs]\n"
    "                [--seed N] [--output-dir DIR] [--quiet]\n"
    "\n"
    "Runs a compiled model once. Each input comes from a .npy file, or with\n"
    "--random-inputs from random values (those not given). Outputs are\n"
    "summarized, and written to DIR/NAME.npy with --output-dir.\n";

int fail(const std::string &message) {
  std::fprintf(stderr, "pith-run: error: %s\n", message.c_str());
  return 1;
}

/// An output name made safe as a file name ('/' and ':' are common in
/// ONNX names).
std::string fileName(const std::string &name) {
  std::string result = name;
  for (char &c : result)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' &&
        c != '_')
      c = '_';
  return result.empty() || result[0] == '.' ? "_" + result : result;
}

double element(const pith::HostTensor &tensor, int64_t i) {
  const uint8_t *data = tensor.bytes.data();
  switch (tensor.dtype) {
  case PITH_F32:
    return reinterpret_cast<const float *>(data)[i];
  case PITH_F64:
    return reinterpret_cast<const double *>(data)[i];
  case PITH_I8:
    return reinterpret_cast<const int8_t *>(data)[i];
  case PITH_I16:
    return reinterpret_cast<const int16_t *>(data)[i];
  case PITH_I32:
    return reinterpret_cast<const int32_t *>(data)[i];
  case PITH_I64:
    return reinterpret_cast<const int64_t *>(data)[i];
  case PITH_U8:
  case PITH_BOOL:
    return data[i];
  case PITH_U16:
    return reinterpret_cast<const uint16_t *>(data)[i];
  case PITH_U32:
    return reinterpret_cast<const uint32_t *>(data)[i];
  case PITH_U64:
    return reinterpret_cast<const uint64_t *>(data)[i];
  default:
    return NAN; // f16 and bf16 are not summarized.
  }
}

std::string describe(const pith::HostTensor &tensor) {
  std::string text = std::string(pith_dtype_name(tensor.dtype)) + "[";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(tensor.shape[i]);
  return text + "]";
}

void summarize(const pith::HostTensor &tensor) {
  int64_t count = tensor.elementCount();
  std::printf("%s: %s", tensor.name.c_str(), describe(tensor).c_str());
  if (count == 0 || std::isnan(element(tensor, 0)) ||
      tensor.dtype == PITH_F16 || tensor.dtype == PITH_BF16) {
    std::printf("\n");
    return;
  }
  double low = INFINITY, high = -INFINITY, sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    double value = element(tensor, i);
    low = std::fmin(low, value);
    high = std::fmax(high, value);
    sum += value;
  }
  std::printf(" min %.6g max %.6g mean %.6g\n  [", low, high, sum / count);
  for (int64_t i = 0; i < count && i < 8; ++i)
    std::printf("%s%.6g", i ? ", " : "", element(tensor, i));
  std::printf("%s]\n", count > 8 ? ", ..." : "");
}

} // namespace

int main(int argc, char **argv) {
  std::string modelPath, outputDir;
  std::map<std::string, std::string> inputFiles;
  bool randomInputs = false, quiet = false;
  uint64_t seed = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string &flag) -> const char * {
      if (arg.rfind(flag + "=", 0) == 0)
        return argv[i] + flag.size() + 1;
      if (arg == flag && i + 1 < argc)
        return argv[++i];
      return nullptr;
    };
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    }
    if (const char *spec = value("--input")) {
      std::string text = spec;
      size_t equals = text.find("=@");
      if (equals == std::string::npos || equals == 0)
        return fail("--input takes NAME=@FILE.npy, got '" + text + "'");
      std::string name = text.substr(0, equals);
      if (!inputFiles.emplace(name, text.substr(equals + 2)).second)
        return fail("input '" + name + "' is given twice");
    } else if (const char *dir = value("--output-dir")) {
      outputDir = dir;
    } else if (const char *number = value("--seed")) {
      seed = std::strtoull(number, nullptr, 10);
    } else if (arg == "--random-inputs") {
      randomInputs = true;
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "%s", kUsage);
      return fail("unknown option '" + arg + "'");
    } else if (modelPath.empty()) {
      modelPath = arg;
    } else {
      return fail("more than one model given ('" + modelPath + "', '" + arg +
                  "')");
    }
  }
  if (modelPath.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return fail("no model given");
  }

  pith_model *model = nullptr;
  if (pith_status *status = pith_model_load(modelPath.c_str(), &model)) {
    std::string message = pith_status_get_message(status);
    pith_status_free(status);
    return fail(message);
  }

  // Inputs in the model's order; every file is checked before running.
  std::vector<pith::HostTensor> inputs;
  std::vector<std::string> missing;
  for (size_t i = 0; i < pith_model_input_count(model); ++i) {
    const pith_tensor_info &info = *pith_model_input(model, i);
    auto file = inputFiles.find(info.name);
    if (file == inputFiles.end()) {
      pith::HostTensor tensor = pith::HostTensor::like(info);
      if (randomInputs)
        pith::fillRandom(tensor, seed + i);
      else
        missing.push_back(info.name);
      inputs.push_back(std::move(tensor));
      continue;
    }
    pith::HostTensor tensor;
    std::string error;
    if (!pith::readNpy(file->second, tensor, error))
      return fail("input '" + file->first + "': " + error);
    tensor.name = info.name;
    inputs.push_back(std::move(tensor));
    inputFiles.erase(file);
  }
  if (!inputFiles.empty())
    return fail("the model has no input '" + inputFiles.begin()->first + "'");
  if (!missing.empty()) {
    std::string names;
    for (const std::string &name : missing)
      names += (names.empty() ? "'" : ", '") + name + "'";
    return fail("no value for input" +
                std::string(missing.size() > 1 ? "s " : " ") + names +
                "; pass --input NAME=@FILE.npy or --random-inputs");
  }

  std::vector<pith::HostTensor> outputs;
  for (size_t i = 0; i < pith_model_output_count(model); ++i)
    outputs.push_back(pith::HostTensor::like(*pith_model_output(model, i)));
  std::vector<pith_tensor> inputViews, outputViews;
  for (pith::HostTensor &tensor : inputs)
    inputViews.push_back(tensor.view());
  for (pith::HostTensor &tensor : outputs)
    outputViews.push_back(tensor.view());
  if (pith_status *status =
          pith_model_invoke(model, inputViews.data(), inputViews.size(),
                            outputViews.data(), outputViews.size())) {
    std::string message = pith_status_get_message(status);
    pith_status_free(status);
    return fail(message);
  }

  if (!outputDir.empty())
    mkdir(outputDir.c_str(), 0777);
  for (const pith::HostTensor &tensor : outputs) {
    if (!quiet)
      summarize(tensor);
    if (outputDir.empty())
      continue;
    std::string error;
    if (!pith::writeNpy(outputDir + "/" + fileName(tensor.name) + ".npy",
                        tensor, error))
      return fail(error);
  }
  pith_model_free(model);
  return 0;
}
