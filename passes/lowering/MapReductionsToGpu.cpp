//===- MapReductionsToGpu.cpp - pith-map-reductions-to-gpu ----------------===//
//
// Part of pith. Linalg ops with reductions, on buffers, become GPU launches
// of one thread per output element that accumulates in a register (or per
// few rows that share their weights); sums with few threads split their
// reduction across blocks, which add their partial sums atomically, so that
// a GEMV keeps the whole GPU busy; runs of packed weights are read in
// 128-bit loads.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "passes/Passes.h"
#include "passes/lowering/GpuMapping.h"

namespace mlir::pith {
#define GEN_PASS_DEF_MAPREDUCTIONSTOGPUPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// Whether `value` depends on `out` within the body.
bool dependsOn(Value value, BlockArgument out) {
  SmallVector<Value> worklist = {value};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value next = worklist.pop_back_val();
    if (next == out)
      return true;
    Operation *def = next.getDefiningOp();
    if (!def || def->getBlock() != out.getOwner() || !seen.insert(next).second)
      continue;
    llvm::append_range(worklist, def->getOperands());
  }
  return false;
}

/// Whether `value` is `out` plus terms that do not depend on it: `out`
/// itself, a sum with one such operand, a difference whose first operand is
/// one, or a choice between two such values on a condition that does not
/// depend on `out` (a quantized layer's offset, taken away at a group's
/// first value).
bool isOutPlusTerms(Value value, BlockArgument out) {
  if (value == out)
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != out.getOwner())
    return false;
  if (isa<arith::AddFOp, arith::AddIOp>(def)) {
    Value lhs = def->getOperand(0), rhs = def->getOperand(1);
    return (isOutPlusTerms(lhs, out) && !dependsOn(rhs, out)) ||
           (isOutPlusTerms(rhs, out) && !dependsOn(lhs, out));
  }
  if (isa<arith::SubFOp, arith::SubIOp>(def))
    return isOutPlusTerms(def->getOperand(0), out) &&
           !dependsOn(def->getOperand(1), out);
  if (auto select = dyn_cast<arith::SelectOp>(def))
    return !dependsOn(select.getCondition(), out) &&
           isOutPlusTerms(select.getTrueValue(), out) &&
           isOutPlusTerms(select.getFalseValue(), out);
  return false;
}

/// The atomic that adds a partial result of `op` into its output, when its
/// body yields its output plus terms that do not depend on it (so that
/// partial results started from zero add up); none otherwise.
std::optional<arith::AtomicRMWKind> sumKind(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  BlockArgument out = body->getArguments().back();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Value result = yield.getValues()[0];
  if (result == out || !isOutPlusTerms(result, out))
    return std::nullopt;
  Type type = out.getType();
  if (isa<FloatType>(type))
    return arith::AtomicRMWKind::addf;
  if (type.isInteger())
    return arith::AtomicRMWKind::addi;
  return std::nullopt;
}

/// The largest divisor of `extent` that is at most `limit`.
int64_t largestDivisor(int64_t extent, int64_t limit) {
  for (int64_t divisor = std::min(extent, limit); divisor > 1; --divisor)
    if (extent % divisor == 0)
      return divisor;
  return 1;
}

/// Bytes every entry-point buffer (an input, weight or output, or the
/// workspace) is aligned to on the GPU: each is an allocation of its own.
constexpr int64_t kBufferAlignment = 256;
/// The widest load a GPU thread makes, in bytes.
constexpr int64_t kWidestLoad = 16;
/// The most iterations of an innermost reduction unrolled to read runs.
constexpr int64_t kMostUnrolled = 64;
/// The most rows of a short parallel dimension one thread computes, reading
/// the operands those rows share once; a longer one's rows go to threads in
/// tiles of at most kRowTile.
constexpr int64_t kMostSharedRows = 16;
constexpr int64_t kRowTile = 8;
/// The most values of runs a thread holds in registers for its rows.
constexpr int64_t kMostRunValues = 64;

