//===- PithToLinalg.cpp - pith-lower-to-linalg ----------------------------===//
//
// Part of pith. The pass that lowers the pith dialect to linalg, tensor,
// arith and math; the patterns live one file per op family.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithDialect.h"
#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"
#include "passes/Passes.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith {
#define GEN_PASS_DEF_LOWERTOLINALGPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;

void mlir::pith::populatePithToLinalgPatterns(const TypeConverter &converter,
                                              RewritePatternSet &patterns,
                                              QuantizedLayout layout) {
  lowering::populateElementwisePatterns(converter, patterns);
  lowering::populateDataMovementPatterns(converter, patterns);
  lowering::populateContractionPatterns(converter, patterns, layout);
  lowering::populateReductionPatterns(converter, patterns);
  lowering::populateQuantizationPatterns(converter, patterns, layout);
  lowering::populateSparsityPatterns(converter, patterns, layout);
}

namespace {

struct LowerToLinalgPass
    : mlir::pith::impl::LowerToLinalgPassBase<LowerToLinalgPass> {
  using LowerToLinalgPassBase::LowerToLinalgPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    lowering::PithTypeConverter converter;
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect,
                           tensor::TensorDialect>();
    target.addIllegalDialect<PithDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(context);
    populatePithToLinalgPatterns(converter, patterns,
                                 QuantizedLayout{int8Dot, int8DotBits,
                                                 panelWidth, packSparse,
                                                 threadBytes});
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
