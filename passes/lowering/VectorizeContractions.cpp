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
// multiplied into every row's accumulators. Contractions over N:M-sparse
// weights (pith.sparse_matmul) multiply the kept values by their inputs,
// picked by position; over bitmap-sparse ones (pith.bitmap_matmul), each
// input's nonzeros are expanded into a register by its mask; over indexed
// ones (pith.indexed_matmul), each nonzero multiplies its input's row of
// x transposed, many rows at once.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/Passes.h"
#include "passes/compression/Sparsity.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/VectorShuffles.h"

namespace mlir::pith {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct TilePlan {
  SmallVector<int64_t> tileSizes;
  SmallVector<int64_t> interchange;
  /// The loop over rows (m), if any, the most rows a register tile holds,
  /// whether or not they divide the rows, and the tile's vectors a row.
  std::optional<unsigned> rowLoop;
  int64_t fullRowTile = 1, vectorsPerRow = 1;
  /// The loop over columns (the last n) and the lanes of a vector.
  unsigned columnLoop = 0;
  int64_t lanes = 1;
};

/// Rows of a register tile, largest first: with 7 and 5, rows such as a
/// 7x7 image's 49 output positions do not fall to tiles of one row.
constexpr int64_t kRowTiles[] = {8, 7, 6, 5, 4, 3, 2};

/// Accumulators a register tile needs to keep the FMA units busy: about
/// the multiply-add's latency (4 cycles) times its throughput (2 a cycle).
constexpr int64_t kLatencyHidingVectors = 8;

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
  int64_t nTile = pith::registerTileColumns(ranges[n], lanes);
  plan.tileSizes[n] = nTile;
  plan.columnLoop = n;
  plan.lanes = lanes;
  int64_t vectorsPerRow = std::max<int64_t>(1, nTile / lanes);
  SmallVector<unsigned> order(dims->batch.begin(), dims->batch.end());
  for (unsigned dim : llvm::drop_end(dims->n))
    order.push_back(dim);
  order.push_back(n);
  if (!dims->m.empty()) {
    unsigned m = dims->m.back();
    auto fits = [&](int64_t t) { return t * vectorsPerRow <= registers; };
    plan.tileSizes[m] = pickDivisor(ranges[m], kRowTiles, fits);
    plan.rowLoop = m;
    plan.fullRowTile = *llvm::find_if(kRowTiles, fits);
    plan.vectorsPerRow = vectorsPerRow;
    for (unsigned dim : llvm::drop_end(dims->m))
      order.push_back(dim);
    order.push_back(m);
  }
  // Few rows leave the multiply-adds' latency exposed: each accumulator
  // adds along K one step after another, and one vector of one row runs
  // at an eighth of the FMA rate. Tiles of several panels of packed
  // weights keep chains apart (a 1280 -> 1000 classifier at M = 1: one
  // panel of 8 columns a tile 191 us, five 81; ONNX Runtime 87).
  int64_t rows = dims->m.empty() ? 1 : plan.tileSizes[dims->m.back()];
  if (dims->n.size() >= 2 && rows * vectorsPerRow < kLatencyHidingVectors) {
    unsigned panel = dims->n[dims->n.size() - 2];
    plan.tileSizes[panel] =
        pickDivisor(ranges[panel], kRowTiles, [&](int64_t panels) {
          return rows * vectorsPerRow * panels <= kLatencyHidingVectors;
        });
  }
  unsigned k = dims->k.back();
  plan.tileSizes[k] = pickDivisor(ranges[k], {4, 2});
  llvm::append_range(order, dims->k);
  plan.interchange.assign(order.begin(), order.end());
  return plan;
}

/// Rows from which a quantized contraction dequantizes each panel of
/// weights once into a buffer and multiplies it into every row, rather
/// than unpacking the bytes again for each few rows.
constexpr int64_t kPanelBufferRows = 8;

/// Writes a quantized contraction (see QuantizationToLinalg.cpp: loops m,
/// panel, column | group, row of bytes, value in byte; inputs x, packed
/// bytes, scales and maybe zero points) as vector loops on tensors.
/// Whether `op`'s indexing maps are `maps` and its operands' element types
/// `elements`, in order.
bool hasOperands(linalg::GenericOp op, ArrayRef<AffineMap> maps,
                 ArrayRef<Type> elements) {
  return op.getIndexingMapsArray() == maps &&
         llvm::all_of(llvm::zip(op->getOperandTypes(), elements),
                      [](auto pair) {
                        return getElementTypeOrSelf(std::get<0>(pair)) ==
                               std::get<1>(pair);
                      });
}

/// The tensor of `rank` and `element` type that `op`'s body reads from
/// above (by tensor.extract); null if there is none.
Value readFromAbove(linalg::GenericOp op, int64_t rank, Type element) {
  Value found;
  op.getRegion().walk([&](tensor::ExtractOp extract) {
    Value source = extract.getTensor();
    auto type = cast<RankedTensorType>(source.getType());
    if (type.getRank() == rank && type.getElementType() == element &&
        !op->isProperAncestor(source.getParentBlock()->getParentOp()))
      found = source;
  });
  return found;
}

/// The static loop ranges of `op` where it is a generic on tensors with
/// one output, `minInputs` to `maxInputs` inputs and `loops` loops, all of
/// static extent, as pith-lower-to-linalg makes contractions over packed
/// weights; nothing otherwise.
std::optional<SmallVector<int64_t>> packedRanges(linalg::GenericOp op,
                                                 size_t loops,
                                                 unsigned minInputs,
                                                 unsigned maxInputs) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() < minInputs || op.getNumDpsInputs() > maxInputs)
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.size() != loops || llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  return ranges;
}

/// What the writers of quantized contractions share: index constants,
/// in-bounds reads and index arithmetic, at the op's location.
class LoopEmitter {
protected:
  explicit LoopEmitter(Location loc) : loc(loc) {}

  Value index(OpBuilder &b, int64_t value) const {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value read(OpBuilder &b, VectorType type, Value source,
             ValueRange indices) const {
    Value padding = arith::ConstantOp::create(
        b, loc, type.getElementType(), b.getZeroAttr(type.getElementType()));
    return vector::TransferReadOp::create(
        b, loc, type, source, indices, padding,
        SmallVector<bool>(type.getRank(), true));
  }
  /// A prefetch of `source` (a tensor, read only) at `indices`, through a
  /// buffer of any layout so that bufferization copies nothing. Past the
  /// end it reads nothing: prefetches do not fault.
  void prefetch(OpBuilder &b, Value source, ValueRange indices) const {
    auto type = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
    auto bufferType = MemRefType::get(
        type.getShape(), type.getElementType(),
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, strides));
    Value buffer = bufferization::ToBufferOp::create(b, loc, bufferType, source,
                                                     /*readOnly=*/true);
    memref::PrefetchOp::create(b, loc, buffer, indices, /*isWrite=*/false,
                               /*localityHint=*/3, /*isDataCache=*/true);
  }

  /// `base + offset` as an index.
  Value plus(OpBuilder &b, Value base, int64_t offset) const {
    if (offset == 0)
      return base;
    return arith::AddIOp::create(b, loc, base, index(b, offset));
  }

  /// Replaces `op` by a loop over its output's `panels`, each written by
  /// `writePanel` (the panel and the output so far; the output after).
  void replaceByPanelLoop(
      RewriterBase &rewriter, linalg::GenericOp op, int64_t panels,
      function_ref<Value(OpBuilder &, Value, Value)> writePanel) const {
    rewriter.setInsertionPoint(op);
    auto panelLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, panels),
        index(rewriter, 1), ValueRange{op.getDpsInits()[0]},
        [&](OpBuilder &b, Location, Value panel, ValueRange args) {
          scf::YieldOp::create(b, loc, writePanel(b, panel, args[0]));
        });
    rewriter.replaceOp(op, panelLoop.getResult(0));
  }

  /// A loop over blocks of `rowTile` of the `rows` rows of `output`'s
  /// `panel` ([rows, panels, lanes]): each block's accumulators (one
  /// `lanes` vector a row) are read, `body` gets the
  /// rows and the accumulators and returns them, and they are written.
  Value loopOverRowTiles(
      OpBuilder &b, Value panel, Value output, int64_t rows, int64_t rowTile,
      VectorType lanes,
      function_ref<SmallVector<Value>(OpBuilder &, ArrayRef<Value>, ValueRange)>
          body) const {
    auto rowLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, rows), index(b, rowTile),
        ValueRange{output},
        [&](OpBuilder &b, Location, Value row0, ValueRange rowArgs) {
          SmallVector<Value> rowIndices, accumulators;
          for (int64_t r = 0; r < rowTile; ++r) {
            rowIndices.push_back(plus(b, row0, r));
            accumulators.push_back(read(b, lanes, rowArgs[0],
                                        {rowIndices[r], panel, index(b, 0)}));
          }
          SmallVector<Value> results = body(b, rowIndices, accumulators);
          Value tile = rowArgs[0];
          for (int64_t r = 0; r < rowTile; ++r)
            tile = vector::TransferWriteOp::create(
                       b, loc, results[r], tile,
                       ValueRange{rowIndices[r], panel, index(b, 0)},
                       ArrayRef<bool>{true})
                       .getResult();
          scf::YieldOp::create(b, loc, tile);
        });
    return rowLoop.getResult(0);
  }

  Location loc;
};

/// Rows of packed bytes (of two 4-bit values) in a block that
/// vdpbf16ps multiplies, and pairs of values per 32-bit lane of it.
constexpr int64_t kBf16BlockRows = 4;
/// How far ahead of its reads a layer over one or two rows prefetches its
/// weights, in bytes: one thread's stream of packed weights outruns the
/// hardware prefetchers (4096x11008 int4 at M = 1, 1.3x faster with it).
constexpr int64_t kPrefetchBytes = 4096;
constexpr int64_t kBf16Pairs = 4;

/// Inputs split for vdpbf16ps (see QuantizedMatmulWriter::splitInputs).
struct SplitInputs {
  Value pairs, sums;
};

