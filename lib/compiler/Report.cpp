//===- Report.cpp - Compression schemes and the compression report --------===//
//
// Part of pith. The shorthands of the compression options (--quantize,
// --sparsify, --factorize) as pass pipelines, and the report of what the
// compression passes did, as a table, JSON and HTML.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "passes/compression/CompressionUtils.h"

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
  /// Layers of the model compressed (parts of them not counted apart).
  size_t layers = 0;
};

/// Each weight counted once: a line that refines another (a factor,
/// quantized) replaces part of that line's bytes after.
Totals totalsOf(llvm::ArrayRef<LayerReport> report) {
  Totals totals;
  for (const LayerReport &layer : report) {
    totals.after += layer.bytesAfter;
    if (layer.refines.empty()) {
      totals.before += layer.bytesBefore;
      ++totals.layers;
    } else {
      totals.after -= layer.bytesBefore;
    }
  }
  return totals;
}

double ratio(uint64_t before, uint64_t after) {
  return after == 0 ? 0.0 : static_cast<double>(before) / after;
}

/// " skip=... only=... kinds=..." for a compression pass's layer globs and
/// kinds.
llvm::Expected<std::string>
selectionOptions(llvm::ArrayRef<std::string> skip,
                 llvm::ArrayRef<std::string> only,
                 llvm::ArrayRef<std::string> kinds) {
  std::string options;
  for (auto [option, globs] : {std::pair(llvm::StringRef("skip"), skip),
                               std::pair(llvm::StringRef("only"), only)}) {
    if (globs.empty())
      continue;
    for (const std::string &glob : globs)
      if (glob.empty() || glob.find_first_of(",{} '\"") != std::string::npos)
        return error("layer pattern '" + glob +
                     "' is empty or holds a character a pattern cannot "
                     "have here (, { } space or quotes)");
    options += " " + option.str() + "=" + llvm::join(globs, ",");
  }
  for (const std::string &kind : kinds)
    if (!mlir::pith::compression::isLayerKind(kind))
      return error("'" + kind +
                   "' is not a kind of layer (linear, conv or depthwise)");
  if (!kinds.empty())
    options += " kinds=" + llvm::join(kinds, ",");
  return options;
}

} // namespace

llvm::Expected<std::string>
quantizePipeline(llvm::StringRef scheme, llvm::ArrayRef<std::string> skip,
                 llvm::ArrayRef<std::string> only,
                 llvm::ArrayRef<std::string> kinds) {
  auto bad = [&](const llvm::Twine &why) {
    return error("'" + scheme + "' is not a quantization scheme (" + why +
                 "); expected w8, w4 or w2, optionally with g<group size>, "
                 "a8 for int8 activations and -asym (w4g128, w8a8, "
                 "w8-asym), or a preset: q4_0, q8_0; then -gptq for GPTQ "
                 "rounding (-actorder in act order), -awq or -smoothquant for "
                 "input scaling, -rotate for a Hadamard rotation of the "
                 "inputs, -clip for clipped group ranges, -static for "
                 "calibrated activation scales");
  };
  llvm::SmallVector<llvm::StringRef> parts;
  scheme.trim().split(parts, '-');
  llvm::StringRef text = parts.front();
  bool gptq = false, actOrder = false, symmetric = true,
       staticActivations = false, clip = false, rotate = false;
  llvm::StringRef scaling;
  for (llvm::StringRef flag : llvm::ArrayRef(parts).drop_front()) {
    if (flag == "gptq")
      gptq = true;
    else if (flag == "actorder")
      actOrder = true;
    else if (flag == "asym")
      symmetric = false;
    else if (flag == "static")
      staticActivations = true;
    else if (flag == "clip")
      clip = true;
    else if (flag == "rotate")
      rotate = true;
    else if (flag == "awq" || flag == "smoothquant")
      scaling = flag;
    else
      return bad("unknown suffix '-" + flag + "'");
  }
  if (text.equals_insensitive("q4_0"))
    text = "w4g32";
  else if (text.equals_insensitive("q8_0"))
    text = "w8g32";
  if (!text.consume_front("w"))
    return bad("it does not start with w");
  unsigned bits = 0;
  if (text.consumeInteger(10, bits) || (bits != 8 && bits != 4 && bits != 2))
    return bad("bits must be 8, 4 or 2");
  int64_t groupSize = 0;
  if (text.consume_front("g") &&
      (text.consumeInteger(10, groupSize) || groupSize <= 0))
    return bad("the group size must be a positive integer");
  bool int8Activations = text.consume_front("a8");
  if (!text.empty())
    return bad("'" + text + "' is left over");
  if (actOrder && !gptq)
    return bad("-actorder is for GPTQ, -gptq");
  if (staticActivations && !int8Activations)
    return bad("-static is for int8 activations, a8");
  if (rotate && !scaling.empty())
    return bad("-rotate and -" + scaling + " are alternatives");
  if (rotate && staticActivations)
    return bad("-rotate needs per-token activation scales, not -static");
  std::string pipeline =
      "pith-quantize{bits=" + std::to_string(bits) +
      " group-size=" + std::to_string(groupSize) +
      " symmetric=" + (symmetric ? "true" : "false") +
      (gptq ? " rounding=gptq" : "") + (actOrder ? " act-order=true" : "") +
      (clip ? " clip=true" : "") + (rotate ? " rotate=true" : "") +
      (!int8Activations    ? ""
       : staticActivations ? " activations=static"
                           : " activations=dynamic") +
      (scaling.empty() ? "" : " scaling=" + scaling.str());
  llvm::Expected<std::string> globs = selectionOptions(skip, only, kinds);
  if (!globs)
    return globs.takeError();
  return pipeline + *globs + "}";
}

