//===- RuntimeModule.cpp - pith._runtime: compiled models in python -------===//
//
// Part of pith. nanobind bindings of the runtime's C API (pith/runtime.h),
// without LLVM or MLIR. Arrays are passed by pointer: inputs are read in
// place and outputs written in place, with the GIL released while the
// model runs, so python threads can run one model at once.
//
//===----------------------------------------------------------------------===//

#include "pith/runtime.h"

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace nb = nanobind;

namespace {

/// A runtime error: the status's message, and its code as `code`.
struct ModelError : std::runtime_error {
  ModelError(pith_status_code code, const std::string &message)
      : std::runtime_error(message), code(code) {}
  pith_status_code code;
};

void check(pith_status *status) {
  if (!status)
    return;
  pith_status_code code = pith_status_get_code(status);
  std::string message = pith_status_get_message(status);
  pith_status_free(status);
  throw ModelError(code, message);
}

using Signature = std::tuple<std::string, std::string, std::vector<int64_t>>;

Signature describe(const pith_tensor_info &info) {
  return {info.name, pith_dtype_name(info.dtype),
          std::vector<int64_t>(info.shape, info.shape + info.rank)};
}

/// The pith dtype of a DLPack dtype, or -1.
int dtypeOf(nb::dlpack::dtype dtype) {
  using Code = nb::dlpack::dtype_code;
  auto code = static_cast<Code>(dtype.code);
  if (dtype.lanes != 1)
    return -1;
  switch (code) {
  case Code::Float:
    return dtype.bits == 32   ? PITH_F32
           : dtype.bits == 64 ? PITH_F64
           : dtype.bits == 16 ? PITH_F16
                              : -1;
  case Code::Bfloat:
    return dtype.bits == 16 ? PITH_BF16 : -1;
  case Code::Int:
    return dtype.bits == 8    ? PITH_I8
           : dtype.bits == 16 ? PITH_I16
           : dtype.bits == 32 ? PITH_I32
           : dtype.bits == 64 ? PITH_I64
                              : -1;
  case Code::UInt:
    return dtype.bits == 8    ? PITH_U8
           : dtype.bits == 16 ? PITH_U16
           : dtype.bits == 32 ? PITH_U32
           : dtype.bits == 64 ? PITH_U64
                              : -1;
  case Code::Bool:
    return dtype.bits == 8 ? PITH_BOOL : -1;
  default:
    return -1;
  }
}

// Inputs may be read-only arrays; outputs must be writable.
using InputArray = nb::ndarray<nb::ro, nb::device::cpu>;
using OutputArray = nb::ndarray<nb::device::cpu>;

/// The runtime's view of a C-contiguous array (checked by the caller).
template <typename Array>
pith_tensor view(const char *name, Array &array, std::vector<int64_t> &shape) {
  shape.assign(array.shape_ptr(), array.shape_ptr() + array.ndim());
  int dtype = dtypeOf(array.dtype());
  if (dtype < 0)
    throw ModelError(PITH_SIGNATURE_MISMATCH,
                     std::string("array '") + name +
                         "' has an element type pith does "
                         "not support");
  return {nullptr,
          static_cast<pith_dtype>(dtype),
          shape.size(),
          shape.data(),
          const_cast<void *>(static_cast<const void *>(array.data())),
          array.nbytes()};
}

class Model {
public:
  explicit Model(const std::string &path) {
    check(pith_model_load(path.c_str(), &model));
  }
  ~Model() { pith_model_free(model); }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  std::vector<Signature> inputs() const {
    std::vector<Signature> result;
    for (size_t i = 0; i < pith_model_input_count(model); ++i)
      result.push_back(describe(*pith_model_input(model, i)));
    return result;
  }
  std::vector<Signature> outputs() const {
    std::vector<Signature> result;
    for (size_t i = 0; i < pith_model_output_count(model); ++i)
      result.push_back(describe(*pith_model_output(model, i)));
    return result;
  }
  std::string target() const { return pith_model_target(model); }
  std::string cpu() const { return pith_model_cpu(model); }
  std::string producer() const { return pith_model_producer(model); }
  size_t weightBytes() const { return pith_model_weight_bytes(model); }
  nb::list report() const {
    nb::list lines;
    pith_layer_report entry;
    for (size_t i = 0; pith_model_report_line(model, i, &entry); ++i) {
      nb::dict line;
      line["layer"] = entry.layer;
      line["method"] = entry.method;
      line["bytes_before"] = entry.bytes_before;
      line["bytes_after"] = entry.bytes_after;
      line["relative_error"] = entry.relative_error;
      line["sqnr_db"] = entry.sqnr_db;
      line["refines"] = entry.refines;
      if (entry.output_error >= 0)
        line["output_error"] = entry.output_error;
      else
        line["output_error"] = nb::none();
      lines.append(line);
    }
    return lines;
  }

  /// Runs on arrays given in signature order, C-contiguous; outputs are
  /// written in place.
  void invoke(std::vector<InputArray> inputs,
              std::vector<OutputArray> outputs) const {
    size_t inputCount = pith_model_input_count(model);
    size_t outputCount = pith_model_output_count(model);
    if (inputs.size() != inputCount || outputs.size() != outputCount)
      throw ModelError(PITH_INVALID_ARGUMENT,
                       "expected " + std::to_string(inputCount) +
                           " inputs and " + std::to_string(outputCount) +
                           " outputs");
    std::vector<std::vector<int64_t>> shapes(inputCount + outputCount);
    std::vector<pith_tensor> inputViews, outputViews;
    inputViews.reserve(inputCount);
    outputViews.reserve(outputCount);
    for (size_t i = 0; i < inputCount; ++i)
      inputViews.push_back(
          view(pith_model_input(model, i)->name, inputs[i], shapes[i]));
    for (size_t i = 0; i < outputCount; ++i)
      outputViews.push_back(view(pith_model_output(model, i)->name, outputs[i],
                                 shapes[inputCount + i]));
    pith_status *status;
    {
      nb::gil_scoped_release release;
      status = pith_model_invoke(model, inputViews.data(), inputViews.size(),
                                 outputViews.data(), outputViews.size());
    }
    check(status);
  }

private:
  pith_model *model = nullptr;
};

} // namespace

NB_MODULE(_runtime, m) {
  m.doc() = "The pith runtime: load and run compiled .pith packages.";
  // The module keeps the exception type alive; the translator only
  // borrows it. Each error carries the runtime's status code as `code`.
  static nb::handle errorType =
      nb::exception<ModelError>(m, "ModelError", PyExc_RuntimeError);
  nb::register_exception_translator(
      [](const std::exception_ptr &pointer, void *) {
        try {
          std::rethrow_exception(pointer);
        } catch (const ModelError &failure) {
          nb::object instance = errorType(failure.what());
          instance.attr("code") = static_cast<int>(failure.code);
          PyErr_SetObject(errorType.ptr(), instance.ptr());
        }
      });
  nb::class_<Model>(m, "Model")
      .def(nb::init<const std::string &>(), nb::arg("path"))
      .def_prop_ro("inputs", &Model::inputs)
      .def_prop_ro("outputs", &Model::outputs)
      .def_prop_ro("target", &Model::target)
      .def_prop_ro("cpu", &Model::cpu)
      .def_prop_ro("producer", &Model::producer)
      .def_prop_ro("weight_bytes", &Model::weightBytes)
      .def_prop_ro("report", &Model::report)
      .def("invoke", &Model::invoke, nb::arg("inputs"), nb::arg("outputs"));
}
