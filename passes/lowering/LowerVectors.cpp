//===- LowerVectors.cpp - pith-lower-vectors ------------------------------===//
//
// Part of pith. Vector ops on buffers become the 1-D vector code LLVM
// selects instructions for: each vector.contract a sequence of outer
// products, each outer product one FMA per row, multi-dimensional
// transfers 1-D loads and stores, transposes 1-D ops. (Broadcasts are left
// to the LLVM conversion: upstream's broadcast lowering cycles with the
// contraction lowering on unit dimensions.) Dot products of bytes marked
// for VNNI become its instruction first (or AVX2's two), products of bf16
// pairs marked for AVX-512 BF16 vdpbf16ps, gathers from a
// few elements a permutation of them in registers, and gathers that expand
// a mask's nonzeros an expanding load.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_LOWERVECTORSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// The marked reduction of products of widened unsigned and signed bytes,
/// vector<16x4xi32> into vector<16xi32>, as vpdpbusd on the bytes, or
/// without `vnni` as AVX2's vpmaddubsw and vpmaddwd; false where it is not
/// in that form (then it is lowered like any reduction).
bool lowerVnniDot(RewriterBase &rewriter, vector::MultiDimReductionOp op,
                  bool vnni) {
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
  Location loc = op.getLoc();
  if (vnni) {
    rewriter.replaceOp(
        op, LLVM::CallIntrinsicOp::create(
                rewriter, loc, sums,
                rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                ValueRange{op.getAcc(), weights.getIn(), inputs.getIn()}));
    return true;
  }
  // Each 256-bit half: vpmaddubsw adds the products of byte pairs into
  // 16-bit lanes, vpmaddwd by ones adds pairs of those into the 32-bit
  // lane of 4 bytes.
  auto pairs = VectorType::get({16}, rewriter.getI16Type());
  auto halfSums = VectorType::get({8}, rewriter.getI32Type());
  Value ones = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(pairs, rewriter.getI16IntegerAttr(1)));
  Value result = op.getAcc();
  for (int64_t half = 0; half < 2; ++half) {
    auto slice = [&](Value vector, int64_t size) -> Value {
      return vector::ExtractStridedSliceOp::create(
          rewriter, loc, vector, ArrayRef<int64_t>{half * size},
          ArrayRef<int64_t>{size}, ArrayRef<int64_t>{1});
    };
    Value products =
        LLVM::CallIntrinsicOp::create(
            rewriter, loc, pairs,
            rewriter.getStringAttr("llvm.x86.avx2.pmadd.ub.sw"),
            ValueRange{slice(weights.getIn(), 32), slice(inputs.getIn(), 32)})
            .getResult(0);
    Value quads = LLVM::CallIntrinsicOp::create(
                      rewriter, loc, halfSums,
                      rewriter.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                      ValueRange{products, ones})
                      .getResult(0);
    Value sum =
        arith::AddIOp::create(rewriter, loc, slice(op.getAcc(), 8), quads);
    result = vector::InsertStridedSliceOp::create(rewriter, loc, sum, result,
                                                  ArrayRef<int64_t>{half * 8},
                                                  ArrayRef<int64_t>{1});
  }
  rewriter.replaceOp(op, result);
  return true;
}

/// The marked reduction of products of widened bf16 pairs,
/// vector<16x2xf32> into vector<16xf32>, as AVX-512 BF16's vdpbf16ps on
/// the pairs; false where it is not in that form.
bool lowerBf16Dot(RewriterBase &rewriter, vector::MultiDimReductionOp op) {
  auto cast = op.getSource().getDefiningOp<vector::ShapeCastOp>();
  auto product =
      cast ? cast.getSource().getDefiningOp<arith::MulFOp>() : arith::MulFOp();
  auto weights = product ? product.getLhs().getDefiningOp<arith::ExtFOp>()
                         : arith::ExtFOp();
  auto inputs = product ? product.getRhs().getDefiningOp<arith::ExtFOp>()
                        : arith::ExtFOp();
  auto pairs = VectorType::get({32}, rewriter.getBF16Type());
  auto sums = VectorType::get({16}, rewriter.getF32Type());
  if (!weights || !inputs || weights.getIn().getType() != pairs ||
      inputs.getIn().getType() != pairs || op.getType() != sums ||
      op.getReductionMask() != ArrayRef<bool>{false, true} ||
      op.getKind() != vector::CombiningKind::ADD)
    return false;
  rewriter.setInsertionPoint(op);
  rewriter.replaceOp(
      op, LLVM::CallIntrinsicOp::create(
              rewriter, op.getLoc(), sums,
              rewriter.getStringAttr("llvm.x86.avx512bf16.dpbf16ps.512"),
              ValueRange{op.getAcc(), weights.getIn(), inputs.getIn()}));
  return true;
}

