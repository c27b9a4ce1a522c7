//===- ContractionToLinalg.cpp - pith contractions and windows to linalg --===//
//
// Part of pith. matmul and linear become linalg contractions (named ops
// where the shapes allow, a linalg.generic with broadcasting batch maps
// otherwise); conv becomes a copy of the padded input's windows into
// columns and a matrix product per group (im2col), a quantized linear
// layer where its filters are the lanes, and a depthwise conv multiplies
// its windows in place; the pools become one
// linalg.generic each over the output and window dimensions, after a
// tensor.pad of the input.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "passes/lowering/LoweringUtils.h"

#include <limits>

namespace mlir::pith::lowering {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

bool isFloat(Type type) { return isa<FloatType>(type); }

Value multiplyAccumulate(OpBuilder &b, Location loc, Value x, Value y,
                         Value acc) {
  if (isFloat(acc.getType()))
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, x, y));
  return arith::AddIOp::create(b, loc, acc,
                               arith::MulIOp::create(b, loc, x, y));
}

/// A contraction as a linalg.generic over `dims` loops whose last is the
/// reduction; the maps place each operand.
Value contraction(OpBuilder &b, Location loc, RankedTensorType resultType,
                  Value lhs, Value rhs, ArrayRef<AffineMap> maps,
                  ArrayRef<utils::IteratorType> iterators) {
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{lhs, rhs}, zeroFilled(b, loc, resultType),
      maps, iterators, [](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(
            b, loc, multiplyAccumulate(b, loc, args[0], args[1], args[2]));
      });
  return generic.getResult(0);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    RankedTensorType lhsType = typeOf(lhs), rhsType = typeOf(rhs);
    int64_t rank = type.getRank();
    if (rank == 2) {
      rewriter.replaceOp(op, linalg::MatmulOp::create(
                                 rewriter, loc, type, ValueRange{lhs, rhs},
                                 zeroFilled(rewriter, loc, type))
                                 .getResult(0));
      return success();
    }
    if (rank == 3 && lhsType.getRank() == 3 && rhsType.getRank() == 3 &&
        lhsType.getDimSize(0) == rhsType.getDimSize(0)) {
      rewriter.replaceOp(op, linalg::BatchMatmulOp::create(
                                 rewriter, loc, type, ValueRange{lhs, rhs},
                                 zeroFilled(rewriter, loc, type))
                                 .getResult(0));
      return success();
    }
    // Broadcasting batch dimensions: loops (batch..., m, n, k).
    MLIRContext *context = rewriter.getContext();
    int64_t batch = rank - 2;
    ArrayRef<int64_t> batchShape = type.getShape().drop_back(2);
    auto operandMap = [&](RankedTensorType operand, bool isLhs) {
      AffineMap batchMap =
          broadcastMap(context, batchShape, operand.getShape().drop_back(2));
      SmallVector<AffineExpr> exprs;
      for (AffineExpr expr : batchMap.getResults())
        exprs.push_back(expr);
      AffineExpr m = getAffineDimExpr(batch, context);
      AffineExpr n = getAffineDimExpr(batch + 1, context);
      AffineExpr k = getAffineDimExpr(batch + 2, context);
      exprs.append(isLhs ? SmallVector<AffineExpr>{m, k}
                         : SmallVector<AffineExpr>{k, n});
      return AffineMap::get(rank + 1, 0, exprs, context);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t dim = 0; dim < rank; ++dim)
      outExprs.push_back(getAffineDimExpr(dim, context));
    SmallVector<AffineMap> maps = {
        operandMap(lhsType, true), operandMap(rhsType, false),
        AffineMap::get(rank + 1, 0, outExprs, context)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    rewriter.replaceOp(
        op, contraction(rewriter, loc, type, lhs, rhs, maps, iterators));
    return success();
  }
};

