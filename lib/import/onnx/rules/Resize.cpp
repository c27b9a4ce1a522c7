//===- Resize.cpp - Import rules: Resize and Upsample ---------------------===//
//
// Part of pith. Resizing is separable: each resized axis is a gather of
// constant source indices (nearest), or gathers of the 2 (linear) or 4
// (cubic) taps blended with constant weights, computed at import from the
// static shapes and ONNX's coordinate transformation modes.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

struct ResizeMode {
  enum Kind { Nearest, Linear, Cubic } kind = Nearest;
  std::string transform = "half_pixel";
  std::string nearest = "round_prefer_floor";
  double cubicCoefficient = -0.75;
  bool excludeOutside = false;
};

/// The source positions and weights an output position blends: offsets
/// from floor(x) and weights of the linear or cubic (Keys) kernel.
SmallVector<std::pair<int64_t, double>> taps(const ResizeMode &mode, double x,
                                             int64_t in) {
  double base = std::floor(x), r = x - base;
  auto at = [&](int64_t offset) { return static_cast<int64_t>(base) + offset; };
  if (mode.kind == ResizeMode::Linear)
    return {{at(0), 1.0 - r}, {at(1), r}};
  double a = mode.cubicCoefficient;
  auto far = [&](double t) {
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  };
  auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  SmallVector<std::pair<int64_t, double>> result = {{at(-1), far(r + 1)},
                                                    {at(0), near(r)},
                                                    {at(1), near(1 - r)},
                                                    {at(2), far(2 - r)}};
  if (mode.excludeOutside) {
    // Taps outside the input drop out; the others share their weight.
    double total = 0;
    for (auto &[index, weight] : result) {
      if (index < 0 || index >= in)
        weight = 0;
      total += weight;
    }
    for (auto &tap : result)
      tap.second /= total;
  }
  return result;
}

/// Where output position `x` of an axis resized from `in` to `out` with
/// scale `scale` samples the input.
std::optional<double> sourceCoordinate(const std::string &transform, double x,
                                       int64_t in, int64_t out, double scale) {
  if (transform == "half_pixel")
    return (x + 0.5) / scale - 0.5;
  if (transform == "half_pixel_symmetric") {
    double adjustment = out / (in * scale);
    return in / 2.0 * (1.0 - adjustment) + (x + 0.5) / scale - 0.5;
  }
  if (transform == "pytorch_half_pixel")
    return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (transform == "align_corners") {
    // The output's width before rounding, as ONNX's reference uses it: with
    // scales it need not be the (rounded down) output size.
    double width = in * scale;
    return width == 1 ? 0.0 : x * (in - 1) / (width - 1);
  }
  if (transform == "asymmetric")
    return x / scale;
  return std::nullopt;
}

int64_t nearestIndex(const std::string &mode, double x) {
  double floor = std::floor(x);
  bool half = x - floor == 0.5;
  if (mode == "floor")
    return static_cast<int64_t>(floor);
  if (mode == "ceil")
    return static_cast<int64_t>(std::ceil(x));
  if (mode == "round_prefer_ceil")
    return static_cast<int64_t>(half ? floor + 1 : std::round(x));
  return static_cast<int64_t>(half ? floor : std::round(x));
}

/// A constant of `count` values along `axis` of a rank-`rank` tensor.
Value alongAxis(NodeContext &ctx, Type elementType, int64_t rank, int64_t axis,
                ArrayRef<Attribute> values) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = values.size();
  return ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, elementType), values));
}

