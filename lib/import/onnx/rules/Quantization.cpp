//===- Quantization.cpp - Import rules: already-quantized models ----------===//
//
// Part of pith. Models quantized by other tools come in as pith's own
// representation: pith.quantize/pith.dequantize with per-tensor, per-axis
// or blocked scales, around ordinary float ops. So QLinearMatMul becomes
// dequantize-matmul-quantize, and com.microsoft's MatMulNBits becomes
// linear(x, dequantize(q, scales, zero points)) with its packed weights
// unpacked into pith's storage at import. MatMulInteger keeps exact int32
// arithmetic.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"
#include "lib/import/onnx/Tensors.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

Type unsignedType(NodeContext &ctx, unsigned bits) {
  return IntegerType::get(ctx.context(), bits, IntegerType::Unsigned);
}

/// Scales and zero points shaped for pith: a one-element scale is per
/// tensor (rank 0); a 1-D scale is per axis; a scale of the data's rank is
/// blocked. Returns the pith `axis` and `block_size` to use.
struct Granularity {
  Value scale, zeroPoint;
  IntegerAttr axis, blockSize;
};

std::optional<Granularity> readGranularity(NodeContext &ctx, Value data,
                                           Value scale, Value zeroPoint,
                                           int64_t defaultAxis) {
  Granularity result{scale, zeroPoint, {}, {}};
  int64_t rank = typeOf(data).getRank();
  int64_t blockSize = ctx.opset() >= 21 ? ctx.intAttr("block_size", 0) : 0;
  int64_t axisAttr = ctx.opset() >= 13 ? ctx.intAttr("axis", defaultAxis)
                                       : defaultAxis;
  RankedTensorType scaleType = typeOf(scale);
  if (blockSize == 0 && scaleType.getNumElements() == 1) {
    result.scale = ctx.reshape(scale, {});
    if (zeroPoint)
      result.zeroPoint = ctx.reshape(zeroPoint, {});
    if (!result.scale || (zeroPoint && !result.zeroPoint))
      return std::nullopt;
    return result;
  }
  std::optional<int64_t> axis = ctx.normalizeAxis(axisAttr, rank);
  if (!axis)
    return std::nullopt;
  result.axis = ctx.i64(*axis);
  if (blockSize > 0)
    result.blockSize = ctx.i64(blockSize);
  return result;
}

/// The storage type of QuantizeLinear's output: the zero point's, else
/// output_dtype (opset 21), else uint8.
Type quantizedType(NodeContext &ctx, Value zeroPoint) {
  int64_t outputType = ctx.opset() >= 21 ? ctx.intAttr("output_dtype", 0) : 0;
  if (zeroPoint)
    return typeOf(zeroPoint).getElementType();
  if (outputType != 0)
    return convertElementType(ctx.context(), outputType);
  return unsignedType(ctx, 8);
}

Value quantize(NodeContext &ctx, Value x, Value scale, Value zeroPoint,
               Type storage, int64_t defaultAxis = 1) {
  if (!x || !scale || !storage)
    return {};
  std::optional<Granularity> g =
      readGranularity(ctx, x, scale, zeroPoint, defaultAxis);
  if (!g)
    return {};
  Type floatType = typeOf(g->scale).getElementType();
  if (typeOf(x).getElementType() != floatType)
    x = ctx.castTo(x, floatType);
  if (!x)
    return {};
  return ctx.createTyped<QuantizeOp>(typeOf(x).clone(storage), x, g->scale,
                                     g->zeroPoint, g->axis, g->blockSize);
}

Value dequantize(NodeContext &ctx, Value q, Value scale, Value zeroPoint,
                 int64_t defaultAxis = 1) {
  if (!q || !scale)
    return {};
  std::optional<Granularity> g =
      readGranularity(ctx, q, scale, zeroPoint, defaultAxis);
  if (!g)
    return {};
  Type storage = typeOf(q).getElementType();
  if (storage.isInteger(32) || storage.isInteger(16)) {
    // Wide integers (e.g. int32 biases) are not quantized storage: scale
    // them in float.
    Type floatType = typeOf(g->scale).getElementType();
    Value value = ctx.castTo(q, floatType);
    if (g->zeroPoint)
      value = ctx.create<SubOp>(value, ctx.castTo(g->zeroPoint, floatType));
    if (g->blockSize) {
      ctx.emitError() << "blocked scales of 16- and 32-bit integers are "
                         "not supported";
      return {};
    }
    Value scaleValue = g->scale;
    if (g->axis) {
      SmallVector<int64_t> shape(typeOf(q).getRank(), 1);
      shape[g->axis.getInt()] = typeOf(scaleValue).getNumElements();
      scaleValue = ctx.reshape(scaleValue, shape);
    }
    return ctx.create<MulOp>(value, scaleValue);
  }
  return ctx.create<DequantizeOp>(q, g->scale, g->zeroPoint, g->axis,
                                  g->blockSize);
}