/// A gather of f32 lanes by i32 indices, mask all set, from the start of a
/// contiguous 1-D buffer of m elements (indices past them are undefined):
/// the m elements loaded once, repeated across a register, and permuted
/// by the indices with AVX-512's vpermps (16 lanes) or AVX2's (8 lanes,
/// each half); false where the target's registers cannot hold them (it
/// stays a gather).
bool lowerSmallGather(RewriterBase &rewriter, vector::GatherOp op,
                      int64_t vectorBits) {
  auto base = dyn_cast<MemRefType>(op.getBase().getType());
  VectorType type = op.getVectorType();
  int64_t lanes = vectorBits >= 512 ? 16 : vectorBits >= 256 ? 8 : 0;
  auto indices = dyn_cast<VectorType>(op.getIndices().getType());
  if (!base || base.getRank() != 1 || base.isDynamicDim(0) ||
      !base.isLastDimUnitStride() || lanes == 0 ||
      base.getDimSize(0) > lanes || lanes % base.getDimSize(0) != 0 ||
      type.getRank() != 1 || !type.getElementType().isF32() || !indices ||
      !indices.getElementType().isInteger(32) ||
      type.getDimSize(0) % lanes != 0 ||
      !matchPattern(op.getOffsets().front(), m_Zero()) ||
      !matchPattern(op.getMask(), m_One()))
    return false;
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  int64_t m = base.getDimSize(0);
  Value table = vector::LoadOp::create(
      rewriter, loc, VectorType::get({m}, type.getElementType()), op.getBase(),
      op.getOffsets());
  SmallVector<int64_t> repeat;
  for (int64_t lane = 0; lane < lanes; ++lane)
    repeat.push_back(lane % m);
  Value repeated =
      vector::ShuffleOp::create(rewriter, loc, table, table, repeat);
  auto part = VectorType::get({lanes}, type.getElementType());
  StringRef intrinsic = lanes == 16 ? "llvm.x86.avx512.permvar.sf.512"
                                    : "llvm.x86.avx2.permps";
  Value result = arith::ConstantOp::create(rewriter, loc, type,
                                           rewriter.getZeroAttr(type));
  for (int64_t start = 0; start < type.getDimSize(0); start += lanes) {
    Value partIndices = vector::ExtractStridedSliceOp::create(
        rewriter, loc, op.getIndices(), ArrayRef<int64_t>{start},
        ArrayRef<int64_t>{lanes}, ArrayRef<int64_t>{1});
    Value permuted = LLVM::CallIntrinsicOp::create(
                         rewriter, loc, part, rewriter.getStringAttr(intrinsic),
                         ValueRange{repeated, partIndices})
                         .getResult(0);
    result = vector::InsertStridedSliceOp::create(
        rewriter, loc, permuted, result, ArrayRef<int64_t>{start},
        ArrayRef<int64_t>{1});
  }
  rewriter.replaceOp(op, result);
  return true;
}

/// Whether `value` is a constant vector whose lane f is `lane(f)`.
bool isLaneConstant(Value value, function_ref<int64_t(int64_t)> lane) {
  DenseIntElementsAttr constant;
  if (!matchPattern(value, m_Constant(&constant)))
    return false;
  for (auto [f, element] : llvm::enumerate(constant.getValues<APInt>()))
    if (element.getSExtValue() != lane(f))
      return false;
  return true;
}

/// The integer vector `value` ands with a constant whose lane f is
/// `lane(f)`; null where it is not such an and.
Value maskedBy(Value value, function_ref<int64_t(int64_t)> lane) {
  auto andOp = value.getDefiningOp<arith::AndIOp>();
  if (!andOp)
    return {};
  if (isLaneConstant(andOp.getRhs(), lane))
    return andOp.getLhs();
  if (isLaneConstant(andOp.getLhs(), lane))
    return andOp.getRhs();
  return {};
}

/// A gather of 16 f32 lanes from a 1-D buffer whose mask is bit f of a
/// spread integer b in lane f and whose index in lane f is the count of
/// b's bits below f (what pith-vectorize-contractions writes to expand a
/// bitmap-sparse weight's nonzeros) -> the expanding load it is
/// (vexpandps), with 512-bit vectors; false otherwise.
bool lowerExpandingGather(RewriterBase &rewriter, vector::GatherOp op,
                          int64_t vectorBits) {
  auto base = dyn_cast<MemRefType>(op.getBase().getType());
  VectorType type = op.getVectorType();
  if (vectorBits < 512 || !base || base.getRank() != 1 ||
      !base.isLastDimUnitStride() || type.getRank() != 1 ||
      type.getDimSize(0) != 16 || !type.getElementType().isF32())
    return false;
  auto counts = op.getIndices().getDefiningOp<math::CtPopOp>();
  auto set = op.getMask().getDefiningOp<arith::CmpIOp>();
  if (!counts || !set || set.getPredicate() != arith::CmpIPredicate::ne ||
      !isLaneConstant(set.getRhs(), [](int64_t) { return 0; }))
    return false;
  Value spread =
      maskedBy(counts.getOperand(), [](int64_t f) { return (1 << f) - 1; });
  if (!spread ||
      spread != maskedBy(set.getLhs(), [](int64_t f) { return 1 << f; }))
    return false;
  rewriter.setInsertionPoint(op);
  rewriter.replaceOpWithNewOp<vector::ExpandLoadOp>(
      op, type, op.getBase(), op.getOffsets(), op.getMask(), op.getPassThru());
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
        lowerVnniDot(rewriter, op, vnni);
      else if (op->hasAttr(pith::kBf16DotAttr))
        lowerBf16Dot(rewriter, op);
    });
    getOperation()->walk([&](vector::GatherOp op) {
      if (!lowerExpandingGather(rewriter, op, vectorBits))
        lowerSmallGather(rewriter, op, vectorBits);
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
