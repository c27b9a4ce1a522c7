//===- Parallelize.cpp - pith-parallelize ---------------------------------===//
//
// Part of pith. Each linalg op with enough work is split into chunks along
// one parallel loop, as an scf.forall over the chunks; the CPU pipeline
// turns the forall into an OpenMP worksharing loop, so the chunks run on
// the threads of libomp's team. Chunks are whole divisors of the loop, so
// every chunk keeps the static shape the vectorizers tile. The loop split
// is an outer one (a batch, a row block), never the innermost loop the
// vectorizers run along, unless that loop splits into whole vector blocks.
// Each chunk fills its own part of an output that starts from a fill. A
// contraction's epilogue (an elementwise op on its result, see
// epilogueOf) is split with it: each chunk multiplies and applies the
// epilogue to its own part of the output.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "passes/Passes.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith {
#define GEN_PASS_DEF_PARALLELIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Elements of the innermost loop that a chunk of it must hold: two
/// vectors of the widest registers, the most a contraction tile spans.
constexpr int64_t kInnermostChunkElements = 32;
/// Rows of a contraction's M loop that a chunk must hold: the register
/// tile's, so that each B tile loaded serves as many rows as without
/// chunks.
constexpr int64_t kRowChunk = 8;

/// Loop iterations times the operations each does.
int64_t workOf(linalg::LinalgOp op, ArrayRef<int64_t> ranges) {
  int64_t iterations = llvm::product_of(ranges);
  int64_t perIteration = std::max<int64_t>(
      1, std::distance(op.getBlock()->begin(), op.getBlock()->end()) - 1);
  return iterations * perIteration;
}

/// A loop to split and the multiple its chunks must be of.
struct Candidate {
  unsigned loop;
  int64_t multiple;
};

/// Whether the inputs indexed by the loops `first` (and not `second`) hold
/// more elements than those indexed by `second` (and not `first`).
bool largerOperandIndexes(linalg::LinalgOp op, ArrayRef<unsigned> first,
                          ArrayRef<unsigned> second) {
  int64_t firstElements = 0, secondElements = 0;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    auto uses = [&](ArrayRef<unsigned> loops) {
      return llvm::any_of(
          loops, [&](unsigned loop) { return map.isFunctionOfDim(loop); });
    };
    auto type = dyn_cast<ShapedType>(input->get().getType());
    if (!type || !type.hasStaticShape())
      continue;
    if (uses(first) && !uses(second))
      firstElements += type.getNumElements();
    else if (uses(second) && !uses(first))
      secondElements += type.getNumElements();
  }
  return firstElements > secondElements;
}

