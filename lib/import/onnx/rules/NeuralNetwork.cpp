//===- NeuralNetwork.cpp - Import rules: convolution, pooling, norms ------===//
//
// Part of pith. Conv and pooling (with auto_pad), the normalizations
// (batch and layer norm as pith ops; instance, group, Lp, LRN and
// mean-variance normalization composed of them) and the softmax family.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Axes 2..rank-1: the spatial axes of a channels-first tensor.
SmallVector<int64_t> spatialAxes(int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(2, rank));
}

/// Strides, dilations and pads of a sliding-window node over `input` with
/// `kernel`, with ONNX's defaults and auto_pad resolved.
struct Window {
  SmallVector<int64_t> strides, dilations, pads;
};

std::optional<Window> readWindow(NodeContext &ctx, RankedTensorType input,
                                 ArrayRef<int64_t> kernel,
                                 bool hasDilations = true) {
  size_t spatial = kernel.size();
  Window window;
  auto listOr = [&](llvm::StringRef name, size_t size, int64_t fill) {
    std::optional<SmallVector<int64_t>> list = ctx.intsAttr(name);
    return list ? *list : SmallVector<int64_t>(size, fill);
  };
  window.strides = listOr("strides", spatial, 1);
  window.dilations = hasDilations ? listOr("dilations", spatial, 1)
                                  : SmallVector<int64_t>(spatial, 1);
  window.pads = listOr("pads", 2 * spatial, 0);
  if (window.strides.size() != spatial || window.dilations.size() != spatial ||
      window.pads.size() != 2 * spatial) {
    ctx.emitError() << "strides, dilations and pads must have " << spatial
                    << ", " << spatial << " and " << 2 * spatial << " entries";
    return std::nullopt;
  }
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    window.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // The output keeps ceil(extent / stride); the padding that takes is
    // split evenly, the odd one at the end (upper) or the beginning (lower).
    for (size_t i = 0; i < spatial; ++i) {
      int64_t extent = input.getDimSize(2 + i);
      int64_t output = (extent + window.strides[i] - 1) / window.strides[i];
      int64_t total = std::max<int64_t>(
          0, (output - 1) * window.strides[i] +
                 (kernel[i] - 1) * window.dilations[i] + 1 - extent);
      int64_t small = total / 2, large = total - small;
      window.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      window.pads[spatial + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    ctx.emitError() << "auto_pad '" << autoPad << "' is not one of NOTSET, "
                    << "SAME_UPPER, SAME_LOWER and VALID";
    return std::nullopt;
  }
  return window;
}

LogicalResult importConv(NodeContext &ctx) {
  return ctx.setOutput(
      0, buildConv(ctx, ctx.input(0), ctx.input(1), ctx.input(2)));
}

/// ConvTranspose as a convolution: the input spread out by the strides
/// (zeros between its elements), padded so that every output sees the whole
/// kernel, and convolved with the kernel flipped and its channel axes
/// swapped, stride 1. A constant kernel is rearranged at import.
LogicalResult importConvTranspose(NodeContext &ctx) {
  Value x = ctx.input(0), w = ctx.input(1);
  RankedTensorType input = typeOf(x), weight = typeOf(w);
  int64_t rank = input.getRank();
  if (rank < 3 || weight.getRank() != rank)
    return ctx.error("X must be [N, C, D1..Dk] and W [C, M/group, K1..Kk]");
  int64_t spatial = rank - 2;
  int64_t groups = ctx.intAttr("group", 1);
  int64_t channels = input.getDimSize(1);
  if (groups < 1 || channels % groups != 0 || weight.getDimSize(0) != channels)
    return ctx.error("W must have the input's channels, a multiple of group");
  SmallVector<int64_t> kernel(weight.getShape().drop_front(2));
  if (std::optional<SmallVector<int64_t>> given = ctx.intsAttr("kernel_shape");
      given && *given != kernel)
    return ctx.error("kernel_shape does not match the weight's shape");
  auto listOr = [&](llvm::StringRef name, size_t size, int64_t fill) {
    return ctx.intsAttr(name).value_or(SmallVector<int64_t>(size, fill));
  };
  SmallVector<int64_t> strides = listOr("strides", spatial, 1);
  SmallVector<int64_t> dilations = listOr("dilations", spatial, 1);
  SmallVector<int64_t> pads = listOr("pads", 2 * spatial, 0);
  SmallVector<int64_t> outputPadding = listOr("output_padding", spatial, 0);
  std::optional<SmallVector<int64_t>> outputShape =
      ctx.intsAttr("output_shape");
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  if (strides.size() != static_cast<size_t>(spatial) ||
      dilations.size() != static_cast<size_t>(spatial) ||
      pads.size() != static_cast<size_t>(2 * spatial) ||
      outputPadding.size() != static_cast<size_t>(spatial) ||
      (outputShape && outputShape->size() != static_cast<size_t>(spatial)))
    return ctx.error("strides, dilations, output_padding and output_shape "
                     "need one entry per spatial axis, pads two");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return ctx.error("auto_pad '" + autoPad + "' is not supported");
  for (int64_t i = 0; i < spatial; ++i) {
    if (strides[i] < 1 || dilations[i] < 1)
      return ctx.error("strides and dilations must be positive");
    int64_t full = strides[i] * (input.getDimSize(2 + i) - 1) +
                   outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad == "VALID") {
      pads[i] = pads[spatial + i] = 0;
    } else if (outputShape || autoPad != "NOTSET") {
      // A wanted output extent fixes the total padding, split evenly; a
      // negative total (an output larger than the full one) halves rounding
      // down, as ONNX specifies it (in Python).
      int64_t wanted = outputShape ? (*outputShape)[i]
                                   : input.getDimSize(2 + i) * strides[i];
      int64_t total = full - wanted;
      int64_t half = llvm::divideFloorSigned(total, 2);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[spatial + i] = upper ? total - half : half;
    }
  }

  // Spread the input: [.., D, ..] -> [.., D, 1, ..] -> padded to [.., D, s, ..]
  // -> [.., D * s, ..], then cut to (D - 1) * s + 1.
  SmallVector<int64_t> unit, spreadPads(4 * spatial + 4, 0), spreadShape;
  SmallVector<int64_t> begin(rank, 0), limit, steps(rank, 1);
  unit = {input.getDimSize(0), channels};
  spreadShape = unit;
  limit = unit;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t extent = input.getDimSize(2 + i);
    unit.append({extent, 1});
    spreadPads[2 + 2 * i + 1 + (2 * spatial + 2)] = strides[i] - 1;
    spreadShape.push_back(extent * strides[i]);
    limit.push_back((extent - 1) * strides[i] + 1);
  }
  Value spread = ctx.create<PadOp>(ctx.reshape(x, unit), spreadPads,
                                   PadMode::Constant, APFloat(0.0));
  spread = ctx.create<SliceOp>(ctx.reshape(spread, spreadShape), begin, limit,
                               steps);

  // Pad by the kernel's reach less the given padding; negative is a crop.
  SmallVector<int64_t> grow(2 * rank, 0), cropBegin(rank, 0);
  SmallVector<int64_t> cropLimit(limit);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t reach = (kernel[i] - 1) * dilations[i];
    int64_t before = reach - pads[i];
    int64_t after = reach - pads[spatial + i] + outputPadding[i];
    grow[2 + i] = std::max<int64_t>(before, 0);
    grow[rank + 2 + i] = std::max<int64_t>(after, 0);
    cropBegin[2 + i] = std::max<int64_t>(-before, 0);
    cropLimit[2 + i] -= std::max<int64_t>(-after, 0);
    if (cropBegin[2 + i] > cropLimit[2 + i])
      return ctx.error("pads exceed the output");
  }
  Value padded = ctx.create<PadOp>(
      ctx.create<SliceOp>(spread, cropBegin, cropLimit, steps), grow,
      PadMode::Constant, APFloat(0.0));

  // The kernel [C, M/g, K..] as a convolution's [M, C/g, K..], flipped.
  int64_t perGroupOut = weight.getDimSize(1);
  SmallVector<int64_t> grouped = {groups, channels / groups, perGroupOut};
  llvm::append_range(grouped, kernel);
  SmallVector<int64_t> swap = {0, 2, 1};
  llvm::append_range(swap, llvm::seq<int64_t>(3, rank + 1));
  SmallVector<int64_t> convShape = {groups * perGroupOut, channels / groups};
  llvm::append_range(convShape, kernel);
  Value swapped =
      ctx.reshape(ctx.transpose(ctx.reshape(w, grouped), swap), convShape);
  SmallVector<int64_t> flipStart(rank, 0), flipLimit(convShape),
      flipSteps(rank, 1);
  for (int64_t i = 0; i < spatial; ++i) {
    flipStart[2 + i] = kernel[i] - 1;
    flipLimit[2 + i] = -1;
    flipSteps[2 + i] = -1;
  }
  Value flipped = ctx.create<SliceOp>(swapped, flipStart, flipLimit, flipSteps);
  return ctx.setOutput(
      0, ctx.create<ConvOp>(
             padded, flipped, ctx.input(2), SmallVector<int64_t>(spatial, 1),
             SmallVector<int64_t>(2 * spatial, 0), dilations, groups));
}