/// Bytes the start of `buffer` is known to be aligned to on the GPU: an
/// entry-point buffer's, or a view of it at a constant byte shift.
int64_t knownAlignment(Value buffer) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
      if (!shift)
        return 1;
      return std::gcd(knownAlignment(view.getSource()),
                      *shift == 0 ? kBufferAlignment : *shift);
    }
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      return 1;
    buffer = def->getOperand(0);
  }
  return kBufferAlignment;
}

/// How a thread reads an operand run by run: each run of `range` values
/// along the innermost reduction dimension in loads of `width` values,
/// each aligned to its size.
struct RunRead {
  int64_t width = 0, alignment = 0;
};

/// How `operand`, read through `map`, can be read by runs of the reduction
/// dimension `dim` of `range` iterations: where `dim` indexes only its last
/// dimension, contiguous and `range` long, and each run starts aligned to
/// a load of 4 bytes or more and of two values or more.
std::optional<RunRead> runRead(Value operand, AffineMap map, int64_t dim,
                               int64_t range) {
  auto type = dyn_cast<MemRefType>(operand.getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0 ||
      type.getShape().back() != range || map.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
  if (!last || last.getPosition() != dim ||
      llvm::any_of(map.getResults().drop_back(),
                   [&](AffineExpr expr) { return expr.isFunctionOfDim(dim); }))
    return std::nullopt;
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0 || !VectorType::isValidElementType(type.getElementType()))
    return std::nullopt;
  int64_t elementBytes = bits / 8;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      strides.back() != 1 || ShapedType::isDynamic(offset) ||
      llvm::is_contained(strides, ShapedType::kDynamic))
    return std::nullopt;
  // The widest load whose size divides the run, the buffer's alignment and
  // every run's start.
  int64_t bytes = kWidestLoad;
  auto divides = [&](int64_t value) { return value % bytes == 0; };
  while (bytes >= 4 &&
         !(divides(range * elementBytes) && divides(knownAlignment(operand)) &&
           divides(offset * elementBytes) &&
           llvm::all_of(ArrayRef(strides).drop_back(), [&](int64_t stride) {
             return divides(stride * elementBytes);
           })))
    bytes /= 2;
  if (bytes < 4 || bytes <= elementBytes)
    return std::nullopt;
  return RunRead{bytes / elementBytes, bytes};
}

