//===- SparsityToLinalg.cpp - pith densify to linalg ----------------------===//
//
// Part of pith. pith.densify becomes a linalg.generic that puts each kept
// value back at its position (of constants: a dense constant). A linear
// layer whose weight is the densification of constants, in a pattern the
// CPU kernels handle, instead becomes one contraction over the kept values
// alone: they are packed at compile time into panels of output features
// with their positions packed per feature and group, and
// pith-vectorize-contractions picks each value's input by its position in
// registers.
//
// pith.masked_densify of constants becomes a dense constant, unless only
// linear layers take it: each becomes a contraction over the nonzeros
// packed by panels of 16 output features, with a 16-bit mask per panel
// and input (pith.bitmap_matmul), whose vectorized form expands each
// mask's nonzeros into a register; or, over many rows, a contraction over
// each output feature's nonzeros and their inputs (pith.indexed_matmul),
// whose vectorized form multiplies each nonzero into many rows of x
// transposed. Over as many rows, an N:M weight of f32 kept values is
// multiplied in that indexed form too.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "passes/Passes.h"
#include "passes/compression/Sparsity.h"
#include "passes/lowering/LoweringUtils.h"

#include <algorithm>
#include <numeric>

namespace mlir::pith::lowering {
namespace {

/// Whether `packSparse` lowering multiplies `sparse`'s weight as it is
/// stored rather than expanded: every user is a linear layer.
bool multipliedSparse(Operation *sparse, bool packSparse) {
  return packSparse && llvm::all_of(sparse->getUsers(), [](Operation *user) {
           return isa<LinearOp>(user);
         });
}

/// densify(constants) that no sparse contraction takes -> its dense
/// constant, expanded at compile time (rather than at each run).
struct DensifyConstants : OpConversionPattern<DensifyOp> {
  DensifyConstants(const TypeConverter &converter, MLIRContext *context,
                   bool packSparse)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        packSparse(packSparse) {}

