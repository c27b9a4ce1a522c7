//===- QuantizationToLinalg.cpp - pith quantize/dequantize to linalg ------===//
//
// Part of pith. quantize and dequantize become linalg.generic ops that read
// the scale and zero point through maps giving the granularity: none per
// tensor, the axis per axis, the axis divided by the block size blocked.
//
// A linear layer whose weight is the dequantization of constants becomes
// one contraction that reads the integers themselves: the float weight is
// never materialized. The integers are packed at compile time into panels
// of 16 output features, several sub-byte values to a byte, which
// pith-vectorize-contractions unpacks in registers.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "passes/Passes.h"
#include "passes/compression/Sparsity.h"
#include "passes/lowering/LoweringUtils.h"

namespace mlir::pith::lowering {
namespace {

/// The map from the data's loops to its scale (and zero point). A block
/// as long as its axis (per token) maps to its one scale by a constant, so
/// that the axis stays a plain row for pith-vectorize-rows.
AffineMap scaleMap(MLIRContext *context, RankedTensorType type,
                   std::optional<uint64_t> axis,
                   std::optional<uint64_t> blockSize) {
  int64_t rank = type.getRank();
  if (!axis)
    return AffineMap::get(rank, 0, context);
  auto dim = static_cast<int64_t>(*axis);
  if (!blockSize)
    return AffineMap::get(rank, 0, getAffineDimExpr(dim, context));
  auto block = static_cast<int64_t>(*blockSize);
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr expr = getAffineDimExpr(i, context);
    if (i == dim)
      expr = type.getDimSize(dim) == block ? getAffineConstantExpr(0, context)
                                           : expr.floorDiv(block);
    exprs.push_back(expr);
  }
  return AffineMap::get(rank, 0, exprs, context);
}

/// A quantized storage value as a float, by its signedness.
Value toFloat(OpBuilder &b, Location loc, Value value, bool isUnsigned,
              Type floatType) {
  if (isUnsigned)
    return arith::UIToFPOp::create(b, loc, floatType, value);
  return arith::SIToFPOp::create(b, loc, floatType, value);
}

/// A generic over `resultType`'s elements with the data read directly and
/// the scale (and zero point) through `map`.
Value quantizationGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, Value data,
    Value scale, Value zeroPoint, AffineMap map,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> inputs = {data, scale};
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), map};
  if (zeroPoint) {
    inputs.push_back(zeroPoint);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, inputs, emptyTensor(b, loc, resultType), maps,
      iterators, [&](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(
            b, loc,
            body(b, loc, args[0], args[1], zeroPoint ? args[2] : Value()));
      });
  return generic.getResult(0);
}

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = op.getType();
    bool storageUnsigned = isUnsigned(op.getInput().getType());
    Type floatType = type.getElementType();
    AffineMap map = scaleMap(rewriter.getContext(), type, op.getAxis(),
                             op.getBlockSize());
    Value result = quantizationGeneric(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getScale(),
        adaptor.getZeroPoint(), map,
        [&](OpBuilder &b, Location loc, Value q, Value scale,
            Value zeroPoint) -> Value {
          Value value = toFloat(b, loc, q, storageUnsigned, floatType);
          if (zeroPoint)
            value = arith::SubFOp::create(
                b, loc, value,
                toFloat(b, loc, zeroPoint, storageUnsigned, floatType));
          return arith::MulFOp::create(b, loc, value, scale);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    bool storageUnsigned = isUnsigned(op.getType());
    Type storage = type.getElementType();
    unsigned width = storage.getIntOrFloatBitWidth();
    double low = storageUnsigned ? 0 : -std::ldexp(1.0, width - 1);
    double high = storageUnsigned ? std::ldexp(1.0, width) - 1
                                  : std::ldexp(1.0, width - 1) - 1;
    AffineMap map = scaleMap(rewriter.getContext(), type, op.getAxis(),
                             op.getBlockSize());
    // A scale of 1 (x scaled beforehand, as pith-quantize's int8
    // activations are) divides by nothing.
    bool unitScale = matchPattern(op.getScale(), m_OneFloat());
    Value result = quantizationGeneric(
        rewriter, op.getLoc(), type, adaptor.getInput(), adaptor.getScale(),
        adaptor.getZeroPoint(), map,
        [&](OpBuilder &b, Location loc, Value x, Value scale,
            Value zeroPoint) -> Value {
          Type floatType = x.getType();
          Value value = math::RoundEvenOp::create(
              b, loc, unitScale ? x : arith::DivFOp::create(b, loc, x, scale));
          if (zeroPoint)
            value = arith::AddFOp::create(
                b, loc, value,
                toFloat(b, loc, zeroPoint, storageUnsigned, floatType));
          value = arith::MaximumFOp::create(b, loc, value,
                                            scalar(b, loc, floatType, low));
          value = arith::MinimumFOp::create(b, loc, value,
                                            scalar(b, loc, floatType, high));
          if (storageUnsigned)
            return arith::FPToUIOp::create(b, loc, storage, value);
          return arith::FPToSIOp::create(b, loc, storage, value);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Values of K in a 32-bit lane of the layout for VNNI's vpdpbusd.
constexpr int64_t kDotLane = 4;

/// A quantized linear layer's constants, packed for the contraction.
struct PackedWeight {
  int64_t bits = 8, groups = 1, groupSize = 0;
  bool isUnsigned = false;
  /// [panels, K / perByte, width] bytes (width: the panel's), each
  /// holding perByte consecutive values of K; in runs of `lane` bytes
  /// [panels, K / (lane perByte), width, lane] bytes, byte t of column j
  /// of a block of lane perByte values holding values t, t + lane, ...
  /// (for integer dot products lane 4: each 32-bit lane 4 consecutive
  /// values of K per field; on GPUs 16: a thread's 128-bit load).
  /// [panels, groups, width] scales and zero points (the latter empty
  /// without them).
  std::vector<int8_t> values, zeroPoints;
  std::vector<float> scales;
};

/// The constant that holds the integers `dequantized` reads: `dequantized`
/// itself, or the nonzeros of a masked_densify of it.
Value integerSource(Value dequantized) {
  if (auto masked = dequantized.getDefiningOp<MaskedDensifyOp>())
    return masked.getValues();
  return dequantized;
}

/// The integers `dequantized` holds where they are constants: a constant's
/// bytes, or a masked_densify of constants expanded (on targets that do not
/// multiply the nonzeros alone, or over rows too few for that).
std::optional<std::vector<int8_t>> readIntegers(Value dequantized) {
  if (auto masked = dequantized.getDefiningOp<MaskedDensifyOp>()) {
    std::optional<std::vector<int8_t>> values =
        detail::readBytes(constantValue(masked.getValues()));
    std::optional<std::vector<int8_t>> mask =
        detail::readBytes(constantValue(masked.getMask()));
    if (!values || !mask)
      return std::nullopt;
    return compression::expandMasked(*values, *mask);
  }
  return detail::readBytes(constantValue(dequantized));
}

/// Packs the constants of `dequantize` (of a [N, K] weight), or fails where
/// they are not constants or their granularity is not per tensor, per
/// output feature (axis 0) or by groups of input features (axis 1) (or,
/// groups are not a multiple of `lane` bytes' values). Panels hold
/// `panelWidth` output features, their bytes in runs of `lane` (1: rows of
/// bytes). With `offsetBytes`, signed 8-bit values are stored offset by
/// 128, as sub-byte ones always are (vpdpbusd multiplies unsigned bytes).
FailureOr<PackedWeight> packWeight(DequantizeOp dequantize, int64_t panelWidth,
                                   int64_t lane = 1, bool offsetBytes = false) {
  RankedTensorType type = dequantize.getInput().getType();
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  std::optional<std::vector<int8_t>> values =
      readIntegers(dequantize.getInput());
  std::optional<std::vector<float>> scales =
      detail::readFloats(constantValue(dequantize.getScale()));
  std::optional<std::vector<int8_t>> zeroPoints;
  if (dequantize.getZeroPoint()) {
    zeroPoints = detail::readBytes(constantValue(dequantize.getZeroPoint()));
    if (!zeroPoints)
      return failure();
  }
  if (!values || !scales)
    return failure();

  PackedWeight packed;
  packed.bits = type.getElementTypeBitWidth();
  packed.isUnsigned = type.getElementType().isUnsignedInteger();
  int64_t perByte = 8 / packed.bits;
  std::optional<uint64_t> axis = dequantize.getAxis();
  std::optional<uint64_t> blockSize = dequantize.getBlockSize();
  // Where the scale of (row, group) lies in `scales`.
  std::function<int64_t(int64_t, int64_t)> scaleIndex;
  if (!axis) {
    packed.groupSize = k;
    scaleIndex = [](int64_t, int64_t) { return 0; };
  } else if (*axis == 0 && !blockSize) {
    packed.groupSize = k;
    scaleIndex = [](int64_t row, int64_t) { return row; };
  } else if (*axis == 1 && blockSize) {
    packed.groupSize = static_cast<int64_t>(*blockSize);
    int64_t groups = k / packed.groupSize;
    scaleIndex = [groups](int64_t row, int64_t group) {
      return row * groups + group;
    };
  } else {
    return failure();
  }
  if (k % packed.groupSize != 0 || packed.groupSize % (lane * perByte) != 0)
    return failure();
  packed.groups = k / packed.groupSize;

  int64_t panels = llvm::divideCeil(n, panelWidth);
  int64_t rowsOfBytes = k / perByte;
  uint8_t mask = static_cast<uint8_t>((1u << packed.bits) - 1);
  packed.values.assign(panels * rowsOfBytes * panelWidth, 0);
  packed.scales.assign(panels * packed.groups * panelWidth, 0.0f);
  if (zeroPoints)
    packed.zeroPoints.assign(packed.scales.size(), 0);
  for (int64_t panel = 0; panel < panels; ++panel) {
    for (int64_t column = 0; column < panelWidth; ++column) {
      int64_t row = panel * panelWidth + column;
      if (row >= n)
        continue; // Padding: zero weights, zero scales.
      // Sub-byte values are stored unsigned, signed ones offset by
      // 2^(bits-1), so that unpacking is a shift and a mask; with
      // `offsetBytes` int8 too.
      auto stored = [&](int64_t at) {
        int value = (*values)[row * k + at];
        if ((perByte > 1 || offsetBytes) && !packed.isUnsigned)
          value += 1 << (packed.bits - 1);
        return static_cast<uint8_t>(value & mask);
      };
      for (int64_t byteRow = 0; byteRow < rowsOfBytes; ++byteRow) {
        uint8_t byte = 0;
        int64_t at;
        if (lane > 1) {
          // Row of bytes r is byte t of block b: values b lane per + t +
          // lane sub.
          int64_t block = byteRow / lane, t = byteRow % lane;
          for (int64_t sub = 0; sub < perByte; ++sub)
            byte |= static_cast<uint8_t>(
                stored(block * lane * perByte + sub * lane + t)
                << (sub * packed.bits));
          at = ((panel * rowsOfBytes / lane + block) * panelWidth + column) *
                   lane +
               t;
        } else {
          for (int64_t sub = 0; sub < perByte; ++sub)
            byte |= static_cast<uint8_t>(stored(byteRow * perByte + sub)
                                         << (sub * packed.bits));
          at = (panel * rowsOfBytes + byteRow) * panelWidth + column;
        }
        packed.values[at] = static_cast<int8_t>(byte);
      }
      for (int64_t group = 0; group < packed.groups; ++group) {
        int64_t at = (panel * packed.groups + group) * panelWidth + column;
        packed.scales[at] = (*scales)[scaleIndex(row, group)];
        if (zeroPoints)
          packed.zeroPoints[at] = (*zeroPoints)[scaleIndex(row, group)];
      }
    }
  }
  return packed;
}

/// The dequantization x is, when the layer's input was quantized to int8
/// per token (pith-quantize activations=dynamic): dequantize(q, s) with q
/// i8 [..., K] and s [..., 1] blocked over the whole row; else null.
DequantizeOp int8InputOf(LinearOp op) {
  auto dequantize = op.getInput().getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getZeroPoint())
    return {};
  RankedTensorType type = dequantize.getInput().getType();
  auto element = dyn_cast<IntegerType>(type.getElementType());
  int64_t last = type.getRank() - 1;
  if (!element || element.getWidth() != 8 || element.isUnsigned() ||
      !type.hasStaticShape() || last < 0 || dequantize.getAxis() != last ||
      dequantize.getBlockSize() != static_cast<uint64_t>(type.getDimSize(last)))
    return {};
  return dequantize;
}

/// The sums of `x` ([..., K], f32 or i8) over `groups` groups of K per row,
/// [rows, groups] of f32 or i32.
Value groupSums(OpBuilder &b, Location loc, Value x, int64_t rows,
                int64_t groups) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t groupSize = type.getDimSize(type.getRank() - 1) / groups;
  Type element = type.getElementType();
  Type sumElement = element.isF32() ? element : b.getI32Type();
  auto sumType = RankedTensorType::get({rows, groups}, sumElement);
  Value init = zeroFilled(b, loc, sumType);
  MLIRContext *context = b.getContext();
  AffineExpr row = getAffineDimExpr(0, context),
             group = getAffineDimExpr(1, context);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(3),
                                 AffineMap::get(3, 0, {row, group}, context)};
  using utils::IteratorType;
  auto generic = linalg::GenericOp::create(
      b, loc, sumType, reshapeTo(b, loc, x, {rows, groups, groupSize}), init,
      maps,
      {IteratorType::parallel, IteratorType::parallel,
       IteratorType::reduction},
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value value = args[0];
        if (!element.isF32())
          value = arith::ExtSIOp::create(b, loc, sumElement, value);
        Value sum =
            element.isF32()
                ? arith::AddFOp::create(b, loc, args[1], value).getResult()
                : arith::AddIOp::create(b, loc, args[1], value).getResult();
        linalg::YieldOp::create(b, loc, sum);
      });
  return generic.getResult(0);
}

