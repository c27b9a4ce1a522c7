//===- Samples.cpp - Running compiled models inside the compiler ----------===//
//
// Part of pith. Loading packages and reading the samples they run on.
//
//===----------------------------------------------------------------------===//

#include "lib/compiler/Samples.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

namespace pith {
namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// A status's message, freeing it.
std::string takeMessage(pith_status *status) {
  std::string message = pith_status_get_message(status);
  pith_status_free(status);
  return message;
}

std::string describeShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, extent] : llvm::enumerate(shape))
    text += (index ? ", " : "") + std::to_string(extent);
  return text + "]";
}

/// Appends to `samples` those that `arrays` (read from `source`) hold: one
/// array per input, each shaped like it or with a leading sample dimension.
llvm::Error splitSamples(const pith_model &model, size_t inputCount,
                         llvm::StringRef source,
                         const std::vector<HostTensor> &arrays,
                         std::vector<Sample> &samples) {
  std::string names;
  for (size_t input = 0; input < inputCount; ++input)
    names += (input ? ", '" : "'") +
             std::string(pith_model_input(&model, input)->name) + "'";
  for (const HostTensor &array : arrays) {
    bool known = false;
    for (size_t input = 0; input < inputCount; ++input)
      known |= array.name == pith_model_input(&model, input)->name;
    if (!known)
      return error(
          "'" + source + "' holds '" + array.name +
          "', which is not an input of the model (its inputs: " + names + ")");
  }
  int64_t count = -1;
  std::vector<const HostTensor *> ordered;
  for (size_t input = 0; input < inputCount; ++input) {
    const pith_tensor_info *info = pith_model_input(&model, input);
    llvm::ArrayRef<int64_t> shape(info->shape, info->rank);
    auto array = llvm::find_if(arrays, [&](const HostTensor &candidate) {
      return candidate.name == info->name;
    });
    if (array == arrays.end())
      return error("'" + source + "' has no array for the input '" +
                   info->name + "'");
    llvm::ArrayRef<int64_t> got = array->shape;
    int64_t arraySamples = -1;
    if (got == shape)
      arraySamples = 1;
    else if (got.size() == shape.size() + 1 && got.drop_front() == shape)
      arraySamples = got.front();
    if (arraySamples < 0 || array->dtype != info->dtype)
      return error("'" + source + "' array '" + info->name + "' is " +
                   pith_dtype_name(array->dtype) + " " + describeShape(got) +
                   "; the input is " + pith_dtype_name(info->dtype) + " " +
                   describeShape(shape) +
                   " (one sample) or [S, ...] (S samples)");
    if (count >= 0 && arraySamples != count)
      return error("'" + source + "' holds " + llvm::Twine(count) +
                   " samples of one input and " + llvm::Twine(arraySamples) +
                   " of '" + info->name + "'");
    count = arraySamples;
    ordered.push_back(&*array);
  }
  for (int64_t i = 0; i < count; ++i) {
    Sample sample;
    for (size_t input = 0; input < inputCount; ++input) {
      HostTensor tensor = HostTensor::like(*pith_model_input(&model, input));
      size_t bytes = tensor.bytes.size();
      std::copy_n(ordered[input]->bytes.begin() + i * bytes, bytes,
                  tensor.bytes.begin());
      sample.push_back(std::move(tensor));
    }
    samples.push_back(std::move(sample));
  }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<ModelPtr> loadModel(const std::string &path) {
  pith_model *model = nullptr;
  if (pith_status *status = pith_model_load(path.c_str(), &model))
    return error("cannot load the compiled model: " + takeMessage(status));
  return ModelPtr(model);
}

llvm::Expected<std::vector<Sample>>
readSamples(const pith_model &model, size_t inputCount,
            llvm::ArrayRef<std::string> sources) {
  std::vector<Sample> samples;
  for (const std::string &source : sources) {
    llvm::StringRef text(source);
    if (text.consume_front("random:")) {
      int64_t count = 0;
      if (text.getAsInteger(10, count) || count <= 0)
        return error("'" + source +
                     "' is not random:N with N a positive integer");
      for (int64_t i = 0; i < count; ++i) {
        Sample sample;
        for (size_t input = 0; input < inputCount; ++input) {
          sample.push_back(HostTensor::like(*pith_model_input(&model, input)));
          fillRandom(sample.back(), samples.size() * 1000 + input);
        }
        samples.push_back(std::move(sample));
      }
      continue;
    }
    std::vector<HostTensor> arrays;
    std::string message;
    if (text.ends_with(".npz")) {
      if (!readNpz(source, arrays, message))
        return error(message);
    } else if (text.ends_with(".npy")) {
      if (inputCount != 1)
        return error("'" + source + "' is one array but the model has " +
                     llvm::Twine(inputCount) +
                     " inputs; give a .npz file with one array per input");
      arrays.emplace_back();
      if (!readNpy(source, arrays.back(), message))
        return error(message);
      arrays.back().name = pith_model_input(&model, 0)->name;
    } else {
      return error("'" + source +
                   "' is neither a .npz or .npy file nor random:N");
    }
    if (llvm::Error failure =
            splitSamples(model, inputCount, source, arrays, samples))
      return std::move(failure);
  }
  if (samples.empty())
    return error("the inputs hold no samples");
  return samples;
}

llvm::Error runSample(const pith_model &model, Sample &sample,
                      std::vector<HostTensor> &outputs) {
  std::vector<pith_tensor> inputViews, outputViews;
  for (HostTensor &input : sample)
    inputViews.push_back(input.view());
  for (HostTensor &output : outputs)
    outputViews.push_back(output.view());
  if (pith_status *status =
          pith_model_invoke(&model, inputViews.data(), inputViews.size(),
                            outputViews.data(), outputViews.size()))
    return error(takeMessage(status));
  return llvm::Error::success();
}

} // namespace pith