  LogicalResult
  matchAndRewrite(DensifyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Weights of linear layers that multiply their kept values: the
    // expansion would only be dropped.
    if (compression::packedPositionBytes(op.getN(), op.getM()) > 0 &&
        multipliedSparse(op, packSparse))
      return rewriter.notifyMatchFailure(op, "multiplied as kept values");
    std::optional<std::vector<float>> values =
        detail::readFloats(constantValue(op.getValues()));
    std::optional<std::vector<int8_t>> positions =
        detail::readBytes(constantValue(op.getPositions()));
    auto type = cast<RankedTensorType>(op.getType());
    if (!values || !positions || !type.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not a densify of f32 constants");
    std::vector<float> dense =
        compression::densifyKept(*values, *positions, type.getDimSize(0),
                                 type.getDimSize(1), op.getN(), op.getM());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, detail::makeResource(
                type, resourceKey(op.getValues(), "sparse_weight") + "_dense",
                detail::asBytes<float>(dense)));
    return success();
  }

private:
  bool packSparse;
};

/// densify(values, positions) -> a generic over the dense [rows, columns]
/// reading, for each slot s of a group, value and position g n + s of the
/// row (g = column / m), and yielding the value whose position is
/// column mod m, or zero.
struct DensifyLowering : OpConversionPattern<DensifyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DensifyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t n = op.getN(), m = op.getM();
    AffineExpr row = getAffineDimExpr(0, context);
    AffineExpr column = getAffineDimExpr(1, context);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (int64_t slot = 0; slot < n; ++slot) {
      auto map = AffineMap::get(2, 0, {row, column.floorDiv(m) * n + slot},
                                context);
      inputs.append({adaptor.getValues(), adaptor.getPositions()});
      maps.append({map, map});
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(2));
    Type floatType = type.getElementType();
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, emptyTensor(rewriter, loc, type), maps,
        iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
          Value offset = arith::RemUIOp::create(
              b, loc, linalg::IndexOp::create(b, loc, 1),
              arith::ConstantIndexOp::create(b, loc, m));
          Value offsetInt =
              arith::IndexCastUIOp::create(b, loc, b.getI64Type(), offset);
          Value result = scalar(b, loc, floatType, 0);
          for (int64_t slot = n - 1; slot >= 0; --slot) {
            Value position = arith::ExtUIOp::create(
                b, loc, b.getI64Type(), args[2 * slot + 1]);
            Value here = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, position, offsetInt);
            result =
                arith::SelectOp::create(b, loc, here, args[2 * slot], result);
          }
          linalg::YieldOp::create(b, loc, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// An N:M weight's kept values, packed for the contraction: values
/// [panels, groups, n, width] (padding features zero) and positions
/// [panels, groups, width], slot s's position in bits s b.. s b + b - 1 of
/// the feature's integer of `positionBytes` bytes (b = log2 m),
/// little-endian.
struct PackedSparseWeight {
  int64_t bits = 2, positionBytes = 1;
  /// The kept values as floats, or as int8 `integers` times a scale per
  /// feature ([panels, width]).
  std::vector<float> values, scales;
  std::vector<int8_t> integers;
  std::vector<uint8_t> positions;
};

/// An N:M weight's constants in densify's slot order: f32 `values`, or
/// int8 `integers` with a scale per row (`scales`), and each slot's
/// position in its group.
struct KeptConstants {
  std::vector<float> values, scales;
  std::vector<int8_t> integers, positions;
};

/// The constants of `densify` whose values are f32 or the dequantization
/// of int8 with a scale per row, in a pattern with packed positions
/// (packedPositionBytes) each within its group; a failure otherwise.
FailureOr<KeptConstants> readKept(DensifyOp densify) {
  KeptConstants kept;
  if (auto dequantize = densify.getValues().getDefiningOp<DequantizeOp>()) {
    Type storage = dequantize.getInput().getType().getElementType();
    if (!storage.isSignlessInteger(8) || dequantize.getZeroPoint() ||
        dequantize.getAxis() != 0 || dequantize.getBlockSize())
      return failure();
    std::optional<std::vector<int8_t>> integers =
        detail::readBytes(constantValue(dequantize.getInput()));
    std::optional<std::vector<float>> scales =
        detail::readFloats(constantValue(dequantize.getScale()));
    if (!integers || !scales)
      return failure();
    kept.integers = std::move(*integers);
    kept.scales = std::move(*scales);
  } else {
    std::optional<std::vector<float>> values =
        detail::readFloats(constantValue(densify.getValues()));
    if (!values)
      return failure();
    kept.values = std::move(*values);
  }
  std::optional<std::vector<int8_t>> positions =
      detail::readBytes(constantValue(densify.getPositions()));
  int64_t m = densify.getM();
  if (!positions || compression::packedPositionBytes(densify.getN(), m) == 0 ||
      llvm::any_of(*positions, [&](int8_t position) {
        return static_cast<uint8_t>(position) >= m;
      }))
    return failure();
  kept.positions = std::move(*positions);
  return kept;
}

/// Packs the constants of `densify` (of an [N, K] weight) as readKept
/// reads them, or fails where it fails.
FailureOr<PackedSparseWeight> packSparseWeight(DensifyOp densify,
                                               int64_t panelWidth) {
  FailureOr<KeptConstants> kept = readKept(densify);
  if (failed(kept))
    return failure();
  int64_t n = densify.getN(), m = densify.getM();
  bool quantized = !kept->integers.empty();
  PackedSparseWeight packed;
  packed.positionBytes = compression::packedPositionBytes(n, m);
  packed.bits = llvm::Log2_64(m);
  auto type = cast<RankedTensorType>(densify.getType());
  int64_t rows = type.getDimSize(0), groups = type.getDimSize(1) / m;
  int64_t panels = llvm::divideCeil(rows, panelWidth);
  int64_t keptSize = panels * groups * n * panelWidth;
  if (quantized) {
    packed.integers.assign(keptSize, 0);
    packed.scales.assign(panels * panelWidth, 0.0f);
  } else {
    packed.values.assign(keptSize, 0.0f);
  }
  packed.positions.assign(panels * groups * panelWidth * packed.positionBytes,
                          0);
  for (int64_t row = 0; row < rows; ++row) {
    int64_t panel = row / panelWidth, column = row % panelWidth;
    if (quantized)
      packed.scales[panel * panelWidth + column] = kept->scales[row];
    for (int64_t group = 0; group < groups; ++group) {
      uint32_t fields = 0;
      for (int64_t slot = 0; slot < n; ++slot) {
        int64_t at = (row * groups + group) * n + slot;
        auto position = static_cast<uint8_t>(kept->positions[at]);
        fields |= static_cast<uint32_t>(position) << (slot * packed.bits);
        int64_t to =
            ((panel * groups + group) * n + slot) * panelWidth + column;
        if (quantized)
          packed.integers[to] = kept->integers[at];
        else
          packed.values[to] = kept->values[at];
      }
      int64_t at = (panel * groups + group) * panelWidth + column;
      for (int64_t byte = 0; byte < packed.positionBytes; ++byte)
        packed.positions[at * packed.positionBytes + byte] =
            static_cast<uint8_t>(fields >> (8 * byte));
    }
  }
  return packed;
}

/// linear(x, densify(values, positions)) with constant f32 values (over
/// fewer rows than IndexedLinearLowering takes), or int8 ones dequantized
/// with a scale per row -> one linalg.generic over
/// (m, panel, column | group, slot, offset), reading x viewed [M, groups,
/// m], the packed values, positions (and scales [panels, width]), and
/// adding x's element at `offset` times the slot's value where the slot's
/// position is `offset`: a contraction over the kept values that names
/// every offset so that it stays affine. It carries `pith.sparse_matmul =
/// {n, m}`; pith-vectorize-contractions reads each kept value's input by
/// its position instead of looping over offsets.
struct SparseLinearLowering : OpConversionPattern<LinearOp> {
  SparseLinearLowering(const TypeConverter &converter, MLIRContext *context,
                       int64_t panelWidth)
      : OpConversionPattern(converter, context, /*benefit=*/2),
        panelWidth(panelWidth) {}

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto densify = op.getWeight().getDefiningOp<DensifyOp>();
    if (!densify || !op.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "weight is not densified f32");
    FailureOr<PackedSparseWeight> packed =
        packSparseWeight(densify, panelWidth);
    if (failed(packed))
      return rewriter.notifyMatchFailure(op, "weight cannot be packed");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto weightType = cast<RankedTensorType>(densify.getType());
    int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
    int64_t kept = densify.getN(), groupSize = densify.getM();
    int64_t groups = k / groupSize;
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rows = type.getNumElements() / std::max<int64_t>(n, 1);
    int64_t panels = llvm::divideCeil(n, panelWidth);
    bool quantized = !packed->integers.empty();
    if (compression::multipliesIndexed(rows))
      return rewriter.notifyMatchFailure(op, "multiplied indexed");
    Value keptSource = densify.getValues();
    if (quantized)
      keptSource = keptSource.getDefiningOp<DequantizeOp>().getInput();
    std::string base = resourceKey(keptSource, "sparse_weight");

    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type();
    Type fieldType = rewriter.getIntegerType(8 * packed->positionBytes);
    auto keptType = RankedTensorType::get({panels, groups, kept, panelWidth},
                                          quantized ? i8 : f32);
    Value values = arith::ConstantOp::create(
        rewriter, loc,
        detail::makeResource(
            keptType, base + "_packed",
            quantized ? detail::asBytes<int8_t>(packed->integers)
                      : detail::asBytes<float>(packed->values)));
    Value positions = arith::ConstantOp::create(
        rewriter, loc,
        detail::makeResource(
            RankedTensorType::get({panels, groups, panelWidth}, fieldType),
            base + "_positions_packed",
            detail::asBytes<uint8_t>(packed->positions)));

    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(6, 0, exprs, context);
    };
    SmallVector<Value> inputs = {
        reshapeTo(rewriter, loc, adaptor.getInput(), {rows, groups, groupSize}),
        values, positions};
    SmallVector<AffineMap> maps = {map({d(0), d(3), d(5)}),
                                   map({d(1), d(3), d(4), d(2)}),
                                   map({d(1), d(3), d(2)})};
    if (quantized) {
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc,
          detail::makeResource(
              RankedTensorType::get({panels, panelWidth}, f32),
              base + "_scale_packed", detail::asBytes<float>(packed->scales))));
      maps.push_back(map({d(1), d(2)}));
    }
    maps.push_back(map({d(0), d(1), d(2)}));
    auto panelType = RankedTensorType::get({rows, panels, panelWidth}, f32);
    Value init = zeroFilled(rewriter, loc, panelType);
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel,  IteratorType::parallel,
        IteratorType::parallel,  IteratorType::reduction,
        IteratorType::reduction, IteratorType::reduction};
    int64_t bits = packed->bits;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, panelType, inputs, init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          // The slot's position: its field of the feature's integer.
          Value slot = arith::IndexCastOp::create(
              b, loc, fieldType, linalg::IndexOp::create(b, loc, 4));
          Value shift = arith::MulIOp::create(
              b, loc, slot, scalar(b, loc, fieldType, bits));
          Value position = arith::AndIOp::create(
              b, loc, arith::ShRUIOp::create(b, loc, args[2], shift),
              scalar(b, loc, fieldType, groupSize - 1));
          Value offset = arith::IndexCastOp::create(
              b, loc, fieldType, linalg::IndexOp::create(b, loc, 5));
          Value here = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, position, offset);
          Value kept = args[1];
          if (quantized)
            kept = arith::MulFOp::create(
                b, loc, arith::SIToFPOp::create(b, loc, f32, kept), args[3]);
          Value w = arith::SelectOp::create(b, loc, here, kept,
                                            scalar(b, loc, f32, 0));
          Value product = arith::MulFOp::create(b, loc, args[0], w);
          linalg::YieldOp::create(
              b, loc,
              arith::AddFOp::create(b, loc, args.back(), product).getResult());
        });
    generic->setAttr(
        kSparseMatmulAttr,
        rewriter.getDictionaryAttr(
            {rewriter.getNamedAttr("n", rewriter.getI64IntegerAttr(kept)),
             rewriter.getNamedAttr("m",
                                   rewriter.getI64IntegerAttr(groupSize))}));
    rewriter.replaceOp(op, panelsToLinear(rewriter, loc, generic.getResult(0),
                                          n, adaptor.getBias(),
                                          type.getShape()));
    return success();
  }