/// Resizes `x` along `axis` to `out` positions.
Value resizeAxis(NodeContext &ctx, Value x, int64_t axis, int64_t out,
                 double scale, const ResizeMode &mode) {
  if (!x)
    return {};
  RankedTensorType type = typeOf(x);
  int64_t in = type.getDimSize(axis);
  Type i64 = IntegerType::get(ctx.context(), 64);
  auto clamp = [&](int64_t index) {
    return IntegerAttr::get(i64, std::clamp<int64_t>(index, 0, in - 1));
  };
  // Per tap, the source index and weight of every output position.
  SmallVector<SmallVector<Attribute>> indices, weights;
  for (int64_t position = 0; position < out; ++position) {
    std::optional<double> source =
        sourceCoordinate(mode.transform, position, in, out, scale);
    if (!source) {
      ctx.emitError() << "coordinate_transformation_mode '" << mode.transform
                      << "' is not supported";
      return {};
    }
    SmallVector<std::pair<int64_t, double>> blend =
        mode.kind == ResizeMode::Nearest
            ? SmallVector<std::pair<int64_t, double>>{{nearestIndex(
                                                           mode.nearest,
                                                           *source),
                                                       1.0}}
            : taps(mode, *source, in);
    indices.resize(blend.size());
    weights.resize(blend.size());
    for (auto [tap, entry] : llvm::enumerate(blend)) {
      indices[tap].push_back(clamp(entry.first));
      weights[tap].push_back(
          FloatAttr::get(type.getElementType(), entry.second));
    }
  }
  Value result;
  for (auto [tapIndices, tapWeights] : llvm::zip(indices, weights)) {
    Value gathered = ctx.create<GatherOp>(
        x,
        ctx.constant(DenseElementsAttr::get(RankedTensorType::get({out}, i64),
                                            tapIndices)),
        static_cast<uint64_t>(axis));
    if (mode.kind != ResizeMode::Nearest)
      gathered = ctx.create<MulOp>(gathered,
                                   alongAxis(ctx, type.getElementType(),
                                             type.getRank(), axis, tapWeights));
    result = result ? ctx.create<AddOp>(result, gathered) : gathered;
  }
  return result;
}

/// Resizes every axis whose size or scale changes.
LogicalResult resize(NodeContext &ctx, Value x, ArrayRef<int64_t> sizes,
                     ArrayRef<double> scales, const ResizeMode &mode) {
  RankedTensorType type = typeOf(x);
  if (!isa<FloatType>(type.getElementType()) &&
      mode.kind != ResizeMode::Nearest)
    return ctx.error("linear and cubic resizing of integers is not supported");
  for (int64_t axis = 0; axis < type.getRank(); ++axis) {
    if (sizes[axis] == type.getDimSize(axis) && scales[axis] == 1.0)
      continue;
    if (sizes[axis] < 1)
      return ctx.error("axis " + llvm::Twine(axis) + " would be empty");
    x = resizeAxis(ctx, x, axis, sizes[axis], scales[axis], mode);
  }
  return ctx.setOutput(0, x);
}

