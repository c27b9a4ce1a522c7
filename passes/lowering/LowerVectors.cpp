//===- LowerVectors.cpp - pith-lower-vectors ------------------------------===//
//
// Part of pith. Vector ops on buffers become the 1-D vector code LLVM
// selects instructions for: each vector.contract a sequence of outer
// products, each outer product one FMA per row, multi-dimensional
// transfers 1-D loads and stores, transposes 1-D ops. (Broadcasts are left
// to the LLVM conversion: upstream's broadcast lowering cycles with the
// contraction lowering on unit dimensions.) Dot products of bytes marked
// for VNNI become its instruction first.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_LOWERVECTORSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// The marked reduction of products of widened unsigned and signed bytes,
/// vector<16x4xi32> into vector<16xi32>, as vpdpbusd on the bytes; false
/// where it is not in that form (then it is lowered like any reduction).
bool lowerVnniDot(RewriterBase &rewriter, vector::MultiDimReductionOp op) {
  auto cast = op.getSource().getDefiningOp<vector::ShapeCastOp>();
  auto product =
      cast ? cast.getSource().getDefiningOp<arith::MulIOp>() : arith::MulIOp();
  auto weights = product ? product.getLhs().getDefiningOp<arith::ExtUIOp>()
                         : arith::ExtUIOp();
  auto inputs = product ? product.getRhs().getDefiningOp<arith::ExtSIOp>()
                        : arith::ExtSIOp();
  auto bytes = VectorType::get({64}, rewriter.getI8Type());
  auto sums = VectorType::get({16}, rewriter.getI32Type());
  if (!weights || !inputs || weights.getIn().getType() != bytes ||
      inputs.getIn().getType() != bytes || op.getType() != sums ||
      op.getReductionMask() != ArrayRef<bool>{false, true} ||
      op.getKind() != vector::CombiningKind::ADD)
    return false;
  rewriter.setInsertionPoint(op);
  rewriter.replaceOp(
      op, LLVM::CallIntrinsicOp::create(
              rewriter, op.getLoc(), sums,
              rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
              ValueRange{op.getAcc(), weights.getIn(), inputs.getIn()}));
  return true;
}

struct LowerVectorsPass
    : mlir::pith::impl::LowerVectorsPassBase<LowerVectorsPass> {
  using LowerVectorsPassBase::LowerVectorsPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    IRRewriter rewriter(context);
    getOperation()->walk([&](vector::MultiDimReductionOp op) {
      if (op->hasAttr(pith::kVnniDotAttr))
        lowerVnniDot(rewriter, op);
    });
    RewritePatternSet patterns(context);
    vector::populateVectorContractLoweringPatterns(
        patterns, vector::VectorContractLowering::OuterProduct);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorTransferLoweringPatterns(patterns,
                                                   /*maxTransferRank=*/1);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == "vector")
        name.getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