class QuantizedMatmulWriter : LoopEmitter {
public:
  /// Fails where `op` is not exactly the contraction pith-lower-to-linalg
  /// makes (a transform that fused into it would have changed it).
  static FailureOr<QuantizedMatmulWriter>
  match(linalg::GenericOp op, int64_t vectorBits, bool bf16Dot) {
    auto attrs = op->getAttrOfType<DictionaryAttr>(pith::kQuantizedMatmulAttr);
    auto bitsAttr = attrs ? attrs.getAs<IntegerAttr>("bits") : IntegerAttr();
    auto unsignedAttr = attrs ? attrs.getAs<BoolAttr>("unsigned") : BoolAttr();
    std::optional<SmallVector<int64_t>> ranges = packedRanges(op, 6, 3, 5);
    if (!bitsAttr || !unsignedAttr || !ranges)
      return failure();
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(6, 0, exprs, context);
    };
    Builder builder(context);
    SmallVector<AffineMap> expected = {map({d(0), d(3), d(4), d(5)}),
                                       map({d(1), d(3), d(4), d(2)}),
                                       map({d(1), d(3), d(2)})};
    SmallVector<Type> elements = {builder.getF32Type(), builder.getI8Type(),
                                  builder.getF32Type()};
    // Zero points imply a center, and a center the group sums of x.
    bool hasZeroPoints = op.getNumDpsInputs() == 5;
    if (hasZeroPoints) {
      expected.push_back(map({d(1), d(3), d(2)}));
      elements.push_back(builder.getI8Type());
    }
    if (op.getNumDpsInputs() >= 4) {
      expected.push_back(map({d(0), d(3)}));
      elements.push_back(builder.getF32Type());
    }
    expected.push_back(map({d(0), d(1), d(2)}));
    elements.push_back(builder.getF32Type());
    if (!hasOperands(op, expected, elements))
      return failure();
    if (attrs.get("dot"))
      return failure();
    QuantizedMatmulWriter writer(op, vectorBits);
    writer.bf16Dot = bf16Dot;
    writer.bits = bitsAttr.getInt();
    writer.isUnsigned = unsignedAttr.getValue();
    writer.rows = (*ranges)[0];
    writer.panels = (*ranges)[1];
    writer.width = (*ranges)[2];
    writer.groups = (*ranges)[3];
    writer.bytesPerGroup = (*ranges)[4];
    writer.perByte = (*ranges)[5];
    if (writer.bits * writer.perByte != 8)
      return failure();
    if (hasZeroPoints)
      writer.zeroPoints = op.getDpsInputs()[3];
    if (op.getNumDpsInputs() >= 4)
      writer.xSums = op.getDpsInputs()[op.getNumDpsInputs() - 1];
    if (writer.hasCenter() != static_cast<bool>(writer.xSums))
      return failure();
    return writer;
  }

  /// Replaces the op with a loop over panels of output features.
  void write(RewriterBase &rewriter) {
    rewriter.setInsertionPoint(op);
    Value output = op.getDpsInits()[0];
    bool buffered = rows >= kPanelBufferRows;
    SplitInputs split;
    Value flatValues;
    if (!buffered && usesBf16Dot()) {
      split = splitInputs(rewriter);
      flatValues = tensor::CollapseShapeOp::create(
          rewriter, loc, values,
          ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
    }
    SmallVector<Value> carried = {output};
    if (buffered)
      carried.push_back(tensor::EmptyOp::create(
          rewriter, loc,
          ArrayRef<int64_t>{groups * bytesPerGroup * perByte, width},
          rewriter.getF32Type()));
    auto panelLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, panels),
        index(rewriter, 1), carried,
        [&](OpBuilder &b, Location, Value panel, ValueRange args) {
          SmallVector<Value> next;
          if (buffered) {
            Value buffer = writePanelBuffer(b, panel, args[1]);
            next = {multiplyPanelBuffer(b, panel, args[0], buffer), buffer};
          } else if (split.pairs) {
            next = {writeBf16RowTiles(b, panel, args[0], flatValues, split)};
          } else {
            next = {writeRowTiles(b, panel, args[0])};
          }
          scf::YieldOp::create(b, loc, next);
        });
    rewriter.replaceOp(op, panelLoop.getResult(0));
  }