llvm::Expected<std::string>
calibratePipeline(llvm::ArrayRef<std::string> sources) {
  for (const std::string &source : sources)
    if (source.empty() || source.find_first_of(",{} '\"") != std::string::npos)
      return error("calibration samples '" + source +
                   "': the path is empty or holds a character a pass option "
                   "cannot (, { } space or quotes)");
  return "pith-calibrate{inputs=" + llvm::join(sources, ",") + "}";
}

llvm::Expected<std::string>
factorizePipeline(llvm::StringRef budget, llvm::ArrayRef<std::string> skip,
                  llvm::ArrayRef<std::string> only,
                  llvm::ArrayRef<std::string> kinds) {
  auto [kind, amount] = budget.trim().split(':');
  auto bad = [&](const llvm::Twine &why) {
    return error("'" + budget + "' is not a factorization budget (" + why +
                 "); expected energy:F, error:E, params:F (fractions in (0, "
                 "1]) or rank:R");
  };
  std::string option;
  if (kind == "energy")
    option = "energy";
  else if (kind == "error")
    option = "max-error";
  else if (kind == "params")
    option = "parameters";
  else if (kind == "rank")
    option = "rank";
  else
    return bad("unknown kind '" + kind + "'");
  if (option == "rank") {
    int64_t rank = 0;
    if (amount.getAsInteger(10, rank) || rank <= 0)
      return bad("the rank must be a positive integer");
  } else {
    double fraction = 0;
    if (amount.getAsDouble(fraction) || fraction <= 0 || fraction > 1)
      return bad("the fraction must lie in (0, 1]");
  }
  std::string pipeline = "pith-factorize{" + option + "=" + amount.str();
  llvm::Expected<std::string> globs = selectionOptions(skip, only, kinds);
  if (!globs)
    return globs.takeError();
  return pipeline + *globs + "}";
}

bool compensatesPruning(llvm::StringRef spec) {
  return spec.trim().ends_with("-sparsegpt");
}