template <typename PoolOp> LogicalResult importPool(NodeContext &ctx) {
  constexpr bool isAverage = std::is_same_v<PoolOp, AvgPoolOp>;
  Value x = ctx.input(0);
  if (typeOf(x).getRank() < 3)
    return ctx.error("X must be [N, C, D1..Dk]");
  std::optional<SmallVector<int64_t>> kernel = ctx.intsAttr("kernel_shape");
  if (!kernel)
    return ctx.error("kernel_shape is required");
  if (!isAverage) {
    // storage_order only shapes the Indices output, which pith does not give.
    ctx.ignoreAttribute("storage_order");
    if (failed(ctx.requireUnused(1, "Indices")))
      return failure();
  }
  bool hasDilations = !isAverage || ctx.opset() >= 19;
  std::optional<Window> window =
      readWindow(ctx, typeOf(x), *kernel, hasDilations);
  if (!window)
    return failure();
  bool ceilMode = ctx.intAttr("ceil_mode", 0);
  if constexpr (isAverage) {
    return ctx.setOutput(
        0, ctx.create<AvgPoolOp>(x, *kernel, window->strides, window->pads,
                                 window->dilations, ceilMode,
                                 ctx.intAttr("count_include_pad", 0) != 0));
  } else {
    return ctx.setOutput(0, ctx.create<MaxPoolOp>(x, *kernel, window->strides,
                                                  window->pads,
                                                  window->dilations, ceilMode));
  }
}