struct MapReductionsToGpuPass
    : mlir::pith::impl::MapReductionsToGpuPassBase<MapReductionsToGpuPass> {
  using MapReductionsToGpuPassBase::MapReductionsToGpuPassBase;

  LogicalResult map(linalg::LinalgOp op) {
    Location loc = op.getLoc();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap outputMap = maps.back();
    SmallVector<int64_t> parallelDims, reductionDims;
    int64_t outputs = 1;
    for (auto [dim, iterator] : llvm::enumerate(iterators)) {
      if (iterator == utils::IteratorType::parallel) {
        parallelDims.push_back(dim);
        outputs *= ranges[dim];
      } else {
        reductionDims.push_back(dim);
      }
    }
    // Each thread owns one output element: the output is indexed by every
    // parallel dimension, each once.
    if (!outputMap.isProjectedPermutation() ||
        outputMap.getNumResults() !=
            static_cast<unsigned>(parallelDims.size()) ||
        llvm::any_of(outputMap.getResults(), [&](AffineExpr result) {
          return iterators[cast<AffineDimExpr>(result).getPosition()] !=
                 utils::IteratorType::parallel;
        }))
      return failure();
    OpBuilder builder(op);
    if (outputs == 0) {
      op->erase();
      return success();
    }

    // Where operands keep runs of the innermost reduction dimension
    // together (packed weights, their inputs), that dimension is unrolled
    // and each run read in the widest aligned loads.
    Block *body = op.getBlock();
    int64_t innermost = reductionDims.back();
    SmallVector<std::optional<RunRead>> runReads(op.getNumDpsInputs());
    if (reductionDims.size() > 1 && ranges[innermost] <= kMostUnrolled)
      for (OpOperand *input : op.getDpsInputOperands())
        runReads[input->getOperandNumber()] =
            runRead(input->get(), maps[input->getOperandNumber()], innermost,
                    ranges[innermost]);
    bool unrolled = llvm::any_of(runReads, [](auto read) { return read; });
    ArrayRef<int64_t> loopedDims = reductionDims;
    if (unrolled)
      loopedDims = loopedDims.drop_back();

    // Rows the largest operand read in the reduction (the weights) does not
    // use go to each thread together, so that it reads and unpacks that
    // operand once for all of them: a parallel dimension of up to 16 rows
    // (a GEMV-shaped layer's M) whole, a longer one in tiles of up to 8.
    auto usesDim = [&](int64_t number, int64_t dim) {
      return maps[number].isFunctionOfDim(dim);
    };
    auto bytesOf = [&](int64_t number) -> int64_t {
      auto type = dyn_cast<MemRefType>(op->getOperand(number).getType());
      return type ? type.getNumElements() * type.getElementTypeBitWidth() / 8
                  : 0;
    };
    SmallVector<int64_t> reductionInputs;
    int64_t largest = 0;
    for (OpOperand *input : op.getDpsInputOperands()) {
      int64_t number = input->getOperandNumber();
      if (isa<MemRefType>(input->get().getType()) &&
          llvm::any_of(reductionDims, [&](int64_t reduction) {
            return usesDim(number, reduction);
          })) {
        reductionInputs.push_back(number);
        largest = std::max(largest, bytesOf(number));
      }
    }
    std::optional<int64_t> shared;
    int64_t copies = 1;
    for (bool whole : {true, false}) {
      for (int64_t dim : parallelDims) {
        int64_t tile = whole
                           ? (ranges[dim] <= kMostSharedRows ? ranges[dim] : 1)
                           : largestDivisor(ranges[dim], kRowTile);
        if (tile > 1 && llvm::any_of(reductionInputs, [&](int64_t number) {
              return !usesDim(number, dim) && bytesOf(number) == largest;
            })) {
          shared = dim;
          copies = tile;
          break;
        }
      }
      if (shared)
        break;
    }
    // Each row's runs of an operand it indexes stay in registers over the
    // unrolled dimension: at most kMostRunValues of them a thread.
    if (shared && llvm::any_of(llvm::enumerate(runReads), [&](auto read) {
          return read.value() &&
                 usesDim(static_cast<int64_t>(read.index()), *shared);
        })) {
      copies = largestDivisor(
          ranges[*shared],
          std::min(copies,
                   std::max<int64_t>(1, kMostRunValues / ranges[innermost])));
      if (copies == 1)
        shared.reset();
    }
    int64_t threadCount = outputs / copies;
    SmallVector<int64_t> counts;
    for (int64_t dim : parallelDims)
      counts.push_back(dim == shared ? ranges[dim] / copies : ranges[dim]);

    // Split the outermost looped reduction dimension longer than one (a
    // per-channel layer's one group is not) across blocks when the threads
    // alone would leave the GPU idle and partial sums add up.
    std::optional<arith::AtomicRMWKind> atomic = sumKind(op);
    size_t splitPosition = 0;
    while (splitPosition + 1 < loopedDims.size() &&
           ranges[loopedDims[splitPosition]] == 1)
      ++splitPosition;
    int64_t outer = ranges[loopedDims[splitPosition]], inner = 1;
    for (int64_t dim : ArrayRef(reductionDims).drop_front(splitPosition + 1))
      inner *= ranges[dim];
    int64_t splits = 1;
    if (atomic && threadCount < minThreads) {
      int64_t wanted = (minThreads + threadCount - 1) / threadCount;
      // Each split keeps at least minWork iterations.
      int64_t most = std::max<int64_t>(1, outer * inner / minWork);
      splits = largestDivisor(outer, std::min(wanted, most));
    }

    int64_t threads = std::min(blockSize.getValue(), threadCount);
    gpu::LaunchOp launch = pith::gpu_mapping::createLaunch(
        builder, loc, (threadCount + threads - 1) / threads, splits, threads);
    Value id = pith::gpu_mapping::globalThreadId(builder, loc, launch, threads);
    pith::gpu_mapping::guardTail(builder, loc, id, threadCount, threads);
    SmallVector<Value> ivs(ranges.size());
    for (auto [dim, index] :
         llvm::zip(parallelDims,
                   pith::gpu_mapping::delinearize(builder, loc, id, counts)))
      ivs[dim] = index;

    auto constant = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(builder, loc, value);
    };
    // The thread's rows of the shared dimension, from copies x its index.
    SmallVector<Value> copyRows;
    if (shared) {
      Value first =
          arith::MulIOp::create(builder, loc, ivs[*shared], constant(copies));
      for (int64_t copy = 0; copy < copies; ++copy)
        copyRows.push_back(
            arith::AddIOp::create(builder, loc, first, constant(copy)));
    }
    auto indicesOf = [&](AffineMap map) {
      SmallVector<Value> indices;
      for (AffineExpr expr : map.getResults())
        indices.push_back(affine::makeComposedAffineApply(
                              builder, loc,
                              AffineMap::get(map.getNumDims(), 0, expr),
                              getAsOpFoldResult(ivs))
                              .getResult());
      return indices;
    };
    // The thread's row `copy` of the shared dimension.
    auto atCopy = [&](int64_t copy) {
      if (shared)
        ivs[*shared] = copyRows[copy];
    };

    Value output = op.getDpsInits()[0];
    Type accumulatorType = op.getBlock()->getArguments().back().getType();
    SmallVector<Value> accumulators;
    for (int64_t copy = 0; copy < copies; ++copy) {
      atCopy(copy);
      accumulators.push_back(
          splits > 1 ? arith::ConstantOp::create(
                           builder, loc, builder.getZeroAttr(accumulatorType))
                           .getResult()
                     : memref::LoadOp::create(builder, loc, output,
                                              indicesOf(outputMap))
                           .getResult());
    }

    // Nested loops over the reduction dimensions, the split one over this
    // block's share, carrying the accumulators.
    int64_t share = outer / splits;
    Value outerStart = arith::MulIOp::create(
        builder, loc, launch.getBlockIds().y, constant(share));
    Value outerEnd =
        arith::AddIOp::create(builder, loc, outerStart, constant(share));
    SmallVector<scf::ForOp> loops;
    for (auto [position, dim] : llvm::enumerate(loopedDims)) {
      Value start = position == splitPosition ? outerStart : constant(0);
      Value end = position == splitPosition ? outerEnd : constant(ranges[dim]);
      auto loop = scf::ForOp::create(builder, loc, start, end, constant(1),
                                     accumulators);
      // The enclosing loop yields what this one computes.
      if (!loops.empty())
        scf::YieldOp::create(builder, loc, loop.getResults());
      loops.push_back(loop);
      builder.setInsertionPointToStart(loop.getBody());
      ivs[dim] = loop.getInductionVar();
      accumulators.assign(loop.getRegionIterArgs().begin(),
                          loop.getRegionIterArgs().end());
    }

    // Each run read once per row of the shared dimension it uses, in the
    // loop of the innermost dimension its indices use: loads of `width`
    // values from the run's start.
    SmallVector<SmallVector<SmallVector<Value>>> runs(op.getNumDpsInputs());
    for (auto [number, read] : llvm::enumerate(runReads)) {
      if (!read)
        continue;
      Value input = op.getDpsInputs()[number];
      AffineMap map = maps[number];
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPoint(loops.front());
      for (auto [loop, dim] : llvm::reverse(llvm::zip(loops, loopedDims)))
        if (map.isFunctionOfDim(dim)) {
          builder.setInsertionPointToStart(loop.getBody());
          break;
        }
      auto memrefType = cast<MemRefType>(input.getType());
      auto vectorType =
          VectorType::get({read->width}, memrefType.getElementType());
      bool perCopy = shared && usesDim(number, *shared);
      for (int64_t copy = 0; copy < (perCopy ? copies : 1); ++copy) {
        atCopy(copy);
        ivs[innermost] = constant(0);
        SmallVector<Value> indices = indicesOf(map);
        SmallVector<Value> &copyRuns = runs[number].emplace_back();
        for (int64_t at = 0; at < ranges[innermost]; at += read->width) {
          indices.back() = constant(at);
          copyRuns.push_back(vector::LoadOp::create(
              builder, loc, vectorType, input, indices, /*nontemporal=*/false,
              llvm::MaybeAlign(read->alignment)));
        }
      }
    }

    // The body, once per reduction iteration (per value of a run, unrolled)
    // and row of the shared dimension; operands that row does not index
    // read once for all of them.
    auto emitBodies = [&](ValueRange current) {
      SmallVector<Value> once(op.getNumDpsInputs()), next;
      for (int64_t copy = 0; copy < copies; ++copy) {
        atCopy(copy);
        IRMapping mapping;
        for (auto [number, argument] :
             llvm::enumerate(body->getArguments().drop_back())) {
          Value input = op.getDpsInputs()[number];
          bool perCopy = shared && usesDim(number, *shared);
          if (std::optional<RunRead> read = runReads[number]) {
            int64_t at = *getConstantIntValue(ivs[innermost]);
            mapping.map(argument,
                        vector::ExtractOp::create(
                            builder, loc,
                            runs[number][perCopy ? copy : 0][at / read->width],
                            at % read->width));
          } else if (!isa<MemRefType>(input.getType())) {
            mapping.map(argument, input);
          } else if (perCopy || !once[number]) {
            Value loaded = memref::LoadOp::create(builder, loc, input,
                                                  indicesOf(maps[number]));
            if (!perCopy)
              once[number] = loaded;
            mapping.map(argument, loaded);
          } else {
            mapping.map(argument, once[number]);
          }
        }
        mapping.map(body->getArguments().back(), current[copy]);
        for (Operation &bodyOp : body->without_terminator()) {
          if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
            mapping.map(index.getResult(), ivs[index.getDim()]);
            continue;
          }
          builder.clone(bodyOp, mapping);
        }
        next.push_back(mapping.lookupOrDefault(
            cast<linalg::YieldOp>(body->getTerminator()).getValues()[0]));
      }
      return next;
    };
    if (unrolled) {
      for (int64_t at = 0; at < ranges[innermost]; ++at) {
        ivs[innermost] = constant(at);
        accumulators = emitBodies(accumulators);
      }
    } else {
      accumulators = emitBodies(accumulators);
    }
    scf::YieldOp::create(builder, loc, accumulators);

    builder.setInsertionPointAfter(loops.front());
    for (auto [copy, result] : llvm::enumerate(loops.front().getResults())) {
      atCopy(copy);
      SmallVector<Value> outputIndices = indicesOf(outputMap);
      if (splits > 1)
        memref::AtomicRMWOp::create(builder, loc, *atomic, result, output,
                                    outputIndices);
      else
        memref::StoreOp::create(builder, loc, result, output, outputIndices);
    }
    pith::gpu_mapping::allowContraction(launch);
    op->erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> ops;
    for (Operation &op : getOperation().getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        if (linalgOp.hasPureBufferSemantics() &&
            linalgOp.getNumDpsInits() == 1 &&
            linalgOp.getNumReductionLoops() > 0 && !linalgOp.hasDynamicShape())
          ops.push_back(linalgOp);
    // Ops this pass does not map stay for convert-linalg-to-parallel-loops.
    for (linalg::LinalgOp op : ops)
      (void)map(op);
  }
};

} // namespace