private:
  int64_t panelWidth;
};

/// The constant values (f32, or int8 `integers`) and mask of a
/// pith.masked_densify.
struct MaskedConstants {
  std::vector<float> values;
  std::vector<int8_t> mask, integers;

  /// The dense f32 weight they make.
  std::vector<float> expand() const {
    return *compression::expandMasked(values, mask);
  }
};

/// The values and mask of `densify`, which must be f32 or int8 and i1
/// constants with one nonzero of the mask per value; an error on it
/// otherwise (the nonzeros' places are a prefix count, which only constants
/// have here).
FailureOr<MaskedConstants> readMaskedDensify(MaskedDensifyOp densify) {
  MaskedConstants constants;
  bool integers = densify.getType().getElementType().isInteger(8);
  std::optional<std::vector<float>> values;
  std::optional<std::vector<int8_t>> bytes;
  if (integers)
    bytes = detail::readBytes(constantValue(densify.getValues()));
  else
    values = detail::readFloats(constantValue(densify.getValues()));
  std::optional<std::vector<int8_t>> mask =
      detail::readBytes(constantValue(densify.getMask()));
  if (!(values || bytes) || !mask)
    return densify.emitError(
        "pith.masked_densify lowers from f32 or int8 constants only");
  size_t count = integers ? bytes->size() : values->size();
  if (static_cast<size_t>(
          llvm::count_if(*mask, [](int8_t bit) { return bit != 0; })) != count)
    return densify.emitError()
           << "the mask's nonzeros are not the " << count << " values";
  if (integers)
    constants.integers = std::move(*bytes);
  else
    constants.values = std::move(*values);
  constants.mask = std::move(*mask);
  return constants;
}