private:
  QuantizedMatmulWriter(linalg::GenericOp op, int64_t vectorBits)
      : LoopEmitter(op.getLoc()), op(op), vectorBits(vectorBits) {
    Builder b(op.getContext());
    x = op.getDpsInputs()[0];
    values = op.getDpsInputs()[1];
    scales = op.getDpsInputs()[2];
    f32 = b.getF32Type();
  }

  VectorType floats() const { return VectorType::get({width}, f32); }
  VectorType bytes() const {
    return VectorType::get({width}, IntegerType::get(f32.getContext(), 8));
  }
  VectorType words() const {
    return VectorType::get({width}, IntegerType::get(f32.getContext(), 32));
  }
  /// Rows of a register tile whose `vectorsPerRow` accumulators, two
  /// operands and a temporary fit the registers (16 with AVX2, 32 with
  /// AVX-512).
  int64_t rowTileFor(int64_t vectorsPerRow, int64_t registers) const {
    return pickDivisor(rows, kRowTiles, [&](int64_t t) {
      return t * vectorsPerRow <= registers;
    });
  }
  int64_t vectorsPerRow() const {
    return std::max<int64_t>(1, width / std::max<int64_t>(1, vectorBits / 32));
  }

  Value splat(OpBuilder &b, int64_t value) const {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(words(), b.getI32IntegerAttr(value)));
  }
  Value zeroVector(OpBuilder &b) const {
    return arith::ConstantOp::create(b, loc, floats(), b.getZeroAttr(floats()));
  }
  /// Row `row` of bytes of `group` of `panel`, widened to 32-bit lanes:
  /// signed int8 sign-extended, packed fields zero-extended.
  Value widenedBytes(OpBuilder &b, Value panel, Value group, Value row) const {
    Value raw = read(b, bytes(), values, {panel, group, row, index(b, 0)});
    if (perByte == 1 && !isUnsigned)
      return arith::ExtSIOp::create(b, loc, words(), raw);
    return arith::ExtUIOp::create(b, loc, words(), raw);
  }
  /// The stored integer of value `sub` of each widened byte, as floats:
  /// shifted down and masked (the top field needs no mask).
  Value storedValue(OpBuilder &b, Value wide, int64_t sub) const {
    Value field = wide;
    if (sub > 0)
      field = arith::ShRUIOp::create(b, loc, field, splat(b, bits * sub));
    if (perByte > 1 && sub + 1 < perByte)
      field = arith::AndIOp::create(b, loc, field, splat(b, (1 << bits) - 1));
    // Exact: |field| < 256.
    return arith::SIToFPOp::create(b, loc, floats(), field);
  }
  bool hasCenter() const { return (perByte > 1 && !isUnsigned) || zeroPoints; }
  /// The rows of a register tile of `writeRowTiles`.
  int64_t fewRowsTile() const {
    return rowTileFor(2 * vectorsPerRow(), vectorBits >= 512 ? 24 : 12);
  }
  /// Whether few rows multiply with AVX-512 BF16 (`writeBf16RowTiles`):
  /// 4-bit values, panels of 16 features, groups of whole blocks; one or
  /// two rows. (Its dot products multiply twice, once per part of x: where
  /// a tile of 3 rows or more shares each unpacking, FMAs on f32 weights
  /// are faster; every count of rows from 3 to 7 has such a tile.)
  bool usesBf16Dot() const {
    return bf16Dot && vectorBits >= 512 && perByte == 2 && width == 16 &&
           bytesPerGroup % kBf16BlockRows == 0 && rows <= 2;
  }
  /// What the stored integers of a group are offset by: 2^(bits-1) for
  /// sub-byte signed values, plus the zero point; null where nothing.
  Value center(OpBuilder &b, Value panel, Value group) const {
    Value result;
    if (perByte > 1 && !isUnsigned)
      result = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(floats(), b.getF32FloatAttr(1 << (bits - 1))));
    if (!zeroPoints)
      return result;
    Value raw = read(b, bytes(), zeroPoints, {panel, group, index(b, 0)});
    Value zeroPoint = arith::SIToFPOp::create(
        b, loc, floats(),
        isUnsigned ? arith::ExtUIOp::create(b, loc, words(), raw).getResult()
                   : arith::ExtSIOp::create(b, loc, words(), raw).getResult());
    return result ? arith::AddFOp::create(b, loc, result, zeroPoint).getResult()
                  : zeroPoint;
  }
  Value xAt(OpBuilder &b, Value row, Value group, Value byteRow,
            int64_t sub) const {
    return tensor::ExtractOp::create(
        b, loc, x, ValueRange{row, group, byteRow, index(b, sub)});
  }
  /// Loops over groups and rows of bytes carrying `init`; `body` gets the
  /// group, the row of bytes and the carried values and returns them.
  SmallVector<Value> loopOverK(
      OpBuilder &b, ValueRange init,
      function_ref<SmallVector<Value>(OpBuilder &, Value, Value, ValueRange)>
          body) const {
    auto groupLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, groups), index(b, 1), init,
        [&](OpBuilder &b, Location, Value group, ValueRange outer) {
          auto byteLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, bytesPerGroup), index(b, 1), outer,
              [&](OpBuilder &b, Location, Value byteRow, ValueRange inner) {
                scf::YieldOp::create(b, loc, body(b, group, byteRow, inner));
              });
          scf::YieldOp::create(b, loc, byteLoop.getResults());
        });
    return SmallVector<Value>(groupLoop.getResults());
  }

  /// Few rows: per block of rows, each row of bytes is unpacked and
  /// multiplied into every row's group sums (one accumulator per value of
  /// a byte and per unrolled row of bytes, so that FMAs do not wait on
  /// each other); at the group's end the center times the group's sum of
  /// x (`xSums`) is taken away and the scale applied once.
  Value writeRowTiles(OpBuilder &b, Value panel, Value output) const {
    int64_t rowTile = fewRowsTile();
    // Each FMA waits for the last into its accumulator (4 cycles): rows of
    // bytes are unrolled until 4 chains run side by side.
    int64_t unroll = pickDivisor(bytesPerGroup, {4, 2}, [&](int64_t u) {
      return rowTile * perByte * u <= 4;
    });
    int64_t chains = perByte * unroll;
    return loopOverGroups(
        b, panel, output, rowTile, chains,
        [&](OpBuilder &b, Value group, ArrayRef<Value> rowIndices,
            ValueRange init) {
          auto byteLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, bytesPerGroup), index(b, unroll),
              init,
              [&](OpBuilder &b, Location, Value byteRow0, ValueRange sums) {
                SmallVector<Value> next(sums.begin(), sums.end());
                for (int64_t u = 0; u < unroll; ++u) {
                  Value byteRow = plus(b, byteRow0, u);
                  Value wide = widenedBytes(b, panel, group, byteRow);
                  for (int64_t sub = 0; sub < perByte; ++sub) {
                    Value w = storedValue(b, wide, sub);
                    int64_t chain = u * perByte + sub;
                    for (int64_t r = 0; r < rowTile; ++r) {
                      Value broadcast = vector::BroadcastOp::create(
                          b, loc, floats(),
                          xAt(b, rowIndices[r], group, byteRow, sub));
                      Value &sum = next[r * chains + chain];
                      sum = vector::FMAOp::create(b, loc, broadcast, w, sum);
                    }
                  }
                }
                scf::YieldOp::create(b, loc, next);
              });
          return SmallVector<Value>(byteLoop.getResults());
        },
        /*denominator=*/0, xSums);
  }

  /// Loops over blocks of `rowTile` rows of `panel` and over groups: per
  /// group `chains` zero accumulators a row go through `accumulate` (the
  /// group, the rows, the accumulators row after row; returns them). At
  /// the group's end each row's are added up into S and the center times
  /// the row's group sum of x (`groupSums`) taken away, then the scale
  /// applied into the row's output. Where the stored values n went into
  /// the sums as 1 + n/`denominator` (0: as n), Σ n·x = denominator·(S -
  /// Σ x) is taken instead of S.
  Value
  loopOverGroups(OpBuilder &b, Value panel, Value output, int64_t rowTile,
                 int64_t chains,
                 function_ref<SmallVector<Value>(OpBuilder &, Value,
                                                 ArrayRef<Value>, ValueRange)>
                     accumulate,
                 int64_t denominator, Value groupSums) const {
    return loopOverRowTiles(
        b, panel, output, rows, rowTile, floats(),
        [&](OpBuilder &b, ArrayRef<Value> rowIndices,
            ValueRange accumulators) -> SmallVector<Value> {
          auto groupLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, groups), index(b, 1), accumulators,
              [&](OpBuilder &b, Location, Value group, ValueRange groupAccs) {
                SmallVector<Value> init;
                for (int64_t i = 0; i < rowTile * chains; ++i)
                  init.push_back(zeroVector(b));
                SmallVector<Value> sums =
                    accumulate(b, group, rowIndices, init);
                Value factor, offset = center(b, panel, group);
                if (denominator) {
                  factor = arith::ConstantOp::create(
                      b, loc,
                      DenseElementsAttr::get(floats(),
                                             b.getF32FloatAttr(denominator)));
                  offset = offset
                               ? arith::AddFOp::create(b, loc, offset, factor)
                                     .getResult()
                               : factor;
                }
                Value scale =
                    read(b, floats(), scales, {panel, group, index(b, 0)});
                SmallVector<Value> accs(groupAccs.begin(), groupAccs.end());
                for (int64_t r = 0; r < rowTile; ++r) {
                  Value sum = sums[r * chains];
                  for (int64_t c = 1; c < chains; ++c)
                    sum = arith::AddFOp::create(b, loc, sum,
                                                sums[r * chains + c]);
                  if (factor)
                    sum = arith::MulFOp::create(b, loc, sum, factor);
                  if (offset) {
                    Value xSum = vector::BroadcastOp::create(
                        b, loc, floats(),
                        tensor::ExtractOp::create(
                            b, loc, groupSums,
                            ValueRange{rowIndices[r], group}));
                    sum = arith::SubFOp::create(
                        b, loc, sum,
                        arith::MulFOp::create(b, loc, offset, xSum));
                  }
                  accs[r] = vector::FMAOp::create(b, loc, sum, scale, accs[r]);
                }
                scf::YieldOp::create(b, loc, accs);
              });
          return SmallVector<Value>(groupLoop.getResults());
        });
  }

  /// Few rows of 4-bit values with AVX-512 BF16 (vdpbf16ps multiplies
  /// pairs of bf16 into f32 lanes): each block of 4 rows of bytes (64
  /// bytes, values k..k+7 of 16 features) is loaded once, its bytes
  /// permuted (vpermb) so that a feature's 4 bytes share a 32-bit lane,
  /// and each pair of values p and p + 4 moved into bits 3..6 of the two
  /// halves of the lane under the bits of bf16 1.0 (one shift, one
  /// and-or): 1 + n/16 for stored value n, exact. Each is dot-multiplied
  /// with the matching pair of the row's inputs, split in two bf16 parts
  /// (`splitInputs`), into accumulators of their own. At a group's end
  /// the sum S of (1 + n/16)·x gives Σ n·x = 16·(S - Σ x), and the center
  /// times Σ x is taken away, Σ x being the sum of the split inputs, so
  /// that the split's error is not multiplied by the offsets.
  Value writeBf16RowTiles(OpBuilder &b, Value panel, Value output,
                          Value flatValues, const SplitInputs &split) const {
    // All rows at once (fewer than kPanelBufferRows), so that each block
    // is unpacked once. Each dot waits for the last into its accumulator
    // (6 cycles): a row's pairs go to accumulators of their own until 8
    // chains run side by side.
    int64_t rowTile = rows;
    int64_t chains = std::max<int64_t>(1, kBf16Pairs / rows);
    int64_t blocks = bytesPerGroup / kBf16BlockRows;
    auto lanes = VectorType::get({2 * width}, b.getBF16Type());
    SmallVector<int64_t> permutation;
    for (int64_t lane = 0; lane < width; ++lane)
      for (int64_t row = 0; row < kBf16BlockRows; ++row)
        permutation.push_back(row * width + lane);
    return loopOverGroups(
        b, panel, output, rowTile, 2 * chains,
        [&](OpBuilder &b, Value group, ArrayRef<Value> rowIndices,
            ValueRange init) {
          auto blockLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, blocks), index(b, 1), init,
              [&](OpBuilder &b, Location, Value block, ValueRange sums) {
                Value first =
                    blockStart(b, group, block, kBf16BlockRows * width);
                Value raw = read(
                    b, VectorType::get({kBf16BlockRows * width}, b.getI8Type()),
                    flatValues, {panel, first});
                prefetch(b, flatValues,
                         {panel, plus(b, first, kPrefetchBytes)});
                Value lanesOfFeatures = vector::BitCastOp::create(
                    b, loc, words(),
                    vector::ShuffleOp::create(b, loc, raw, raw, permutation));
                SmallVector<Value> next(sums.begin(), sums.end());
                for (int64_t pair = 0; pair < kBf16Pairs; ++pair) {
                  // Value `pair` at bits 4·pair, `pair + 4` 16 above.
                  Value field =
                      pair == 0
                          ? arith::ShLIOp::create(b, loc, lanesOfFeatures,
                                                  splat(b, 3))
                                .getResult()
                          : arith::ShRUIOp::create(b, loc, lanesOfFeatures,
                                                   splat(b, 4 * pair - 3))
                                .getResult();
                  Value weights = vector::BitCastOp::create(
                      b, loc, lanes,
                      arith::OrIOp::create(
                          b, loc,
                          arith::AndIOp::create(b, loc, field,
                                                splat(b, 0x00780078)),
                          splat(b, 0x3F803F80)));
                  for (int64_t r = 0; r < rowTile; ++r)
                    for (int64_t part = 0; part < 2; ++part) {
                      Value inputs = vector::BitCastOp::create(
                          b, loc, lanes,
                          vector::BroadcastOp::create(
                              b, loc, words(),
                              tensor::ExtractOp::create(
                                  b, loc, split.pairs,
                                  ValueRange{
                                      rowIndices[r], group, block,
                                      index(b, part * kBf16Pairs + pair)})));
                      Value &sum =
                          next[(r * 2 + part) * chains + pair % chains];
                      sum = bf16PairDot(b, sum, weights, inputs);
                    }
                }
                scf::YieldOp::create(b, loc, next);
              });
          return SmallVector<Value>(blockLoop.getResults());
        },
        /*denominator=*/16, split.sums);
  }

  /// The first element of block `block` of `group` in a flat view whose
  /// blocks (of 4 rows of bytes) hold `size` elements.
  Value blockStart(OpBuilder &b, Value group, Value block, int64_t size) const {
    Value blocksBefore = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, group,
                              index(b, bytesPerGroup / kBf16BlockRows)),
        block);
    return arith::MulIOp::create(b, loc, blocksBefore, index(b, size));
  }

  /// `acc` plus, in each f32 lane, the products of its two bf16 `weights`
  /// by its two bf16 `inputs`: vdpbf16ps, written portably and marked for
  /// pith-lower-vectors.
  Value bf16PairDot(OpBuilder &b, Value acc, Value weights,
                    Value inputs) const {
    auto wide = VectorType::get({2 * width}, f32);
    Value products = arith::MulFOp::create(
        b, loc, arith::ExtFOp::create(b, loc, wide, weights),
        arith::ExtFOp::create(b, loc, wide, inputs));
    Value lanes = vector::ShapeCastOp::create(
        b, loc, VectorType::get({width, 2}, f32), products);
    auto reduction = vector::MultiDimReductionOp::create(
        b, loc, lanes, acc, ArrayRef<bool>{false, true},
        vector::CombiningKind::ADD);
    reduction->setAttr(pith::kBf16DotAttr, b.getUnitAttr());
    return reduction;
  }

  /// x for `writeBf16RowTiles`: per row, group and block of 8 values,
  /// values p and p + 4 side by side (as the weights' lanes pair them) as
  /// bf16, in two parts, the rounded values and what they left (16
  /// significant bits together), each pair a 32-bit word: `pairs` [rows,
  /// groups, blocks, 2 x 4] i32; and `sums` [rows, groups] f32, each
  /// group's sum of the two parts.
  SplitInputs splitInputs(OpBuilder &b) const {
    int64_t blocks = bytesPerGroup / kBf16BlockRows;
    int64_t perBlock = kBf16BlockRows * perByte;
    auto block = VectorType::get({perBlock}, f32);
    auto halves = VectorType::get({perBlock}, b.getBF16Type());
    auto pairWords = VectorType::get({perBlock / 2}, b.getI32Type());
    Value flat = tensor::CollapseShapeOp::create(
        b, loc, x, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
    SmallVector<Value> init = {
        tensor::EmptyOp::create(
            b, loc, ArrayRef<int64_t>{rows, groups, blocks, 2 * kBf16Pairs},
            b.getI32Type()),
        tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, groups}, f32)};
    auto rowLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, rows), index(b, 1), init,
        [&](OpBuilder &b, Location, Value row, ValueRange rowArgs) {
          auto groupLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, groups), index(b, 1), rowArgs,
              [&](OpBuilder &b, Location, Value group, ValueRange args) {
                Value zeros = arith::ConstantOp::create(b, loc, block,
                                                        b.getZeroAttr(block));
                auto blockLoop = scf::ForOp::create(
                    b, loc, index(b, 0), index(b, blocks), index(b, 1),
                    ValueRange{args[0], zeros},
                    [&](OpBuilder &b, Location, Value blockIndex,
                        ValueRange blockArgs) {
                      Value first = blockStart(b, group, blockIndex, perBlock);
                      Value values = read(b, block, flat, {row, first});
                      values = vector::ShuffleOp::create(
                          b, loc, values, values,
                          ArrayRef<int64_t>{0, 4, 1, 5, 2, 6, 3, 7});
                      Value high =
                          arith::TruncFOp::create(b, loc, halves, values);
                      Value highValues =
                          arith::ExtFOp::create(b, loc, block, high);
                      Value low = arith::TruncFOp::create(
                          b, loc, halves,
                          arith::SubFOp::create(b, loc, values, highValues));
                      Value split = arith::AddFOp::create(
                          b, loc, highValues,
                          arith::ExtFOp::create(b, loc, block, low));
                      Value pairs = blockArgs[0];
                      for (auto [part, half] :
                           llvm::enumerate(ArrayRef<Value>{high, low}))
                        pairs = vector::TransferWriteOp::create(
                                    b, loc,
                                    vector::BitCastOp::create(b, loc, pairWords,
                                                              half),
                                    pairs,
                                    ValueRange{row, group, blockIndex,
                                               index(b, part * kBf16Pairs)},
                                    ArrayRef<bool>{true})
                                    .getResult();
                      scf::YieldOp::create(
                          b, loc,
                          ValueRange{pairs, arith::AddFOp::create(
                                                b, loc, blockArgs[1], split)
                                                .getResult()});
                    });
                Value total = vector::ReductionOp::create(
                    b, loc, vector::CombiningKind::ADD, blockLoop.getResult(1));
                scf::YieldOp::create(
                    b, loc,
                    ValueRange{blockLoop.getResult(0),
                               tensor::InsertOp::create(b, loc, total, args[1],
                                                        ValueRange{row, group})
                                   .getResult()});
              });
          scf::YieldOp::create(b, loc, groupLoop.getResults());
        });
    return {rowLoop.getResult(0), rowLoop.getResult(1)};
  }

  /// The position along K of value `sub` of row `byteRow` of `group`.
  Value kIndex(OpBuilder &b, Value group, Value byteRow, int64_t sub) const {
    Value groupStart =
        arith::MulIOp::create(b, loc, group, index(b, bytesPerGroup * perByte));
    Value rowStart = arith::MulIOp::create(b, loc, byteRow, index(b, perByte));
    return plus(b, arith::AddIOp::create(b, loc, groupStart, rowStart), sub);
  }

  /// Many rows: the panel's weights, dequantized into `buffer` [K, width].
  Value writePanelBuffer(OpBuilder &b, Value panel, Value buffer) const {
    auto groupLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, groups), index(b, 1), ValueRange{buffer},
        [&](OpBuilder &b, Location, Value group, ValueRange groupArgs) {
          Value offset = center(b, panel, group);
          Value scale = read(b, floats(), scales, {panel, group, index(b, 0)});
          auto byteLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, bytesPerGroup), index(b, 1),
              groupArgs,
              [&](OpBuilder &b, Location, Value byteRow, ValueRange args) {
                Value wide = widenedBytes(b, panel, group, byteRow);
                Value next = args[0];
                for (int64_t sub = 0; sub < perByte; ++sub) {
                  Value w = storedValue(b, wide, sub);
                  if (offset)
                    w = arith::SubFOp::create(b, loc, w, offset);
                  w = arith::MulFOp::create(b, loc, w, scale);
                  next = vector::TransferWriteOp::create(
                             b, loc, w, next,
                             ValueRange{kIndex(b, group, byteRow, sub),
                                        index(b, 0)},
                             ArrayRef<bool>{true})
                             .getResult();
                }
                scf::YieldOp::create(b, loc, next);
              });
          scf::YieldOp::create(b, loc, byteLoop.getResults());
        });
    return groupLoop.getResult(0);
  }

  /// Many rows: `buffer` (the panel's f32 weights) multiplied into blocks
  /// of rows, as a float contraction's register tiles are.
  Value multiplyPanelBuffer(OpBuilder &b, Value panel, Value output,
                            Value buffer) const {
    int64_t rowTile = rowTileFor(vectorsPerRow(), vectorBits >= 512 ? 16 : 12);
    return loopOverRowTiles(
        b, panel, output, rows, rowTile, floats(),
        [&](OpBuilder &b, ArrayRef<Value> rowIndices, ValueRange accumulators) {
          return loopOverK(
              b, accumulators,
              [&](OpBuilder &b, Value group, Value byteRow, ValueRange accs) {
                SmallVector<Value> next(accs.begin(), accs.end());
                for (int64_t sub = 0; sub < perByte; ++sub) {
                  Value w = read(b, floats(), buffer,
                                 {kIndex(b, group, byteRow, sub), index(b, 0)});
                  for (int64_t r = 0; r < rowTile; ++r) {
                    Value broadcast = vector::BroadcastOp::create(
                        b, loc, floats(),
                        xAt(b, rowIndices[r], group, byteRow, sub));
                    next[r] =
                        vector::FMAOp::create(b, loc, broadcast, w, next[r]);
                  }
                }
                return next;
              });
        });
  }

  linalg::GenericOp op;
  int64_t vectorBits;
  Value x, values, scales, zeroPoints, xSums;
  Type f32;
  int64_t bits = 8, rows = 0, panels = 0, width = 0, groups = 0,
          bytesPerGroup = 0, perByte = 1;
  bool isUnsigned = false, bf16Dot = false;
};

