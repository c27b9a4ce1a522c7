//===- Recipe.cpp - Compression recipes -----------------------------------===//
//
// Part of pith. A recipe file says which compression applies to which
// layers, and where calibration samples are; it becomes the compression
// passes' pipeline. Every problem is
// reported with the file and the field it is in.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace pith {
namespace {

/// A problem in the recipe at `path`, in field `field`.
llvm::Error recipeError(llvm::StringRef path, const llvm::Twine &field,
                        const llvm::Twine &problem) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "recipe '" + path + "': " + field + ": " +
                                     problem);
}

/// The strings of `value` at `field`: one string, or an array of them.
llvm::Expected<std::vector<std::string>>
stringList(llvm::StringRef path, const std::string &field,
           const llvm::json::Value &value) {
  std::vector<std::string> result;
  if (std::optional<llvm::StringRef> one = value.getAsString()) {
    result.push_back(one->str());
    return result;
  }
  const llvm::json::Array *array = value.getAsArray();
  if (!array)
    return recipeError(path, field, "expected a string or an array of strings");
  for (auto [index, element] : llvm::enumerate(*array)) {
    std::optional<llvm::StringRef> text = element.getAsString();
    if (!text)
      return recipeError(path, field + "[" + std::to_string(index) + "]",
                         "expected a string");
    result.push_back(text->str());
  }
  return result;
}

} // namespace

llvm::Expected<std::string>
recipePipeline(llvm::StringRef path, llvm::ArrayRef<std::string> calibrate) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path);
  if (!file)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot open recipe '" + path +
                                       "': " + file.getError().message());
  llvm::Expected<llvm::json::Value> document =
      llvm::json::parse((*file)->getBuffer());
  if (!document)
    return recipeError(path, "text",
                       "not valid JSON, " +
                           llvm::toString(document.takeError()));
  const llvm::json::Object *root = document->getAsObject();
  if (!root)
    return recipeError(path, "top level", "expected an object");
  std::vector<std::string> passes, samples;
  for (const auto &[key, value] : *root) {
    if (key == "calibrate") {
      llvm::Expected<std::vector<std::string>> sources =
          stringList(path, "calibrate", value);
      if (!sources)
        return sources.takeError();
      // Files are found beside the recipe.
      for (const std::string &source : *sources) {
        llvm::SmallString<128> resolved(source);
        if (!llvm::StringRef(source).starts_with("random:") &&
            llvm::sys::path::is_relative(source)) {
          resolved = llvm::sys::path::parent_path(path);
          llvm::sys::path::append(resolved, source);
        }
        samples.push_back(resolved.str().str());
      }
    } else if (key != "factorize" && key != "sparsify" && key != "quantize") {
      return recipeError(path, key.str(),
                         "unknown field (a recipe has: factorize, sparsify, "
                         "calibrate, quantize)");
    }
  }
  samples.insert(samples.end(), calibrate.begin(), calibrate.end());
  auto addCalibration = [&]() -> llvm::Error {
    if (samples.empty())
      return llvm::Error::success();
    llvm::Expected<std::string> pass = calibratePipeline(samples);
    if (!pass)
      return recipeError(path, "calibrate", llvm::toString(pass.takeError()));
    passes.push_back(*pass);
    return llvm::Error::success();
  };
  // SparseGPT rules prune from statistics of the model as factorization
  // left it; quantization calibrates again on the pruned model.
  auto compensates = [](const llvm::json::Value &rule) {
    const llvm::json::Object *object = rule.getAsObject();
    std::optional<llvm::StringRef> pattern =
        object ? object->getString("pattern") : std::nullopt;
    return pattern && compensatesPruning(*pattern);
  };
  const llvm::json::Array *sparsifyRules =
      root->get("sparsify") ? root->get("sparsify")->getAsArray() : nullptr;
  bool sparseGpt = sparsifyRules && llvm::any_of(*sparsifyRules, compensates);

  // Each section: its rules' field naming what to do, an example of it,
  // and the pass that does it.
  struct Section {
    llvm::StringRef name, field, example;
    llvm::Expected<std::string> (*pipeline)(llvm::StringRef,
                                            llvm::ArrayRef<std::string>,
                                            llvm::ArrayRef<std::string>,
                                            llvm::ArrayRef<std::string>);
  };
  const Section sections[] = {
      {"factorize", "budget", "energy:0.95", factorizePipeline},
      {"sparsify", "pattern", "2:4", sparsifyPipeline},
      {"quantize", "scheme", "w4g128", quantizePipeline}};
  for (const Section &section : sections) {
    // Calibration sees the model as factorization and pruning left it.
    if ((section.name == "quantize" && (!sparseGpt || root->get("quantize"))) ||
        (section.name == "sparsify" && sparseGpt))
      if (llvm::Error failure = addCalibration())
        return std::move(failure);
    const llvm::json::Value *rules = root->get(section.name);
    if (!rules)
      continue;
    const llvm::json::Array *array = rules->getAsArray();
    if (!array)
      return recipeError(path, section.name, "expected an array of rules");
    for (auto [index, rule] : llvm::enumerate(*array)) {
      std::string field =
          section.name.str() + "[" + std::to_string(index) + "]";
      const llvm::json::Object *object = rule.getAsObject();
      if (!object)
        return recipeError(path, field, "expected an object");
      std::string what;
      std::vector<std::string> layers, skip, kinds;
      for (const auto &[key, value] : *object) {
        std::string at = field + "." + key.str();
        if (key.str() == section.field) {
          std::optional<llvm::StringRef> text = value.getAsString();
          if (!text)
            return recipeError(path, at,
                               "expected a string such as \"" +
                                   section.example + "\"");
          what = text->str();
        } else if (key == "layers" || key == "skip" || key == "kinds") {
          llvm::Expected<std::vector<std::string>> list =
              stringList(path, at, value);
          if (!list)
            return list.takeError();
          (key == "layers" ? layers
           : key == "skip" ? skip
                           : kinds) = std::move(*list);
        } else {
          return recipeError(path, at,
                             "unknown field (a rule has: layers, kinds, " +
                                 section.field + ", skip)");
        }
      }
      if (what.empty())
        return recipeError(path, field + "." + section.field, "missing");
      llvm::Expected<std::string> pass =
          section.pipeline(what, skip, layers, kinds);
      if (!pass)
        return recipeError(path, field, llvm::toString(pass.takeError()));
      passes.push_back(*pass);
    }
  }
  return llvm::join(passes, ",");
}

} // namespace pith
