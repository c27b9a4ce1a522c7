//===- Passes.h - Every pith pass -------------------------------*- C++ -*-===//
//
// Part of pith. Pass declarations and registration (generated from
// Passes.td), and the pattern sets the passes are built on, so that tools,
// python and other passes can use the same rewrites.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_PASSES_H
#define PITH_PASSES_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace mlir::pith {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Patterns that turn matmul (+ add) with a constant weight into linear.
void populateFuseLinearPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::pith

#endif // PITH_PASSES_PASSES_H
