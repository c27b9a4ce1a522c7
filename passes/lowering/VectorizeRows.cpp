//===- VectorizeRows.cpp - pith-vectorize-rows ----------------------------===//
//
// Part of pith. Linalg ops other than contractions (elementwise chains,
// reductions such as softmax's and layer norm's, broadcasts, fills) are
// tiled to rows of their innermost loop and vectorized: each row becomes a
// few vector loads, vector arithmetic and a store, or a vector reduction
// (a convolution's windows, read at ow + kw, are rows too).
// Transposes that move the innermost dimension go by 16x16 blocks
// transposed in registers, dimensions that stay together taken as one.
// LLVM's loop vectorizer could do the elementwise part only where it can
// prove buffers apart and never reorders a float reduction; here the
// vectors are explicit.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"
#include "passes/lowering/VectorShuffles.h"

#include <numeric>

namespace mlir::pith {
#define GEN_PASS_DEF_VECTORIZEROWSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// How far `map`'s last result moves per step of loop `inner`, where it
/// is `step * inner` plus other loops' (a window's position, ow * stride
/// + kw); 0 otherwise.
int64_t stepAlong(AffineMap map, unsigned inner) {
  if (map.getNumResults() == 0)
    return 0;
  AffineExpr last = map.getResults().back();
  AffineExpr innerDim = getAffineDimExpr(inner, map.getContext());
  for (int64_t step = 1; step <= 4; ++step)
    if (!simplifyAffineExpr(last - innerDim * step, map.getNumDims(), 0)
             .isFunctionOfDim(inner))
      return step;
  return 0;
}

/// Whether `op` copies its one input, strided along the innermost loop,
/// into its output (a strided convolution's windows): vectorized by
/// `writeStridedCopy`.
bool isStridedCopy(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues().front() != body.getArgument(0))
    return false;
  unsigned inner = generic.getNumLoops() - 1;
  AffineMap output =
      generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
  return output.isIdentity() && stepAlong(generic.getMatchingIndexingMap(
                                              generic.getDpsInputOperand(0)),
                                          inner) > 1;
}

/// The row length to vectorize `op`'s innermost loop with, or failure if
/// some operand is not contiguous along it (transposes stay scalar; a
/// strided copy's input is taken, for `writeStridedCopy`), has
/// elements narrower than a byte (vectors of i1 or i4 are packed bits in
/// LLVM, buffers hold a byte per element), or the op gathers
/// (tensor.extract in its body).
FailureOr<int64_t> rowLength(linalg::LinalgOp op, int64_t lanes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || llvm::any_of(ranges, [](int64_t r) { return r <= 0; }))
    return failure();
  for (Value operand : op->getOperands()) {
    Type element = getElementTypeOrSelf(operand.getType());
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
      return failure();
  }
  bool gathers = false;
  op->walk([&](tensor::ExtractOp) { gathers = true; });
  if (gathers)
    return failure();
  unsigned inner = ranges.size() - 1;
  AffineExpr innerDim = getAffineDimExpr(inner, op.getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isFunctionOfDim(inner))
      continue;
    // An input may be read at the inner index plus other loops' (a
    // convolution's windows, ow + kw): contiguous along the row all the
    // same, and the other loops are 1 wide in a row's tile; or strided
    // (ow * 2 + kw), a span picked apart in registers (writeStridedCopy).
    bool contiguous =
        (map.getNumResults() && map.getResults().back() == innerDim) ||
        (op.isDpsInput(&operand) && stepAlong(map, inner) >= 1);
    if (!contiguous ||
        llvm::any_of(map.getResults().drop_back(), [&](AffineExpr result) {
          return result.isFunctionOfDim(inner);
        }))
      return failure();
  }
  // A reduction along the row takes it whole, up to 16 vectors, so that it
  // needs no partial results. Other rows take a power of two of vectors
  // that divides the loop where one does, or whole if shorter than a
  // vector (splitAtVectors leaves such rests), or half or a quarter of
  // one: LLVM widens a row of 56 or 48 elements to 64 and moves its parts
  // lane by lane (a depthwise 3x3 convolution at 56x56 ran 1.9x slower so).
  int64_t extent = ranges[inner];
  bool reducesAlong = op.getIteratorTypesArray()[inner] ==
                      utils::IteratorType::reduction;
  if (reducesAlong && extent <= 16 * lanes)
    return extent;
  for (int64_t candidate : {16 * lanes, 8 * lanes, 4 * lanes, 2 * lanes, lanes})
    if (extent % candidate == 0)
      return candidate;
  // A row shorter than a vector (what splitAtVectors leaves) is one.
  if (extent < lanes)
    return extent;
  for (int64_t candidate : {lanes / 2, lanes / 4})
    if (candidate > 1 && extent % candidate == 0)
      return candidate;
  if (extent <= 16 * lanes)
    return extent;
  return failure();
}