/// A contraction of int8 inputs with weights packed for integer dot
/// products (`pith.quantized_matmul` with `dot = true`), written with
/// AVX-512 VNNI: per panel of 16 output features (two where they pair up,
/// sharing each broadcast of the inputs) and block of rows, each
/// block of 64 packed bytes (4 values of K for each feature, a 32-bit lane)
/// is loaded once; each value of a byte is shifted out in all 64 lanes at
/// once, and `vpdpbusd` multiplies those unsigned bytes by the row's 4
/// int8 inputs (broadcast) into 32-bit sums: 64 multiply-adds (written as
/// vector ops that pith-lower-vectors makes that instruction). Several
/// blocks and values go to accumulators of their own so that the
/// instructions do not wait on each other. At a group's end the center
/// (the offset of the stored values and the zero point) times the group's
/// sum of inputs is taken away and the sum converted and scaled; at the
/// end each row is scaled by its input scale.
class QuantizedDotWriter : LoopEmitter {
public:
  static FailureOr<QuantizedDotWriter> match(linalg::GenericOp op,
                                             int64_t vectorBits) {
    auto attrs = op->getAttrOfType<DictionaryAttr>(pith::kQuantizedMatmulAttr);
    auto bitsAttr = attrs ? attrs.getAs<IntegerAttr>("bits") : IntegerAttr();
    auto unsignedAttr = attrs ? attrs.getAs<BoolAttr>("unsigned") : BoolAttr();
    auto dotAttr = attrs ? attrs.getAs<BoolAttr>("dot") : BoolAttr();
    std::optional<SmallVector<int64_t>> ranges = packedRanges(op, 7, 4, 6);
    if (!bitsAttr || !unsignedAttr || !dotAttr || !dotAttr.getValue() ||
        vectorBits < 256 || !ranges || (*ranges)[2] != kLanes ||
        (*ranges)[6] != kLaneBytes)
      return failure();
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(7, 0, exprs, context);
    };
    Builder builder(context);
    Type i8 = builder.getI8Type(), f32 = builder.getF32Type();
    SmallVector<AffineMap> expected = {map({d(0), d(3), d(4), d(5), d(6)}),
                                       map({d(1), d(3), d(4), d(2), d(6)}),
                                       map({d(1), d(3), d(2)})};
    SmallVector<Type> elements = {i8, i8, f32};
    // Zero points imply a center, and a center the group sums of x.
    bool hasZeroPoints = op.getNumDpsInputs() == 6;
    bool hasSums = op.getNumDpsInputs() >= 5;
    if (hasZeroPoints) {
      expected.push_back(map({d(1), d(3), d(2)}));
      elements.push_back(i8);
    }
    if (hasSums) {
      expected.push_back(map({d(0), d(3)}));
      elements.push_back(builder.getI32Type());
    }
    expected.push_back(map({d(0)}));
    elements.push_back(f32);
    expected.push_back(map({d(0), d(1), d(2)}));
    elements.push_back(f32);
    if (!hasOperands(op, expected, elements))
      return failure();
    QuantizedDotWriter writer(op);
    // A 16-lane vector is one AVX-512 register, two AVX2 ones (of 16).
    writer.registerShare = vectorBits >= 512 ? 1 : 4;
    writer.bits = bitsAttr.getInt();
    writer.isUnsigned = unsignedAttr.getValue();
    writer.rows = (*ranges)[0];
    writer.panels = (*ranges)[1];
    writer.groups = (*ranges)[3];
    writer.blocks = (*ranges)[4];
    writer.perByte = (*ranges)[5];
    if (writer.bits * writer.perByte != 8)
      return failure();
    // Signed values are stored offset by 2^(bits-1): every layer but one
    // of unsigned values without zero points has a center.
    if (hasSums != (!writer.isUnsigned || hasZeroPoints))
      return failure();
    if (hasZeroPoints)
      writer.zeroPoints = op.getDpsInputs()[3];
    if (hasSums)
      writer.xSums = op.getDpsInputs()[hasZeroPoints ? 4 : 3];
    writer.xScales = op.getDpsInputs().back();
    return writer;
  }

  void write(RewriterBase &rewriter) {
    rewriter.setInsertionPoint(op);
    // A block's 64 bytes (and a block's inputs) are contiguous: read as one
    // vector from views without the last split.
    flatValues = collapseLastTwo(rewriter, values);
    flatX = collapseLastTwo(rewriter, x);
    // Two panels at a time where they pair up, each input broadcast then
    // feeding two products, unless one panel takes a tile of rows so much
    // taller that fewer loads feed each product (5 or 7 rows: one panel
    // by 5 or 7 rows loads 1.2 or 1.14 times a product, two by 1 row 1.5).
    // The 32-bit accumulators (a row, panel and chain each) and their float
    // sums fit the registers (32 with AVX-512) with the bytes and inputs.
    auto rowTileFor = [&](int64_t panelTile) {
      return pickDivisor(rows, kRowTiles, [&](int64_t t) {
        return t * panelTile <= 8 / registerShare;
      });
    };
    auto loadsPerProduct = [](int64_t panelTile, int64_t rowTile) {
      return static_cast<double>(panelTile + rowTile) / (panelTile * rowTile);
    };
    panelTile = 1;
    rowTile = rowTileFor(1);
    int64_t pairedRowTile = rowTileFor(2);
    if (panels % 2 == 0 &&
        loadsPerProduct(2, pairedRowTile) <= loadsPerProduct(1, rowTile)) {
      panelTile = 2;
      rowTile = pairedRowTile;
    }
    auto panelLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, panels),
        index(rewriter, panelTile), ValueRange{op.getDpsInits()[0]},
        [&](OpBuilder &b, Location, Value panel, ValueRange args) {
          scf::YieldOp::create(b, loc, writeRowTiles(b, panel, args[0]));
        });
    rewriter.replaceOp(op, panelLoop.getResult(0));
  }