template <ReduceKind kind> LogicalResult importGlobalPool(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (typeOf(x).getRank() < 3)
    return ctx.error("X must be [N, C, D1..Dk]");
  return ctx.setOutput(0, ctx.create<ReduceOp>(kind, x,
                                               spatialAxes(typeOf(x).getRank()),
                                               /*keepdims=*/true));
}

LogicalResult importBatchNormalization(NodeContext &ctx) {
  ctx.ignoreAttribute("momentum");
  if (ctx.intAttr("training_mode", 0) != 0)
    return ctx.error("training mode is not supported");
  if (ctx.opset() < 9 && ctx.intAttr("spatial", 1) != 1)
    return ctx.error("spatial = 0 is not supported");
  for (unsigned i = 1; i < 5; ++i) {
    if (failed(ctx.requireUnused(i, "training statistics")))
      return failure();
  }
  return ctx.setOutput(0, ctx.createTyped<BatchNormOp>(
                              ctx.input(0) ? ctx.input(0).getType() : Type(),
                              ctx.input(0), ctx.input(1), ctx.input(2),
                              ctx.input(3), ctx.input(4),
                              ctx.f64(ctx.floatAttr("epsilon", 1e-5f))));
}

LogicalResult importLayerNormalization(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), type.getRank());
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  // stash_type picks the type of the statistics (1: f32); the normalized
  // output is computed in f32 for every narrower float type anyway.
  int64_t stashType = ctx.intAttr("stash_type", 1);
  if (!axis)
    return failure();
  // Scale and bias broadcast to the normalized shape.
  ArrayRef<int64_t> normalized = type.getShape().drop_front(*axis);
  Value scale = ctx.expandTo(ctx.input(1), normalized);
  Value bias =
      ctx.hasInput(2) ? ctx.expandTo(ctx.input(2), normalized) : Value();
  if (ctx.hasOutput(1) || ctx.hasOutput(2)) {
    // The statistics the normalization used: the mean and 1/sqrt(var+eps)
    // over the normalized axes, kept as extent 1.
    Type statisticsType = stashType == 1 ? Float32Type::get(ctx.context())
                                         : type.getElementType();
    Value wide = type.getElementType() == statisticsType
                     ? x
                     : ctx.castTo(x, statisticsType);
    auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank()));
    Value mean = ctx.create<ReduceOp>(ReduceKind::Mean, wide, axes, true);
    Value centered = ctx.create<SubOp>(wide, mean);
    Value variance = ctx.create<ReduceOp>(
        ReduceKind::Mean, ctx.create<MulOp>(centered, centered), axes, true);
    Value inverse = ctx.create<RsqrtOp>(
        ctx.create<AddOp>(variance, ctx.scalar(statisticsType, epsilon)));
    if (failed(ctx.setOutput(1, mean)) || failed(ctx.setOutput(2, inverse)))
      return failure();
  }
  return ctx.setOutput(0, ctx.createTyped<LayerNormOp>(type, x, scale, bias,
                                                       ctx.i64(*axis),
                                                       ctx.f64(epsilon)));
}

