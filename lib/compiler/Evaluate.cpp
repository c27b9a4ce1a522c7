//===- Evaluate.cpp - What compression does to a model's outputs ----------===//
//
// Part of pith. Runs the compressed and the uncompressed package on the
// same samples and measures how far apart their outputs are.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "lib/compiler/Samples.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

namespace pith {
namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Whether `info` is shaped like a classifier's scores: [classes] or
/// [batch, classes], with at least two classes.
bool isClassifierOutput(const pith_tensor_info &info) {
  return info.dtype == PITH_F32 && info.rank >= 1 && info.rank <= 2 &&
         info.shape[info.rank - 1] >= 2;
}

} // namespace

llvm::Expected<std::vector<OutputError>>
compareOutputs(llvm::StringRef referencePath, llvm::StringRef compressedPath,
               llvm::ArrayRef<std::string> sources) {
  llvm::Expected<ModelPtr> reference = loadModel(referencePath.str());
  if (!reference)
    return reference.takeError();
  llvm::Expected<ModelPtr> compressed = loadModel(compressedPath.str());
  if (!compressed)
    return compressed.takeError();
  size_t inputCount = pith_model_input_count(reference->get());
  llvm::Expected<std::vector<Sample>> samples =
      readSamples(**reference, inputCount, sources);
  if (!samples)
    return samples.takeError();

  size_t outputCount = pith_model_output_count(reference->get());
  std::vector<HostTensor> want, got;
  std::vector<OutputError> errors;
  std::vector<double> cosineSum;
  std::vector<uint64_t> agreeing, rows;
  for (size_t i = 0; i < outputCount; ++i) {
    const pith_tensor_info &info = *pith_model_output(reference->get(), i);
    want.push_back(HostTensor::like(info));
    got.push_back(HostTensor::like(info));
    OutputError output;
    output.output = info.name;
    errors.push_back(output);
  }
  cosineSum.assign(outputCount, 0);
  agreeing.assign(outputCount, 0);
  rows.assign(outputCount, 0);
  for (auto [index, sample] : llvm::enumerate(*samples)) {
    for (auto [model, outputs] : {std::pair(reference->get(), &want),
                                  std::pair(compressed->get(), &got)})
      if (llvm::Error failure = runSample(*model, sample, *outputs))
        return error("sample " + llvm::Twine(index) +
                     " failed to run: " + llvm::toString(std::move(failure)));
    for (size_t i = 0; i < outputCount; ++i) {
      const pith_tensor_info &info = *pith_model_output(reference->get(), i);
      if (info.dtype != PITH_F32)
        continue;
      auto *a = reinterpret_cast<const float *>(want[i].bytes.data());
      auto *b = reinterpret_cast<const float *>(got[i].bytes.data());
      int64_t count = want[i].elementCount();
      double dot = 0, normA = 0, normB = 0, largest = 0;
      for (int64_t k = 0; k < count; ++k) {
        dot += static_cast<double>(a[k]) * b[k];
        normA += static_cast<double>(a[k]) * a[k];
        normB += static_cast<double>(b[k]) * b[k];
        largest =
            std::max(largest, std::fabs(static_cast<double>(a[k]) - b[k]));
      }
      double cosine = normA == 0 && normB == 0 ? 1.0
                      : normA == 0 || normB == 0
                          ? 0.0
                          : dot / std::sqrt(normA * normB);
      OutputError &output = errors[i];
      output.cosineMin = std::min(output.cosineMin, cosine);
      output.maxAbsDiff = std::max(output.maxAbsDiff, largest);
      cosineSum[i] += cosine;
      ++output.samples;
      if (isClassifierOutput(info)) {
        int64_t classes = info.shape[info.rank - 1];
        for (int64_t row = 0; row < count / classes; ++row) {
          const float *x = a + row * classes, *y = b + row * classes;
          agreeing[i] += std::max_element(x, x + classes) - x ==
                         std::max_element(y, y + classes) - y;
          ++rows[i];
        }
      }
    }
  }
  std::vector<OutputError> compared;
  for (size_t i = 0; i < outputCount; ++i) {
    OutputError &output = errors[i];
    if (output.samples == 0)
      continue;
    output.cosineMean = cosineSum[i] / static_cast<double>(output.samples);
    if (rows[i])
      output.top1Agreement =
          static_cast<double>(agreeing[i]) / static_cast<double>(rows[i]);
    compared.push_back(std::move(output));
  }
  return compared;
}

void printOutputErrors(llvm::raw_ostream &os,
                       llvm::ArrayRef<OutputError> errors) {
  if (errors.empty()) {
    os << "outputs: none is f32, nothing to compare\n";
    return;
  }
  os << "outputs against the uncompressed model (" << errors.front().samples
     << " samples):\n";
  size_t width = 6;
  for (const OutputError &output : errors)
    width = std::max(width, output.output.size());
  for (const OutputError &output : errors) {
    os << "  " << output.output
       << std::string(width - output.output.size(), ' ')
       << llvm::format("  cosine min %.6f mean %.6f  max |diff| %.4g",
                       output.cosineMin, output.cosineMean, output.maxAbsDiff);
    if (output.top1Agreement >= 0)
      os << llvm::format("  top-1 agreement %.1f%%",
                         100 * output.top1Agreement);
    os << "\n";
  }
}

} // namespace pith