private:
  /// Output features a panel holds, one 32-bit lane each, and bytes a lane.
  static constexpr int64_t kLanes = 16, kLaneBytes = 4;

  explicit QuantizedDotWriter(linalg::GenericOp op)
      : LoopEmitter(op.getLoc()), op(op) {
    x = op.getDpsInputs()[0];
    values = op.getDpsInputs()[1];
    scales = op.getDpsInputs()[2];
  }

  Value collapseLastTwo(OpBuilder &b, Value tensor) const {
    int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i + 2 < rank; ++i)
      groups.push_back({i});
    groups.push_back({rank - 2, rank - 1});
    return tensor::CollapseShapeOp::create(b, loc, tensor, groups);
  }
  Type i32(OpBuilder &b) const { return b.getI32Type(); }
  VectorType sums(OpBuilder &b) const {
    return VectorType::get({kLanes}, b.getI32Type());
  }
  VectorType floats(OpBuilder &b) const {
    return VectorType::get({kLanes}, b.getF32Type());
  }
  VectorType laneBytes(OpBuilder &b) const {
    return VectorType::get({kLanes * kLaneBytes}, b.getI8Type());
  }
  VectorType wideBytes(OpBuilder &b) const {
    return VectorType::get({kLanes * kLaneBytes}, b.getI32Type());
  }
  /// `acc` plus, in each 32-bit lane, the products of its 4 `weights`
  /// (unsigned bytes, widened) by its 4 `inputs` (signed bytes): vpdpbusd,
  /// written portably and marked for pith-lower-vectors, since an
  /// intrinsic call here would stop bufferization.
  Value dot(OpBuilder &b, Value acc, Value weights, Value inputs) const {
    Value products = arith::MulIOp::create(
        b, loc, weights, arith::ExtSIOp::create(b, loc, wideBytes(b), inputs));
    Value lanes = vector::ShapeCastOp::create(
        b, loc, VectorType::get({kLanes, kLaneBytes}, b.getI32Type()),
        products);
    auto reduction = vector::MultiDimReductionOp::create(
        b, loc, lanes, acc, ArrayRef<bool>{false, true},
        vector::CombiningKind::ADD);
    reduction->setAttr(pith::kVnniDotAttr, b.getUnitAttr());
    return reduction;
  }
  Value splatBytes(OpBuilder &b, int64_t value) const {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(laneBytes(b), b.getI8IntegerAttr(value)));
  }

  /// What the stored values of a group are offset by, per feature:
  /// 2^(bits-1) for signed values, plus the zero point; null for none.
  Value center(OpBuilder &b, Value panel, Value group) const {
    Value result;
    if (!isUnsigned)
      result = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(sums(b),
                                 b.getI32IntegerAttr(1 << (bits - 1))));
    if (!zeroPoints)
      return result;
    Value raw = read(b, VectorType::get({kLanes}, b.getI8Type()), zeroPoints,
                     {panel, group, index(b, 0)});
    Value zeroPoint =
        isUnsigned ? arith::ExtUIOp::create(b, loc, sums(b), raw).getResult()
                   : arith::ExtSIOp::create(b, loc, sums(b), raw).getResult();
    return result ? arith::AddIOp::create(b, loc, result, zeroPoint).getResult()
                  : zeroPoint;
  }

  /// The 4 int8 inputs of `row` for value `sub` of `block`, in all lanes.
  Value inputs(OpBuilder &b, Value row, Value group, Value block,
               int64_t sub) const {
    Value four = read(b, VectorType::get({kLaneBytes}, b.getI8Type()), flatX,
                      {row, group, block, index(b, sub * kLaneBytes)});
    Value word = vector::ExtractOp::create(
        b, loc,
        vector::BitCastOp::create(b, loc, VectorType::get({1}, i32(b)), four),
        ArrayRef<int64_t>{0});
    return vector::BitCastOp::create(
        b, loc, laneBytes(b),
        vector::BroadcastOp::create(b, loc, sums(b), word));
  }

  /// Blocks of rows of the `panelTile` panels from `panel0` on: each
  /// row's 4 inputs are broadcast once for all of them.
  Value writeRowTiles(OpBuilder &b, Value panel0, Value output) const {
    int64_t unroll = pickDivisor(blocks, {8, 4, 2}, [&](int64_t u) {
      return rowTile * panelTile * perByte * u <= 16 / registerShare;
    });
    int64_t chains = perByte * unroll;
    SmallVector<Value> panelIndices;
    for (int64_t p = 0; p < panelTile; ++p)
      panelIndices.push_back(plus(b, panel0, p));
    // Accumulator `chain` of row r in panel p.
    auto at = [&](int64_t r, int64_t p, int64_t chain) {
      return (r * panelTile + p) * chains + chain;
    };
    auto rowLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, rows), index(b, rowTile),
        ValueRange{output},
        [&](OpBuilder &b, Location, Value row0, ValueRange rowArgs) {
          SmallVector<Value> rowIndices, floatInit;
          for (int64_t r = 0; r < rowTile; ++r)
            rowIndices.push_back(plus(b, row0, r));
          for (int64_t i = 0; i < rowTile * panelTile; ++i)
            floatInit.push_back(arith::ConstantOp::create(
                b, loc, floats(b), b.getZeroAttr(floats(b))));
          auto groupLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, groups), index(b, 1), floatInit,
              [&](OpBuilder &b, Location, Value group, ValueRange groupAccs) {
                SmallVector<Value> init(
                    rowTile * panelTile * chains,
                    arith::ConstantOp::create(b, loc, sums(b),
                                              b.getZeroAttr(sums(b))));
                auto blockLoop = scf::ForOp::create(
                    b, loc, index(b, 0), index(b, blocks), index(b, unroll),
                    init,
                    [&](OpBuilder &b, Location, Value block0, ValueRange accs) {
                      SmallVector<Value> next(accs.begin(), accs.end());
                      for (int64_t u = 0; u < unroll; ++u) {
                        Value block = plus(b, block0, u);
                        SmallVector<Value> bytes;
                        for (Value panel : panelIndices)
                          bytes.push_back(
                              read(b, laneBytes(b), flatValues,
                                   {panel, group, block, index(b, 0)}));
                        for (int64_t sub = 0; sub < perByte; ++sub) {
                          SmallVector<Value> weights;
                          for (Value field : bytes) {
                            if (sub > 0)
                              field = arith::ShRUIOp::create(
                                  b, loc, field, splatBytes(b, bits * sub));
                            if (sub + 1 < perByte)
                              field = arith::AndIOp::create(
                                  b, loc, field,
                                  splatBytes(b, (1 << bits) - 1));
                            weights.push_back(arith::ExtUIOp::create(
                                b, loc, wideBytes(b), field));
                          }
                          for (int64_t r = 0; r < rowTile; ++r) {
                            Value xs =
                                inputs(b, rowIndices[r], group, block, sub);
                            for (int64_t p = 0; p < panelTile; ++p) {
                              Value &acc = next[at(r, p, u * perByte + sub)];
                              acc = dot(b, acc, weights[p], xs);
                            }
                          }
                        }
                      }
                      scf::YieldOp::create(b, loc, next);
                    });
                SmallVector<Value> results(groupAccs.begin(), groupAccs.end());
                for (int64_t p = 0; p < panelTile; ++p) {
                  Value offset = center(b, panelIndices[p], group);
                  Value scale = read(b, floats(b), scales,
                                     {panelIndices[p], group, index(b, 0)});
                  for (int64_t r = 0; r < rowTile; ++r) {
                    Value sum = blockLoop.getResult(at(r, p, 0));
                    for (int64_t c = 1; c < chains; ++c)
                      sum = arith::AddIOp::create(
                          b, loc, sum, blockLoop.getResult(at(r, p, c)));
                    if (offset) {
                      Value xSum = vector::BroadcastOp::create(
                          b, loc, sums(b),
                          tensor::ExtractOp::create(
                              b, loc, xSums, ValueRange{rowIndices[r], group}));
                      sum = arith::SubIOp::create(
                          b, loc, sum,
                          arith::MulIOp::create(b, loc, offset, xSum));
                    }
                    Value &result = results[r * panelTile + p];
                    result = vector::FMAOp::create(
                        b, loc, arith::SIToFPOp::create(b, loc, floats(b), sum),
                        scale, result);
                  }
                }
                scf::YieldOp::create(b, loc, results);
              });
          Value tile = rowArgs[0];
          for (int64_t r = 0; r < rowTile; ++r) {
            Value xScale = vector::BroadcastOp::create(
                b, loc, floats(b),
                tensor::ExtractOp::create(b, loc, xScales,
                                          ValueRange{rowIndices[r]}));
            for (int64_t p = 0; p < panelTile; ++p) {
              SmallVector<Value> indices = {rowIndices[r], panelIndices[p],
                                            index(b, 0)};
              Value result = vector::FMAOp::create(
                  b, loc, groupLoop.getResult(r * panelTile + p), xScale,
                  read(b, floats(b), tile, indices));
              tile = vector::TransferWriteOp::create(
                         b, loc, result, tile, indices, ArrayRef<bool>{true})
                         .getResult();
            }
          }
          scf::YieldOp::create(b, loc, tile);
        });
    return rowLoop.getResult(0);
  }

  linalg::GenericOp op;
  Value x, values, scales, zeroPoints, xSums, xScales, flatX, flatValues;
  int64_t bits = 8, rows = 0, panels = 0, groups = 0, blocks = 0, perByte = 1,
          panelTile = 1, rowTile = 1;
  /// How many of the target's registers a 16-lane vector takes, of 32.
  int64_t registerShare = 1;
  bool isUnsigned = false;
};

/// A contraction over the kept values of an N:M-sparse weight
/// (`pith.sparse_matmul`, see SparsityToLinalg.cpp: loops m, panel, column
/// | group, slot, offset; inputs x [M, groups, m], values [panels, groups,
/// n, 16] and positions [panels, groups, 16]): per panel, block of rows and
/// group, the positions' integer is widened once and each slot's position
/// shifted out; per row, each slot's inputs are x's group gathered by
/// those positions (from the group's m elements alone, which
/// pith-lower-vectors makes a permutation in registers), times the slot's
/// values (int8 ones converted, and each row's sums scaled at the end): n
/// multiply-adds per group of m where dense weights take m.
class SparseMatmulWriter : LoopEmitter {
public:
  static FailureOr<SparseMatmulWriter> match(linalg::GenericOp op) {
    auto attrs = op->getAttrOfType<DictionaryAttr>(pith::kSparseMatmulAttr);
    auto nAttr = attrs ? attrs.getAs<IntegerAttr>("n") : IntegerAttr();
    auto mAttr = attrs ? attrs.getAs<IntegerAttr>("m") : IntegerAttr();
    std::optional<SmallVector<int64_t>> ranges = packedRanges(op, 6, 3, 4);
    if (!nAttr || !mAttr || !ranges)
      return failure();
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(6, 0, exprs, context);
    };
    Builder builder(context);
    Type f32 = builder.getF32Type();
    auto fieldType = dyn_cast<IntegerType>(
        getElementTypeOrSelf(op.getDpsInputs()[2].getType()));
    if (!fieldType || fieldType.getWidth() > 32)
      return failure();
    // Kept values f32, or int8 with a scale per feature.
    bool scaled = op.getNumDpsInputs() == 4;
    SmallVector<AffineMap> maps = {map({d(0), d(3), d(5)}),
                                   map({d(1), d(3), d(4), d(2)}),
                                   map({d(1), d(3), d(2)})};
    SmallVector<Type> elements = {f32, scaled ? builder.getI8Type() : f32,
                                  fieldType};
    if (scaled) {
      maps.push_back(map({d(1), d(2)}));
      elements.push_back(f32);
    }
    maps.push_back(map({d(0), d(1), d(2)}));
    elements.push_back(f32);
    if (!hasOperands(op, maps, elements))
      return failure();
    SparseMatmulWriter writer(op);
    writer.kept = nAttr.getInt();
    writer.groupSize = mAttr.getInt();
    writer.rows = (*ranges)[0];
    writer.panels = (*ranges)[1];
    writer.width = (*ranges)[2];
    writer.groups = (*ranges)[3];
    if ((*ranges)[4] != writer.kept || (*ranges)[5] != writer.groupSize ||
        !llvm::isPowerOf2_64(writer.groupSize) ||
        writer.kept * llvm::Log2_64(writer.groupSize) > fieldType.getWidth())
      return failure();
    return writer;
  }

  void write(RewriterBase &rewriter) {
    replaceByPanelLoop(rewriter, op, panels,
                       [&](OpBuilder &b, Value panel, Value output) {
                         return writeRowTiles(b, panel, output);
                       });
  }