LogicalResult importResize(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  ResizeMode mode;
  std::string modeName = ctx.stringAttr("mode", "nearest");
  if (modeName != "nearest" && modeName != "linear" && modeName != "cubic")
    return ctx.error("mode '" + modeName + "' is not supported");
  mode.kind = modeName == "linear"  ? ResizeMode::Linear
              : modeName == "cubic" ? ResizeMode::Cubic
                                    : ResizeMode::Nearest;
  mode.nearest = ctx.stringAttr("nearest_mode", "round_prefer_floor");
  mode.transform =
      ctx.stringAttr("coordinate_transformation_mode",
                     ctx.opset() >= 11 ? "half_pixel" : "asymmetric");
  mode.cubicCoefficient = ctx.floatAttr("cubic_coeff_a", -0.75f);
  mode.excludeOutside = ctx.intAttr("exclude_outside", 0);
  if (ctx.intAttr("antialias", 0))
    return ctx.error("antialias is not supported");
  if (mode.transform == "tf_crop_and_resize")
    return ctx.error("coordinate_transformation_mode 'tf_crop_and_resize' is "
                     "not supported");
  ctx.ignoreAttribute("extrapolation_value"); // tf_crop_and_resize only
  ctx.ignoreInput(1);                         // the roi, likewise

  // The axes resized (opset 18), and their sizes or scales.
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (std::optional<SmallVector<int64_t>> given = ctx.intsAttr("axes")) {
    axes.clear();
    for (int64_t axis : *given) {
      std::optional<int64_t> normalized = ctx.normalizeAxis(axis, rank);
      if (!normalized)
        return failure();
      axes.push_back(*normalized);
    }
  }
  SmallVector<int64_t> sizes(type.getShape());
  SmallVector<double> scales(rank, 1.0);
  unsigned scalesInput = ctx.opset() >= 11 ? 2 : 1;
  DenseElementsAttr scaleValues =
      NodeContext::constantOf(ctx.input(scalesInput));
  if (scaleValues && scaleValues.getNumElements() > 0) {
    if (static_cast<size_t>(scaleValues.getNumElements()) != axes.size())
      return ctx.error("scales must have one entry per resized axis");
    for (auto [axis, scale] :
         llvm::zip(axes, scaleValues.getValues<APFloat>())) {
      scales[axis] = scale.convertToDouble();
      if (scales[axis] <= 0)
        return ctx.error("scales must be positive");
      sizes[axis] = static_cast<int64_t>(
          std::floor(type.getDimSize(axis) * scales[axis]));
    }
  } else if (ctx.hasInput(scalesInput) && !scaleValues) {
    return ctx.error("scales (input " + llvm::Twine(scalesInput) +
                     ") must be a constant");
  } else {
    std::optional<SmallVector<int64_t>> given =
        ctx.hasInput(3) ? ctx.constantInts(3, "sizes") : std::nullopt;
    if (!given)
      return ctx.hasFailed() ? failure()
                             : ctx.error("either scales or sizes is required");
    if (given->size() != axes.size())
      return ctx.error("sizes must have one entry per resized axis");
    // keep_aspect_ratio_policy (opset 18) may scale all axes alike.
    std::string policy = ctx.stringAttr("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch" && policy != "not_larger" &&
        policy != "not_smaller")
      return ctx.error("keep_aspect_ratio_policy '" + policy +
                       "' is not supported");
    std::optional<double> common;
    for (auto [axis, size] : llvm::zip(axes, *given)) {
      double ratio = static_cast<double>(size) / type.getDimSize(axis);
      if (policy != "stretch")
        common = !common                  ? ratio
                 : policy == "not_larger" ? std::min(*common, ratio)
                                          : std::max(*common, ratio);
      sizes[axis] = size;
      scales[axis] = ratio;
    }
    for (int64_t axis : axes) {
      if (!common)
        break;
      scales[axis] = *common;
      sizes[axis] =
          static_cast<int64_t>(std::round(type.getDimSize(axis) * *common));
    }
  }
  return resize(ctx, x, sizes, scales, mode);
}

/// Upsample (opsets 7 to 9): nearest (floor) or linear, asymmetric.
LogicalResult importUpsample(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  ResizeMode mode;
  std::string modeName = ctx.stringAttr("mode", "nearest");
  if (modeName != "nearest" && modeName != "linear" && modeName != "bilinear")
    return ctx.error("mode '" + modeName + "' is not supported");
  if (modeName != "nearest")
    mode.kind = ResizeMode::Linear;
  mode.transform = "asymmetric";
  mode.nearest = "floor";
  SmallVector<double> scales;
  if (ctx.opset() < 9) {
    std::optional<SmallVector<float>> given = ctx.floatsAttr("scales");
    if (!given)
      return ctx.error("scales is required");
    scales.assign(given->begin(), given->end());
  } else {
    DenseElementsAttr given = NodeContext::constantOf(ctx.input(1));
    if (!given)
      return ctx.error("scales (input 1) must be a constant");
    for (const APFloat &scale : given.getValues<APFloat>())
      scales.push_back(scale.convertToDouble());
  }
  if (static_cast<int64_t>(scales.size()) != type.getRank())
    return ctx.error("scales must have one entry per axis");
  SmallVector<int64_t> sizes;
  for (auto [extent, scale] : llvm::zip(type.getShape(), scales))
    sizes.push_back(static_cast<int64_t>(std::floor(extent * scale)));
  return resize(ctx, x, sizes, scales, mode);
}

} // namespace

void addResizeRules(RuleTable &table) {
  table.add(kDefaultDomain, "Resize", importResize, 10);
  table.add(kDefaultDomain, "Upsample", importUpsample, 7);
}

} // namespace pith::importer
