//===- Tensors.h - ONNX tensors and types as MLIR ---------------*- C++ -*-===//
//
// Part of pith. Element types, and TensorProto contents (inline, in typed
// fields, or in external data files) as ElementsAttr: small tensors as
// dense literals, so shape arithmetic folds; the rest as dialect resources
// whose bytes are never copied into IR text.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_IMPORT_ONNX_TENSORS_H
#define PITH_LIB_IMPORT_ONNX_TENSORS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"

#include "onnx/onnx_pb.h"

namespace pith::importer {

/// The element type pith uses for an ONNX TensorProto::DataType, or null if
/// pith has none (strings, complex numbers, 8-bit floats).
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t dataType);

/// The ONNX name of a data type ("FLOAT", "INT64", ...), for messages.
llvm::StringRef dataTypeName(int32_t dataType);

/// Imports the contents of `tensor`. External data paths are resolved in
/// `baseDirectory` and memory-mapped; inline raw data is taken over from
/// the protobuf without a copy, so `tensor` loses it. Errors are reported at
/// `loc`; null on failure.
mlir::ElementsAttr importTensor(onnx::TensorProto &tensor,
                                llvm::StringRef baseDirectory,
                                mlir::Location loc);

} // namespace pith::importer

#endif // PITH_LIB_IMPORT_ONNX_TENSORS_H
