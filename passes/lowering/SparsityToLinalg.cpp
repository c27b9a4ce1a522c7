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
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "passes/Passes.h"
#include "passes/compression/Sparsity.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith::lowering {
namespace {

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
    if (packSparse &&
        compression::packedPositionBytes(op.getN(), op.getM()) > 0 &&
        llvm::all_of(op->getUsers(),
                     [](Operation *user) { return isa<LinearOp>(user); }))
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

/// Packs the constants of `densify` (of an [N, K] weight) whose values are
/// f32 or the dequantization of int8 with a scale per row, or fails where
/// they are not such constants or the pattern has no packed positions
/// (packedPositionBytes).
FailureOr<PackedSparseWeight> packSparseWeight(DensifyOp densify,
                                               int64_t panelWidth) {
  std::optional<std::vector<float>> values, scales;
  std::optional<std::vector<int8_t>> integers;
  if (auto dequantize = densify.getValues().getDefiningOp<DequantizeOp>()) {
    Type storage = dequantize.getInput().getType().getElementType();
    if (!storage.isSignlessInteger(8) || dequantize.getZeroPoint() ||
        dequantize.getAxis() != 0 || dequantize.getBlockSize())
      return failure();
    integers = detail::readBytes(constantValue(dequantize.getInput()));
    scales = detail::readFloats(constantValue(dequantize.getScale()));
    if (!integers || !scales)
      return failure();
  } else {
    values = detail::readFloats(constantValue(densify.getValues()));
    if (!values)
      return failure();
  }
  std::optional<std::vector<int8_t>> positions =
      detail::readBytes(constantValue(densify.getPositions()));
  int64_t n = densify.getN(), m = densify.getM();
  PackedSparseWeight packed;
  packed.positionBytes = compression::packedPositionBytes(n, m);
  if (!positions || packed.positionBytes == 0)
    return failure();
  packed.bits = llvm::Log2_64(m);
  auto type = cast<RankedTensorType>(densify.getType());
  int64_t rows = type.getDimSize(0), groups = type.getDimSize(1) / m;
  int64_t panels = llvm::divideCeil(rows, panelWidth);
  int64_t keptSize = panels * groups * n * panelWidth;
  if (integers) {
    packed.integers.assign(keptSize, 0);
    packed.scales.assign(panels * panelWidth, 0.0f);
  } else {
    packed.values.assign(keptSize, 0.0f);
  }
  packed.positions.assign(panels * groups * panelWidth * packed.positionBytes,
                          0);
  for (int64_t row = 0; row < rows; ++row) {
    int64_t panel = row / panelWidth, column = row % panelWidth;
    if (scales)
      packed.scales[panel * panelWidth + column] = (*scales)[row];
    for (int64_t group = 0; group < groups; ++group) {
      uint32_t fields = 0;
      for (int64_t slot = 0; slot < n; ++slot) {
        int64_t at = (row * groups + group) * n + slot;
        auto position = static_cast<uint8_t>((*positions)[at]);
        if (position >= m)
          return failure();
        fields |= static_cast<uint32_t>(position) << (slot * packed.bits);
        int64_t to = ((panel * groups + group) * n + slot) * panelWidth + column;
        if (integers)
          packed.integers[to] = (*integers)[at];
        else
          packed.values[to] = (*values)[at];
      }
      int64_t at = (panel * groups + group) * panelWidth + column;
      for (int64_t byte = 0; byte < packed.positionBytes; ++byte)
        packed.positions[at * packed.positionBytes + byte] =
            static_cast<uint8_t>(fields >> (8 * byte));
    }
  }
  return packed;
}

/// linear(x, densify(values, positions)) with constant f32 values (or
/// int8 ones dequantized with a scale per row) -> one linalg.generic over
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
    Value init =
        linalg::FillOp::create(rewriter, loc, scalar(rewriter, loc, f32, 0),
                               emptyTensor(rewriter, loc, panelType))
            .getResult(0);
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

} // namespace

void populateSparsityPatterns(const TypeConverter &converter,
                              RewritePatternSet &patterns,
                              QuantizedLayout layout) {
  patterns.add<DensifyLowering>(converter, patterns.getContext());
  patterns.add<DensifyConstants>(converter, patterns.getContext(),
                                 layout.packSparse);
  if (layout.packSparse)
    patterns.add<SparseLinearLowering>(converter, patterns.getContext(),
                                       layout.panelWidth);
}

} // namespace mlir::pith::lowering