/// linear(x, dequantize(q, scale[, zero point])) with constant q and scales
/// -> one linalg.generic over (m, panel, column, group, row of bytes, value
/// in byte), reading x viewed [M, groups, bytes per group, values per byte]
/// and the packed bytes, and unpacking each value by its position in the
/// byte (sub-byte values are stored unsigned: signed ones plus 2^(bits-1)).
/// Where the stored values are offset from the weights' (by 2^(bits-1), by
/// a zero point), the offset times the scale and the group's sum of x is
/// taken away at the group's first value; those sums [M, groups] are one
/// reduction before the contraction, so that the panels the contraction is
/// split into share them. It carries `pith.quantized_matmul = {bits,
/// unsigned}` for pith-vectorize-contractions.
///
/// With `int8Dot`, where x is int8 values q_x times a scale s_x per row
/// (int8InputOf), the generic reads q_x and s_x instead, over (m, panel,
/// column, group, block, value in byte, t) with the weights packed for
/// integer dot products (PackedWeight) and q_x viewed [M, groups, blocks,
/// values per byte, 4], and carries `dot = true`. With the layout's
/// `threadBytes` above 1 (GPUs), x and the weights are read the same way,
/// in runs of up to that many bytes, so that a thread loads a run at once.
struct QuantizedLinearLowering : OpConversionPattern<LinearOp> {
  QuantizedLinearLowering(const TypeConverter &converter, MLIRContext *context,
                          QuantizedLayout layout)
      : OpConversionPattern(converter, context, /*benefit=*/2), layout(layout) {
  }

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto dequantize = op.getWeight().getDefiningOp<DequantizeOp>();
    if (!dequantize || !op.getType().getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "weight is not dequantized f32");
    int64_t weightBits =
        dequantize.getInput().getType().getElementTypeBitWidth();
    DequantizeOp int8Input = layout.int8Dot && weightBits <= layout.int8DotBits
                                 ? int8InputOf(op)
                                 : DequantizeOp();
    int64_t panelWidth = layout.panelWidth;
    RankedTensorType weightType = dequantize.getInput().getType();
    int64_t n = weightType.getDimSize(0);
    // Bytes each output feature keeps together: a 32-bit lane's for integer
    // dot products, else as many as the layout asks that divide a group's.
    std::optional<uint64_t> blockSize = dequantize.getBlockSize();
    int64_t groupBytes = (blockSize ? static_cast<int64_t>(*blockSize)
                                    : weightType.getDimSize(1)) *
                         weightBits / 8;
    int64_t lane = 1;
    while (lane * 2 <= layout.threadBytes && groupBytes % (lane * 2) == 0)
      lane *= 2;
    FailureOr<PackedWeight> packed = failure();
    if (int8Input)
      packed = packWeight(dequantize, panelWidth, kDotLane,
                          /*offsetBytes=*/true);
    if (failed(packed)) {
      int8Input = {};
      packed = packWeight(dequantize, panelWidth, lane);
    } else {
      lane = kDotLane;
    }
    if (failed(packed))
      return rewriter.notifyMatchFailure(op, "weight cannot be packed");
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t m = type.getNumElements() / std::max<int64_t>(n, 1);
    int64_t perByte = 8 / packed->bits;
    int64_t panels = llvm::divideCeil(n, panelWidth);
    int64_t bytesPerGroup = packed->groupSize / perByte;
    int64_t blocksPerGroup = bytesPerGroup / lane;
    std::string base =
        resourceKey(integerSource(dequantize.getInput()), "quantized_weight");