/// A row of parallel positions longer than a vector but not a multiple of
/// one (a 28x28 image's 28) split into its whole vectors and the rest, two
/// ops whose rows then divide evenly (16 and 12) rather than both taking
/// pieces of a quarter of a vector (a 3x3 depthwise convolution of 192
/// channels at 28x28: 218 -> 158 us, ONNX Runtime 119; of 96 channels and
/// stride 2 at 112x112, its output rows of 56 as 48 and 8: 806 -> 602 us
/// in one run).
FailureOr<std::pair<TilingInterface, TilingInterface>>
splitAtVectors(RewriterBase &rewriter, linalg::LinalgOp op, int64_t lanes) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned inner = ranges.size() - 1;
  if (ranges.empty() || ShapedType::isDynamic(ranges[inner]) ||
      ranges[inner] <= lanes || ranges[inner] % lanes == 0 ||
      op.getIteratorTypesArray()[inner] != utils::IteratorType::parallel ||
      !isa<linalg::GenericOp>(op.getOperation()))
    return failure();
  rewriter.setInsertionPoint(op);
  auto [whole, rest] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), inner,
                      rewriter.getIndexAttr(ranges[inner] / lanes * lanes));
  if (!whole || !rest)
    return failure();
  return std::make_pair(whole, rest);
}

/// The loops of `op`'s row tiles: a row of parallel positions steps
/// outside the reductions before it (a depthwise convolution's loops n, c,
/// oh, kh, kw, ow go n, c, oh, ow, kh, kw), so that the output's row is
/// read and written once and held in registers while every tap multiplies
/// into it, not once a tap (32 channels at 112x112: 256 -> 214 us; 144 at
/// 56x56: 364 -> 322; 96 of stride 2 at 112x112, 545 -> 522). Empty: the
/// op's own order.
SmallVector<int64_t> rowOutsideReductions(linalg::LinalgOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t inner = iterators.size() - 1;
  SmallVector<int64_t> order;
  if (iterators[inner] != utils::IteratorType::parallel)
    return order;
  for (int64_t loop = 0; loop < inner; ++loop)
    if (iterators[loop] == utils::IteratorType::parallel)
      order.push_back(loop);
  order.push_back(inner);
  for (int64_t loop = 0; loop < inner; ++loop)
    if (iterators[loop] != utils::IteratorType::parallel)
      order.push_back(loop);
  return order;
}

/// A row's tile of a generic has every loop but the innermost 1 wide:
/// those loops read as 0 in the maps of its inputs read at the inner index
/// plus others' (ow + kw), which become plain reads the vectorizer takes.
void dropUnitLoopsFromMaps(Operation *tile) {
  auto generic = dyn_cast<linalg::GenericOp>(tile);
  if (!generic)
    return;
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  MLIRContext *context = generic.getContext();
  SmallVector<AffineExpr> replacements;
  for (auto [loop, range] : llvm::enumerate(ranges))
    replacements.push_back(range == 1 ? getAffineConstantExpr(0, context)
                                      : getAffineDimExpr(loop, context));
  AffineExpr innerDim = getAffineDimExpr(ranges.size() - 1, context);
  SmallVector<Attribute> maps;
  for (OpOperand &operand : generic->getOpOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(&operand);
    if (generic.isDpsInput(&operand) && map.getNumResults() &&
        map.getResults().back() != innerDim &&
        map.getResults().back().isFunctionOfDim(ranges.size() - 1))
      map = simplifyAffineMap(map.replaceDimsAndSymbols(
          replacements, {}, map.getNumDims(), map.getNumSymbols()));
    maps.push_back(AffineMapAttr::get(map));
  }
  generic.setIndexingMapsAttr(ArrayAttr::get(context, maps));
}