private:
  explicit SparseMatmulWriter(linalg::GenericOp op)
      : LoopEmitter(op.getLoc()), op(op) {
    x = op.getDpsInputs()[0];
    values = op.getDpsInputs()[1];
    positions = op.getDpsInputs()[2];
    if (op.getNumDpsInputs() > 3)
      scales = op.getDpsInputs()[3];
  }

  VectorType floats(OpBuilder &b) const {
    return VectorType::get({width}, b.getF32Type());
  }
  VectorType words(OpBuilder &b) const {
    return VectorType::get({width}, b.getI32Type());
  }
  Value splat(OpBuilder &b, int64_t value) const {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(words(b), b.getI32IntegerAttr(value)));
  }

  /// The positions of each slot of `group` of `panel`, one 32-bit lane
  /// per feature.
  SmallVector<Value> slotPositions(OpBuilder &b, Value panel,
                                   Value group) const {
    Value fields =
        read(b, VectorType::get({width}, getElementTypeOrSelf(positions)),
             positions, {panel, group, index(b, 0)});
    Value wide = fields;
    if (getElementTypeOrSelf(positions).getIntOrFloatBitWidth() < 32)
      wide = arith::ExtUIOp::create(b, loc, words(b), fields);
    int64_t bits = llvm::Log2_64(groupSize);
    SmallVector<Value> result;
    for (int64_t slot = 0; slot < kept; ++slot) {
      Value field = wide;
      if (slot > 0)
        field = arith::ShRUIOp::create(b, loc, field, splat(b, slot * bits));
      if (slot + 1 < kept)
        field = arith::AndIOp::create(b, loc, field, splat(b, groupSize - 1));
      result.push_back(field);
    }
    return result;
  }

  /// The kept values of `slot` of `group` of `panel` as floats: int8 ones
  /// are converted exactly (their scale is applied to the row's sums).
  Value keptValues(OpBuilder &b, Value panel, Value group,
                   int64_t slot) const {
    SmallVector<Value> at = {panel, group, index(b, slot), index(b, 0)};
    if (!scales)
      return read(b, floats(b), values, at);
    Value bytes = read(b, VectorType::get({width}, b.getI8Type()), values, at);
    return arith::SIToFPOp::create(
        b, loc, floats(b), arith::ExtSIOp::create(b, loc, words(b), bytes));
  }

  /// x's elements of `group` of `row` at `slotPosition`, lane by lane:
  /// gathered from the group's m elements alone, which pith-lower-vectors
  /// makes a permutation in registers.
  Value gatherInputs(OpBuilder &b, Value row, Value group,
                     Value slotPosition) const {
    auto groupType = RankedTensorType::get({groupSize}, b.getF32Type());
    Value groupInputs = tensor::ExtractSliceOp::create(
        b, loc, groupType, x,
        ArrayRef<OpFoldResult>{row, group, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(groupSize)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                               b.getIndexAttr(1)});
    VectorType mask = VectorType::get({width}, b.getI1Type());
    return vector::GatherOp::create(
        b, loc, floats(b), groupInputs, ValueRange{index(b, 0)}, slotPosition,
        arith::ConstantOp::create(b, loc, DenseElementsAttr::get(mask, true)),
        arith::ConstantOp::create(b, loc, floats(b), b.getZeroAttr(floats(b))));
  }

  Value writeRowTiles(OpBuilder &b, Value panel, Value output) const {
    // Each FMA waits for the last into its accumulator: groups are
    // unrolled until about 8 chains run side by side.
    int64_t rowTile = pickDivisor(rows, {4, 3, 2}, [&](int64_t t) {
      return t * kept <= 8;
    });
    int64_t unroll = pickDivisor(groups, {4, 2}, [&](int64_t u) {
      return rowTile * kept * u <= 8;
    });
    int64_t chains = kept * unroll;
    return loopOverRowTiles(
        b, panel, output, rows, rowTile, floats(b),
        [&](OpBuilder &b, ArrayRef<Value> rowIndices,
            ValueRange accumulators) -> SmallVector<Value> {
          // Chain 0 of each row starts from its accumulator, unless the
          // sums are scaled at the end.
          SmallVector<Value> init;
          for (int64_t r = 0; r < rowTile; ++r)
            for (int64_t c = 0; c < chains; ++c)
              init.push_back(c == 0 && !scales
                                 ? accumulators[r]
                                 : arith::ConstantOp::create(
                                       b, loc, floats(b),
                                       b.getZeroAttr(floats(b)))
                                       .getResult());
          auto groupLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, groups), index(b, unroll), init,
              [&](OpBuilder &b, Location, Value group0, ValueRange sums) {
                SmallVector<Value> next(sums.begin(), sums.end());
                for (int64_t u = 0; u < unroll; ++u) {
                  Value group = plus(b, group0, u);
                  SmallVector<Value> slots = slotPositions(b, panel, group);
                  for (int64_t slot = 0; slot < kept; ++slot) {
                    Value w = keptValues(b, panel, group, slot);
                    for (int64_t r = 0; r < rowTile; ++r) {
                      Value &sum = next[r * chains + u * kept + slot];
                      sum = vector::FMAOp::create(
                          b, loc,
                          gatherInputs(b, rowIndices[r], group, slots[slot]), w,
                          sum);
                    }
                  }
                }
                scf::YieldOp::create(b, loc, next);
              });
          Value scale;
          if (scales)
            scale = read(b, floats(b), scales, {panel, index(b, 0)});
          SmallVector<Value> results;
          for (int64_t r = 0; r < rowTile; ++r) {
            Value sum = groupLoop.getResult(r * chains);
            for (int64_t c = 1; c < chains; ++c)
              sum = arith::AddFOp::create(b, loc, sum,
                                          groupLoop.getResult(r * chains + c));
            if (scale)
              sum = vector::FMAOp::create(b, loc, sum, scale, accumulators[r]);
            results.push_back(sum);
          }
          return results;
        });
  }

  linalg::GenericOp op;
  /// `scales`: null for f32 values.
  Value x, values, positions, scales;
  int64_t kept = 2, groupSize = 4, rows = 0, panels = 0, width = 0,
          groups = 0;
};

/// A contraction over the packed nonzeros of a bitmap-sparse weight
/// (`pith.bitmap_matmul`, see SparsityToLinalg.cpp: loops m, panel,
/// feature | chunk, input in chunk; inputs x [M, chunks, c], masks
/// [panels, chunks, c] (i16) and each panel's first nonzero; the nonzeros
/// read by the body): per panel and block of rows, a running offset walks
/// the panel's nonzeros. Each input's mask expands the next nonzeros into
/// its 16 lanes (written as a gather whose indices count the mask's lower
/// bits; pith-lower-vectors makes it one expanding load), which multiply
/// the input of every row of the block. Chunks whose masks are all zero are
/// skipped.
class BitmapMatmulWriter : LoopEmitter {
public:
  static FailureOr<BitmapMatmulWriter> match(linalg::GenericOp op,
                                             int64_t vectorBits) {
    std::optional<SmallVector<int64_t>> ranges = packedRanges(op, 5, 3, 3);
    if (!op->hasAttr(pith::kBitmapMatmulAttr) || !ranges)
      return failure();
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(5, 0, exprs, context);
    };
    Builder builder(context);
    Type f32 = builder.getF32Type();
    if (!hasOperands(op,
                     {map({d(0), d(3), d(4)}), map({d(1), d(3), d(4)}),
                      map({d(1)}), map({d(0), d(1), d(2)})},
                     {f32, builder.getI16Type(), builder.getI32Type(), f32}) ||
        (*ranges)[2] != 16)
      return failure();
    // The nonzeros: the 1-D f32 tensor from above that the body reads.
    Value nonzeros = readFromAbove(op, 1, f32);
    if (!nonzeros)
      return failure();
    BitmapMatmulWriter writer(op, nonzeros);
    writer.vectorBits = vectorBits;
    writer.rows = (*ranges)[0];
    writer.panels = (*ranges)[1];
    writer.chunks = (*ranges)[3];
    writer.chunk = (*ranges)[4];
    return writer;
  }

  void write(RewriterBase &rewriter) {
    replaceByPanelLoop(rewriter, op, panels,
                       [&](OpBuilder &b, Value panel, Value output) {
                         return writeRowTiles(b, panel, output);
                       });
  }

private:
  BitmapMatmulWriter(linalg::GenericOp op, Value nonzeros)
      : LoopEmitter(op.getLoc()), op(op), nonzeros(nonzeros) {
    x = op.getDpsInputs()[0];
    masks = op.getDpsInputs()[1];
    starts = op.getDpsInputs()[2];
  }

  VectorType floats(OpBuilder &b) const {
    return VectorType::get({16}, b.getF32Type());
  }

  /// The 16 nonzeros from `offset` placed at the set bits of `mask` (i32),
  /// zeros elsewhere: a gather whose index in lane f counts the bits of
  /// `mask` below f.
  Value expandNonzeros(OpBuilder &b, Value offset, Value mask) const {
    auto words = VectorType::get({16}, b.getI32Type());
    SmallVector<int32_t> bit, below;
    for (int32_t lane = 0; lane < 16; ++lane) {
      bit.push_back(1 << lane);
      below.push_back((1 << lane) - 1);
    }
    auto constant = [&](ArrayRef<int32_t> values) {
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(words, values));
    };
    Value spread = vector::BroadcastOp::create(b, loc, words, mask);
    Value indices = math::CtPopOp::create(
        b, loc, arith::AndIOp::create(b, loc, spread, constant(below)));
    Value set = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, loc, spread, constant(bit)),
        arith::ConstantOp::create(b, loc, words, b.getZeroAttr(words)));
    return vector::GatherOp::create(
        b, loc, floats(b), nonzeros, ValueRange{offset}, indices, set,
        arith::ConstantOp::create(b, loc, floats(b), b.getZeroAttr(floats(b))));
  }

  Value writeRowTiles(OpBuilder &b, Value panel, Value output) const {
    // Each expansion serves every row of a block: as many rows as the
    // registers hold. Each FMA waits for the last into its accumulator:
    // about 8 chains run side by side, a row's inputs taking turns between
    // its chains.
    int64_t accumulators = vectorBits >= 512 ? 16 : 6;
    int64_t rowTile = pickDivisor(rows, {16, 8, 6, 4, 3, 2}, [&](int64_t t) {
      return t <= accumulators;
    });
    int64_t chains = std::min<int64_t>(
        chunk,
        std::max<int64_t>(1, std::min<int64_t>(8, accumulators) / rowTile));
    Value start = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        tensor::ExtractOp::create(b, loc, starts, ValueRange{panel}));
    return loopOverRowTiles(
        b, panel, output, rows, rowTile, floats(b),
        [&](OpBuilder &b, ArrayRef<Value> rowIndices,
            ValueRange accumulators) -> SmallVector<Value> {
          // The loop state: the offset, then row r's chain c at
          // 1 + r chains + c.
          SmallVector<Value> init = {start};
          for (int64_t r = 0; r < rowTile; ++r)
            for (int64_t c = 0; c < chains; ++c)
              init.push_back(c == 0 ? accumulators[r]
                                    : arith::ConstantOp::create(
                                          b, loc, floats(b),
                                          b.getZeroAttr(floats(b)))
                                          .getResult());
          auto chunkLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, chunks), index(b, 1), init,
              [&](OpBuilder &b, Location, Value chunkIndex, ValueRange state) {
                // The chunk's masks are tested together; each is then read
                // on its own (a scalar load: extracting lanes would compete
                // with the expansions for the shuffle port).
                auto maskType = VectorType::get({chunk}, b.getI16Type());
                Value chunkMasks =
                    read(b, maskType, masks, {panel, chunkIndex, index(b, 0)});
                Value any = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::ne,
                    vector::ReductionOp::create(
                        b, loc, vector::CombiningKind::OR, chunkMasks),
                    arith::ConstantIntOp::create(b, loc, 0, 16));
                auto ifAny = scf::IfOp::create(
                    b, loc, any,
                    [&](OpBuilder &b, Location) {
                      SmallVector<Value> next(state.begin(), state.end());
                      for (int64_t input = 0; input < chunk; ++input) {
                        Value mask = arith::ExtUIOp::create(
                            b, loc, b.getI32Type(),
                            tensor::ExtractOp::create(
                                b, loc, masks,
                                ValueRange{panel, chunkIndex,
                                           index(b, input)}));
                        Value w = expandNonzeros(b, next[0], mask);
                        next[0] = arith::AddIOp::create(
                            b, loc, next[0],
                            arith::IndexCastUIOp::create(
                                b, loc, b.getIndexType(),
                                math::CtPopOp::create(b, loc, mask)));
                        for (int64_t r = 0; r < rowTile; ++r) {
                          Value xValue = tensor::ExtractOp::create(
                              b, loc, x,
                              ValueRange{rowIndices[r], chunkIndex,
                                         index(b, input)});
                          Value &sum = next[1 + r * chains + input % chains];
                          sum = vector::FMAOp::create(
                              b, loc,
                              vector::BroadcastOp::create(b, loc, floats(b),
                                                          xValue),
                              w, sum);
                        }
                      }
                      scf::YieldOp::create(b, loc, next);
                    },
                    [&](OpBuilder &b, Location) {
                      scf::YieldOp::create(b, loc, state);
                    });
                scf::YieldOp::create(b, loc, ifAny.getResults());
              });
          SmallVector<Value> results;
          for (int64_t r = 0; r < rowTile; ++r) {
            Value sum = chunkLoop.getResult(1 + r * chains);
            for (int64_t c = 1; c < chains; ++c)
              sum = arith::AddFOp::create(
                  b, loc, sum, chunkLoop.getResult(1 + r * chains + c));
            results.push_back(sum);
          }
          return results;
        });
  }

  linalg::GenericOp op;
  Value x, masks, starts, nonzeros;
  int64_t vectorBits = 512, rows = 0, panels = 0, chunks = 0, chunk = 1;
};