LogicalResult importQuantizeLinear(NodeContext &ctx) {
  ctx.ignoreAttribute("saturate"); // 8-bit floats only
  Value zeroPoint = ctx.input(2);
  return ctx.setOutput(0, quantize(ctx, ctx.input(0), ctx.input(1), zeroPoint,
                                   quantizedType(ctx, zeroPoint)));
}

LogicalResult importDequantizeLinear(NodeContext &ctx) {
  return ctx.setOutput(
      0, dequantize(ctx, ctx.input(0), ctx.input(1), ctx.input(2)));
}

/// y_scale = (max(0, max x) - min(0, min x)) / 255, y_zero_point =
/// saturate(round(-min / y_scale)), y = quantize(x).
LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  Type f32 = type.getElementType();
  auto all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  Value zero = ctx.scalar(f32, 0.0);
  Value low = all.empty() ? x : ctx.create<ReduceOp>(ReduceKind::Min, x, all, false);
  Value high = all.empty() ? x : ctx.create<ReduceOp>(ReduceKind::Max, x, all, false);
  low = ctx.create<MinOp>(low, zero);
  high = ctx.create<MaxOp>(high, zero);
  Value scale = ctx.create<DivOp>(ctx.create<SubOp>(high, low),
                                  ctx.scalar(f32, 255.0));
  Value zeroPointFloat = ctx.create<ClampOp>(
      ctx.create<RoundOp>(ctx.create<NegOp>(ctx.create<DivOp>(low, scale))),
      FloatAttr::get(f32, 0.0), FloatAttr::get(f32, 255.0));
  Value zeroPoint = ctx.castTo(zeroPointFloat, unsignedType(ctx, 8));
  Value y = ctx.createTyped<QuantizeOp>(type.clone(unsignedType(ctx, 8)), x,
                                        scale, zeroPoint, IntegerAttr(),
                                        IntegerAttr());
  if (failed(ctx.setOutput(1, scale)) || failed(ctx.setOutput(2, zeroPoint)))
    return failure();
  return ctx.setOutput(0, y);
}

/// `value` minus its zero point, both widened to int32; a per-row or
/// per-column zero point ([M] or [N]) lines up with axis `axis` (from the
/// end) of the value.
Value centered(NodeContext &ctx, Value value, Value zeroPoint,
               int64_t axisFromEnd) {
  Type i32 = IntegerType::get(ctx.context(), 32);
  Value wide = ctx.castTo(value, i32);
  if (!zeroPoint)
    return wide;
  Value offset = ctx.castTo(zeroPoint, i32);
  if (typeOf(zeroPoint).getNumElements() > 1) {
    SmallVector<int64_t> shape(axisFromEnd, 1);
    shape.front() = typeOf(zeroPoint).getNumElements();
    offset = ctx.reshape(offset, shape);
  }
  return ctx.create<SubOp>(wide, offset);
}

LogicalResult importMatMulInteger(NodeContext &ctx) {
  return ctx.setOutput(
      0, buildMatMul(ctx, centered(ctx, ctx.input(0), ctx.input(2), 2),
                     centered(ctx, ctx.input(1), ctx.input(3), 1)));
}

LogicalResult importQLinearMatMul(NodeContext &ctx) {
  // Scales of a are per tensor or per row, of b per tensor or per column.
  Value a = dequantize(ctx, ctx.input(0), ctx.input(1), ctx.input(2),
                       /*defaultAxis=*/-2);
  Value b = dequantize(ctx, ctx.input(3), ctx.input(4), ctx.input(5),
                       /*defaultAxis=*/-1);
  Value y = buildMatMul(ctx, a, b);
  Value zeroPoint = ctx.input(7);
  return ctx.setOutput(0, quantize(ctx, y, ctx.input(6), zeroPoint,
                                   quantizedType(ctx, zeroPoint)));
}

LogicalResult importQLinearConv(NodeContext &ctx) {
  Value x = dequantize(ctx, ctx.input(0), ctx.input(1), ctx.input(2));
  // Weights are per tensor or per output channel.
  Value w = dequantize(ctx, ctx.input(3), ctx.input(4), ctx.input(5),
                       /*defaultAxis=*/0);
  Value bias;
  if (ctx.hasInput(8) && x) {
    // The int32 bias is in units of x_scale * w_scale, zero point 0.
    Type floatType = typeOf(x).getElementType();
    Value scale = ctx.create<MulOp>(ctx.input(1), ctx.input(4));
    if (!scale)
      return failure();
    bias = ctx.create<MulOp>(ctx.castTo(ctx.input(8), floatType),
                             ctx.reshape(scale, {typeOf(scale).getNumElements()}));
    bias = ctx.expandTo(bias, typeOf(ctx.input(8)).getShape());
  }
  Value y = buildConv(ctx, x, w, bias);
  Value zeroPoint = ctx.input(7);
  return ctx.setOutput(0, quantize(ctx, y, ctx.input(6), zeroPoint,
                                   quantizedType(ctx, zeroPoint)));
}

/// The bytes of a constant (dense literal or resource), or nothing.
std::optional<ArrayRef<char>> constantBytes(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  }
  return std::nullopt;
}