llvm::Expected<std::string>
sparsifyPipeline(llvm::StringRef spec, llvm::ArrayRef<std::string> skip,
                 llvm::ArrayRef<std::string> only,
                 llvm::ArrayRef<std::string> kinds) {
  auto bad = [&](const llvm::Twine &why) {
    return error("'" + spec + "' is not a sparsity (" + why +
                 "); expected N:M (2:4), a fraction (0.5 or "
                 "unstructured:0.5) or blocks (block4x4:0.5), optionally "
                 "ending in -global or -sparsegpt");
  };
  llvm::StringRef text = spec.trim();
  bool compensate = compensatesPruning(text);
  text.consume_back("-sparsegpt");
  bool global = text.consume_back("-global");
  std::string options;
  double fraction = 0;
  if (text.starts_with("unstructured:") || text.starts_with("block")) {
    auto [pattern, amount] = text.rsplit(':');
    if (amount.getAsDouble(fraction) || fraction <= 0 || fraction >= 1)
      return bad("the fraction must lie in (0, 1)");
    options = "pattern=" + pattern.str() + " sparsity=" + amount.str();
  } else if (!text.getAsDouble(fraction)) {
    if (fraction <= 0 || fraction >= 1)
      return bad("the fraction must lie in (0, 1)");
    options = "pattern=unstructured sparsity=" + text.str();
  } else {
    int64_t n = 0, m = 0;
    auto [first, second] = text.split(':');
    if (first.getAsInteger(10, n) || second.getAsInteger(10, m) || n <= 0 ||
        m <= n)
      return bad("N:M needs 0 < N < M");
    options = "pattern=" + text.str();
  }
  if (global)
    options += " global=true";
  if (compensate)
    options += " compensate=true";
  llvm::Expected<std::string> globs = selectionOptions(skip, only, kinds);
  if (!globs)
    return globs.takeError();
  return "pith-sparsify{" + options + *globs + "}";
}

llvm::Expected<std::string>
compressionPipeline(const CompressionRequest &request) {
  std::vector<std::string> pipelines;
  std::string calibration;
  if (!request.calibrate.empty()) {
    llvm::Expected<std::string> pipeline = calibratePipeline(request.calibrate);
    if (!pipeline)
      return error("--calibrate: " + llvm::toString(pipeline.takeError()));
    calibration = *pipeline;
  }
  bool compensated = compensatesPruning(request.sparsify);
  if (!request.recipe.empty()) {
    llvm::Expected<std::string> pipeline =
        recipePipeline(request.recipe, request.calibrate);
    if (!pipeline)
      return pipeline.takeError();
    if (!pipeline->empty())
      pipelines.push_back(*pipeline);
  }
  if (!request.factorize.empty()) {
    llvm::Expected<std::string> pipeline =
        factorizePipeline(request.factorize, request.skip);
    if (!pipeline)
      return error("--factorize: " + llvm::toString(pipeline.takeError()));
    pipelines.push_back(*pipeline);
  }
  if (!request.sparsify.empty()) {
    llvm::Expected<std::string> pipeline =
        sparsifyPipeline(request.sparsify, request.skip);
    if (!pipeline)
      return error("--sparsify: " + llvm::toString(pipeline.takeError()));
    // SparseGPT prunes from the inputs the layers see before pruning
    // (quantization then calibrates again on the pruned model's).
    if (compensated) {
      if (calibration.empty())
        return error("--sparsify=" + request.sparsify +
                     " needs --calibrate (SparseGPT prunes by E[x x^T] of "
                     "each layer's inputs)");
      pipelines.push_back(calibration);
    }
    pipelines.push_back(*pipeline);
  }
  // After a SparseGPT pruning, calibration runs again only for what uses
  // it after (quantization, other passes).
  if (request.recipe.empty() && !calibration.empty() &&
      (!compensated || !request.quantize.empty() || !request.passes.empty()))
    pipelines.push_back(calibration);
  if (!request.quantize.empty()) {
    llvm::Expected<std::string> pipeline =
        quantizePipeline(request.quantize, request.skip);
    if (!pipeline)
      return error("--quantize: " + llvm::toString(pipeline.takeError()));
    pipelines.push_back(*pipeline);
  }
  if (request.quantize.empty() && request.factorize.empty() &&
      request.sparsify.empty() && !request.skip.empty())
    return error("--compress-skip needs --quantize, --sparsify or --factorize");
  if (!request.calibrate.empty() && request.quantize.empty() &&
      !compensated && request.recipe.empty() && request.passes.empty())
    return error("--calibrate needs --quantize, --sparsify=...-sparsegpt (or "
                 "a recipe or --compression) to use the samples");
  if (!request.passes.empty())
    pipelines.push_back(request.passes);
  return llvm::join(pipelines, ",");
}