/// linear: x [..., K] as [M, K] times Wᵀ, plus the bias. A constant weight
/// is transposed to [K, N] at compile time, making the product a plain
/// linalg.matmul whose rows of W are contiguous along N, the layout vector
/// code streams; any other weight is read transposed by the map.
struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    RankedTensorType weightType = typeOf(adaptor.getWeight());
    int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
    int64_t m = type.getNumElements() / std::max<int64_t>(n, 1);
    Value rows = reshapeTo(rewriter, loc, adaptor.getInput(), {m, k});
    auto matrixType = type.clone({m, n});
    Value product;
    auto constant = op.getWeight().getDefiningOp<ConstantOp>();
    Attribute transposed =
        constant
            ? detail::permuteConstant(constant.getValue(),
                                      weightType.clone({k, n}), {1, 0}, "_kxn")
            : Attribute();
    if (auto weight = dyn_cast_if_present<TypedAttr>(transposed)) {
      Value kByN = arith::ConstantOp::create(rewriter, loc, weight);
      product = linalg::MatmulOp::create(rewriter, loc, matrixType,
                                         ValueRange{rows, kByN},
                                         zeroFilled(rewriter, loc, matrixType))
                    .getResult(0);
    } else {
      AffineExpr dm = getAffineDimExpr(0, context),
                 dn = getAffineDimExpr(1, context),
                 dk = getAffineDimExpr(2, context);
      SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {dm, dk}, context),
                                     AffineMap::get(3, 0, {dn, dk}, context),
                                     AffineMap::get(3, 0, {dm, dn}, context)};
      SmallVector<utils::IteratorType> iterators = {
          utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::reduction};
      product = contraction(rewriter, loc, matrixType, rows,
                            adaptor.getWeight(), maps, iterators);
    }
    rewriter.replaceOp(op, linearResult(rewriter, loc, product,
                                        adaptor.getBias(), type.getShape()));
    return success();
  }
};

/// `input` padded by `pads` ([begins..., ends...] of its spatial axes), and
/// by `extraChannels` after its channels, with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> pads, Value value,
                 int64_t extraChannels = 0) {
  if (extraChannels == 0 &&
      llvm::all_of(pads, [](int64_t pad) { return pad == 0; }))
    return input;
  RankedTensorType type = typeOf(input);
  int64_t spatial = type.getRank() - 2;
  SmallVector<int64_t> low = {0, 0}, high = {0, extraChannels},
                       shape(type.getShape());
  shape[1] += extraChannels;
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[spatial + i]);
    shape[2 + i] += pads[i] + pads[spatial + i];
  }
  return tensor::PadOp::create(b, loc, type.clone(shape), input,
                               getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high),
                               value);
}

/// The loop dimensions of a sliding-window op: output dims, then window
/// dims. Returns the input map over spatial positions o*stride + w*dilation.
SmallVector<AffineExpr>
windowPositions(MLIRContext *context, int64_t firstOutput, int64_t firstWindow,
                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < strides.size(); ++i) {
    exprs.push_back(getAffineDimExpr(firstOutput + i, context) * strides[i] +
                    getAffineDimExpr(firstWindow + i, context) * dilations[i]);
  }
  return exprs;
}

/// Output positions or filters an AVX-512 vector (two AVX2 ones) holds.
constexpr int64_t kLanes = 16;