/// A row's tile of a strided copy (`isStridedCopy`, its unit loops
/// dropped from the input's map): the row's span of the input read at
/// once (masked past its end) and every step-th element picked by a
/// shuffle, then written.
LogicalResult writeStridedCopy(RewriterBase &rewriter, linalg::GenericOp tile) {
  unsigned inner = tile.getNumLoops() - 1;
  int64_t step =
      stepAlong(tile.getMatchingIndexingMap(tile.getDpsInputOperand(0)), inner);
  int64_t row = tile.getStaticLoopRanges()[inner];
  Value input = tile.getDpsInputs()[0], output = tile.getDpsInits()[0];
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  auto outputType = dyn_cast<RankedTensorType>(output.getType());
  if (!inputType || !outputType || step <= 1)
    return failure();
  // The row starts where the input's map puts index 0: for an input read
  // at 2 i + 1 (every other value from the second), one past the slice's
  // first element.
  AffineMap inputMap = tile.getMatchingIndexingMap(tile.getDpsInputOperand(0));
  AffineMap atZero = simplifyAffineMap(inputMap.replaceDimsAndSymbols(
      SmallVector<AffineExpr>(inputMap.getNumDims(),
                              rewriter.getAffineConstantExpr(0)),
      {}, 0, 0));
  if (!atZero.isConstant())
    return failure();
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  SmallVector<Value> start;
  for (int64_t index : atZero.getConstantResults())
    start.push_back(arith::ConstantIndexOp::create(rewriter, loc, index));
  Type element = inputType.getElementType();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value padding = arith::ConstantOp::create(rewriter, loc, element,
                                            rewriter.getZeroAttr(element));
  Value span = vector::TransferReadOp::create(
      rewriter, loc, VectorType::get({row * step}, element), input, start,
      padding, ArrayRef<bool>{false});
  SmallVector<int64_t> picked;
  for (int64_t i = 0; i < row; ++i)
    picked.push_back(i * step);
  Value values = vector::ShuffleOp::create(rewriter, loc, span, span, picked);
  Value written =
      vector::TransferWriteOp::create(
          rewriter, loc, values, output,
          SmallVector<Value>(outputType.getRank(), zero), ArrayRef<bool>{true})
          .getResult();
  rewriter.replaceOp(tile, written);
  return success();
}

/// Each input of a row's tile read at a stride along the row (a strided
/// depthwise convolution's input, 2 ow + kw) becomes a row of its own,
/// picked from the input's span by writeStridedCopy, which the tile reads
/// contiguously: once vectorized, the row never leaves registers. Failure:
/// no input was copied.
LogicalResult copyStridedInputs(RewriterBase &rewriter,
                                linalg::GenericOp tile) {
  unsigned inner = tile.getNumLoops() - 1;
  int64_t row = tile.getStaticLoopRanges()[inner];
  MLIRContext *context = tile.getContext();
  SmallVector<AffineMap> maps = tile.getIndexingMapsArray();
  bool copied = false;
  for (OpOperand *input : tile.getDpsInputOperands()) {
    AffineMap map = maps[input->getOperandNumber()];
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type || stepAlong(map, inner) <= 1)
      continue;
    SmallVector<AffineExpr> alongRow(map.getNumDims(),
                                     getAffineConstantExpr(0, context));
    alongRow[inner] = getAffineDimExpr(0, context);
    auto rowType = RankedTensorType::get({row}, type.getElementType());
    Location loc = tile.getLoc();
    rewriter.setInsertionPoint(tile);
    auto copy = linalg::GenericOp::create(
        rewriter, loc, rowType, input->get(),
        tensor::EmptyOp::create(rewriter, loc, rowType.getShape(),
                                rowType.getElementType())
            .getResult(),
        SmallVector<AffineMap>{
            simplifyAffineMap(map.replaceDimsAndSymbols(alongRow, {}, 1, 0)),
            rewriter.getMultiDimIdentityMap(1)},
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    // The tile reads the copy's row (then what it is rewritten to).
    Value original = input->get();
    rewriter.modifyOpInPlace(tile, [&] { input->set(copy.getResult(0)); });
    if (failed(writeStridedCopy(rewriter, copy))) {
      rewriter.modifyOpInPlace(tile, [&] { input->set(original); });
      rewriter.eraseOp(copy);
      continue;
    }
    maps[input->getOperandNumber()] =
        AffineMap::get(tile.getNumLoops(), 0, getAffineDimExpr(inner, context));
    copied = true;
  }
  if (!copied)
    return failure();
  rewriter.modifyOpInPlace(tile, [&] {
    tile.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  return success();
}

/// A read of a single element into a vector (a row's max, sum or mean
/// broadcast along the row) becomes a one-element read and a
/// vector.broadcast; upstream's lowering would otherwise fill the vector
/// one lane at a time.
struct ReadElementThenBroadcast : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<ShapedType>(read.getBase().getType());
    VectorType type = read.getVectorType();
    if (!source || read.getMask() || type.getRank() != source.getRank() ||
        !source.hasStaticShape() || source.getNumElements() != 1 ||
        type.getNumElements() == 1 || type.isScalable())
      return failure();
    auto unitType = VectorType::get(SmallVector<int64_t>(type.getRank(), 1),
                                    type.getElementType());
    Value element = vector::TransferReadOp::create(
        rewriter, read.getLoc(), unitType, read.getBase(), read.getIndices(),
        read.getPadding(), SmallVector<bool>(type.getRank(), true));
    rewriter.replaceOpWithNewOp<vector::BroadcastOp>(read, type, element);
    return success();
  }
};

