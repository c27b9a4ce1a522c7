//===- ApproximateMath.cpp - pith-approximate-math ------------------------===//
//
// Part of pith. exp, log, erf, tanh and their kin become polynomial
// approximations in arith: LLVM would call libm for each element, which no
// loop vectorizes, while the polynomials vectorize like any arithmetic.
// The approximations (upstream MLIR's) are within a few ulp in f32; f16
// and bf16 are computed in f32. Trigonometric functions, whose range
// reduction would lose accuracy on large arguments, keep their libm calls.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Whether the op called `name` ("math.exp") is approximated.
bool isApproximated(StringRef name) {
  return llvm::is_contained(
      {math::ExpOp::getOperationName(), math::ExpM1Op::getOperationName(),
       math::LogOp::getOperationName(), math::Log1pOp::getOperationName(),
       math::Log2Op::getOperationName(), math::ErfOp::getOperationName(),
       math::ErfcOp::getOperationName(), math::TanhOp::getOperationName()},
      name);
}

struct ApproximateMathPass
    : mlir::pith::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathF32ExpansionPatterns(patterns, isApproximated);
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