/// The dequantization of int8 nonzeros `op`'s weight is, with a scale per
/// row: dequantize(masked_densify(q, mask), s) (pith-quantize's form for
/// layers multiplied indexed); null otherwise.
DequantizeOp maskedIntegersOf(LinearOp op) {
  auto dequantize = op.getWeight().getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getZeroPoint() || dequantize.getAxis() != 0 ||
      dequantize.getBlockSize() ||
      !dequantize.getInput().getDefiningOp<MaskedDensifyOp>() ||
      !dequantize.getType().getElementType().isF32())
    return {};
  return dequantize;
}

/// A linear layer over a sparse weight of constants: the constant that
/// names its resources, its weight's [N, K], the rows of x it multiplies
/// and its nonzeros and mask. Int8 nonzeros (of an N:M weight's int8 kept
/// values, or a masked one's) are the constants' `integers`, times a scale
/// per row.
struct MaskedLinear {
  Value source;
  int64_t n = 0, k = 0, rows = 0;
  MaskedConstants constants;
  std::vector<float> scales;
};

/// `op` as a MaskedLinear where its weight is masked and its rows are
/// multiplied indexed or not as `indexed` says; a match failure otherwise.
FailureOr<MaskedLinear> matchMaskedLinear(LinearOp op, bool indexed,
                                          PatternRewriter &rewriter) {
  MaskedLinear layer;
  // MaskedDensifyConstants has checked the weight's constants.
  DequantizeOp dequantize = maskedIntegersOf(op);
  auto densify = (dequantize ? dequantize.getInput() : op.getWeight())
                     .getDefiningOp<MaskedDensifyOp>();
  if (!densify)
    return rewriter.notifyMatchFailure(op, "weight is not masked");
  if (dequantize && !indexed)
    return rewriter.notifyMatchFailure(op, "int8 nonzeros multiply indexed");
  layer.source = densify.getValues();
  auto weightType = cast<RankedTensorType>(densify.getType());
  layer.n = weightType.getDimSize(0);
  layer.k = weightType.getDimSize(1);
  layer.rows = cast<RankedTensorType>(op.getType()).getNumElements() /
               std::max<int64_t>(layer.n, 1);
  if (compression::multipliesIndexed(layer.rows) != indexed)
    return rewriter.notifyMatchFailure(op, "rows for the other form");
  FailureOr<MaskedConstants> constants = readMaskedDensify(densify);
  if (failed(constants))
    return failure();
  layer.constants = std::move(*constants);
  if (dequantize) {
    std::optional<std::vector<float>> scales =
        detail::readFloats(constantValue(dequantize.getScale()));
    if (!scales)
      return rewriter.notifyMatchFailure(op, "scales it cannot read");
    layer.scales = std::move(*scales);
  }
  return layer;
}

/// `op` as a MaskedLinear where its rows are multiplied indexed
/// (compression::multipliesIndexed) and its weight is masked_densify of
/// constants, or densify in an N:M pattern whose positions the CPU packs
/// of f32 constants or of int8 ones dequantized with a scale per row (as
/// SparseLinearLowering takes them): the kept values (zeros among them)
/// are its nonzeros, in input order within each group. A match failure
/// otherwise.
FailureOr<MaskedLinear> matchIndexedLinear(LinearOp op,
                                           PatternRewriter &rewriter) {
  auto densify = op.getWeight().getDefiningOp<DensifyOp>();
  if (!densify)
    return matchMaskedLinear(op, /*indexed=*/true, rewriter);
  MaskedLinear layer;
  auto weightType = cast<RankedTensorType>(densify.getType());
  layer.n = weightType.getDimSize(0);
  layer.k = weightType.getDimSize(1);
  layer.rows = cast<RankedTensorType>(op.getType()).getNumElements() /
               std::max<int64_t>(layer.n, 1);
  if (!compression::multipliesIndexed(layer.rows))
    return rewriter.notifyMatchFailure(op, "rows for the packed form");
  FailureOr<KeptConstants> constants = readKept(densify);
  if (failed(constants))
    return rewriter.notifyMatchFailure(op, "kept values it cannot read");
  int64_t kept = densify.getN(), groupSize = densify.getM();
  bool quantized = !constants->integers.empty();
  layer.source = densify.getValues();
  if (quantized) {
    layer.source = layer.source.getDefiningOp<DequantizeOp>().getInput();
    layer.scales = std::move(constants->scales);
  }
  // Each group's kept values in the order of their positions.
  size_t count = constants->positions.size();
  layer.constants.mask.assign(layer.n * layer.k, 0);
  if (quantized)
    layer.constants.integers.reserve(count);
  else
    layer.constants.values.reserve(count);
  SmallVector<int64_t> slots(kept);
  for (size_t first = 0; first < count; first += kept) {
    std::iota(slots.begin(), slots.end(), static_cast<int64_t>(first));
    auto positionOf = [&](int64_t slot) {
      return static_cast<uint8_t>(constants->positions[slot]);
    };
    llvm::sort(slots, [&](int64_t a, int64_t b) {
      return positionOf(a) < positionOf(b);
    });
    for (int64_t slot : slots) {
      int64_t at = first / kept * groupSize + positionOf(slot);
      if (layer.constants.mask[at])
        return rewriter.notifyMatchFailure(op, "a position kept twice");
      layer.constants.mask[at] = 1;
      if (quantized)
        layer.constants.integers.push_back(constants->integers[slot]);
      else
        layer.constants.values.push_back(constants->values[slot]);
    }
  }
  return layer;
}