/// The dimensions of a transpose by `permutation` that stay together
/// (runs of output dimensions that read consecutive input dimensions), as
/// reassociations of the output and the input, and the permutation of
/// the runs: [1, 56, 56, 256] to [1, 256, 56, 56] is [1, 3136, 256] to
/// [1, 256, 3136].
struct DimensionRuns {
  SmallVector<ReassociationIndices> output, input;
  SmallVector<int64_t> permutation;
};
DimensionRuns runsOf(ArrayRef<int64_t> permutation) {
  DimensionRuns runs;
  for (auto [dim, source] : llvm::enumerate(permutation)) {
    if (dim == 0 || source != permutation[dim - 1] + 1)
      runs.output.emplace_back();
    runs.output.back().push_back(static_cast<int64_t>(dim));
  }
  // The input's runs are the same, in input order.
  SmallVector<int64_t> order(runs.output.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](int64_t a, int64_t b) {
    return permutation[runs.output[a].front()] <
           permutation[runs.output[b].front()];
  });
  runs.permutation.resize(order.size());
  for (auto [position, run] : llvm::enumerate(order)) {
    ReassociationIndices dims;
    for (int64_t dim : runs.output[run])
      dims.push_back(permutation[dim]);
    runs.input.push_back(dims);
    runs.permutation[run] = static_cast<int64_t>(position);
  }
  return runs;
}

/// A transpose of 32-bit elements that moves the innermost dimension, once
/// the dimensions that stay together are one (runsOf): loops over 16x16
/// blocks of the two it swaps (and every element of the other
/// dimensions), each block read as 16 vectors along the input's innermost
/// dimension, transposed in registers by shuffles and written as 16
/// vectors along the output's. Where an extent is not a multiple of 16 (a
/// 14x14 image's 196 positions), its last block is partial: vectors along
/// it are masked, and rows past it read or write the last row instead
/// (writes in decreasing order, so that the last row's true values land
/// last). Fails (leaving it to scalar loops) for anything else, and where
/// either swapped extent is under 16.
LogicalResult writeBlockTranspose(RewriterBase &rewriter,
                                  linalg::TransposeOp op) {
  constexpr int64_t kBlock = 16;
  auto originalType = dyn_cast<RankedTensorType>(op.getInit().getType());
  if (!op.hasPureTensorSemantics() || !originalType ||
      !originalType.hasStaticShape() ||
      !originalType.getElementType().isIntOrFloat() ||
      originalType.getElementTypeBitWidth() != 32)
    return failure();
  DimensionRuns runs = runsOf(op.getPermutation());
  ArrayRef<int64_t> permutation = runs.permutation;
  SmallVector<int64_t> shape;
  for (const ReassociationIndices &run : runs.output) {
    shape.push_back(1);
    for (int64_t dim : run)
      shape.back() *= originalType.getDimSize(dim);
  }
  auto resultType = originalType.clone(shape);
  int64_t last = resultType.getRank() - 1;
  // The output's innermost dimension reads the input's `across`; the
  // input's innermost is the output's `along`.
  int64_t across = permutation[last];
  int64_t along = llvm::find(permutation, last) - permutation.begin();
  int64_t alongExtent = resultType.getDimSize(along);
  int64_t lastExtent = resultType.getDimSize(last);
  // Extents under a block stay scalar: a block's 64 shuffles would move
  // fewer than 256 values.
  if (across == last || alongExtent < kBlock || lastExtent < kBlock)
    return failure();
  bool alongPartial = alongExtent % kBlock != 0;
  bool lastPartial = lastExtent % kBlock != 0;

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value input = op.getInput(), init = op.getInit();
  if (resultType != originalType) {
    input = tensor::CollapseShapeOp::create(rewriter, loc, input, runs.input);
    init = tensor::CollapseShapeOp::create(rewriter, loc, init, runs.output);
  }
  SmallVector<Value> lower, upper, steps;
  for (int64_t dim = 0; dim <= last; ++dim) {
    lower.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
    upper.push_back(arith::ConstantIndexOp::create(
        rewriter, loc, resultType.getDimSize(dim)));
    steps.push_back(arith::ConstantIndexOp::create(
        rewriter, loc, dim == along || dim == last ? kBlock : 1));
  }
  auto vectorType = VectorType::get({kBlock}, resultType.getElementType());
  Value padding = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(resultType.getElementType()));
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lower, upper, steps, ValueRange{init},
      [&](OpBuilder &b, Location loc, ValueRange at,
          ValueRange args) -> scf::ValueVector {
        // at + offset, kept to the last row of a partial extent.
        auto plus = [&](Value base, int64_t offset, int64_t extent,
                        bool partial) -> Value {
          Value row = arith::AddIOp::create(
              b, loc, base, arith::ConstantIndexOp::create(b, loc, offset));
          if (!partial)
            return row;
          return arith::MinSIOp::create(
              b, loc, row, arith::ConstantIndexOp::create(b, loc, extent - 1));
        };
        // Input vector t: output elements (along + s, last + t), s the lane.
        SmallVector<Value> rows;
        for (int64_t t = 0; t < kBlock; ++t) {
          SmallVector<Value> indices(last + 1);
          for (int64_t dim = 0; dim <= last; ++dim)
            indices[permutation[dim]] =
                dim == last ? plus(at[dim], t, lastExtent, lastPartial)
                            : at[dim];
          rows.push_back(vector::TransferReadOp::create(
              b, loc, vectorType, input, indices, padding,
              ArrayRef<bool>{!alongPartial}));
        }
        SmallVector<Value> columns = pith::lowering::transposeSquare(b, loc,
                                                                     rows);
        Value result = args[0];
        for (int64_t s = kBlock - 1; s >= 0; --s) {
          SmallVector<Value> indices(at.begin(), at.end());
          indices[along] = plus(at[along], s, alongExtent, alongPartial);
          result = vector::TransferWriteOp::create(b, loc, columns[s], result,
                                                   indices,
                                                   ArrayRef<bool>{!lastPartial})
                       .getResult();
        }
        return {result};
      });
  Value result = nest.results.front();
  if (resultType != originalType)
    result = tensor::ExpandShapeOp::create(rewriter, loc, originalType, result,
                                           runs.output);
  rewriter.replaceOp(op, result);
  return success();
}

