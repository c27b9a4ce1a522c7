//===- main.cpp - pith-bench: latency and throughput of a compiled model --===//
//
// Part of pith. Loads a .pith package, warms it up, then times invocations:
// latency percentiles and throughput, as text or JSON. With --threads N,
// N threads invoke the one loaded model at once, each with its own buffers.
// It links only the runtime.
//
//===----------------------------------------------------------------------===//

#include "lib/runtime/HostTensor.h"
#include "pith/runtime.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

const char *kUsage =
    "usage: pith-bench model.pith [--warmup N] [--iterations N]\n"
    "                  [--min-time SECONDS] [--threads N]\n"
    "                  [--input NAME=@FILE.npy]... [--seed N] [--json]\n"
    "\n"
    "Times a compiled model: N warm-up runs, then at least --iterations runs\n"
    "(per thread) and at least --min-time seconds. Inputs not given are\n"
    "random. Prints latency percentiles and throughput; --json prints them\n"
    "as one JSON object.\n";

int fail(const std::string &message) {
  std::fprintf(stderr, "pith-bench: error: %s\n", message.c_str());
  return 1;
}

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

/// One thread's buffers: inputs shared read-only, outputs its own.
struct Buffers {
  std::vector<pith::HostTensor> outputs;
  std::vector<pith_tensor> inputViews, outputViews;
};

} // namespace

