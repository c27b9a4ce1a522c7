//===- Report.cpp - Compression schemes and the compression report --------===//
//
// Part of pith. The `--quantize` shorthands, and the report of what the
// compression passes did, as a table and as JSON.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace pith {
namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Totals of a report.
struct Totals {
  uint64_t before = 0, after = 0;
};

Totals totalsOf(llvm::ArrayRef<LayerReport> report) {
  Totals totals;
  for (const LayerReport &layer : report) {
    totals.before += layer.bytesBefore;
    totals.after += layer.bytesAfter;
  }
  return totals;
}

double ratio(uint64_t before, uint64_t after) {
  return after == 0 ? 0.0 : static_cast<double>(before) / after;
}

} // namespace

llvm::Expected<std::string> quantizePipeline(llvm::StringRef scheme,
                                             llvm::ArrayRef<std::string> skip) {
  auto bad = [&](const llvm::Twine &why) {
    return error("--quantize: '" + scheme + "' is not a quantization scheme (" +
                 why +
                 "); expected w8, w4 or w2, optionally with g<group size> and "
                 "-asym (w4g128, w8-asym), or a preset: q4_0, q8_0");
  };
  llvm::StringRef text = scheme.trim().lower() == "q4_0"   ? "w4g32"
                         : scheme.trim().lower() == "q8_0" ? "w8g32"
                                                           : scheme.trim();
  bool symmetric = !text.consume_back("-asym");
  if (!text.consume_front("w"))
    return bad("it does not start with w");
  unsigned bits = 0;
  if (text.consumeInteger(10, bits) || (bits != 8 && bits != 4 && bits != 2))
    return bad("bits must be 8, 4 or 2");
  int64_t groupSize = 0;
  if (text.consume_front("g") &&
      (text.consumeInteger(10, groupSize) || groupSize <= 0))
    return bad("the group size must be a positive integer");
  if (!text.empty())
    return bad("'" + text + "' is left over");
  std::string pipeline = "pith-quantize{bits=" + std::to_string(bits) +
                         " group-size=" + std::to_string(groupSize) +
                         " symmetric=" + (symmetric ? "true" : "false");
  if (!skip.empty()) {
    for (const std::string &glob : skip)
      if (glob.find_first_of(",{} '\"") != std::string::npos)
        return error("--quantize-skip: '" + glob +
                     "' holds a character a pattern cannot have here "
                     "(, { } space or quotes)");
    pipeline += " skip=" + llvm::join(skip, ",");
  }
  return pipeline + "}";
}

llvm::Expected<std::string>
compressionPipeline(llvm::StringRef quantize, llvm::ArrayRef<std::string> skip,
                    llvm::StringRef passes) {
  std::vector<std::string> pipelines;
  if (!quantize.empty()) {
    llvm::Expected<std::string> pipeline = quantizePipeline(quantize, skip);
    if (!pipeline)
      return pipeline.takeError();
    pipelines.push_back(*pipeline);
  } else if (!skip.empty()) {
    return error("--quantize-skip needs --quantize");
  }
  if (!passes.empty())
    pipelines.push_back(passes.str());
  return llvm::join(pipelines, ",");
}

void printReport(llvm::raw_ostream &os, llvm::ArrayRef<LayerReport> report) {
  if (report.empty()) {
    os << "compression: no layer was compressed\n";
    return;
  }
  std::string total = "total (" + std::to_string(report.size()) + " layers)";
  size_t width = total.size();
  for (const LayerReport &layer : report)
    width = std::max(width, layer.layer.size());
  width = std::min<size_t>(width, 60);
  os << llvm::left_justify("layer", width) << "  "
     << llvm::left_justify("method", 24) << llvm::right_justify("before", 12)
     << llvm::right_justify("after", 12) << llvm::right_justify("ratio", 8)
     << llvm::right_justify("rel. error", 12)
     << llvm::right_justify("SQNR dB", 9) << "\n";
  for (const LayerReport &layer : report) {
    llvm::StringRef name = layer.layer;
    std::string shown = name.size() > width
                            ? ("..." + name.take_back(width - 3)).str()
                            : name.str();
    os << llvm::left_justify(shown, width) << "  "
       << llvm::left_justify(layer.method, 24)
       << llvm::format_decimal(layer.bytesBefore, 12)
       << llvm::format_decimal(layer.bytesAfter, 12)
       << llvm::format("%7.2fx", ratio(layer.bytesBefore, layer.bytesAfter))
       << llvm::format("%12.3e", layer.relativeError)
       << llvm::format("%9.1f", layer.sqnrDb) << "\n";
  }
  Totals totals = totalsOf(report);
  os << llvm::left_justify(total, width) << "  " << llvm::left_justify("", 24)
     << llvm::format_decimal(totals.before, 12)
     << llvm::format_decimal(totals.after, 12)
     << llvm::format("%7.2fx", ratio(totals.before, totals.after)) << "\n";
}

std::string reportToJson(llvm::ArrayRef<LayerReport> report) {
  // JSON has no infinity: an exact layer's SQNR is null.
  auto number = [](double value) -> llvm::json::Value {
    if (std::isfinite(value))
      return value;
    return nullptr;
  };
  llvm::json::Array layers;
  for (const LayerReport &layer : report)
    layers.push_back(llvm::json::Object{
        {"layer", layer.layer},
        {"method", layer.method},
        {"bytes_before", static_cast<int64_t>(layer.bytesBefore)},
        {"bytes_after", static_cast<int64_t>(layer.bytesAfter)},
        {"relative_error", number(layer.relativeError)},
        {"sqnr_db", number(layer.sqnrDb)},
    });
  Totals totals = totalsOf(report);
  llvm::json::Object document{
      {"layers", std::move(layers)},
      {"total",
       llvm::json::Object{
           {"layers", static_cast<int64_t>(report.size())},
           {"bytes_before", static_cast<int64_t>(totals.before)},
           {"bytes_after", static_cast<int64_t>(totals.after)},
       }},
  };
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(document))) << "\n";
  return text;
}

} // namespace pith