/// masked_densify(constants) -> its dense constant, expanded at compile
/// time, unless only linear layers take it (BitmapLinearLowering packs
/// the constants for them); an error where they cannot be read.
struct MaskedDensifyConstants : OpConversionPattern<MaskedDensifyOp> {
  MaskedDensifyConstants(const TypeConverter &converter, MLIRContext *context,
                         bool packSparse)
      : OpConversionPattern(converter, context), packSparse(packSparse) {}

  LogicalResult
  matchAndRewrite(MaskedDensifyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Checked here, before any layer is left with an empty weight.
    FailureOr<MaskedConstants> constants = readMaskedDensify(op);
    if (failed(constants))
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    bool integers = type.getElementType().isInteger(8);
    if (integers ? multipliedIndexed(op) : multipliedSparse(op, packSparse)) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(),
                                                   type.getElementType());
      return success();
    }
    std::string key = resourceKey(op.getValues(), "sparse_weight") + "_dense";
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, integers
                ? detail::makeResource(
                      type, key,
                      detail::asBytes<int8_t>(*compression::expandMasked(
                          constants->integers, constants->mask)))
                : detail::makeResource(
                      type, key, detail::asBytes<float>(constants->expand())));
    return success();
  }

private:
  /// Whether int8 nonzeros are multiplied as they are stored: every use is
  /// a dequantization by constant scales that only linear layers
  /// multiplying indexed take.
  bool multipliedIndexed(MaskedDensifyOp op) const {
    return packSparse && llvm::all_of(op->getUsers(), [](Operation *user) {
             auto dequantize = dyn_cast<DequantizeOp>(user);
             return dequantize && constantValue(dequantize.getScale()) &&
                    llvm::all_of(dequantize->getUsers(), [&](Operation *use) {
                      auto linear = dyn_cast<LinearOp>(use);
                      int64_t features = dequantize.getType().getDimSize(0);
                      return linear && maskedIntegersOf(linear) == dequantize &&
                             compression::multipliesIndexed(
                                 linear.getType().getNumElements() /
                                 std::max<int64_t>(features, 1));
                    });
           });
  }

  bool packSparse;
};

/// A bitmap-sparse [N, K] weight packed for the contraction: per panel of
/// kBitmapPanelRows features and input, a mask of the features whose weight
/// is nonzero (bit f for feature f of the panel); the nonzeros in panel,
/// input, feature order; and each panel's first nonzero.
struct PackedBitmapWeight {
  std::vector<uint16_t> masks;
  std::vector<int32_t> starts;
  std::vector<float> nonzeros;
};

PackedBitmapWeight packBitmapWeight(ArrayRef<float> dense, int64_t n,
                                    int64_t k) {
  constexpr int64_t width = compression::kBitmapPanelRows;
  int64_t panels = llvm::divideCeil(n, width);
  PackedBitmapWeight packed;
  packed.masks.assign(panels * k, 0);
  for (int64_t panel = 0; panel < panels; ++panel) {
    packed.starts.push_back(static_cast<int32_t>(packed.nonzeros.size()));
    for (int64_t input = 0; input < k; ++input)
      for (int64_t feature = 0; feature < width; ++feature) {
        int64_t row = panel * width + feature;
        if (row >= n || dense[row * k + input] == 0.0f)
          continue;
        packed.masks[panel * k + input] |= 1u << feature;
        packed.nonzeros.push_back(dense[row * k + input]);
      }
  }
  return packed;
}