/// The parallel loops to try, outermost first: for a contraction (or a
/// packed one) its batch, M and N loops; otherwise every parallel loop
/// in loop order. The loop the vectorizers run along (a contraction's last
/// N loop, another op's last loop) splits only into whole vector blocks.
SmallVector<Candidate> candidateLoops(linalg::LinalgOp op) {
  // An indexed contraction (m, panel, feature | chunk, slot) splits by
  // panels: each chunk multiplies all the rows, by its own features'
  // nonzeros, and streams x transposed in order.
  if (op->hasAttr(pith::kIndexedMatmulAttr))
    return {{1, 1}};
  SmallVector<Candidate> candidates;
  if (linalg::isaContractionOpInterface(op) || pith::isPackedMatmul(op)) {
    // A packed contraction's x, packed weight and output are a
    // contraction's operands (scales and positions ride along with the
    // weight).
    FailureOr<linalg::ContractionDimensions> dims =
        pith::isPackedMatmul(op)
            ? linalg::inferContractionDims(ArrayRef<AffineMap>{
                  op.getMatchingIndexingMap(op.getDpsInputOperand(0)),
                  op.getMatchingIndexingMap(op.getDpsInputOperand(1)),
                  op.getMatchingIndexingMap(op.getDpsInitOperand(0))})
            : linalg::inferContractionDims(op);
    if (succeeded(dims)) {
      for (unsigned loop : dims->batch)
        candidates.push_back({loop, 1});
      SmallVector<Candidate> rows, columns;
      for (unsigned loop : dims->m)
        rows.push_back({loop, kRowChunk});
      // Only the output's innermost loop is split into whole vector blocks
      // (a bitmap-sparse contraction's N loop is its panels).
      AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
      for (unsigned loop : dims->n)
        columns.push_back(
            {loop, output.getResults().back() ==
                           getAffineDimExpr(loop, op.getContext())
                       ? kInnermostChunkElements
                       : 1});
      // Each chunk reads all of the operand its loop does not index: split
      // the loop of the larger operand (the weight, mostly), so that it is
      // read once in all rather than once a chunk.
      if (largerOperandIndexes(op, dims->n, dims->m))
        std::swap(rows, columns);
      llvm::append_range(candidates, rows);
      llvm::append_range(candidates, columns);
      return candidates;
    }
  }
  unsigned innermost = op.getNumLoops() - 1;
  for (auto [index, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::parallel)
      candidates.push_back({static_cast<unsigned>(index),
                            index == innermost ? kInnermostChunkElements : 1});
  return candidates;
}

struct ParallelizePass
    : mlir::pith::impl::ParallelizePassBase<ParallelizePass> {
  using ParallelizePassBase::ParallelizePassBase;

  /// The smallest chunk of a loop of `extent` iterations that divides it
  /// into between 2 and `chunks` chunks, is a multiple of `multiple` and
  /// holds at least a `minWork / chunks` share of `work`; 0 if none does.
  int64_t chunkSize(int64_t extent, int64_t multiple, int64_t work) const {
    int64_t share = std::max<int64_t>(1, minWork / chunks);
    int64_t mostChunks = std::min<int64_t>(chunks, work / share);
    for (int64_t size = multiple; size <= extent / 2; size += multiple)
      if (extent % size == 0 && extent / size <= mostChunks)
        return size;
    return 0;
  }

  /// `op` split into chunks of `tileSizes` (over its loops), each chunk
  /// filling its own part of the output where the output starts from a
  /// fill: filled whole before the loop, the output would be read back
  /// from memory.
  void split(RewriterBase &rewriter, linalg::LinalgOp op,
             ArrayRef<int64_t> tileSizes) const {
    auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    scf::SCFTilingOptions options;
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    options.setTileSizes(getAsIndexOpFoldResult(op.getContext(), tileSizes));
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return;
    rewriter.replaceOp(op, tiled->replacements);
    auto forall = dyn_cast<scf::ForallOp>(tiled->loops.front().getOperation());
    auto chunk = dyn_cast<linalg::LinalgOp>(tiled->tiledOps.front());
    if (!fill || !forall || !chunk)
      return;
    OpOperand &output = forall.getOutputsMutable()[0];
    rewriter.modifyOpInPlace(forall, [&] { output.set(fill.getOutputs()[0]); });
    rewriter.setInsertionPoint(chunk);
    auto chunkFill = linalg::FillOp::create(
        rewriter, fill.getLoc(), fill.getInputs(), chunk.getDpsInits()[0]);
    rewriter.modifyOpInPlace(chunk, [&] {
      chunk.getDpsInitsMutable()[0].set(chunkFill.getResult(0));
    });
    if (fill->use_empty())
      rewriter.eraseOp(fill);
  }

  /// `op` and its `epilogue` split together, as `split` splits `op`: the
  /// epilogue's chunks, each with the part of `op` it reads and the fill
  /// that part starts from.
  void splitWithEpilogue(RewriterBase &rewriter, linalg::LinalgOp op,
                         linalg::GenericOp epilogue,
                         ArrayRef<int64_t> tileSizes) const {
    // The epilogue's loop i is the output's dimension i.
    SmallVector<int64_t> epilogueSizes = applyPermutationMap(
        op.getMatchingIndexingMap(op.getDpsInitOperand(0)), tileSizes);
    auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setLoopType(
        scf::SCFTilingOptions::LoopType::ForallOp);
    options.tilingOptions.setTileSizes(
        getAsIndexOpFoldResult(op.getContext(), epilogueSizes));
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (producer.getOwner() == op ||
              (fill && producer.getOwner() == fill))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          return std::nullopt;
        });
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> split =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(split))
      return;
    for (OpResult result : epilogue->getResults())
      rewriter.replaceAllUsesWith(result, split->replacements.lookup(result));
    rewriter.eraseOp(epilogue);
    pith::lowering::eraseFusedProducer(rewriter, op);
    if (fill)
      pith::lowering::eraseFusedProducer(rewriter, fill);
  }

  void runOnOperation() override {
    if (chunks < 2) {
      emitError(getOperation()->getLoc())
          << "pith-parallelize: chunks must be at least 2, got "
          << static_cast<int64_t>(chunks);
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    SmallVector<linalg::LinalgOp> ops;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !isa<linalg::FillOp>(op) &&
          !op->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });

    IRRewriter rewriter(context);
    llvm::SmallPtrSet<Operation *, 8> epilogues;
    for (linalg::LinalgOp op : ops) {
      if (epilogues.contains(op))
        continue;
      linalg::GenericOp epilogue = pith::lowering::epilogueOf(op);
      if (epilogue)
        epilogues.insert(epilogue);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      int64_t work = workOf(op, ranges);
      if (work < minWork)
        continue;
      SmallVector<int64_t> tileSizes(ranges.size(), 0);
      for (Candidate candidate : candidateLoops(op)) {
        if (int64_t size =
                chunkSize(ranges[candidate.loop], candidate.multiple, work)) {
          tileSizes[candidate.loop] = size;
          break;
        }
      }
      if (llvm::all_of(tileSizes, [](int64_t size) { return size == 0; }))
        continue;
      if (epilogue)
        splitWithEpilogue(rewriter, op, epilogue, tileSizes);
      else
        split(rewriter, op, tileSizes);
    }
  }
};

} // namespace