/// out[n, g, f, o] = sum_r weight[g, f, r] * columns[n, g, r, o], as
/// `type`. With one group and output rows of whole vectors (112 wide), the
/// positions stay the image's rows and columns, out[n, f, oh, ow]: a
/// register tile then never spans two rows, and the product (with its
/// bias and activation, applied in registers) is stored straight into the
/// padded input of a depthwise convolution after it, where flat positions
/// would be copied there row by row (4.8 MB for 96 channels at 112x112).
Value positionsAsLanesProduct(OpBuilder &b, Location loc, Value weight,
                              Value columns, RankedTensorType type,
                              int64_t groups, int64_t filtersPerGroup,
                              int64_t reduced, int64_t positions) {
  MLIRContext *context = b.getContext();
  int64_t batch = type.getDimSize(0);
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  ArrayRef<int64_t> outputSpatial = type.getShape().drop_front(2);
  if (groups == 1 && outputSpatial.size() >= 2 &&
      outputSpatial.back() % kLanes == 0) {
    SmallVector<int64_t> columnsShape = {batch, reduced};
    llvm::append_range(columnsShape, outputSpatial);
    columns = reshapeTo(b, loc, columns, columnsShape);
    weight = reshapeTo(b, loc, weight, {filtersPerGroup, reduced});
    // Loops (n, f, o..., r).
    int64_t loops = 3 + outputSpatial.size();
    AffineExpr reducedDim = dim(loops - 1);
    SmallVector<AffineExpr> columnsExprs = {dim(0), reducedDim};
    SmallVector<AffineExpr> outputExprs = {dim(0), dim(1)};
    for (int64_t i = 0; i < static_cast<int64_t>(outputSpatial.size()); ++i) {
      columnsExprs.push_back(dim(2 + i));
      outputExprs.push_back(dim(2 + i));
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(loops, 0, {dim(1), reducedDim}, context),
        AffineMap::get(loops, 0, columnsExprs, context),
        AffineMap::get(loops, 0, outputExprs, context)};
    SmallVector<utils::IteratorType> iterators(loops - 1,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    return contraction(b, loc, type, weight, columns, maps, iterators);
  }
  columns = reshapeTo(b, loc, columns, {batch, groups, reduced, positions});
  weight = reshapeTo(b, loc, weight, {groups, filtersPerGroup, reduced});
  // Loops (n, g, f, o, r).
  AffineExpr n = dim(0), g = dim(1), f = dim(2), o = dim(3), r = dim(4);
  SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {g, f, r}, context),
                                 AffineMap::get(5, 0, {n, g, r, o}, context),
                                 AffineMap::get(5, 0, {n, g, f, o}, context)};
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto productType = RankedTensorType::get(
      {batch, groups, filtersPerGroup, positions}, type.getElementType());
  return reshapeTo(
      b, loc,
      contraction(b, loc, productType, weight, columns, maps, iterators),
      type.getShape());
}

/// The dequantization a convolution's weight is, where it is per filter,
/// or for a 1x1 kernel per filter and group of input channels (scales
/// [F, C / group, 1...]), from constants (which a linear layer's packing
/// can take viewed [filters, reduced], the groups along reduced); else
/// null.
DequantizeOp quantizedPerFilter(ConvOp op) {
  auto dequantize = op.getWeight().getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return {};
  RankedTensorType weight = dequantize.getInput().getType();
  bool perFilter = dequantize.getAxis() == 0 && !dequantize.getBlockSize() &&
                   typeOf(dequantize.getScale()).getRank() == 1;
  bool inGroups = dequantize.getAxis() == 1 && dequantize.getBlockSize() &&
                  llvm::product_of(weight.getShape().drop_front(2)) == 1;
  if (!perFilter && !inGroups)
    return {};
  Value zeroPoint = dequantize.getZeroPoint();
  if (!dequantize.getInput().getDefiningOp<ConstantOp>() ||
      !dequantize.getScale().getDefiningOp<ConstantOp>() ||
      (zeroPoint && !zeroPoint.getDefiningOp<ConstantOp>()))
    return {};
  return dequantize;
}

/// `dequantize` (quantizedPerFilter's, of integers [F, C, k...]) of its
/// integers with zero channels added up to `channels`; null where they
/// cannot be read.
DequantizeOp withChannels(OpBuilder &b, Location loc, DequantizeOp dequantize,
                          int64_t channels) {
  RankedTensorType type = dequantize.getInput().getType();
  std::optional<std::vector<int8_t>> values =
      detail::readBytes(constantValue(dequantize.getInput()));
  // Added channels would shift groups of channels off their scales.
  if (!values || dequantize.getBlockSize())
    return {};
  int64_t filters = type.getDimSize(0);
  int64_t perFilter = type.getNumElements() / filters;
  int64_t perFilterAfter = perFilter / type.getDimSize(1) * channels;
  std::vector<int8_t> padded(filters * perFilterAfter, 0);
  for (int64_t filter = 0; filter < filters; ++filter)
    std::copy_n(values->begin() + filter * perFilter, perFilter,
                padded.begin() + filter * perFilterAfter);
  SmallVector<int64_t> shape(type.getShape());
  shape[1] = channels;
  auto integers = ConstantOp::create(
      b, loc,
      detail::makeResource(
          type.clone(shape),
          resourceKey(dequantize.getInput(), "quantized_filter") + "_channels",
          detail::asBytes<int8_t>(padded)));
  return DequantizeOp::create(b, loc, dequantize.getType().clone(shape),
                              integers, dequantize.getScale(),
                              dequantize.getZeroPoint(),
                              dequantize.getAxisAttr(), IntegerAttr());
}

