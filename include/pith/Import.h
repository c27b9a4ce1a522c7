//===- pith/Import.h - ONNX import ------------------------------*- C++ -*-===//
//
// Part of pith. Imports ONNX models (protobuf or ONNX's text syntax) into
// the pith dialect.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_IMPORT_H
#define PITH_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

namespace mlir {
class Diagnostic;
class MLIRContext;
} // namespace mlir

namespace pith {

struct OnnxImportOptions {
  /// Shapes given for graph inputs, by input name; they fix symbolic and
  /// unknown dimensions (and bind the symbols for other inputs).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// The input is ONNX's textual syntax rather than protobuf.
  bool textFormat = false;
};

/// Parses an --input-shape value, `name=1x128x768`, into `options`.
llvm::Error parseInputShape(llvm::StringRef spec, OnnxImportOptions &options);

/// Imports the ONNX model in the file at `path` into a module holding
/// `func.func @main`, whose arguments and results carry the ONNX input and
/// output names (`pith.name`). External data files are memory-mapped from
/// the model's directory. Problems are reported as diagnostics on
/// `context`, with the node they concern; null on failure.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const OnnxImportOptions &options);

/// Same as importOnnxFile for a model held in memory; `name` stands for the
/// file in diagnostics, and external data paths are relative to its
/// directory.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxBuffer(mlir::MLIRContext &context, llvm::StringRef data,
                 llvm::StringRef name, const OnnxImportOptions &options);

/// Prints an import diagnostic as "model.onnx: node 'Conv_3': error: ...".
void printImportDiagnostic(llvm::raw_ostream &os, mlir::Diagnostic &diag);

} // namespace pith

#endif // PITH_IMPORT_H