int main(int argc, char **argv) {
  std::string modelPath;
  std::map<std::string, std::string> inputFiles;
  long warmup = 10, iterations = 100, threads = 1;
  double minTime = 0;
  uint64_t seed = 0;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string &flag) -> const char * {
      if (arg.rfind(flag + "=", 0) == 0)
        return argv[i] + flag.size() + 1;
      if (arg == flag && i + 1 < argc)
        return argv[++i];
      return nullptr;
    };
    auto number = [&](const char *text, const std::string &flag,
                      double low) -> double {
      char *end = nullptr;
      double parsed = std::strtod(text, &end);
      if (*end != '\0' || parsed < low) {
        std::fprintf(stderr,
                     "pith-bench: error: %s takes a number >= %g, got '%s'\n",
                     flag.c_str(), low, text);
        std::exit(1);
      }
      return parsed;
    };
    if (arg == "-h" || arg == "--help") {
      std::printf("%s", kUsage);
      return 0;
    }
    if (const char *text = value("--warmup")) {
      warmup = static_cast<long>(number(text, "--warmup", 0));
    } else if (const char *text = value("--iterations")) {
      iterations = static_cast<long>(number(text, "--iterations", 1));
    } else if (const char *text = value("--min-time")) {
      minTime = number(text, "--min-time", 0);
    } else if (const char *text = value("--threads")) {
      threads = static_cast<long>(number(text, "--threads", 1));
    } else if (const char *text = value("--seed")) {
      seed = static_cast<uint64_t>(number(text, "--seed", 0));
    } else if (const char *spec = value("--input")) {
      std::string text = spec;
      size_t equals = text.find("=@");
      if (equals == std::string::npos || equals == 0)
        return fail("--input takes NAME=@FILE.npy, got '" + text + "'");
      inputFiles[text.substr(0, equals)] = text.substr(equals + 2);
    } else if (arg == "--json") {
      json = true;
    } else if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "%s", kUsage);
      return fail("unknown option '" + arg + "'");
    } else if (modelPath.empty()) {
      modelPath = arg;
    } else {
      return fail("more than one model given");
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
  std::vector<pith::HostTensor> inputs;
  for (size_t i = 0; i < pith_model_input_count(model); ++i) {
    const pith_tensor_info &info = *pith_model_input(model, i);
    pith::HostTensor tensor = pith::HostTensor::like(info);
    auto file = inputFiles.find(info.name);
    if (file != inputFiles.end()) {
      std::string error;
      if (!pith::readNpy(file->second, tensor, error))
        return fail("input '" + file->first + "': " + error);
      tensor.name = info.name;
      inputFiles.erase(file);
    } else {
      pith::fillRandom(tensor, seed + i);
    }
    inputs.push_back(std::move(tensor));
  }
  if (!inputFiles.empty())
    return fail("the model has no input '" + inputFiles.begin()->first + "'");

  std::vector<Buffers> buffers(threads);
  for (Buffers &own : buffers) {
    for (size_t i = 0; i < pith_model_output_count(model); ++i)
      own.outputs.push_back(
          pith::HostTensor::like(*pith_model_output(model, i)));
    for (pith::HostTensor &tensor : inputs)
      own.inputViews.push_back(tensor.view());
    for (pith::HostTensor &tensor : own.outputs)
      own.outputViews.push_back(tensor.view());
  }
  auto invoke = [&](Buffers &own) -> std::string {
    pith_status *status =
        pith_model_invoke(model, own.inputViews.data(), own.inputViews.size(),
                          own.outputViews.data(), own.outputViews.size());
    if (!status)
      return "";
    std::string message = pith_status_get_message(status);
    pith_status_free(status);
    return message;
  };
  for (long i = 0; i < warmup; ++i)
    if (std::string error = invoke(buffers[0]); !error.empty())
      return fail(error);

  // Each thread times its own invocations; the wall clock over all of them
  // gives the throughput.
  using Clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<bool> failed{false};
  std::vector<std::string> errors(threads);
  auto start = Clock::now();
  auto run = [&](long thread) {
    auto &own = latencies[thread];
    while (!failed) {
      auto before = Clock::now();
      errors[thread] = invoke(buffers[thread]);
      if (!errors[thread].empty()) {
        failed = true;
        return;
      }
      auto after = Clock::now();
      own.push_back(
          std::chrono::duration<double, std::milli>(after - before).count());
      if (static_cast<long>(own.size()) >= iterations &&
          std::chrono::duration<double>(after - start).count() >= minTime)
        return;
    }
  };
  std::vector<std::thread> workers;
  for (long t = 1; t < threads; ++t)
    workers.emplace_back(run, t);
  run(0);
  for (std::thread &worker : workers)
    worker.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  for (const std::string &error : errors)
    if (!error.empty())
      return fail(error);

  std::vector<double> all;
  for (const auto &own : latencies)
    all.insert(all.end(), own.begin(), own.end());
  std::sort(all.begin(), all.end());
  auto percentile = [&](double p) {
    size_t index = static_cast<size_t>(p / 100.0 * (all.size() - 1) + 0.5);
    return all[std::min(index, all.size() - 1)];
  };
  double sum = 0;
  for (double latency : all)
    sum += latency;
  double throughput = all.size() / wall;

  if (json) {
    std::printf("{\"model\": %s, \"target\": %s, \"cpu\": %s, "
                "\"threads\": %ld, \"warmup\": %ld, \"iterations\": %zu, "
                "\"latency_ms\": {\"min\": %.6f, \"mean\": %.6f, "
                "\"p50\": %.6f, \"p90\": %.6f, \"p99\": %.6f, "
                "\"max\": %.6f}, \"throughput_per_s\": %.3f}\n",
                jsonString(modelPath).c_str(),
                jsonString(pith_model_target(model)).c_str(),
                jsonString(pith_model_cpu(model)).c_str(), threads, warmup,
                all.size(), all.front(), sum / all.size(), percentile(50),
                percentile(90), percentile(99), all.back(), throughput);
  } else {
    std::printf("%s (target %s, %s), %ld thread%s, %zu runs after %ld "
                "warm-up\n",
                modelPath.c_str(), pith_model_target(model),
                pith_model_cpu(model), threads, threads > 1 ? "s" : "",
                all.size(), warmup);
    std::printf("latency ms: min %.4f  p50 %.4f  p90 %.4f  p99 %.4f  "
                "max %.4f  mean %.4f\n",
                all.front(), percentile(50), percentile(90), percentile(99),
                all.back(), sum / all.size());
    std::printf("throughput: %.1f inferences/s\n", throughput);
  }
  pith_model_free(model);
  return 0;
}
