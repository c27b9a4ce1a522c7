//===- CompilerModule.cpp - pith._compiler: the compiler in python --------===//
//
// Part of pith. nanobind bindings of the compiler C++ API
// (include/pith/Compiler.h). Errors come back as pith.CompileError with
// every diagnostic and its location.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"
#include "pith/Import.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <vector>

#include <stdexcept>

namespace nb = nanobind;

namespace {

struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string runPipeline(const std::string &source,
                        const std::string &pipeline) {
  llvm::Expected<std::string> output = [&] {
    // Parsing and passes hold no Python object: let other threads run.
    nb::gil_scoped_release release;
    return pith::runPipeline(source, pipeline);
  }();
  if (!output)
    throw CompileError(llvm::toString(output.takeError()));
  return std::move(*output);
}

std::string
importOnnx(const std::string &path,
           const std::map<std::string, std::vector<int64_t>> &inputShapes,
           bool text) {
  pith::OnnxImportOptions options;
  options.textFormat = text;
  for (const auto &[name, shape] : inputShapes)
    options.inputShapes[name] =
        llvm::SmallVector<int64_t>(shape.begin(), shape.end());

  std::string errors;
  std::vector<std::string> warnings;
  std::string output;
  {
    nb::gil_scoped_release release;
    mlir::DialectRegistry registry;
    pith::registerDialects(registry);
    mlir::MLIRContext context(registry);
    context.getDiagEngine().registerHandler([&](mlir::Diagnostic &diag) {
      std::string message;
      llvm::raw_string_ostream os(message);
      pith::printImportDiagnostic(os, diag);
      if (diag.getSeverity() == mlir::DiagnosticSeverity::Warning)
        warnings.push_back(message);
      else
        errors += message;
    });
    mlir::OwningOpRef<mlir::ModuleOp> module =
        pith::importOnnxFile(context, path, options);
    if (module && succeeded(mlir::verify(*module))) {
      llvm::raw_string_ostream os(output);
      module->print(os);
    }
  }
  for (const std::string &warning : warnings)
    PyErr_WarnEx(PyExc_UserWarning, warning.c_str(), 1);
  if (output.empty())
    throw CompileError("cannot import " + path + ":\n" + errors);
  return output;
}

void compileFile(const std::string &input, const std::string &output,
                 const std::string &target, const std::string &emit,
                 const std::map<std::string, std::vector<int64_t>> &inputShapes,
                 bool parallel, const std::string &recipe,
                 const std::string &factorize, const std::string &sparsify,
                 const std::string &quantize,
                 const std::vector<std::string> &compressSkip,
                 const std::vector<std::string> &calibrate,
                 const std::string &compression) {
  pith::CompileOptions options;
  options.target = target;
  options.parallel = parallel;
  llvm::Expected<std::string> pipeline =
      pith::compressionPipeline({recipe, factorize, sparsify, quantize,
                                 compressSkip, calibrate, compression});
  if (!pipeline)
    throw nb::value_error(llvm::toString(pipeline.takeError()).c_str());
  options.compression = *pipeline;
  if (emit == "package")
    options.emit = pith::EmitKind::Package;
  else if (emit == "mlir")
    options.emit = pith::EmitKind::Mlir;
  else if (emit == "llvm")
    options.emit = pith::EmitKind::LLVMIR;
  else if (emit == "obj")
    options.emit = pith::EmitKind::Object;
  else if (emit == "ptx")
    options.emit = pith::EmitKind::Ptx;
  else
    throw nb::value_error(("emit must be one of package, mlir, llvm, obj, "
                           "ptx; got '" +
                           emit + "'")
                              .c_str());
  for (const auto &[name, shape] : inputShapes)
    options.import.inputShapes[name] =
        llvm::SmallVector<int64_t>(shape.begin(), shape.end());
  std::vector<std::string> warnings;
  options.warning = [&](llvm::StringRef message) {
    warnings.push_back(message.str());
  };
  llvm::Error error = llvm::Error::success();
  {
    nb::gil_scoped_release release;
    error = pith::compileFile(input, output, options);
  }
  for (const std::string &warning : warnings)
    PyErr_WarnEx(PyExc_UserWarning, warning.c_str(), 1);
  if (error)
    throw CompileError(llvm::toString(std::move(error)));
}

} // namespace

NB_MODULE(_compiler, m) {
  m.doc() = "The pith compiler (parsing, passes, pipelines).";
  pith::registerPasses();
  nb::exception<CompileError>(m, "CompileError", PyExc_RuntimeError);
  m.def(
      "version", [] { return pith::getVersion().str(); }, "pith's version.");
  m.def("run_pipeline", &runPipeline, nb::arg("source"),
        nb::arg("pipeline") = "",
        "Parses MLIR text, runs a pass pipeline on its module (e.g. "
        "'canonicalize,pith-fuse-linear') and returns the printed result. "
        "Raises CompileError with every diagnostic on failure.");
  m.def("import_onnx", &importOnnx, nb::arg("path"),
        nb::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>(),
        nb::arg("text") = false,
        "Imports an ONNX model file into the pith dialect and returns it as "
        "MLIR text. input_shapes fixes symbolic dimensions, e.g. "
        "{'input_ids': [1, 128]}; text reads ONNX's textual syntax. Warnings "
        "become UserWarnings; errors raise CompileError naming the node.");
  m.def("compile_file", &compileFile, nb::arg("input"), nb::arg("output"),
        nb::arg("target") = "host", nb::arg("emit") = "package",
        nb::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>(),
        nb::arg("parallel") = true, nb::arg("recipe") = "",
        nb::arg("factorize") = "", nb::arg("sparsify") = "",
        nb::arg("quantize") = "",
        nb::arg("compress_skip") = std::vector<std::string>(),
        nb::arg("calibrate") = std::vector<std::string>(),
        nb::arg("compression") = "",
        "Compiles a model file (.onnx, .onnxtxt, or .mlir in the pith "
        "dialect) for a CPU target and writes `emit` (package, mlir, llvm "
        "or obj) to `output`; with `parallel`, ops with enough work run on "
        "OpenMP threads. `recipe` is a recipe file (JSON), `quantize` a "
        "scheme such as 'w4g128' "
        "(pith-compile --quantize), `factorize` a budget such as "
        "'energy:0.95' (pith-compile --factorize), `sparsify` a sparsity "
        "such as '2:4' (pith-compile --sparsify), `compress_skip` globs of "
        "layers they leave "
        "f32, `calibrate` calibration samples (pith-compile --calibrate), "
        "`compression` a pass pipeline run before lowering (a "
        "package holds the compression report). Warnings become "
        "UserWarnings; errors raise CompileError with every diagnostic.");
}