/// The dequantization a convolution's input is, where it is int8 values
/// times one scale (pith-quantize's int8 activations per tensor); else
/// null.
DequantizeOp int8PerTensorInput(ConvOp op) {
  auto dequantize = op.getInput().getDefiningOp<DequantizeOp>();
  if (!dequantize || dequantize.getZeroPoint() || dequantize.getAxis() ||
      typeOf(dequantize.getScale()).getRank() != 0)
    return {};
  auto element =
      dyn_cast<IntegerType>(dequantize.getInput().getType().getElementType());
  return element && element.getWidth() == 8 && !element.isUnsigned()
             ? dequantize
             : DequantizeOp();
}

/// out[n, o, f] = sum_r columns[n, o, r] * weight[r, f] (one group), the
/// weight transposed (at compile time where it is a constant), then
/// transposed into `type`'s [n, f, o...]. With `perFilter`
/// (quantizedPerFilter's), the product is a quantized linear layer over
/// the columns, its weight the integers viewed [filters, reduced], which
/// QuantizedLinearLowering packs and unpacks in registers: the float
/// weight is never materialized. With `int8Scale` too, the columns are
/// int8 values times that scale (rank 0), and the layer's input their
/// dequantization per row, which the same lowering multiplies as
/// integers.
Value filtersAsLanesProduct(OpBuilder &b, Location loc, ConvOp op, Value weight,
                            Value columns, RankedTensorType type,
                            int64_t reduced, int64_t positions,
                            DequantizeOp perFilter, Value int8Scale) {
  MLIRContext *context = b.getContext();
  int64_t batch = type.getDimSize(0), filters = type.getDimSize(1);
  columns = reshapeTo(b, loc, columns, {batch, positions, reduced});
  Type element = type.getElementType();
  auto productType =
      RankedTensorType::get({batch, positions, filters}, element);
  auto transposeBack = [&](Value product) {
    return reshapeTo(b, loc, transposeTo(b, loc, product, {0, 2, 1}),
                     type.getShape());
  };
  if (perFilter) {
    // The constant `value` viewed `shape`.
    auto view = [&](Value value, ArrayRef<int64_t> shape) -> Value {
      if (!value)
        return value;
      auto type = cast<RankedTensorType>(value.getType()).clone(shape);
      auto constant = value.getDefiningOp<ConstantOp>().getValue();
      return ConstantOp::create(
          b, loc, cast<ElementsAttr>(detail::reshapeConstant(constant, type)));
    };
    Value scale = perFilter.getScale(), zeroPoint = perFilter.getZeroPoint();
    IntegerAttr axis = b.getI64IntegerAttr(0), blockSize;
    if (perFilter.getBlockSize()) {
      // Scales [F, C / group, 1...] of a 1x1 kernel viewed [F, C / group].
      SmallVector<int64_t> blocked = {filters, typeOf(scale).getDimSize(1)};
      scale = view(scale, blocked);
      zeroPoint = view(zeroPoint, blocked);
      axis = b.getI64IntegerAttr(1);
      blockSize = perFilter.getBlockSizeAttr();
    }
    auto rows = DequantizeOp::create(
        b, loc,
        perFilter.getInput().getType().clone(
            SmallVector<int64_t>{filters, reduced}, element),
        view(perFilter.getInput(), {filters, reduced}), scale, zeroPoint, axis,
        blockSize);
    Value x = columns;
    if (int8Scale) {
      auto rowScalesType =
          RankedTensorType::get({batch, positions, 1}, element);
      Value rowScales =
          elementwise(b, loc, rowScalesType, int8Scale,
                      [](OpBuilder &, Location, ValueRange v) { return v[0]; });
      x = DequantizeOp::create(
          b, loc, productType.clone({batch, positions, reduced}), columns,
          rowScales, Value(), b.getI64IntegerAttr(2),
          b.getI64IntegerAttr(reduced));
    }
    return transposeBack(
        LinearOp::create(b, loc, productType, x, rows, Value()));
  }
  auto weightType = RankedTensorType::get({reduced, filters},
                                          typeOf(weight).getElementType());
  auto constant = op.getWeight().getDefiningOp<ConstantOp>();
  auto transposed = dyn_cast_if_present<TypedAttr>(
      constant ? detail::permuteConstant(constant.getValue(), weightType,
                                         {1, 0}, "_rxf", {filters, reduced})
               : Attribute());
  weight =
      transposed
          ? arith::ConstantOp::create(b, loc, transposed)
          : transposeTo(b, loc, reshapeTo(b, loc, weight, {filters, reduced}),
                        {1, 0});
  // Loops (n, o, f, r).
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  AffineExpr n = dim(0), o = dim(1), f = dim(2), r = dim(3);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {n, o, r}, context),
                                 AffineMap::get(4, 0, {r, f}, context),
                                 AffineMap::get(4, 0, {n, o, f}, context)};
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  return transposeBack(
      contraction(b, loc, productType, columns, weight, maps, iterators));
}

