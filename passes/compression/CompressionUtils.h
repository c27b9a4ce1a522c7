//===- CompressionUtils.h - Shared pieces of the compression passes -*- C++
//-*-===//
//
// Part of pith. What every compression pass does alike: find a layer's
// name and whether the user skipped it, read its constant weight, make
// new weights, and record what it did for the report.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H
#define PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "passes/compression/Quantization.h"
#include "llvm/Support/GlobPattern.h"

#include <optional>
#include <vector>

namespace mlir::pith::compression {

/// The discardable attribute on a compressed layer that holds its line of
/// the report: {layer, method, bytes_before, bytes_after, relative_error,
/// sqnr_db}.
inline constexpr llvm::StringLiteral kReportAttrName = "pith.compression";

/// A layer's name for skip lists and the report: the name of its location
/// (the ONNX node's), else "<op>@<line>:<col>" or the op's name.
std::string layerName(Operation *op);

/// Parses `patterns` (globs over layer names); on a bad one, an error on
/// `op` naming the option and the pattern.
FailureOr<std::vector<llvm::GlobPattern>>
parseSkipList(Operation *op, StringRef option, ArrayRef<std::string> patterns);

/// Whether `layer` matches one of `skip`.
bool isSkipped(StringRef layer, ArrayRef<llvm::GlobPattern> skip);

/// A name for weights derived from `value`: its resource key, else `layer`.
std::string weightBaseName(Attribute value, StringRef layer);

/// Records on `op` its line of the report.
void recordCompression(Operation *op, StringRef layer, StringRef method,
                       uint64_t bytesBefore, uint64_t bytesAfter,
                       const ErrorStats &error);

} // namespace mlir::pith::compression

#endif // PITH_PASSES_COMPRESSION_COMPRESSIONUTILS_H