/// RMSNormalization: x / sqrt(mean(x^2) + epsilon) * scale over the axes
/// from `axis` on.
LogicalResult importRMSNormalization(NodeContext &ctx) {
  ctx.ignoreAttribute("stash_type");
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), rank);
  float epsilon = ctx.floatAttr("epsilon", 1e-5f);
  if (!axis)
    return failure();
  auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
  Value meanSquare = ctx.create<ReduceOp>(ReduceKind::Mean,
                                          ctx.create<MulOp>(x, x), axes, true);
  Value inverse = ctx.create<RsqrtOp>(
      ctx.create<AddOp>(meanSquare, ctx.scalarLike(x, epsilon)));
  return ctx.setOutput(
      0, ctx.create<MulOp>(ctx.create<MulOp>(x, inverse), ctx.input(1)));
}

/// LpPool: (sum over each window of |x|^p)^(1/p), the sum an average pool
/// (padding included) times the window size.
LogicalResult importLpPool(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (typeOf(x).getRank() < 3)
    return ctx.error("X must be [N, C, D1..Dk]");
  std::optional<SmallVector<int64_t>> kernel = ctx.intsAttr("kernel_shape");
  if (!kernel)
    return ctx.error("kernel_shape is required");
  int64_t p = ctx.intAttr("p", 2);
  if (p < 1)
    return ctx.error("p must be positive");
  std::optional<Window> window =
      readWindow(ctx, typeOf(x), *kernel, /*hasDilations=*/ctx.opset() >= 18);
  if (!window)
    return failure();
  bool ceilMode = ctx.opset() >= 18 && ctx.intAttr("ceil_mode", 0);
  Value magnitude = ctx.create<AbsOp>(x);
  Value powered = p == 1   ? magnitude
                  : p == 2 ? ctx.create<MulOp>(x, x)
                           : ctx.create<PowOp>(magnitude, ctx.scalarLike(x, p));
  int64_t windowSize = 1;
  for (int64_t extent : *kernel)
    windowSize *= extent;
  Value sum = ctx.create<MulOp>(
      ctx.create<AvgPoolOp>(powered, *kernel, window->strides, window->pads,
                            window->dilations, ceilMode,
                            /*count_include_pad=*/true),
      ctx.scalarLike(x, windowSize));
  Value root = p == 1   ? sum
               : p == 2 ? ctx.create<SqrtOp>(sum)
                        : ctx.create<PowOp>(sum, ctx.scalarLike(x, 1.0 / p));
  return ctx.setOutput(0, root);
}