struct VectorizeRowsPass
    : mlir::pith::impl::VectorizeRowsPassBase<VectorizeRowsPass> {
  using VectorizeRowsPassBase::VectorizeRowsPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !linalg::isaContractionOpInterface(op))
        ops.push_back(op);
    });

    // Taken from the back, in the order they come.
    std::reverse(ops.begin(), ops.end());
    IRRewriter rewriter(context);
    while (!ops.empty()) {
      linalg::LinalgOp op = ops.pop_back_val();
      if (auto transpose = dyn_cast<linalg::TransposeOp>(op.getOperation());
          transpose && succeeded(writeBlockTranspose(rewriter, transpose)))
        continue;
      unsigned bits = 32;
      if (auto type = dyn_cast<ShapedType>(op->getResult(0).getType()))
        if (type.getElementType().isIntOrFloat())
          bits = std::max(8u, type.getElementTypeBitWidth());
      FailureOr<int64_t> row = rowLength(op, vectorBits / bits);
      if (failed(row))
        continue;
      if (auto parts = splitAtVectors(rewriter, op, vectorBits / bits);
          succeeded(parts)) {
        ops.push_back(cast<linalg::LinalgOp>(parts->second.getOperation()));
        ops.push_back(cast<linalg::LinalgOp>(parts->first.getOperation()));
        continue;
      }
      SmallVector<int64_t> tileSizes(op.getNumLoops(), 1);
      tileSizes.back() = *row;
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(context, tileSizes));
      options.setInterchange(rowOutsideReductions(op));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      Operation *tile = tiled->tiledOps.back();
      dropUnitLoopsFromMaps(tile);
      if (auto generic = dyn_cast<linalg::GenericOp>(tile)) {
        if (isStridedCopy(generic)) {
          if (succeeded(writeStridedCopy(rewriter, generic)))
            continue;
        } else {
          (void)copyStridedInputs(rewriter, generic);
        }
      }
      rewriter.setInsertionPoint(tile);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, tile);
      if (succeeded(vectorized))
        rewriter.replaceOp(tile, vectorized->replacements);
    }

    // Reads that broadcast (a row's max or sum, a bias) become a read of
    // the value and a vector.broadcast, not an element-by-element gather.
    RewritePatternSet patterns(context);
    patterns.add<ReadElementThenBroadcast>(context);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == "vector")
        name.getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
