//===- VectorizeContractions.cpp - pith-vectorize-contractions ------------===//
//
// Part of pith. Every float contraction (matmul, batched and broadcast
// matmuls, linear layers) is tiled to a block of registers and vectorized:
// an mR x nR block of the output stays in vector registers while the loop
// over K multiplies a column of A (broadcast) by a row of B (loaded) into
// it. Later lowering turns each step into nR / lanes FMAs per row.
//
// Tile sizes divide the loop extents, so every tile is full and needs no
// masks; an extent with no good divisor gets a narrower tile.
//
// Contractions over quantized weights (pith.quantized_matmul, made by
// pith-lower-to-linalg) are written out as loops directly: per panel of
// 16 output features and block of rows, each row of packed bytes is
// loaded once, widened, its values shifted out and converted, scaled, and
// multiplied into every row's accumulators.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct TilePlan {
  SmallVector<int64_t> tileSizes;
  SmallVector<int64_t> interchange;
};

/// The first of `candidates` that divides `extent` and passes `fits`.
int64_t pickDivisor(int64_t extent, ArrayRef<int64_t> candidates,
                    function_ref<bool(int64_t)> fits = nullptr) {
  for (int64_t candidate : candidates)
    if (candidate > 0 && extent % candidate == 0 && (!fits || fits(candidate)))
      return candidate;
  return 1;
}

/// Tile sizes and loop order for `op`, or failure where the op is not a
/// float contraction whose output and right-hand side are contiguous along
/// N (transposed operands are left to scalar code).
FailureOr<TilePlan> planTiles(linalg::LinalgOp op, int64_t vectorBits) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, [](int64_t r) { return r <= 0; }))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty() || dims->k.empty())
    return failure();
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!element.isF32() && !element.isF64())
    return failure();
  unsigned n = dims->n.back();
  auto lastResultIs = [&](AffineMap map, unsigned dim) {
    return map.getNumResults() > 0 &&
           map.getResults().back().isFunctionOfDim(dim) &&
           map.getResults().back() == getAffineDimExpr(dim, op.getContext());
  };
  if (!lastResultIs(op.getIndexingMapMatchingResult(op->getResult(0)), n))
    return failure();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isFunctionOfDim(n) && !lastResultIs(map, n))
      return failure();
  }

  int64_t lanes = vectorBits / element.getIntOrFloatBitWidth();
  // Accumulators the target's register file holds beside the operands:
  // 32 vector registers with AVX-512, 16 otherwise.
  int64_t registers = vectorBits >= 512 ? 16 : 12;
  TilePlan plan;
  plan.tileSizes.assign(ranges.size(), 1);
  int64_t nTile =
      pickDivisor(ranges[n], {2 * lanes, lanes, lanes / 2, lanes / 4, 4, 2});
  plan.tileSizes[n] = nTile;
  int64_t vectorsPerRow = std::max<int64_t>(1, nTile / lanes);
  SmallVector<unsigned> order(dims->batch.begin(), dims->batch.end());
  for (unsigned dim : llvm::drop_end(dims->n))
    order.push_back(dim);
  order.push_back(n);
  if (!dims->m.empty()) {
    unsigned m = dims->m.back();
    plan.tileSizes[m] = pickDivisor(ranges[m], {8, 6, 4, 3, 2}, [&](int64_t t) {
      return t * vectorsPerRow <= registers;
    });
    for (unsigned dim : llvm::drop_end(dims->m))
      order.push_back(dim);
    order.push_back(m);
  }
  unsigned k = dims->k.back();
  plan.tileSizes[k] = pickDivisor(ranges[k], {4, 2});
  llvm::append_range(order, dims->k);
  plan.interchange.assign(order.begin(), order.end());
  return plan;
}