/// A contraction over a masked weight kept indexed (pith.indexed_matmul:
/// loops m, panel, feature | chunk, slot; each (panel, chunk) run's first
/// nonzero, each feature's first in it and count are operands, and for
/// int8 nonzeros each feature's scale; the nonzeros, their inputs' places
/// in their chunks and x transposed [K, M] are read from above; rows a
/// multiple of 16). Per block of 16 T rows (T
/// vectors: 8, 6, 4 or 3 that divides them, at most 4 with AVX2) and
/// panel, the panel's nonzeros are walked in order, one stream: per chunk
/// of inputs from its first nonzero, per feature as many as its count,
/// each broadcast and multiplied into the T vectors of its input's row of
/// x transposed (which L1 holds for the chunk), T chains that do not wait
/// on each other, so that the multiply-adds are the nonzeros' alone (int8
/// ones converted to floats). A panel's sums live in a [16, 16 T] buffer
/// between chunks; then each 16x16 block of it is transposed in registers,
/// scaled by the features' scales for int8 nonzeros, and added to 16 rows
/// of the output.
class IndexedMatmulWriter : LoopEmitter {
public:
  static FailureOr<IndexedMatmulWriter> match(linalg::GenericOp op,
                                              int64_t vectorBits) {
    std::optional<SmallVector<int64_t>> ranges = packedRanges(op, 5, 4, 5);
    if (!op->hasAttr(pith::kIndexedMatmulAttr) || !ranges)
      return failure();
    MLIRContext *context = op.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(5, 0, exprs, context);
    };
    Builder builder(context);
    Type i8 = builder.getI8Type(), i16 = builder.getI16Type(),
         i32 = builder.getI32Type(), f32 = builder.getF32Type();
    SmallVector<AffineMap> maps = {map({d(1), d(3)}), map({d(1), d(3), d(2)}),
                                   map({d(1), d(3), d(2)}), map({d(4)})};
    SmallVector<Type> elements = {i32, i16, i8, i32};
    // Int8 nonzeros come with their features' scales.
    bool quantized = op.getNumDpsInputs() == 5;
    if (quantized) {
      maps.push_back(map({d(1), d(2)}));
      elements.push_back(f32);
    }
    maps.push_back(map({d(0), d(1), d(2)}));
    elements.push_back(f32);
    if (!hasOperands(op, maps, elements) || (*ranges)[2] != kLanes ||
        (*ranges)[0] % kLanes != 0)
      return failure();
    IndexedMatmulWriter writer(op);
    // What the body reads from above: x transposed, the nonzeros (f32, or
    // i8 made floats) and their inputs' places (i8 made indices).
    writer.xTransposed = readFromAbove(op, 2, f32);
    op.getRegion().walk([&](tensor::ExtractOp extract) {
      if (extract.getTensor().getType().getRank() != 1 || !extract->hasOneUse())
        return;
      Operation *user = *extract->user_begin();
      if (isa<arith::IndexCastUIOp>(user))
        writer.inputs = extract.getTensor();
      else if (isa<arith::SIToFPOp, arith::MulFOp>(user))
        writer.nonzeros = extract.getTensor();
    });
    if (quantized)
      writer.scales = op.getDpsInputs()[4];
    if (!writer.xTransposed || !writer.nonzeros || !writer.inputs ||
        getElementTypeOrSelf(writer.nonzeros.getType()) !=
            (quantized ? i8 : f32))
      return failure();
    writer.rows = (*ranges)[0];
    writer.panels = (*ranges)[1];
    writer.chunks = (*ranges)[3];
    writer.blocks =
        pickDivisor(writer.rows / kLanes, {8, 6, 4, 3}, [&](int64_t t) {
          return t <= (vectorBits >= 512 ? 8 : 4);
        });
    return writer;
  }

  void write(RewriterBase &rewriter) {
    rewriter.setInsertionPoint(op);
    int64_t tileRows = kLanes * blocks;
    Value buffer = tensor::EmptyOp::create(rewriter, loc,
                                           ArrayRef<int64_t>{kLanes, tileRows},
                                           rewriter.getF32Type());
    auto rowLoop = scf::ForOp::create(
        rewriter, loc, index(rewriter, 0), index(rewriter, rows),
        index(rewriter, tileRows), ValueRange{op.getDpsInits()[0], buffer},
        [&](OpBuilder &b, Location, Value row0, ValueRange rowArgs) {
          auto panelLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, panels), index(b, 1), rowArgs,
              [&](OpBuilder &b, Location, Value panel, ValueRange args) {
                scf::YieldOp::create(b, loc, writePanel(b, panel, row0, args));
              });
          scf::YieldOp::create(b, loc, panelLoop.getResults());
        });
    rewriter.replaceOp(op, rowLoop.getResult(0));
  }

private:
  /// Output features a panel holds, and rows a vector holds.
  static constexpr int64_t kLanes = 16;

  explicit IndexedMatmulWriter(linalg::GenericOp op)
      : LoopEmitter(op.getLoc()), op(op) {
    starts = op.getDpsInputs()[0];
    counts = op.getDpsInputs()[2];
  }

  VectorType floats(OpBuilder &b) const {
    return VectorType::get({kLanes}, b.getF32Type());
  }
  Value zeroFloats(OpBuilder &b) const {
    return arith::ConstantOp::create(b, loc, floats(b),
                                     b.getZeroAttr(floats(b)));
  }
  Value indexAt(OpBuilder &b, Value table, ValueRange at) const {
    return arith::IndexCastUIOp::create(
        b, loc, b.getIndexType(), tensor::ExtractOp::create(b, loc, table, at));
  }

  /// `panel`'s features over the block of rows from `row0`, a chunk of
  /// inputs at a time from the chunk's first nonzero, each feature's
  /// nonzeros in turn, its sums kept in the buffer between chunks; then
  /// the buffer's 16x16 blocks are transposed and added to the output's
  /// rows. `state` is the output and the buffer, returned after.
  SmallVector<Value> writePanel(OpBuilder &b, Value panel, Value row0,
                                ValueRange state) const {
    auto zeroLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, kLanes), index(b, 1),
        ValueRange{state[1]},
        [&](OpBuilder &b, Location, Value feature, ValueRange args) {
          Value buffer = args[0];
          for (int64_t t = 0; t < blocks; ++t)
            buffer = vector::TransferWriteOp::create(
                         b, loc, zeroFloats(b), buffer,
                         ValueRange{feature, index(b, t * kLanes)},
                         ArrayRef<bool>{true})
                         .getResult();
          scf::YieldOp::create(b, loc, buffer);
        });
    auto chunkLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, chunks), index(b, 1),
        ValueRange{zeroLoop.getResult(0)},
        [&](OpBuilder &b, Location, Value chunk, ValueRange chunkArgs) {
          Value input0 = arith::MulIOp::create(
              b, loc, chunk, index(b, pith::compression::kIndexedChunkInputs));
          auto featureLoop = scf::ForOp::create(
              b, loc, index(b, 0), index(b, kLanes), index(b, 1),
              ValueRange{chunkArgs[0], indexAt(b, starts, {panel, chunk})},
              [&](OpBuilder &b, Location, Value feature,
                  ValueRange featureArgs) {
                scf::YieldOp::create(b, loc,
                                     writeFeature(b, panel, chunk, feature,
                                                  row0, input0, featureArgs[0],
                                                  featureArgs[1]));
              });
          scf::YieldOp::create(b, loc, featureLoop.getResult(0));
        });
    Value buffer = chunkLoop.getResult(0);
    // Int8 nonzeros' sums are scaled once, by their features' scales.
    Value featureScales =
        scales ? read(b, floats(b), scales, {panel, index(b, 0)}) : Value();
    // A loop over the blocks' 16x16 transposes, not their unrolled copies:
    // bufferization's analysis takes time quadratic in a chain of writes.
    auto blockLoop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, kLanes * blocks), index(b, kLanes),
        ValueRange{state[0]},
        [&](OpBuilder &b, Location, Value column, ValueRange args) {
          SmallVector<Value> sums;
          for (int64_t f = 0; f < kLanes; ++f)
            sums.push_back(read(b, floats(b), buffer, {index(b, f), column}));
          SmallVector<Value> rowsOfSums =
              pith::lowering::transposeSquare(b, loc, sums);
          Value output = args[0];
          Value rowOfColumn = arith::AddIOp::create(b, loc, row0, column);
          for (int64_t r = 0; r < kLanes; ++r) {
            Value row = plus(b, rowOfColumn, r);
            Value rowSums = rowsOfSums[r];
            if (featureScales)
              rowSums = arith::MulFOp::create(b, loc, rowSums, featureScales);
            Value sum = arith::AddFOp::create(
                b, loc, read(b, floats(b), output, {row, panel, index(b, 0)}),
                rowSums);
            output = vector::TransferWriteOp::create(
                         b, loc, sum, output,
                         ValueRange{row, panel, index(b, 0)},
                         ArrayRef<bool>{true})
                         .getResult();
          }
          scf::YieldOp::create(b, loc, output);
        });
    return {blockLoop.getResult(0), buffer};
  }

  /// Feature `feature` of `panel` in `chunk` (inputs from `input0`) over
  /// the block of rows from `row0`: its count of nonzeros from `at` on,
  /// each multiplied into its sums (one vector of 16 rows per block, in
  /// row `feature` of `buffer`). A feature with none there leaves its sums
  /// alone (zero blocks of weights leave most chunks so). Returns the
  /// buffer and the next feature's first nonzero.
  SmallVector<Value> writeFeature(OpBuilder &b, Value panel, Value chunk,
                                  Value feature, Value row0, Value input0,
                                  Value buffer, Value at) const {
    Value end = arith::AddIOp::create(
        b, loc, at, indexAt(b, counts, {panel, chunk, feature}));
    auto any = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, at, end),
        [&](OpBuilder &b, Location) {
          SmallVector<Value> sums;
          for (int64_t t = 0; t < blocks; ++t)
            sums.push_back(
                read(b, floats(b), buffer, {feature, index(b, t * kLanes)}));
          auto walk = scf::ForOp::create(
              b, loc, at, end, index(b, 1), sums,
              [&](OpBuilder &b, Location, Value at, ValueRange args) {
                Value input = arith::AddIOp::create(b, loc, input0,
                                                    indexAt(b, inputs, {at}));
                Value nonzero =
                    tensor::ExtractOp::create(b, loc, nonzeros, ValueRange{at});
                if (scales)
                  nonzero =
                      arith::SIToFPOp::create(b, loc, b.getF32Type(), nonzero);
                Value weight =
                    vector::BroadcastOp::create(b, loc, floats(b), nonzero);
                SmallVector<Value> next;
                for (int64_t t = 0; t < blocks; ++t) {
                  Value xs = read(b, floats(b), xTransposed,
                                  {input, plus(b, row0, t * kLanes)});
                  next.push_back(
                      vector::FMAOp::create(b, loc, xs, weight, args[t]));
                }
                scf::YieldOp::create(b, loc, next);
              });
          Value written = buffer;
          for (int64_t t = 0; t < blocks; ++t)
            written = vector::TransferWriteOp::create(
                          b, loc, walk.getResult(t), written,
                          ValueRange{feature, index(b, t * kLanes)},
                          ArrayRef<bool>{true})
                          .getResult();
          scf::YieldOp::create(b, loc, written);
        },
        [&](OpBuilder &b, Location) { scf::YieldOp::create(b, loc, buffer); });
    return {any.getResult(0), end};
  }

  linalg::GenericOp op;
  Value starts, counts, xTransposed, nonzeros, inputs, scales;
  int64_t rows = 0, panels = 0, chunks = 0, blocks = 4;
};

/// The fill `op`'s output starts from, if nothing else uses it (in a chunk
/// of pith-parallelize's scf.forall, the chunk's own fill).
linalg::FillOp outputFill(linalg::LinalgOp op) {
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  return fill && fill->hasOneUse() ? fill : linalg::FillOp();
}