/// A convolution's `result` [n, f, o...] plus its `bias` [f], if any.
Value withBias(OpBuilder &b, Location loc, Value result, Value bias) {
  if (!bias)
    return result;
  RankedTensorType type = typeOf(result);
  SmallVector<int64_t> biasShape(type.getRank() - 1, 1);
  biasShape[0] = type.getDimSize(1);
  return elementwise(b, loc, type,
                     ValueRange{result, reshapeTo(b, loc, bias, biasShape)},
                     [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                       return arith::AddFOp::create(b, loc, v[0], v[1]);
                     });
}

/// out[n, c, o...] = sum_k input[n, c, o * stride + k * dilation] *
/// taps[c, k] over the taps' window, plus `accumulated` [n, c, o...]:
/// loops (n, c, o..., k..., ow), the window's loops reductions before the
/// last output axis, so that pith-vectorize-rows makes each output row a
/// vector that every tap multiplies into, reading the input's rows at
/// ow + kw (or, strided, picking 2 ow + kw from a span in registers).
Value multiplyTapsInPlace(OpBuilder &b, Location loc, Value input, Value taps,
                          Value accumulated, ArrayRef<int64_t> strides,
                          ArrayRef<int64_t> dilations) {
  MLIRContext *context = b.getContext();
  RankedTensorType type = typeOf(accumulated);
  int64_t spatial = type.getRank() - 2;
  int64_t loops = 2 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  auto outputDim = [&](int64_t i) {
    return i + 1 < spatial ? dim(2 + i) : dim(loops - 1);
  };
  auto windowDim = [&](int64_t i) { return dim(1 + spatial + i); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)}, tapExprs = {dim(1)},
                          outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    inputExprs.push_back(outputDim(i) * strides[i] +
                         windowDim(i) * dilations[i]);
    tapExprs.push_back(windowDim(i));
    outputExprs.push_back(outputDim(i));
  }
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, inputExprs, context),
      AffineMap::get(loops, 0, tapExprs, context),
      AffineMap::get(loops, 0, outputExprs, context)};
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  for (int64_t i = 0; i < spatial; ++i)
    iterators[1 + spatial + i] = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{input, taps}, accumulated, maps,
             iterators,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               linalg::YieldOp::create(
                   b, loc,
                   multiplyAccumulate(b, loc, args[0], args[1], args[2]));
             })
      .getResult(0);
}

/// A depthwise convolution (a filter per channel) of the padded input,
/// each window multiplied in place (multiplyTapsInPlace): copying the
/// windows would move K x K times the input for as few multiply-adds as
/// values copied.
Value depthwiseInPlace(OpBuilder &b, Location loc, ConvOp op, Value padded,
                       Value weight, RankedTensorType type) {
  SmallVector<int64_t> tapsShape = {type.getDimSize(1)};
  llvm::append_range(tapsShape, typeOf(weight).getShape().drop_front(2));
  return multiplyTapsInPlace(
      b, loc, padded, reshapeTo(b, loc, weight, tapsShape),
      zeroFilled(b, loc, type), op.getStrides(), op.getDilations());
}