/// Unpacks `count` values of `bits` bits, lowest bits first, from `packed`.
uint8_t unpackValue(ArrayRef<char> packed, int64_t index, unsigned bits) {
  int64_t perByte = 8 / bits;
  auto byte = static_cast<uint8_t>(packed[index / perByte]);
  return (byte >> ((index % perByte) * bits)) & ((1u << bits) - 1);
}

/// com.microsoft MatMulNBits: A [..., K] times a packed weight B
/// [N, blocks, block bytes] of `bits`-bit integers with a scale (and
/// zero point) per block of `block_size` along K.
LogicalResult importMatMulNBits(NodeContext &ctx) {
  ctx.ignoreAttribute("accuracy_level");
  int64_t k = ctx.intAttr("K", 0), n = ctx.intAttr("N", 0);
  int64_t bits = ctx.intAttr("bits", 4);
  int64_t blockSize = ctx.intAttr("block_size", 0);
  if (k < 1 || n < 1 || blockSize < 16 || (blockSize & (blockSize - 1)))
    return ctx.error("K and N must be positive and block_size a power of 2 "
                     "from 16");
  if (bits != 2 && bits != 4 && bits != 8)
    return ctx.error("bits must be 2, 4 or 8");
  if (ctx.hasInput(4))
    return ctx.error("g_idx (act-order) is not supported");
  int64_t blocks = (k + blockSize - 1) / blockSize;
  int64_t blockBytes = blockSize * bits / 8;
  std::optional<ArrayRef<char>> packed = constantBytes(ctx.input(1));
  if (!packed)
    return ctx.error("B must be a constant");
  if (static_cast<int64_t>(packed->size()) != n * blocks * blockBytes)
    return ctx.error("B holds " + llvm::Twine(packed->size()) +
                     " bytes, N * blocks * block bytes is " +
                     llvm::Twine(n * blocks * blockBytes));
  Type storage = unsignedType(ctx, bits);
  // Unpack into pith's storage: one element per byte, [N, K].
  AsmResourceBlob weights = HeapAsmResourceBlob::allocate(n * k, 64);
  MutableArrayRef<char> out = weights.getMutableData();
  for (int64_t row = 0; row < n; ++row) {
    ArrayRef<char> rowBytes = packed->slice(row * blocks * blockBytes,
                                            blocks * blockBytes);
    for (int64_t column = 0; column < k; ++column)
      out[row * k + column] = unpackValue(rowBytes, column, bits);
  }
  auto weightType = RankedTensorType::get({n, k}, storage);
  Value q = ctx.constant(DenseResourceElementsAttr::get(
      weightType, ctx.node().input(1) + "_unpacked", std::move(weights)));

  Value scales = ctx.reshape(ctx.input(2), {n, blocks});
  Value zeroPoints;
  if (ctx.hasInput(3)) {
    if (!typeOf(ctx.input(3)).getElementType().isUnsignedInteger(8))
      return ctx.error("float zero points are not supported");
    std::optional<ArrayRef<char>> packedPoints = constantBytes(ctx.input(3));
    int64_t rowBytes = (blocks * bits + 7) / 8;
    if (!packedPoints ||
        static_cast<int64_t>(packedPoints->size()) != n * rowBytes)
      return ctx.error("zero_points must be a constant of N * " +
                       llvm::Twine(rowBytes) + " bytes");
    SmallVector<APInt> points;
    for (int64_t row = 0; row < n; ++row)
      for (int64_t block = 0; block < blocks; ++block)
        points.push_back(APInt(bits, unpackValue(packedPoints->slice(
                                                     row * rowBytes, rowBytes),
                                                 block, bits)));
    zeroPoints = ctx.constant(DenseElementsAttr::get(
        RankedTensorType::get({n, blocks}, storage), points));
  } else {
    // Absent zero points are the middle of the unsigned range.
    zeroPoints = ctx.constant(DenseElementsAttr::get(
        RankedTensorType::get({n, blocks}, storage),
        APInt(bits, int64_t{1} << (bits - 1))));
  }
  Value weight = ctx.create<DequantizeOp>(q, scales, zeroPoints, ctx.i64(1),
                                          ctx.i64(blockSize));
  return ctx.setOutput(
      0, ctx.create<LinearOp>(ctx.input(0), weight, ctx.input(5)));
}

} // namespace

void addQuantizationRules(RuleTable &table) {
  llvm::StringRef d = kDefaultDomain;
  table.add(d, "QuantizeLinear", importQuantizeLinear, 10, 2);
  table.add(d, "DequantizeLinear", importDequantizeLinear, 10, 2);
  table.add(d, "DynamicQuantizeLinear", importDynamicQuantizeLinear, 11);
  table.add(d, "MatMulInteger", importMatMulInteger, 10, 2);
  table.add(d, "QLinearMatMul", importQLinearMatMul, 10, 8);
  table.add(d, "QLinearConv", importQLinearConv, 10, 8);
  table.add(kMicrosoftDomain, "MatMulNBits", importMatMulNBits, 1, 3);
}

} // namespace pith::importer