/// Writes the quantized contraction `op` (see QuantizationToLinalg.cpp:
/// loops m, panel, column | group, row of bytes, value in byte; inputs x,
/// packed bytes, scales and maybe zero points) as vector loops on tensors.
LogicalResult vectorizeQuantizedMatmul(RewriterBase &rewriter,
                                       linalg::GenericOp op,
                                       int64_t vectorBits) {
  auto attrs = op->getAttrOfType<DictionaryAttr>("pith.quantized_matmul");
  auto bitsAttr = attrs ? attrs.getAs<IntegerAttr>("bits") : IntegerAttr();
  auto unsignedAttr = attrs ? attrs.getAs<BoolAttr>("unsigned") : BoolAttr();
  if (!bitsAttr || !unsignedAttr || !op.hasPureTensorSemantics() ||
      op.getNumDpsInits() != 1 || op.getNumDpsInputs() < 3)
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() != 6 || llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  // The operands and maps pith-lower-to-linalg made, and no others (a
  // transform that fused into the op would have changed them).
  MLIRContext *context = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    return AffineMap::get(6, 0, exprs, context);
  };
  SmallVector<AffineMap> expected = {map({d(0), d(3), d(4), d(5)}),
                                     map({d(1), d(3), d(4), d(2)}),
                                     map({d(1), d(3), d(2)})};
  SmallVector<Type> elements = {rewriter.getF32Type(), rewriter.getI8Type(),
                                rewriter.getF32Type()};
  if (op.getNumDpsInputs() == 4) {
    expected.push_back(map({d(1), d(3), d(2)}));
    elements.push_back(rewriter.getI8Type());
  }
  expected.push_back(map({d(0), d(1), d(2)}));
  elements.push_back(rewriter.getF32Type());
  if (op.getIndexingMapsArray() != ArrayRef<AffineMap>(expected) ||
      llvm::any_of(llvm::zip(op->getOperandTypes(), elements), [](auto pair) {
        return getElementTypeOrSelf(std::get<0>(pair)) != std::get<1>(pair);
      }))
    return failure();
  int64_t bits = bitsAttr.getInt();
  bool isUnsigned = unsignedAttr.getValue();
  int64_t rows = ranges[0], panels = ranges[1], width = ranges[2],
          groups = ranges[3], bytesPerGroup = ranges[4], perByte = ranges[5];
  if (bits * perByte != 8)
    return failure();

  // Rows per tile: their accumulators and group sums, two operands and a
  // temporary fit the vector registers (16 with AVX2, 32 with AVX-512).
  int64_t lanes = std::max<int64_t>(1, vectorBits / 32);
  int64_t vectorsPerRow = 2 * std::max<int64_t>(1, width / lanes);
  int64_t registers = vectorBits >= 512 ? 24 : 12;
  int64_t rowTile = pickDivisor(rows, {8, 6, 4, 3, 2}, [&](int64_t t) {
    return t * vectorsPerRow <= registers;
  });
  // Each FMA waits for the last into its accumulator (4 cycles): rows of
  // bytes are unrolled until 4 chains run side by side, each value of a
  // byte and each unrolled row into an accumulator of its own.
  int64_t unroll = pickDivisor(bytesPerGroup, {4, 2}, [&](int64_t u) {
    return rowTile * perByte * u <= 4;
  });
  int64_t chains = perByte * unroll;

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getDpsInputs()[0], values = op.getDpsInputs()[1],
        scales = op.getDpsInputs()[2];
  Value zeroPoints = op.getNumDpsInputs() > 3 ? op.getDpsInputs()[3] : Value();
  Value output = op.getDpsInits()[0];
  Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type(),
       i32 = rewriter.getI32Type();
  auto floats = VectorType::get({width}, f32);
  auto bytes = VectorType::get({width}, i8);
  auto words = VectorType::get({width}, i32);
  auto index = [&](OpBuilder &b, int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, loc, value);
  };
  auto read = [&](OpBuilder &b, VectorType type, Value source,
                  ValueRange indices) -> Value {
    Value padding = arith::ConstantOp::create(
        b, loc, type.getElementType(), b.getZeroAttr(type.getElementType()));
    return vector::TransferReadOp::create(b, loc, type, source, indices,
                                          padding, ArrayRef<bool>{true});
  };
  auto splat = [&](OpBuilder &b, int64_t value) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(words, b.getI32IntegerAttr(value)));
  };

  Value zero = index(rewriter, 0), one = index(rewriter, 1);
  auto panelLoop = scf::ForOp::create(
      rewriter, loc, zero, index(rewriter, panels), one, ValueRange{output},
      [&](OpBuilder &b, Location, Value panel, ValueRange panelArgs) {
        auto rowLoop = scf::ForOp::create(
            b, loc, zero, index(b, rows), index(b, rowTile),
            ValueRange{panelArgs[0]},
            [&](OpBuilder &b, Location, Value row0, ValueRange rowArgs) {
              SmallVector<Value> rowIndices, accumulators;
              for (int64_t r = 0; r < rowTile; ++r) {
                rowIndices.push_back(
                    r == 0 ? row0
                           : arith::AddIOp::create(b, loc, row0, index(b, r))
                                 .getResult());
                accumulators.push_back(
                    read(b, floats, rowArgs[0], {rowIndices[r], panel, zero}));
              }
              auto groupLoop = scf::ForOp::create(
                  b, loc, zero, index(b, groups), one, accumulators,
                  [&](OpBuilder &b, Location, Value group,
                      ValueRange groupAccs) {
                    // Per row: the group's sums of x times the stored
                    // integers, in `chains` independent accumulators, and
                    // the sum of x.
                    SmallVector<Value> init;
                    for (int64_t i = 0; i < rowTile * chains; ++i)
                      init.push_back(arith::ConstantOp::create(
                          b, loc, floats, b.getZeroAttr(floats)));
                    for (int64_t r = 0; r < rowTile; ++r)
                      init.push_back(arith::ConstantOp::create(
                          b, loc, f32, b.getZeroAttr(f32)));
                    auto byteLoop = scf::ForOp::create(
                        b, loc, zero, index(b, bytesPerGroup), index(b, unroll),
                        init,
                        [&](OpBuilder &b, Location, Value byteRow0,
                            ValueRange sums) {
                          SmallVector<Value> next(sums.begin(), sums.end());
                          for (int64_t u = 0; u < unroll; ++u) {
                            Value byteRow =
                                u == 0 ? byteRow0
                                       : arith::AddIOp::create(b, loc, byteRow0,
                                                               index(b, u))
                                             .getResult();
                            Value raw = read(b, bytes, values,
                                             {panel, group, byteRow, zero});
                            bool signExtend = perByte == 1 && !isUnsigned;
                            Value wide =
                                signExtend
                                    ? arith::ExtSIOp::create(b, loc, words, raw)
                                          .getResult()
                                    : arith::ExtUIOp::create(b, loc, words, raw)
                                          .getResult();
                            for (int64_t sub = 0; sub < perByte; ++sub) {
                              // The value's field, shifted down and masked
                              // (the top field needs no mask).
                              Value field = wide;
                              if (sub > 0)
                                field = arith::ShRUIOp::create(
                                    b, loc, field, splat(b, bits * sub));
                              if (perByte > 1 && sub + 1 < perByte)
                                field = arith::AndIOp::create(
                                    b, loc, field, splat(b, (1 << bits) - 1));
                              // Exact: |field| < 256.
                              Value w = arith::SIToFPOp::create(b, loc, floats,
                                                                field);
                              int64_t chain = u * perByte + sub;
                              for (int64_t r = 0; r < rowTile; ++r) {
                                Value xValue = tensor::ExtractOp::create(
                                    b, loc, x,
                                    ValueRange{rowIndices[r], group, byteRow,
                                               index(b, sub)});
                                Value broadcast = vector::BroadcastOp::create(
                                    b, loc, floats, xValue);
                                Value &sum = next[r * chains + chain];
                                sum = vector::FMAOp::create(b, loc, broadcast,
                                                            w, sum);
                                Value &xSum = next[rowTile * chains + r];
                                xSum =
                                    arith::AddFOp::create(b, loc, xSum, xValue);
                              }
                            }
                          }
                          scf::YieldOp::create(b, loc, next);
                        });
                    // sum(x (u - center)) * scale, with center the offset
                    // of sub-byte signed values plus the zero point.
                    Value center;
                    if (perByte > 1 && !isUnsigned)
                      center = arith::ConstantOp::create(
                          b, loc,
                          DenseElementsAttr::get(
                              floats, b.getF32FloatAttr(1 << (bits - 1))));
                    if (zeroPoints) {
                      Value raw =
                          read(b, bytes, zeroPoints, {panel, group, zero});
                      Value zeroPoint = arith::SIToFPOp::create(
                          b, loc, floats,
                          isUnsigned
                              ? arith::ExtUIOp::create(b, loc, words, raw)
                                    .getResult()
                              : arith::ExtSIOp::create(b, loc, words, raw)
                                    .getResult());
                      center = center ? arith::AddFOp::create(b, loc, center,
                                                              zeroPoint)
                                            .getResult()
                                      : zeroPoint;
                    }
                    Value scale = read(b, floats, scales, {panel, group, zero});
                    SmallVector<Value> accs(groupAccs.begin(), groupAccs.end());
                    for (int64_t r = 0; r < rowTile; ++r) {
                      Value sum = byteLoop.getResult(r * chains);
                      for (int64_t c = 1; c < chains; ++c)
                        sum = arith::AddFOp::create(
                            b, loc, sum, byteLoop.getResult(r * chains + c));
                      if (center) {
                        Value xSum = vector::BroadcastOp::create(
                            b, loc, floats,
                            byteLoop.getResult(rowTile * chains + r));
                        sum = arith::SubFOp::create(
                            b, loc, sum,
                            arith::MulFOp::create(b, loc, center, xSum));
                      }
                      accs[r] =
                          vector::FMAOp::create(b, loc, sum, scale, accs[r]);
                    }
                    scf::YieldOp::create(b, loc, accs);
                  });
              Value tile = rowArgs[0];
              for (int64_t r = 0; r < rowTile; ++r)
                tile = vector::TransferWriteOp::create(
                           b, loc, groupLoop.getResult(r), tile,
                           ValueRange{rowIndices[r], panel, zero},
                           ArrayRef<bool>{true})
                           .getResult();
              scf::YieldOp::create(b, loc, tile);
            });
        scf::YieldOp::create(b, loc, rowLoop.getResults());
      });
  rewriter.replaceOp(op, panelLoop.getResults());
  return success();
}

struct VectorizeContractionsPass
    : mlir::pith::impl::VectorizeContractionsPassBase<
          VectorizeContractionsPass> {
  using VectorizeContractionsPassBase::VectorizeContractionsPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> contractions;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && linalg::isaContractionOpInterface(op))
        contractions.push_back(op);
    });

    IRRewriter rewriter(context);
    SmallVector<linalg::GenericOp> quantized;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr("pith.quantized_matmul"))
        quantized.push_back(op);
    });
    for (linalg::GenericOp op : quantized)
      (void)vectorizeQuantizedMatmul(rewriter, op, vectorBits);

    for (linalg::LinalgOp op : contractions) {
      FailureOr<TilePlan> plan = planTiles(op, vectorBits);
      if (failed(plan))
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, plan->tileSizes));
      options.setInterchange(plan->interchange);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      Operation *tile = tiled->tiledOps.back();
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }

    // The vectorized multiply and reduction become vector.contract, its
    // operands plain reads of A [mR, kR] and B [kR, nR] once broadcasts in
    // the reads' permutation maps move into the contraction's maps.
    RewritePatternSet patterns(context);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorToVectorCanonicalizationPatterns(patterns);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == "vector")
        name.getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