/// conv as a matrix product per group (im2col): the padded input's
/// windows are copied into columns [n, g, c*k..., o...], then
/// out[n, g, f, o] = sum_r weight[g, f, r] * columns[n, g, r, o], with
/// r = (c, k...) and o the flattened output positions. The output
/// positions are contiguous in both the columns and the output, so the
/// product vectorizes along them like any matmul. A 1x1 convolution with
/// unit strides needs no copy: its columns are the input itself. Small
/// images and int8 inputs take the filters as lanes instead
/// (filtersAsLanesProduct), and depthwise convolutions copy no windows
/// (depthwiseInPlace).
struct ConvLowering : OpConversionPattern<ConvOp> {
  ConvLowering(const TypeConverter &converter, MLIRContext *context,
               QuantizedLayout layout)
      : OpConversionPattern(converter, context), layout(layout) {}

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value weight = adaptor.getWeight();
    RankedTensorType weightType = typeOf(weight);
    int64_t spatial = type.getRank() - 2;
    auto groups = static_cast<int64_t>(op.getGroups());
    int64_t batch = type.getDimSize(0);
    int64_t channelsPerGroup = weightType.getDimSize(1);
    int64_t filtersPerGroup = weightType.getDimSize(0) / groups;
    ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
    ArrayRef<int64_t> outputSpatial = type.getShape().drop_front(2);
    int64_t windowSize = llvm::product_of(kernel);
    int64_t positions = llvm::product_of(outputSpatial);
    int64_t reduced = channelsPerGroup * windowSize;
    DequantizeOp perFilter =
        groups == 1 ? quantizedPerFilter(op) : DequantizeOp();
    int64_t bits =
        perFilter ? perFilter.getInput().getType().getElementTypeBitWidth() : 8;
    // Int8 inputs and int8 (or narrower) weights per filter multiply as
    // integers where the target does (layout.int8Dot): the windows of the
    // int8 input are copied, and the product, the filters its lanes, is a
    // linear layer of int8 inputs.
    DequantizeOp int8Input = int8PerTensorInput(op);
    bool int8Product = int8Input && perFilter && layout.int8Dot &&
                       filtersPerGroup % kLanes == 0 &&
                       bits <= layout.int8DotBits;
    // Its dot products take 4 values of a window (of each value a byte
    // holds) at a time: zero channels are added until a window holds a
    // multiple of them (an image's 3 channels of 7x7 become 4). Else
    // packing needs sub-byte values to fill whole bytes of a filter.
    int64_t channels = channelsPerGroup;
    while (int8Product && channels * windowSize % (4 * 8 / bits) != 0)
      ++channels;
    if (channels != channelsPerGroup)
      perFilter = withChannels(rewriter, loc, perFilter, channels);
    if (!perFilter)
      int8Product = false;
    else if (reduced % (8 / bits) != 0 && !int8Product)
      perFilter = {};
    if (int8Product) {
      channelsPerGroup = channels;
      reduced = channels * windowSize;
    }
    Value source = int8Product ? rewriter.getRemappedValue(int8Input.getInput())
                               : adaptor.getInput();
    Type columnElement = getElementTypeOrSelf(source.getType());

