//===- CompilerModule.cpp - pith._compiler: the compiler in python --------===//
//
// Part of pith. nanobind bindings of the compiler C++ API
// (include/pith/Compiler.h). Errors come back as pith.CompileError with
// every diagnostic and its location.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

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

} // namespace

NB_MODULE(_compiler, m) {
  m.doc() = "The pith compiler (parsing, passes, pipelines).";
  pith::registerPasses();
  nb::exception<CompileError>(m, "CompileError", PyExc_RuntimeError);
  m.def("version", [] { return pith::getVersion().str(); },
        "pith's version.");
  m.def("run_pipeline", &runPipeline, nb::arg("source"),
        nb::arg("pipeline") = "",
        "Parses MLIR text, runs a pass pipeline on its module (e.g. "
        "'canonicalize,pith-fuse-linear') and returns the printed result. "
        "Raises CompileError with every diagnostic on failure.");
}
