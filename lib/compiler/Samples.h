//===- Samples.h - Running compiled models inside the compiler --*- C++ -*-===//
//
// Part of pith. What pith-calibrate and the evaluation of a compressed
// model share: a loaded package owned by a pointer, and model inputs read
// from .npz/.npy files or generated.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_COMPILER_SAMPLES_H
#define PITH_LIB_COMPILER_SAMPLES_H

#include "lib/runtime/HostTensor.h"
#include "pith/runtime.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace pith {

struct ModelDeleter {
  void operator()(pith_model *model) const { pith_model_free(model); }
};
using ModelPtr = std::unique_ptr<pith_model, ModelDeleter>;

/// Loads the package at `path`.
llvm::Expected<ModelPtr> loadModel(const std::string &path);

/// One set of the model's inputs.
using Sample = std::vector<HostTensor>;

/// The samples of the first `inputCount` inputs of `model` that `sources`
/// name: `.npz` files with an array per input, named like it, shaped like
/// it (one sample) or with a leading sample dimension; `.npy` files for a
/// model of one input; `random:N` for N generated samples. A missing,
/// unknown or misshapen array is an error naming the file, the array and
/// the input.
llvm::Expected<std::vector<Sample>>
readSamples(const pith_model &model, size_t inputCount,
            llvm::ArrayRef<std::string> sources);

/// Runs `model` on `sample` into `outputs` (one per model output).
llvm::Error runSample(const pith_model &model, Sample &sample,
                      std::vector<HostTensor> &outputs);

} // namespace pith

#endif // PITH_LIB_COMPILER_SAMPLES_H