    bool unitStrides =
        llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
    bool depthwise =
        groups > 1 && channelsPerGroup == 1 && filtersPerGroup == 1;
    SmallVector<int64_t> pads(op.getPads());
    Value input = padSpatial(rewriter, loc, source, pads,
                             scalar(rewriter, loc, columnElement, 0),
                             channelsPerGroup - weightType.getDimSize(1));
    if (depthwise) {
      rewriter.replaceOp(
          op, withBias(rewriter, loc,
                       depthwiseInPlace(rewriter, loc, op, input, weight, type),
                       adaptor.getBias()));
      return success();
    }
    SmallVector<int64_t> groupedInput = {batch, groups, channelsPerGroup};
    llvm::append_range(groupedInput, typeOf(input).getShape().drop_front(2));
    input = reshapeTo(rewriter, loc, input, groupedInput);
    bool pointwise = windowSize == 1 && unitStrides;
    // The product vectorizes along its last output axis, in whole vectors
    // only: along the output positions where they fill vectors, else (a
    // small image late in a network, 7x7 or 14x14) along the filters, with
    // the columns and the weight transposed and the product after.
    bool filtersAsLanes =
        int8Product || (groups == 1 && positions % kLanes != 0 &&
                        filtersPerGroup % kLanes == 0);
    Value columns = input;
    if (!pointwise) {
      // Loops (n, g, c, k..., o...), all parallel: a copy; where the
      // filters are the lanes, (n, g, o..., c, k...), so that the last
      // loop runs along a window's row (kw) of both the input and the
      // columns.
      int64_t channel = filtersAsLanes ? 2 + spatial : 2;
      int64_t firstWindow = channel + 1;
      int64_t firstOutput = filtersAsLanes ? 2 : 3 + spatial;
      SmallVector<int64_t> outputShape = {batch, groups};
      if (filtersAsLanes)
        llvm::append_range(outputShape, outputSpatial);
      outputShape.push_back(channelsPerGroup);
      llvm::append_range(outputShape, kernel);
      if (!filtersAsLanes)
        llvm::append_range(outputShape, outputSpatial);
      int64_t loops = outputShape.size();
      SmallVector<AffineExpr> inputExprs = {getAffineDimExpr(0, context),
                                            getAffineDimExpr(1, context),
                                            getAffineDimExpr(channel, context)};
      llvm::append_range(inputExprs,
                         windowPositions(context, firstOutput, firstWindow,
                                         op.getStrides(), op.getDilations()));
      SmallVector<AffineExpr> outputExprs;
      for (int64_t loop = 0; loop < loops; ++loop)
        outputExprs.push_back(getAffineDimExpr(loop, context));
      auto columnsType = RankedTensorType::get(outputShape, columnElement);
      columns = linalg::GenericOp::create(
                    rewriter, loc, columnsType, input,
                    emptyTensor(rewriter, loc, columnsType),
                    SmallVector<AffineMap>{
                        AffineMap::get(loops, 0, inputExprs, context),
                        AffineMap::get(loops, 0, outputExprs, context)},
                    SmallVector<utils::IteratorType>(
                        loops, utils::IteratorType::parallel),
                    [](OpBuilder &b, Location loc, ValueRange args) {
                      linalg::YieldOp::create(b, loc, args[0]);
                    })
                    .getResult(0);
    } else if (filtersAsLanes) {
      columns = transposeTo(
          rewriter, loc,
          reshapeTo(rewriter, loc, columns, {batch, reduced, positions}),
          {0, 2, 1});
    }
    Value result =
        filtersAsLanes
            ? filtersAsLanesProduct(
                  rewriter, loc, op, weight, columns, type, reduced, positions,
                  perFilter,
                  int8Product ? rewriter.getRemappedValue(int8Input.getScale())
                              : Value())
            : positionsAsLanesProduct(rewriter, loc, weight, columns, type,
                                      groups, filtersPerGroup, reduced,
                                      positions);
    rewriter.replaceOp(op, withBias(rewriter, loc, result, adaptor.getBias()));
    return success();
  }

private:
  QuantizedLayout layout;
};

/// A pool's linalg.generic: loops (n, c, o..., w...), the window's shape
/// given by a kernel-shaped dummy input (as linalg's named pools do).
Value pool(OpBuilder &b, Location loc, RankedTensorType resultType,
           Value padded, ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
           ArrayRef<int64_t> dilations, Value init,
           function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *context = b.getContext();
  int64_t spatial = kernel.size();
  int64_t loops = 2 + 2 * spatial;
  auto dim = [&](int64_t i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)};
  llvm::append_range(
      inputExprs, windowPositions(context, 2, 2 + spatial, strides, dilations));
  SmallVector<AffineExpr> windowExprs, outputExprs = {dim(0), dim(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    windowExprs.push_back(dim(2 + spatial + i));
    outputExprs.push_back(dim(2 + i));
  }
  Value window =
      tensor::EmptyOp::create(b, loc, kernel, resultType.getElementType());
  SmallVector<AffineMap> maps = {
      AffineMap::get(loops, 0, inputExprs, context),
      AffineMap::get(loops, 0, windowExprs, context),
      AffineMap::get(loops, 0, outputExprs, context)};
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value filled =
      linalg::FillOp::create(b, loc, init, emptyTensor(b, loc, resultType))
          .getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{padded, window}, filled, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(b, loc, combine(b, loc, args[2], args[0]));
      });
  return generic.getResult(0);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type element = type.getElementType();
    bool unsignedInput = isUnsigned(op.getInput().getType());
    Value lowest;
    if (auto floatType = dyn_cast<FloatType>(element)) {
      lowest = arith::ConstantOp::create(
          rewriter, loc,
          rewriter.getFloatAttr(
              floatType, APFloat::getInf(floatType.getFloatSemantics(), true)));
    } else {
      unsigned width = element.getIntOrFloatBitWidth();
      lowest = arith::ConstantOp::create(
          rewriter, loc,
          rewriter.getIntegerAttr(
              element, unsignedInput ? APInt::getMinValue(width)
                                     : APInt::getSignedMinValue(width)));
    }
    // Padding never wins; neither do positions past the end in ceil mode.
    SmallVector<int64_t> pads =
        ceilModePads(op.getInput().getType(), type, op.getKernel(),
                     op.getStrides(), op.getPads(), op.getDilations());
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), pads, lowest);
    Value result =
        pool(rewriter, loc, type, padded, op.getKernel(), op.getStrides(),
             op.getDilations(), lowest,
             [&](OpBuilder &b, Location loc, Value acc, Value v) -> Value {
               if (isFloat(v.getType()))
                 return arith::MaximumFOp::create(b, loc, acc, v);
               return unsignedInput
                          ? Value(arith::MaxUIOp::create(b, loc, acc, v))
                          : Value(arith::MaxSIOp::create(b, loc, acc, v));
             });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Pads, with the end pads grown so that every window of a ceil-mode
  /// output lies in the padded input.
  static SmallVector<int64_t>
  ceilModePads(RankedTensorType input, RankedTensorType output,
               ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
               ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
    int64_t spatial = kernel.size();
    SmallVector<int64_t> result(pads);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t needed = (output.getDimSize(2 + i) - 1) * strides[i] +
                       dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = input.getDimSize(2 + i) + pads[i] + pads[spatial + i];
      result[spatial + i] += std::max<int64_t>(0, needed - have);
    }
    return result;
  }
};

struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type =
        cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    RankedTensorType inputType = op.getInput().getType();
    Type element = type.getElementType();
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      pads = op.getPads(), dilations = op.getDilations();
    SmallVector<int64_t> grown = MaxPoolLowering::ceilModePads(
        inputType, type, kernel, strides, pads, dilations);
    Value padded = padSpatial(rewriter, loc, adaptor.getInput(), grown,
                              scalar(rewriter, loc, element, 0));
    Value sum =
        pool(rewriter, loc, type, padded, kernel, strides, dilations,
             scalar(rewriter, loc, element, 0),
             [](OpBuilder &b, Location loc, Value acc, Value v) -> Value {
               return arith::AddFOp::create(b, loc, acc, v);
             });
    // The divisor of each output position: the window's positions inside
    // the input (or inside the padded input, with count_include_pad),
    // computed here from the static shapes.
    int64_t spatial = kernel.size();
    SmallVector<int64_t> outputShape(type.getShape().drop_front(2));
    SmallVector<Attribute> counts;
    int64_t total = 1;
    for (int64_t extent : outputShape)
      total *= extent;
    for (int64_t flat = 0; flat < total; ++flat) {
      int64_t count = 1, rest = flat;
      for (int64_t i = spatial - 1; i >= 0; --i) {
        int64_t o = rest % outputShape[i];
        rest /= outputShape[i];
        int64_t low = op.getCountIncludePad() ? -pads[i] : 0;
        int64_t high = inputType.getDimSize(2 + i) +
                       (op.getCountIncludePad() ? pads[spatial + i] : 0);
        int64_t inside = 0;
        for (int64_t w = 0; w < kernel[i]; ++w) {
          int64_t position = o * strides[i] + w * dilations[i] - pads[i];
          inside += position >= low && position < high;
        }
        count *= inside;
      }
      counts.push_back(FloatAttr::get(element, std::max<int64_t>(count, 1)));
    }
    auto countType = RankedTensorType::get(outputShape, element);
    Value divisor = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(countType, counts));
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, type, ValueRange{sum, divisor},
                        [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                          return arith::DivFOp::create(b, loc, v[0], v[1]);
                        }));
    return success();
  }
};

} // namespace

void populateContractionPatterns(const TypeConverter &converter,
                                 RewritePatternSet &patterns,
                                 QuantizedLayout layout) {
  patterns
      .add<MatmulLowering, LinearLowering, MaxPoolLowering, AvgPoolLowering>(
          converter, patterns.getContext());
  patterns.add<ConvLowering>(converter, patterns.getContext(), layout);
}

} // namespace mlir::pith::lowering