void printReport(llvm::raw_ostream &os, llvm::ArrayRef<LayerReport> report) {
  if (report.empty()) {
    os << "compression: no layer was compressed\n";
    return;
  }
  Totals totals = totalsOf(report);
  std::string total = "total (" + std::to_string(totals.layers) + " layers)";
  size_t width = total.size();
  for (const LayerReport &layer : report)
    width = std::max(width, layer.layer.size());
  width = std::min<size_t>(width, 60);
  size_t methodWidth = 24;
  // The error of the outputs is known for layers compressed with
  // calibration; the column is there when any has it.
  bool outputErrors = false;
  for (const LayerReport &layer : report) {
    methodWidth = std::max(methodWidth, layer.method.size() + 1);
    outputErrors |= layer.outputError >= 0;
  }
  os << llvm::left_justify("layer", width) << "  "
     << llvm::left_justify("method", methodWidth)
     << llvm::right_justify("before", 12) << llvm::right_justify("after", 12)
     << llvm::right_justify("ratio", 8) << llvm::right_justify("rel. error", 12)
     << llvm::right_justify("SQNR dB", 9);
  if (outputErrors)
    os << llvm::right_justify("out. error", 12);
  os << "\n";
  for (const LayerReport &layer : report) {
    llvm::StringRef name = layer.layer;
    std::string shown = name.size() > width
                            ? ("..." + name.take_back(width - 3)).str()
                            : name.str();
    os << llvm::left_justify(shown, width) << "  "
       << llvm::left_justify(layer.method, methodWidth)
       << llvm::format_decimal(layer.bytesBefore, 12)
       << llvm::format_decimal(layer.bytesAfter, 12)
       << llvm::format("%7.2fx", ratio(layer.bytesBefore, layer.bytesAfter))
       << llvm::format("%12.3e", layer.relativeError)
       << llvm::format("%9.1f", layer.sqnrDb);
    if (layer.outputError >= 0)
      os << llvm::format("%12.3e", layer.outputError);
    os << "\n";
  }
  os << llvm::left_justify(total, width) << "  "
     << llvm::left_justify("", methodWidth)
     << llvm::format_decimal(totals.before, 12)
     << llvm::format_decimal(totals.after, 12)
     << llvm::format("%7.2fx", ratio(totals.before, totals.after)) << "\n";
}

std::string reportToJson(llvm::ArrayRef<LayerReport> report,
                         llvm::ArrayRef<OutputError> outputs) {
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
        {"output_error", layer.outputError >= 0
                             ? llvm::json::Value(layer.outputError)
                             : llvm::json::Value(nullptr)},
        {"refines", layer.refines.empty() ? llvm::json::Value(nullptr)
                                          : llvm::json::Value(layer.refines)},
    });
  Totals totals = totalsOf(report);
  llvm::json::Object document{
      {"layers", std::move(layers)},
      {"total",
       llvm::json::Object{
           {"layers", static_cast<int64_t>(totals.layers)},
           {"bytes_before", static_cast<int64_t>(totals.before)},
           {"bytes_after", static_cast<int64_t>(totals.after)},
       }},
  };
  if (!outputs.empty()) {
    llvm::json::Array compared;
    for (const OutputError &output : outputs)
      compared.push_back(llvm::json::Object{
          {"output", output.output},
          {"samples", static_cast<int64_t>(output.samples)},
          {"cosine_min", output.cosineMin},
          {"cosine_mean", output.cosineMean},
          {"max_abs_diff", output.maxAbsDiff},
          {"top1_agreement", output.top1Agreement >= 0
                                 ? llvm::json::Value(output.top1Agreement)
                                 : llvm::json::Value(nullptr)},
      });
    document["outputs"] = std::move(compared);
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(document))) << "\n";
  return text;
}

namespace {

/// `text` with HTML's special characters escaped.
std::string escapeHtml(llvm::StringRef text) {
  std::string result;
  for (char c : text) {
    switch (c) {
    case '&':
      result += "&amp;";
      break;
    case '<':
      result += "&lt;";
      break;
    case '>':
      result += "&gt;";
      break;
    case '"':
      result += "&quot;";
      break;
    default:
      result += c;
    }
  }
  return result;
}

} // namespace