/// `op` as two contractions over one of its parallel loops, the
/// iterations before `splitPoint` and the rest, each with a static shape.
/// A fill that `op`'s output starts from is given to each part, and the
/// output they are inserted into is left empty. Returns the parts.
SmallVector<linalg::LinalgOp> splitLoop(RewriterBase &rewriter,
                                        linalg::LinalgOp op, unsigned loop,
                                        int64_t splitPoint) {
  linalg::FillOp fill = outputFill(op);
  rewriter.setInsertionPoint(op);
  auto [first, rest] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), loop,
                      rewriter.getIndexAttr(splitPoint));
  // Neither part is empty where the callers split.
  if (!first || !rest)
    return {op};
  SmallVector<linalg::LinalgOp> parts = {
      cast<linalg::LinalgOp>(first.getOperation()),
      cast<linalg::LinalgOp>(rest.getOperation())};
  if (!fill)
    return parts;
  for (linalg::LinalgOp part : parts) {
    OpOperand &init = part.getDpsInitsMutable()[0];
    auto type = cast<RankedTensorType>(init.get().getType());
    rewriter.setInsertionPoint(part);
    Value empty = tensor::EmptyOp::create(
        rewriter, part.getLoc(), type.getShape(), type.getElementType());
    rewriter.modifyOpInPlace(part, [&] {
      init.set(linalg::FillOp::create(rewriter, fill.getLoc(), fill.getInputs(),
                                      empty)
                   .getResult(0));
    });
  }
  // The parts cover the output: what the first is inserted into is never
  // read.
  for (OpOperand &use : parts.front()->getResult(0).getUses())
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(use.getOwner());
        insert && insert.getDest() == fill.getResult(0)) {
      rewriter.setInsertionPoint(insert);
      Value empty = tensor::EmptyOp::create(
          rewriter, insert.getLoc(), insert.getDestType().getShape(),
          insert.getDestType().getElementType());
      rewriter.modifyOpInPlace(insert,
                               [&] { insert.getDestMutable().assign(empty); });
    }
  return parts;
}

/// The share of the FMA rate that a register tile of `rows` rows by
/// `vectorsPerRow` vectors keeps: its accumulators against the ones that
/// hide the multiply-add's latency.
double tileRate(int64_t rows, int64_t vectorsPerRow) {
  return std::min(1.0, static_cast<double>(rows * vectorsPerRow) /
                           kLatencyHidingVectors);
}

/// A float contraction split by splitLoop into the rows that full register
/// tiles cover and the rest, where that takes less than 0.9 of the time
/// (rows over each part's tile rate) of its rows' own largest divisor (a
/// prime number of rows would take tiles of one row, at an eighth of the
/// FMA rate). Returns the parts, or `op` alone.
SmallVector<linalg::LinalgOp> splitRemainderRows(RewriterBase &rewriter,
                                                 linalg::LinalgOp op,
                                                 const TilePlan &plan) {
  if (!plan.rowLoop)
    return {op};
  unsigned m = *plan.rowLoop;
  int64_t rows = op.getStaticLoopRanges()[m];
  int64_t full = plan.fullRowTile, perRow = plan.vectorsPerRow;
  int64_t covered = rows / full * full, rest = rows - covered;
  if (covered == 0 || rest == 0)
    return {op};
  double whole = rows / tileRate(plan.tileSizes[m], perRow);
  double parts = covered / tileRate(full, perRow) +
                 rest / tileRate(pickDivisor(rest, kRowTiles), perRow);
  if (parts >= 0.9 * whole)
    return {op};
  return splitLoop(rewriter, op, m, covered);
}

/// A float contraction split by splitLoop into the columns that whole
/// vectors cover and the rest, where that takes less than 0.9 of the time
/// (columns over the share of a vector's lanes each part's tile fills) of
/// its columns' own tile (127 columns would take tiles of one column, a
/// sixteenth of a vector). Returns the parts, or `op` alone.
SmallVector<linalg::LinalgOp> splitRemainderColumns(RewriterBase &rewriter,
                                                    linalg::LinalgOp op,
                                                    const TilePlan &plan) {
  int64_t columns = op.getStaticLoopRanges()[plan.columnLoop];
  int64_t lanes = plan.lanes;
  int64_t covered = columns / lanes * lanes, rest = columns - covered;
  if (covered == 0 || rest == 0)
    return {op};
  auto time = [&](int64_t extent) {
    return extent / std::min(1.0, static_cast<double>(pith::registerTileColumns(
                                      extent, lanes)) /
                                      lanes);
  };
  if (time(covered) + time(rest) >= 0.9 * time(columns))
    return {op};
  return splitLoop(rewriter, op, plan.columnLoop, covered);
}

/// `op` split by splitRemainderRows, then each part by
/// splitRemainderColumns (the parts keep `plan`'s columns). Returns the
/// parts, or `op` alone.
SmallVector<linalg::LinalgOp> splitRemainders(RewriterBase &rewriter,
                                              linalg::LinalgOp op,
                                              const TilePlan &plan) {
  SmallVector<linalg::LinalgOp> parts;
  for (linalg::LinalgOp rows : splitRemainderRows(rewriter, op, plan))
    llvm::append_range(parts, splitRemainderColumns(rewriter, rows, plan));
  return parts;
}

/// A quantized contraction (loop 0 its rows) split by splitLoop where its
/// rows have no divisor above 2 among the register tiles' rows: a multiple
/// of the tallest tile, and the rest (fewer than it, which unpack the
/// weights per few rows). Returns the parts, or `op` alone.
SmallVector<linalg::LinalgOp> splitQuantizedRows(RewriterBase &rewriter,
                                                 linalg::GenericOp op) {
  int64_t rows = op.getStaticLoopRanges()[0];
  int64_t tallest = kRowTiles[0];
  if (!op->hasAttr(pith::kQuantizedMatmulAttr) || rows < 2 * tallest ||
      pickDivisor(rows, kRowTiles) > 2)
    return {op};
  return splitLoop(rewriter, op, 0, rows / tallest * tallest);
}

/// `op` tiled as `plan` says, returning the ops to vectorize: the register
/// tile's contraction and, where `op`'s output is a linalg.fill (the zeros
/// a sum starts from), the fill of each tile's block of the output, fused
/// before the loop over K. The output is then written once, not filled
/// whole first and read back tile by tile (for a 1x1 convolution of 16
/// channels, three passes over an output that outweighs its inputs).
/// Where an elementwise op takes `op`'s result (see epilogueOf), each
/// block of it follows the loop over K, applied to the block while it is
/// in registers, and the product is never stored at all.
SmallVector<Operation *> tileFillingTheOutputPerTile(RewriterBase &rewriter,
                                                     linalg::LinalgOp op,
                                                     const TilePlan &plan) {
  MLIRContext *context = op.getContext();
  SmallVector<int64_t> blockSizes = plan.tileSizes;
  SmallVector<int64_t> kSizes(blockSizes.size(), 0);
  for (auto [loop, type] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (type != utils::IteratorType::reduction)
      continue;
    kSizes[loop] = blockSizes[loop];
    blockSizes[loop] = 0;
  }
  linalg::FillOp fill = outputFill(op);
  linalg::GenericOp epilogue = pith::lowering::epilogueOf(op);
  rewriter.setInsertionPoint(op);
  if (!fill && !epilogue) {
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(context, plan.tileSizes));
    options.setInterchange(plan.interchange);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return {};
    rewriter.replaceOp(op, tiled->replacements);
    return {tiled->tiledOps.back()};
  }
  // The output's blocks, each filled before its contraction (and its
  // epilogue applied after it; the epilogue's loop i is the output's
  // dimension i)...
  Operation *root = op;
  SmallVector<int64_t> rootSizes = blockSizes;
  SmallVector<int64_t> rootInterchange = plan.interchange;
  if (epilogue) {
    root = epilogue;
    AffineMap output = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    rootSizes = applyPermutationMap(output, ArrayRef<int64_t>(blockSizes));
    rootInterchange.clear();
    for (unsigned loop : plan.interchange)
      if (std::optional<unsigned> position =
              output.getResultPosition(getAffineDimExpr(loop, context)))
        rootInterchange.push_back(*position);
  }
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(
      getAsIndexOpFoldResult(context, rootSizes));
  options.tilingOptions.setInterchange(rootInterchange);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if ((fill && producer.getOwner() == fill.getOperation()) ||
            (epilogue && producer.getOwner() == op))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> blocks =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root), options);
  if (failed(blocks))
    return {};
  for (OpResult result : root->getResults())
    rewriter.replaceAllUsesWith(result, blocks->replacements.lookup(result));
  rewriter.eraseOp(root);
  if (epilogue)
    pith::lowering::eraseFusedProducer(rewriter, op);
  if (fill)
    pith::lowering::eraseFusedProducer(rewriter, fill);
  // ... then the loop over K.
  SmallVector<Operation *> tiles;
  Operation *block = nullptr;
  for (Operation *tile : blocks->tiledAndFusedOps) {
    auto linalgTile = dyn_cast<linalg::LinalgOp>(tile);
    if (linalgTile && linalgTile.getNumReductionLoops() > 0)
      block = tile;
    else
      tiles.push_back(tile);
  }
  if (!block)
    return tiles;
  scf::SCFTilingOptions kOptions;
  kOptions.setTileSizes(getAsIndexOpFoldResult(context, kSizes));
  rewriter.setInsertionPoint(block);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(block), kOptions);
  if (failed(tiled))
    return tiles;
  rewriter.replaceOp(block, tiled->replacements);
  tiles.push_back(tiled->tiledOps.back());
  return tiles;
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
    SmallVector<linalg::GenericOp> packed;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (pith::isPackedMatmul(op))
        packed.push_back(op);
    });
    SmallVector<linalg::GenericOp> parts;
    for (linalg::GenericOp op : packed)
      for (linalg::LinalgOp part : splitQuantizedRows(rewriter, op))
        parts.push_back(cast<linalg::GenericOp>(part.getOperation()));
    for (linalg::GenericOp op : parts) {
      if (FailureOr<SparseMatmulWriter> writer = SparseMatmulWriter::match(op);
          succeeded(writer))
        writer->write(rewriter);
      else if (FailureOr<BitmapMatmulWriter> writer =
                   BitmapMatmulWriter::match(op, vectorBits);
               succeeded(writer))
        writer->write(rewriter);
      else if (FailureOr<IndexedMatmulWriter> writer =
                   IndexedMatmulWriter::match(op, vectorBits);
               succeeded(writer))
        writer->write(rewriter);
      else if (FailureOr<QuantizedDotWriter> writer =
              QuantizedDotWriter::match(op, vectorBits);
          succeeded(writer))
        writer->write(rewriter);
      else if (FailureOr<QuantizedMatmulWriter> writer =
                   QuantizedMatmulWriter::match(op, vectorBits, bf16Dot);
               succeeded(writer))
        writer->write(rewriter);
    }

    for (linalg::LinalgOp contraction : contractions) {
      FailureOr<TilePlan> plan = planTiles(contraction, vectorBits);
      if (failed(plan))
        continue;
      for (linalg::LinalgOp op :
           splitRemainders(rewriter, contraction, *plan)) {
        // A part's own extents give its tiles.
        FailureOr<TilePlan> partPlan = planTiles(op, vectorBits);
        if (failed(partPlan))
          continue;
        for (Operation *tile :
             tileFillingTheOutputPerTile(rewriter, op, *partPlan)) {
          rewriter.setInsertionPoint(tile);
          FailureOr<linalg::VectorizationResult> vectorized =
              linalg::vectorize(rewriter, tile);
          if (succeeded(vectorized))
            rewriter.replaceOp(tile, vectorized->replacements);
        }
      }
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