/// linear(x, masked_densify(values, mask)) of f32 constants -> one
/// linalg.generic over (m, panel, feature | chunk, input in chunk), reading
/// x viewed [M, chunks, c], the packed masks likewise [panels, chunks, c]
/// (i16) and each panel's start (i32), and adding x times the feature's
/// weight: where its mask bit is set, the nonzero after all those the
/// panel's earlier inputs and the input's lower features hold, read from
/// the nonzeros (one zero appended) by a prefix count that makes the
/// generic correct but slow on its own. It carries `pith.bitmap_matmul`;
/// pith-vectorize-contractions instead keeps a running offset, expands
/// each mask's nonzeros into a register and skips chunks of zero masks.
struct BitmapLinearLowering : OpConversionPattern<LinearOp> {
  BitmapLinearLowering(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<MaskedLinear> layer =
        matchMaskedLinear(op, /*indexed=*/false, rewriter);
    if (failed(layer))
      return failure();
    const auto &[source, n, k, rows, constants, scales] = *layer;
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    constexpr int64_t width = compression::kBitmapPanelRows;
    int64_t panels = llvm::divideCeil(n, width);
    int64_t chunk = k % 8 == 0 ? 8 : k % 4 == 0 ? 4 : k % 2 == 0 ? 2 : 1;
    int64_t chunks = k / chunk;
    auto type = cast<RankedTensorType>(op.getType());
    PackedBitmapWeight packed = packBitmapWeight(constants.expand(), n, k);
    // One zero past the end: the slow form reads there for unset bits.
    packed.nonzeros.push_back(0.0f);
    std::string base = resourceKey(source, "sparse_weight");

    Type f32 = rewriter.getF32Type(), i16 = rewriter.getI16Type(),
         i32 = rewriter.getI32Type();
    auto masksType = RankedTensorType::get({panels, chunks, chunk}, i16);
    Value masks = arith::ConstantOp::create(
        rewriter, loc,
        detail::makeResource(masksType, base + "_masks_packed",
                             detail::asBytes<uint16_t>(packed.masks)));
    Value starts = arith::ConstantOp::create(
        rewriter, loc,
        detail::makeResource(RankedTensorType::get({panels}, i32),
                             base + "_starts_packed",
                             detail::asBytes<int32_t>(packed.starts)));
    Value nonzeros = arith::ConstantOp::create(
        rewriter, loc,
        detail::makeResource(
            RankedTensorType::get(
                {static_cast<int64_t>(packed.nonzeros.size())}, f32),
            base + "_packed", detail::asBytes<float>(packed.nonzeros)));

    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(5, 0, exprs, context);
    };
    SmallVector<Value> inputs = {
        reshapeTo(rewriter, loc, adaptor.getInput(), {rows, chunks, chunk}),
        masks, starts};
    SmallVector<AffineMap> maps = {map({d(0), d(3), d(4)}),
                                   map({d(1), d(3), d(4)}), map({d(1)}),
                                   map({d(0), d(1), d(2)})};
    auto panelType = RankedTensorType::get({rows, panels, width}, f32);
    Value init = zeroFilled(rewriter, loc, panelType);
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, panelType, inputs, init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          auto index = [&](int64_t value) {
            return arith::ConstantIndexOp::create(b, loc, value);
          };
          auto bitsSet = [&](Value mask) {
            return math::CtPopOp::create(
                b, loc, arith::ExtUIOp::create(b, loc, i32, mask));
          };
          Value feature = arith::IndexCastOp::create(
              b, loc, i32, linalg::IndexOp::create(b, loc, 2));
          Value one = scalar(b, loc, i32, 1);
          Value mask = arith::ExtUIOp::create(b, loc, i32, args[1]);
          Value set = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne,
              arith::AndIOp::create(
                  b, loc, arith::ShRUIOp::create(b, loc, mask, feature), one),
              scalar(b, loc, i32, 0));
          Value lower = arith::SubIOp::create(
              b, loc, arith::ShLIOp::create(b, loc, one, feature), one);
          Value offset = arith::AddIOp::create(
              b, loc, args[2],
              math::CtPopOp::create(
                  b, loc, arith::AndIOp::create(b, loc, mask, lower)));
          // The nonzeros of the panel's earlier inputs.
          Value panel = linalg::IndexOp::create(b, loc, 1);
          Value input = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(b, loc, linalg::IndexOp::create(b, loc, 3),
                                    index(chunk)),
              linalg::IndexOp::create(b, loc, 4));
          auto earlier = scf::ForOp::create(
              b, loc, index(0), input, index(1), ValueRange{offset},
              [&](OpBuilder &b, Location loc, Value at, ValueRange sum) {
                Value earlierMask = tensor::ExtractOp::create(
                    b, loc, masks,
                    ValueRange{panel,
                               arith::DivUIOp::create(b, loc, at, index(chunk)),
                               arith::RemUIOp::create(b, loc, at,
                                                      index(chunk))});
                scf::YieldOp::create(
                    b, loc,
                    ValueRange{arith::AddIOp::create(b, loc, sum[0],
                                                     bitsSet(earlierMask))});
              });
          Value weight = tensor::ExtractOp::create(
              b, loc, nonzeros,
              ValueRange{arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                                    earlier.getResult(0))});
          weight = arith::SelectOp::create(b, loc, set, weight,
                                           scalar(b, loc, f32, 0));
          Value product = arith::MulFOp::create(b, loc, args[0], weight);
          linalg::YieldOp::create(
              b, loc,
              arith::AddFOp::create(b, loc, args.back(), product).getResult());
        });
    generic->setAttr(kBitmapMatmulAttr, rewriter.getUnitAttr());
    rewriter.replaceOp(op, panelsToLinear(rewriter, loc, generic.getResult(0),
                                          n, adaptor.getBias(),
                                          type.getShape()));
    return success();
  }
};