    auto constant = [&](ArrayRef<int64_t> shape, Type element,
                        ArrayRef<char> data, StringRef suffix) -> Value {
      auto tensorType = RankedTensorType::get(shape, element);
      return arith::ConstantOp::create(
          rewriter, loc,
          detail::makeResource(tensorType, base + suffix.str(), data));
    };
    Type i8 = rewriter.getI8Type(), f32 = rewriter.getF32Type();
    Value values =
        lane > 1
            ? constant(
                  {panels, packed->groups, blocksPerGroup, panelWidth, lane},
                  i8, detail::asBytes<int8_t>(packed->values),
                  int8Input ? "_packed_dot" : "_packed_runs")
            : constant({panels, packed->groups, bytesPerGroup, panelWidth}, i8,
                       detail::asBytes<int8_t>(packed->values), "_packed");
    Value scales = constant({panels, packed->groups, panelWidth}, f32,
                            detail::asBytes<float>(packed->scales),
                            "_scale_packed");
    Value zeroPoints;
    if (!packed->zeroPoints.empty())
      zeroPoints = constant({panels, packed->groups, panelWidth}, i8,
                            detail::asBytes<int8_t>(packed->zeroPoints),
                            "_zero_point_packed");

    // Loops: m, panel, column | group, row of bytes, value in byte; or in
    // runs of bytes m, panel, column | group, block, value in byte, t.
    unsigned loops = lane > 1 ? 7 : 6;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(loops, 0, exprs, context);
    };
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    if (lane > 1) {
      Value x = int8Input ? rewriter.getRemappedValue(int8Input.getInput())
                          : adaptor.getInput();
      inputs = {reshapeTo(rewriter, loc, x,
                          {m, packed->groups, blocksPerGroup, perByte, lane}),
                values, scales};
      maps = {map({d(0), d(3), d(4), d(5), d(6)}),
              map({d(1), d(3), d(4), d(2), d(6)}), map({d(1), d(3), d(2)})};
    } else {
      inputs = {reshapeTo(rewriter, loc, adaptor.getInput(),
                          {m, packed->groups, bytesPerGroup, perByte}),
                values, scales};
      maps = {map({d(0), d(3), d(4), d(5)}), map({d(1), d(3), d(4), d(2)}),
              map({d(1), d(3), d(2)})};
    }
    if (zeroPoints) {
      inputs.push_back(zeroPoints);
      maps.push_back(map({d(1), d(3), d(2)}));
    }
    // Stored values offset from the weights' (by 2^(bits-1), by the zero
    // point) need each group's sum of inputs: taken once here, rather than
    // in every panel the contraction is later split into.
    bool isUnsignedStorage = packed->isUnsigned;
    int64_t bits = packed->bits;
    bool offsetStored = (bits < 8 || int8Input) && !isUnsignedStorage;
    bool hasCenter = offsetStored || zeroPoints;
    unsigned sumsIndex = inputs.size();
    if (hasCenter) {
      Value source = int8Input ? rewriter.getRemappedValue(int8Input.getInput())
                               : adaptor.getInput();
      inputs.push_back(groupSums(rewriter, loc, source, m, packed->groups));
      maps.push_back(map({d(0), d(3)}));
    }
    if (int8Input) {
      inputs.push_back(reshapeTo(
          rewriter, loc, rewriter.getRemappedValue(int8Input.getScale()), {m}));
      maps.push_back(map({d(0)}));
    }
    maps.push_back(map({d(0), d(1), d(2)}));
    auto panelType = RankedTensorType::get({m, panels, panelWidth}, f32);
    Value init = zeroFilled(rewriter, loc, panelType);
    using utils::IteratorType;
    SmallVector<IteratorType> iterators(loops, IteratorType::reduction);
    std::fill_n(iterators.begin(), 3, IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, panelType, inputs, init, maps, iterators,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value w;
          if (bits < 8) {
            // Value `sub` of the byte: shifted down and masked.
            Value sub = linalg::IndexOp::create(b, loc, 5);
            Value subI8 = arith::IndexCastOp::create(b, loc, i8, sub);
            Value shift =
                arith::MulIOp::create(b, loc, subI8, scalar(b, loc, i8, bits));
            Value field = arith::AndIOp::create(
                b, loc, arith::ShRUIOp::create(b, loc, args[1], shift),
                scalar(b, loc, i8, (1 << bits) - 1));
            w = arith::UIToFPOp::create(b, loc, f32, field);
          } else {
            w = toFloat(b, loc, args[1], isUnsignedStorage || offsetStored,
                        f32);
          }
          w = arith::MulFOp::create(b, loc, w, args[2]);
          Value x = args[0];
          Value xScale = int8Input ? args[args.size() - 2] : Value();
          if (int8Input)
            x = arith::MulFOp::create(
                b, loc, arith::SIToFPOp::create(b, loc, f32, x), xScale);
          Value sum = arith::AddFOp::create(
              b, loc, args.back(), arith::MulFOp::create(b, loc, x, w));
          if (hasCenter) {
            // The center (the offset of the stored values, the zero point)
            // times the scale and the group's sum of inputs, taken away
            // once per group: at its first value.
            Value center =
                scalar(b, loc, f32, offsetStored ? 1 << (bits - 1) : 0);
            if (zeroPoints)
              center = arith::AddFOp::create(
                  b, loc, center,
                  toFloat(b, loc, args[3], isUnsignedStorage, f32));
            Value groupSum = args[sumsIndex];
            if (int8Input)
              groupSum = arith::MulFOp::create(
                  b, loc, arith::SIToFPOp::create(b, loc, f32, groupSum),
                  xScale);
            Value correction = arith::MulFOp::create(
                b, loc, arith::MulFOp::create(b, loc, center, args[2]),
                groupSum);
            Value first, zero = arith::ConstantIndexOp::create(b, loc, 0);
            for (unsigned loop = 4; loop < loops; ++loop) {
              Value atStart = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::eq,
                  linalg::IndexOp::create(b, loc, loop), zero);
              first = first ? arith::AndIOp::create(b, loc, first, atStart)
                                  .getResult()
                            : atStart;
            }
            sum = arith::SelectOp::create(
                b, loc, first, arith::SubFOp::create(b, loc, sum, correction),
                sum);
          }
          linalg::YieldOp::create(b, loc, sum);
        });
    SmallVector<NamedAttribute> attrs = {
        rewriter.getNamedAttr("bits", rewriter.getI64IntegerAttr(bits)),
        rewriter.getNamedAttr("unsigned",
                              rewriter.getBoolAttr(isUnsignedStorage))};
    if (int8Input)
      attrs.push_back(rewriter.getNamedAttr("dot", rewriter.getBoolAttr(true)));
    generic->setAttr(kQuantizedMatmulAttr, rewriter.getDictionaryAttr(attrs));

    rewriter.replaceOp(op, panelsToLinear(rewriter, loc, generic.getResult(0),
                                          n, adaptor.getBias(),
                                          type.getShape()));
    return success();
  }

private:
  QuantizedLayout layout;
};

} // namespace

void populateQuantizationPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns,
                                  QuantizedLayout layout) {
  patterns.add<DequantizeLowering, QuantizeLowering>(converter,
                                                     patterns.getContext());
  patterns.add<QuantizedLinearLowering>(converter, patterns.getContext(),
                                        layout);
}

} // namespace mlir::pith::lowering