std::string reportToHtml(llvm::ArrayRef<LayerReport> report,
                         llvm::ArrayRef<OutputError> outputs) {
  std::string text;
  llvm::raw_string_ostream os(text);
  Totals totals = totalsOf(report);
  uint64_t largest = 1;
  for (const LayerReport &layer : report)
    largest = std::max(largest, layer.bytesBefore);
  // SQNR bars are scaled to 60 dB (about 10-bit precision).
  constexpr double kFullScaleDb = 60;
  os << R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pith compression report</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em}
table{border-collapse:collapse}
td,th{padding:2px 8px;text-align:right;white-space:nowrap}
td.name,th.name{text-align:left}
.bar{position:relative;width:240px;height:12px;background:#eee}
.bar div{position:absolute;top:0;left:0;height:12px}
.before{background:#c9d6e8}.after{background:#2f6db5}.sqnr{background:#3c9a5f}
</style></head><body>
<h1>Compression report</h1>
)";
  os << llvm::format("<p>%zu layers: %llu bytes before, %llu after (%.2fx "
                     "smaller).</p>\n",
                     totals.layers,
                     static_cast<unsigned long long>(totals.before),
                     static_cast<unsigned long long>(totals.after),
                     ratio(totals.before, totals.after));
  os << "<table>\n<tr><th class=name>layer</th><th class=name>method</th>"
        "<th>before</th><th>after</th><th>ratio</th><th>size</th>"
        "<th>rel. error</th><th>SQNR dB</th><th>SQNR</th>"
        "<th>output error</th></tr>\n";
  for (const LayerReport &layer : report) {
    double before = 100.0 * layer.bytesBefore / largest;
    double after = 100.0 * layer.bytesAfter / largest;
    double sqnr = std::isfinite(layer.sqnrDb)
                      ? std::clamp(layer.sqnrDb / kFullScaleDb, 0.0, 1.0)
                      : 1.0;
    os << "<tr><td class=name>" << escapeHtml(layer.layer)
       << "</td><td class=name>" << escapeHtml(layer.method) << "</td><td>"
       << layer.bytesBefore << "</td><td>" << layer.bytesAfter << "</td>"
       << llvm::format("<td>%.2fx</td>",
                       ratio(layer.bytesBefore, layer.bytesAfter))
       << llvm::format("<td><div class=bar><div class=before "
                       "style=\"width:%.1f%%\"></div><div class=after "
                       "style=\"width:%.1f%%\"></div></div></td>",
                       before, after)
       << llvm::format("<td>%.3e</td><td>%.1f</td>", layer.relativeError,
                       layer.sqnrDb)
       << llvm::format("<td><div class=bar><div class=sqnr "
                       "style=\"width:%.1f%%\"></div></div></td>",
                       100.0 * sqnr);
    if (layer.outputError >= 0)
      os << llvm::format("<td>%.3e</td></tr>\n", layer.outputError);
    else
      os << "<td></td></tr>\n";
  }
  os << "</table>\n";
  if (!outputs.empty()) {
    os << "<h2>Outputs against the uncompressed model ("
       << outputs.front().samples << " samples)</h2>\n"
       << "<table>\n<tr><th class=name>output</th><th>cosine min</th>"
          "<th>cosine mean</th><th>max |diff|</th><th>top-1 agreement</th>"
          "</tr>\n";
    for (const OutputError &output : outputs) {
      os << "<tr><td class=name>" << escapeHtml(output.output) << "</td>"
         << llvm::format("<td>%.6f</td><td>%.6f</td><td>%.4g</td>",
                         output.cosineMin, output.cosineMean,
                         output.maxAbsDiff);
      if (output.top1Agreement >= 0)
        os << llvm::format("<td>%.1f%%</td>", 100 * output.top1Agreement);
      else
        os << "<td></td>";
      os << "</tr>\n";
    }
    os << "</table>\n";
  }
  os << "</body></html>\n";
  return text;
}

} // namespace pith