/// linear(x, masked_densify(constants)), or of an N:M densify of f32
/// constants (matchIndexedLinear), over at least kIndexedRowBlock rows of
/// x (compression::multipliesIndexed) -> one linalg.generic over (m,
/// panel, feature | chunk, slot). The nonzeros are kept per panel of
/// kBitmapPanelRows output features (padded with empty features) and
/// chunk of kIndexedChunkInputs inputs, features in turn, each feature's
/// by input, with their inputs' places in the chunk (i8, unsigned): a
/// panel's nonzeros are one stream. The operands are each (panel, chunk)
/// run's first nonzero ([panels, chunks] i32), each feature's first
/// within its run ([panels, chunks, width] i16) and count (i8); the body
/// reads slot s of the feature's nonzeros in the chunk, its input and that
/// input's row of x transposed ([K, M], M padded with zero rows as
/// compression::indexedPaddedRows says, sliced off the sums) from above,
/// and adds their product where s < count. It carries
/// `pith.indexed_matmul`: pith-vectorize-contractions walks each panel's
/// stream by the counts alone, multiplying each nonzero into many rows at
/// once, along x's transposed rows, so that only nonzeros take
/// multiply-adds.
struct IndexedLinearLowering : OpConversionPattern<LinearOp> {
  // Before QuantizedLinearLowering, which would expand int8 nonzeros.
  IndexedLinearLowering(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context, /*benefit=*/3) {}

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<MaskedLinear> layer = matchIndexedLinear(op, rewriter);
    if (failed(layer))
      return failure();
    const auto &[source, n, k, rows, constants, rowScales] = *layer;
    const std::vector<int8_t> &integers = constants.integers;
    bool quantized = !integers.empty();
    auto type = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    constexpr int64_t width = compression::kBitmapPanelRows,
                      chunk = compression::kIndexedChunkInputs;
    int64_t panels = llvm::divideCeil(n, width),
            chunks = llvm::divideCeil(k, chunk);