/// Normalizes `x` over `axes` to zero mean and unit variance.
Value normalize(NodeContext &ctx, Value x, ArrayRef<int64_t> axes,
                double epsilon) {
  Value mean = ctx.create<ReduceOp>(ReduceKind::Mean, x, axes, true);
  Value centered = ctx.create<SubOp>(x, mean);
  Value variance = ctx.create<ReduceOp>(
      ReduceKind::Mean, ctx.create<MulOp>(centered, centered), axes, true);
  return ctx.create<MulOp>(
      centered, ctx.create<RsqrtOp>(
                    ctx.create<AddOp>(variance, ctx.scalarLike(x, epsilon))));
}

/// `value` ([C]) shaped to broadcast along axis 1 of a rank-`rank` tensor.
Value perChannel(NodeContext &ctx, Value value, int64_t rank) {
  if (!value)
    return {};
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = typeOf(value).getNumElements();
  return ctx.reshape(value, shape);
}

LogicalResult importInstanceNormalization(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  if (rank < 3)
    return ctx.error("input must be [N, C, D1..Dk]");
  Value y =
      normalize(ctx, x, spatialAxes(rank), ctx.floatAttr("epsilon", 1e-5f));
  y = ctx.create<MulOp>(y, perChannel(ctx, ctx.input(1), rank));
  return ctx.setOutput(
      0, ctx.create<AddOp>(y, perChannel(ctx, ctx.input(2), rank)));
}

LogicalResult importGroupNormalization(NodeContext &ctx) {
  ctx.ignoreAttribute("stash_type");
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t groups = ctx.intAttr("num_groups", 0);
  if (type.getRank() < 3)
    return ctx.error("input must be [N, C, D1..Dk]");
  int64_t channels = type.getDimSize(1);
  if (groups < 1 || channels % groups != 0)
    return ctx.error("num_groups must divide the " + llvm::Twine(channels) +
                     " channels");
  // Normalize each group of channels as one row.
  int64_t batch = type.getDimSize(0);
  Value rows =
      ctx.reshape(x, {batch, groups, type.getNumElements() / batch / groups});
  Value y =
      ctx.reshape(normalize(ctx, rows, {2}, ctx.floatAttr("epsilon", 1e-5f)),
                  type.getShape());
  Value scale = ctx.input(1), bias = ctx.input(2);
  if (ctx.opset() < 21) {
    // Before opset 21, scale and bias hold one value per group.
    SmallVector<int64_t> grouped = {groups, channels / groups};
    auto perGroup = [&](Value value) {
      return ctx.reshape(ctx.expandTo(ctx.reshape(value, {groups, 1}), grouped),
                         {channels});
    };
    scale = perGroup(scale);
    bias = perGroup(bias);
  }
  y = ctx.create<MulOp>(y, perChannel(ctx, scale, type.getRank()));
  return ctx.setOutput(
      0, ctx.create<AddOp>(y, perChannel(ctx, bias, type.getRank())));
}