    // Each feature's next nonzero among the values (in row-major order).
    std::vector<size_t> next(n);
    for (int64_t feature = 1; feature < n; ++feature)
      next[feature] = next[feature - 1] +
                      std::count_if(constants.mask.begin() + (feature - 1) * k,
                                    constants.mask.begin() + feature * k,
                                    [](int8_t kept) { return kept != 0; });
    // Where each stored nonzero is among the values.
    std::vector<size_t> order;
    std::vector<uint8_t> inputs;
    size_t total = quantized ? integers.size() : constants.values.size();
    order.reserve(total);
    inputs.reserve(total + 1);
    std::vector<int32_t> starts(panels * chunks);
    std::vector<int16_t> offsets(panels * chunks * width);
    std::vector<int8_t> counts(panels * chunks * width);
    int64_t slots = 1;
    for (int64_t panel = 0; panel < panels; ++panel) {
      for (int64_t c = 0; c < chunks; ++c) {
        int64_t run = panel * chunks + c;
        starts[run] = static_cast<int32_t>(order.size());
        for (int64_t f = 0; f < width; ++f) {
          int64_t feature = panel * width + f;
          size_t first = order.size();
          offsets[run * width + f] =
              static_cast<int16_t>(first - static_cast<size_t>(starts[run]));
          for (int64_t input = c * chunk;
               feature < n && input < std::min(k, (c + 1) * chunk); ++input) {
            if (!constants.mask[feature * k + input])
              continue;
            order.push_back(next[feature]++);
            inputs.push_back(static_cast<uint8_t>(input - c * chunk));
          }
          counts[run * width + f] = static_cast<int8_t>(order.size() - first);
          slots = std::max<int64_t>(slots, order.size() - first);
        }
      }
    }
    // One zero (of the chunk's first input) past the end, where slots past
    // a feature's count read in the generic's own form.
    std::vector<float> nonzeros;
    std::vector<int8_t> integerNonzeros;
    for (size_t at : order) {
      if (quantized)
        integerNonzeros.push_back(integers[at]);
      else
        nonzeros.push_back(constants.values[at]);
    }
    nonzeros.push_back(0.0f);
    integerNonzeros.push_back(0);
    inputs.push_back(0);
    std::string base = resourceKey(source, "sparse_weight");

    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type(),
         i16 = rewriter.getI16Type(), i32 = rewriter.getI32Type();
    auto constant = [&](RankedTensorType tensorType, StringRef suffix,
                        ArrayRef<char> data) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          detail::makeResource(tensorType, base + suffix.str(), data));
    };
    auto count = static_cast<int64_t>(inputs.size());
    Value values =
        quantized ? constant(RankedTensorType::get({count}, i8), "_indexed",
                             detail::asBytes<int8_t>(integerNonzeros))
                  : constant(RankedTensorType::get({count}, f32), "_indexed",
                             detail::asBytes<float>(nonzeros));
    Value indices =
        constant(RankedTensorType::get({count}, i8), "_inputs_indexed",
                 detail::asBytes<uint8_t>(inputs));
    Value startsValue =
        constant(RankedTensorType::get({panels, chunks}, i32),
                 "_starts_indexed", detail::asBytes<int32_t>(starts));
    Value offsetsValue =
        constant(RankedTensorType::get({panels, chunks, width}, i16),
                 "_offsets_indexed", detail::asBytes<int16_t>(offsets));
    Value countsValue =
        constant(RankedTensorType::get({panels, chunks, width}, i8),
                 "_counts_indexed", detail::asBytes<int8_t>(counts));
    // Rows padded with zeros to the kernel's blocks of vectors.
    int64_t paddedRows = compression::indexedPaddedRows(rows);
    Value xRows = reshapeTo(rewriter, loc, adaptor.getInput(), {rows, k});
    if (paddedRows != rows)
      xRows = tensor::InsertSliceOp::create(
          rewriter, loc, xRows,
          zeroFilled(rewriter, loc,
                     RankedTensorType::get({paddedRows, k}, f32)),
          getAsIndexOpFoldResult(context, {0, 0}),
          getAsIndexOpFoldResult(context, {rows, k}),
          getAsIndexOpFoldResult(context, {1, 1}));
    Value xTransposed = transposeTo(rewriter, loc, xRows, {1, 0});

    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(5, 0, exprs, context);
    };
    // The slots' numbers, 0 to the most nonzeros of any feature in a
    // chunk, give the slot loop its extent.
    std::vector<int32_t> slotNumbers(slots);
    std::iota(slotNumbers.begin(), slotNumbers.end(), 0);
    Value slotsValue = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(RankedTensorType::get({slots}, i32),
                               ArrayRef<int32_t>(slotNumbers)));
    SmallVector<AffineMap> maps = {map({d(1), d(3)}), map({d(1), d(3), d(2)}),
                                   map({d(1), d(3), d(2)}), map({d(4)})};
    auto panelType = RankedTensorType::get({paddedRows, panels, width}, f32);
    Value init = zeroFilled(rewriter, loc, panelType);
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {
        IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
        IteratorType::reduction, IteratorType::reduction};
    SmallVector<Value> operands = {startsValue, offsetsValue, countsValue,
                                   slotsValue};
    if (quantized) {
      // Each feature's scale (zero for the padding features).
      std::vector<float> scales(panels * width, 0.0f);
      std::copy(rowScales.begin(), rowScales.end(), scales.begin());
      operands.push_back(constant(RankedTensorType::get({panels, width}, f32),
                                  "_scales_indexed",
                                  detail::asBytes<float>(scales)));
      maps.push_back(map({d(1), d(2)}));
    }
    maps.push_back(map({d(0), d(1), d(2)}));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, panelType, operands, init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Type indexType = b.getIndexType();
          Value slot = args[3];
          Value inRange = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::slt, slot,
              arith::ExtUIOp::create(b, loc, i32, args[2]));
          Value at = arith::AddIOp::create(
              b, loc,
              arith::AddIOp::create(
                  b, loc, args[0],
                  arith::ExtUIOp::create(b, loc, i32, args[1])),
              slot);
          Value safe = arith::SelectOp::create(b, loc, inRange, at,
                                               scalar(b, loc, i32, count - 1));
          Value atIndex = arith::IndexCastOp::create(b, loc, indexType, safe);
          Value weight =
              tensor::ExtractOp::create(b, loc, values, ValueRange{atIndex});
          if (quantized)
            weight = arith::MulFOp::create(
                b, loc, arith::SIToFPOp::create(b, loc, f32, weight), args[4]);
          Value place = arith::IndexCastUIOp::create(
              b, loc, indexType,
              tensor::ExtractOp::create(b, loc, indices, ValueRange{atIndex}));
          Value input = arith::AddIOp::create(
              b, loc,
              arith::MulIOp::create(
                  b, loc, linalg::IndexOp::create(b, loc, 3),
                  arith::ConstantIndexOp::create(b, loc, chunk)),
              place);
          Value xValue = tensor::ExtractOp::create(
              b, loc, xTransposed,
              ValueRange{input, linalg::IndexOp::create(b, loc, 0)});
          Value sum = arith::AddFOp::create(
              b, loc, args.back(),
              arith::MulFOp::create(b, loc, xValue, weight));
          linalg::YieldOp::create(
              b, loc,
              arith::SelectOp::create(b, loc, inRange, sum, args.back())
                  .getResult());
        });
    generic->setAttr(kIndexedMatmulAttr, rewriter.getUnitAttr());
    Value sums = generic.getResult(0);
    if (paddedRows != rows)
      sums = tensor::ExtractSliceOp::create(
          rewriter, loc, sums, getAsIndexOpFoldResult(context, {0, 0, 0}),
          getAsIndexOpFoldResult(context, {rows, panels, width}),
          getAsIndexOpFoldResult(context, {1, 1, 1}));
    rewriter.replaceOp(op, panelsToLinear(rewriter, loc, sums, n,
                                          adaptor.getBias(), type.getShape()));
    return success();
  }
};

} // namespace

void populateSparsityPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns,
                              QuantizedLayout layout) {
  patterns.add<DensifyLowering>(converter, patterns.getContext());
  patterns.add<DensifyConstants>(converter, patterns.getContext(),
                                 layout.packSparse);
  patterns.add<MaskedDensifyConstants>(converter, patterns.getContext(),
                                       layout.packSparse);
  if (layout.packSparse) {
    patterns.add<SparseLinearLowering>(converter, patterns.getContext(),
                                       layout.panelWidth);
    patterns.add<BitmapLinearLowering, IndexedLinearLowering>(
        converter, patterns.getContext());
  }
}

} // namespace mlir::pith::lowering