LogicalResult importLpNormalization(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), typeOf(x).getRank());
  int64_t p = ctx.intAttr("p", 2);
  if (!axis)
    return failure();
  if (p != 1 && p != 2)
    return ctx.error("p must be 1 or 2");
  Value norm = ctx.create<ReduceOp>(p == 1 ? ReduceKind::L1 : ReduceKind::L2, x,
                                    SmallVector<int64_t>{*axis}, true);
  // A zero vector stays zero rather than becoming 0/0 (as ONNX's reference
  // implementation and ONNX Runtime do).
  Value zero = ctx.scalarLike(x, 0.0);
  Value isZero = ctx.create<CompareOp>(CompareKind::EQ, norm, zero);
  return ctx.setOutput(
      0, ctx.create<WhereOp>(isZero, zero, ctx.create<DivOp>(x, norm)));
}

/// MVN as ONNX defines it: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9).
LogicalResult importMeanVarianceNormalization(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t axis :
       ctx.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3})) {
    std::optional<int64_t> normalized = ctx.normalizeAxis(axis, rank);
    if (!normalized)
      return failure();
    axes.push_back(*normalized);
  }
  llvm::sort(axes);
  Value mean = ctx.create<ReduceOp>(ReduceKind::Mean, x, axes, true);
  Value meanOfSquares = ctx.create<ReduceOp>(
      ReduceKind::Mean, ctx.create<MulOp>(x, x), axes, true);
  Value deviation = ctx.create<SqrtOp>(
      ctx.create<SubOp>(meanOfSquares, ctx.create<MulOp>(mean, mean)));
  return ctx.setOutput(
      0,
      ctx.create<DivOp>(ctx.create<SubOp>(x, mean),
                        ctx.create<AddOp>(deviation, ctx.scalarLike(x, 1e-9))));
}

/// LRN: x / (bias + alpha/size * sum of x^2 over `size` channels)^beta. The
/// windowed sum is an average pool over channels, zero-padded.
LogicalResult importLRN(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t size = ctx.intAttr("size", 0);
  float alpha = ctx.floatAttr("alpha", 1e-4f);
  float beta = ctx.floatAttr("beta", 0.75f);
  float bias = ctx.floatAttr("bias", 1.0f);
  if (size < 1)
    return ctx.error("size must be positive");
  if (type.getRank() < 3)
    return ctx.error("input must be [N, C, D1..Dk]");
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  int64_t pixels = type.getNumElements() / batch / channels;
  Value squares =
      ctx.reshape(ctx.create<MulOp>(x, x), {batch, 1, channels, pixels});
  Value average = ctx.create<AvgPoolOp>(
      squares, SmallVector<int64_t>{size, 1}, SmallVector<int64_t>{1, 1},
      SmallVector<int64_t>{(size - 1) / 2, 0, size / 2, 0},
      SmallVector<int64_t>{1, 1}, false, /*count_include_pad=*/true);
  Value base =
      ctx.create<AddOp>(ctx.create<MulOp>(ctx.reshape(average, type.getShape()),
                                          ctx.scalarLike(x, alpha)),
                        ctx.scalarLike(x, bias));
  return ctx.setOutput(
      0,
      ctx.create<DivOp>(x, ctx.create<PowOp>(base, ctx.scalarLike(x, beta))));
}

/// Softmax and LogSoftmax. Before opset 13 they work on the input
/// flattened to 2-D at `axis` (default 1), i.e. over all axes from it on.
template <typename OpTy> LogicalResult importSoftmax(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  bool flatten = ctx.opset() < 13;
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", flatten ? 1 : -1),
                        std::max<int64_t>(type.getRank(), 1));
  if (!axis)
    return failure();
  if (!flatten || *axis == type.getRank() - 1)
    return ctx.setOutput(
        0, ctx.createTyped<OpTy>(type, x, static_cast<uint64_t>(*axis)));
  int64_t rows = 1;
  for (int64_t extent : type.getShape().take_front(*axis))
    rows *= extent;
  Value matrix = ctx.reshape(
      x, {rows, type.getNumElements() / std::max<int64_t>(rows, 1)});
  Value result =
      matrix ? ctx.createTyped<OpTy>(matrix.getType(), matrix, uint64_t{1})
             : Value();
  return ctx.setOutput(0, ctx.reshape(result, type.getShape()));
}

/// Hardmax: one at the first maximum along the axis, zero elsewhere.
LogicalResult importHardmax(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  if (ctx.opset() < 13)
    return ctx.error("opsets before 13 are not supported");
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), type.getRank());
  if (!axis)
    return failure();
  Value index =
      ctx.create<ArgMaxOp>(x, static_cast<uint64_t>(*axis), true, false);
  int64_t extent = type.getDimSize(*axis);
  SmallVector<int64_t> iotaShape(type.getRank(), 1);
  iotaShape[*axis] = extent;
  auto iotaType =
      RankedTensorType::get(iotaShape, IntegerType::get(ctx.context(), 64));
  Value iota = ctx.constant(DenseElementsAttr::get(
      iotaType, llvm::to_vector(
                    llvm::map_range(llvm::seq<int64_t>(0, extent),
                                    [](int64_t i) { return APInt(64, i); }))));
  Value hot = ctx.create<CompareOp>(CompareKind::EQ, index, iota);
  return ctx.setOutput(0, ctx.castTo(hot, type.getElementType()));
}

} // namespace

Value buildConv(NodeContext &ctx, Value x, Value w, Value bias) {
  if (!x || !w)
    return {};
  RankedTensorType input = typeOf(x), weight = typeOf(w);
  if (input.getRank() < 3 || weight.getRank() != input.getRank()) {
    ctx.emitError() << "X must be [N, C, D1..Dk] and W [F, C/group, K1..Kk]";
    return {};
  }
  SmallVector<int64_t> kernel(weight.getShape().drop_front(2));
  if (std::optional<SmallVector<int64_t>> given = ctx.intsAttr("kernel_shape");
      given && *given != kernel) {
    ctx.emitError() << "kernel_shape does not match the weight's shape";
    return {};
  }
  std::optional<Window> window = readWindow(ctx, input, kernel);
  if (!window)
    return {};
  return ctx.create<ConvOp>(x, w, bias, window->strides, window->pads,
                            window->dilations, ctx.intAttr("group", 1));
}

void addNeuralNetworkRules(RuleTable &table) {
  llvm::StringRef d = kDefaultDomain;
  table.add(d, "Conv", importConv, 1, 2);
  table.add(d, "ConvTranspose", importConvTranspose, 1, 2);
  table.add(d, "MaxPool", importPool<MaxPoolOp>);
  table.add(d, "AveragePool", importPool<AvgPoolOp>);
  table.add(d, "GlobalAveragePool", importGlobalPool<ReduceKind::Mean>);
  table.add(d, "GlobalMaxPool", importGlobalPool<ReduceKind::Max>);
  table.add(d, "BatchNormalization", importBatchNormalization, 1, 5);
  table.add(d, "LayerNormalization", importLayerNormalization, 17, 2);
  table.add(d, "InstanceNormalization", importInstanceNormalization, 1, 3);
  table.add(d, "GroupNormalization", importGroupNormalization, 18, 3);
  table.add(d, "LpNormalization", importLpNormalization);
  table.add(d, "MeanVarianceNormalization", importMeanVarianceNormalization, 9);
  table.add(d, "LRN", importLRN);
  table.add(d, "RMSNormalization", importRMSNormalization, 23, 2);
  table.add(d, "LpPool", importLpPool, 2);
  table.add(d, "Softmax", importSoftmax<SoftmaxOp>);
  table.add(d, "LogSoftmax", importSoftmax<LogSoftmaxOp>);
  table.add(d, "Hardmax", importHardmax);
}

} // namespace pith::importer
