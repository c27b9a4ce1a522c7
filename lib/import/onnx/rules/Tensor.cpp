//===- Tensor.cpp - Import rules: shapes, data movement, constants --------===//
//
// Part of pith. Reshaping and permuting ops, slicing and gathering, padding,
// and the shape computations of exported models (Shape, Size, Range,
// ConstantOfShape...), which fold to constants since every shape is static.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"
#include "lib/import/onnx/Tensors.h"
#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

Type i64Type(NodeContext &ctx) { return IntegerType::get(ctx.context(), 64); }

/// A constant i64 tensor of `shape` holding `values`.
Value i64Constant(NodeContext &ctx, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, i64Type(ctx));
  return ctx.constant(DenseElementsAttr::get(type, values));
}

/// The node's axes from attribute `axes` before opset `inputSince`, or from
/// input `input` after; nullopt when absent. `failed` is set on errors.
std::optional<SmallVector<int64_t>> readAxes(NodeContext &ctx,
                                             int64_t inputSince,
                                             unsigned input, bool &failed) {
  if (ctx.opset() < inputSince)
    return ctx.intsAttr("axes");
  if (!ctx.hasInput(input))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> axes = ctx.constantInts(input, "axes");
  failed = !axes;
  return axes;
}

/// Normalizes every axis of `axes` for `rank`, sorted; nullopt on errors.
std::optional<SmallVector<int64_t>>
normalizeAxes(NodeContext &ctx, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = ctx.normalizeAxis(axis, rank);
    if (!normalized)
      return std::nullopt;
    result.push_back(*normalized);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end()) {
    ctx.emitError() << "axes must not repeat";
    return std::nullopt;
  }
  return result;
}

LogicalResult importReshape(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  std::optional<SmallVector<int64_t>> target =
      ctx.constantInts(1, "the target shape");
  if (!target)
    return failure();
  bool allowZero = ctx.intAttr("allowzero", 0);
  SmallVector<int64_t> shape;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, extent] : llvm::enumerate(*target)) {
    if (extent == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return ctx.error("shape entry " + llvm::Twine(i) +
                         " is 0 (copy) but the input has rank " +
                         llvm::Twine(type.getRank()));
      extent = type.getDimSize(i);
    } else if (extent == -1) {
      if (inferred)
        return ctx.error("the target shape has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    } else if (extent < 0) {
      return ctx.error("shape entry " + llvm::Twine(i) + " is " +
                       llvm::Twine(extent));
    }
    known *= extent;
    shape.push_back(extent);
  }
  if (inferred) {
    if (known == 0 || type.getNumElements() % known != 0)
      return ctx.error("cannot infer the -1 entry: " +
                       llvm::Twine(type.getNumElements()) +
                       " elements do not divide into blocks of " +
                       llvm::Twine(known));
    shape[*inferred] = type.getNumElements() / known;
  }
  return ctx.setOutput(0, ctx.reshape(x, shape));
}

LogicalResult importFlatten(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t axis = ctx.intAttr("axis", 1);
  if (axis < 0)
    axis += type.getRank();
  if (axis < 0 || axis > type.getRank())
    return ctx.error("axis is out of range for rank " +
                     llvm::Twine(type.getRank()));
  int64_t outer = 1;
  for (int64_t extent : type.getShape().take_front(axis))
    outer *= extent;
  int64_t inner = 1;
  for (int64_t extent : type.getShape().drop_front(axis))
    inner *= extent;
  return ctx.setOutput(0, ctx.reshape(x, {outer, inner}));
}

LogicalResult importSqueeze(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  bool failed = false;
  std::optional<SmallVector<int64_t>> axes = readAxes(ctx, 13, 1, failed);
  if (failed)
    return mlir::failure();
  SmallVector<int64_t> squeezed;
  if (axes) {
    std::optional<SmallVector<int64_t>> normalized =
        normalizeAxes(ctx, *axes, type.getRank());
    if (!normalized)
      return mlir::failure();
    squeezed = *normalized;
  } else {
    for (auto [axis, extent] : llvm::enumerate(type.getShape()))
      if (extent == 1)
        squeezed.push_back(axis);
  }
  SmallVector<int64_t> shape;
  for (auto [axis, extent] : llvm::enumerate(type.getShape())) {
    if (!llvm::is_contained(squeezed, static_cast<int64_t>(axis))) {
      shape.push_back(extent);
    } else if (extent != 1) {
      return ctx.error("cannot squeeze axis " + llvm::Twine(axis) +
                       " of extent " + llvm::Twine(extent));
    }
  }
  return ctx.setOutput(0, ctx.reshape(x, shape));
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  bool failed = false;
  std::optional<SmallVector<int64_t>> axes = readAxes(ctx, 13, 1, failed);
  if (failed)
    return mlir::failure();
  if (!axes)
    return ctx.error("axes are required");
  int64_t rank = type.getRank() + axes->size();
  std::optional<SmallVector<int64_t>> inserted =
      normalizeAxes(ctx, *axes, rank);
  if (!inserted)
    return mlir::failure();
  SmallVector<int64_t> shape;
  ArrayRef<int64_t> remaining = type.getShape();
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (llvm::is_contained(*inserted, axis)) {
      shape.push_back(1);
    } else {
      shape.push_back(remaining.front());
      remaining = remaining.drop_front();
    }
  }
  return ctx.setOutput(0, ctx.reshape(x, shape));
}

LogicalResult importTranspose(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> permutation = ctx.intsAttr("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  return ctx.setOutput(0, ctx.transpose(x, permutation));
}

LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  std::optional<int64_t> axis = ctx.normalizeAxis(
      ctx.intAttr("axis", 0), std::max<int64_t>(typeOf(inputs[0]).getRank(), 1));
  if (!axis)
    return failure();
  return ctx.setOutput(
      0, ctx.create<ConcatOp>(ValueRange(inputs), static_cast<uint64_t>(*axis)));
}

LogicalResult importSplit(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), type.getRank());
  if (!axis)
    return failure();
  int64_t extent = type.getDimSize(*axis);
  int64_t outputs = ctx.node().output_size();
  std::optional<SmallVector<int64_t>> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.intsAttr("split");
  } else if (ctx.hasInput(1)) {
    sizes = ctx.constantInts(1, "split");
    if (!sizes)
      return failure();
  }
  if (!sizes) {
    // Equal pieces; since opset 18 num_outputs may leave the last smaller.
    int64_t pieces = ctx.opset() >= 18 ? ctx.intAttr("num_outputs", outputs)
                                       : outputs;
    if (pieces != outputs || pieces < 1)
      return ctx.error("num_outputs must match the node's outputs");
    int64_t piece = (extent + pieces - 1) / pieces;
    if (ctx.opset() < 18 && extent % pieces != 0)
      return ctx.error("axis extent " + llvm::Twine(extent) +
                       " does not split into " + llvm::Twine(pieces) +
                       " equal pieces");
    sizes.emplace();
    for (int64_t i = 0, left = extent; i < pieces; ++i, left -= piece)
      sizes->push_back(std::min(piece, left));
  }
  if (static_cast<int64_t>(sizes->size()) != outputs)
    return ctx.error("split gives " + llvm::Twine(sizes->size()) +
                     " sizes for " + llvm::Twine(outputs) + " outputs");
  SmallVector<Type> types;
  for (int64_t size : *sizes) {
    SmallVector<int64_t> shape(type.getShape());
    shape[*axis] = size;
    types.push_back(type.clone(shape));
  }
  SmallVector<Value> pieces = ctx.createMulti<SplitOp>(
      types, x, static_cast<uint64_t>(*axis));
  if (pieces.empty())
    return failure();
  for (auto [i, piece] : llvm::enumerate(pieces)) {
    if (failed(ctx.setOutput(i, piece)))
      return failure();
  }
  return success();
}

LogicalResult importSlice(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.intsAttr("starts");
    ends = ctx.intsAttr("ends");
    axes = ctx.intsAttr("axes");
  } else {
    starts = ctx.constantInts(1, "starts");
    ends = ctx.constantInts(2, "ends");
    if (ctx.hasInput(3) && !(axes = ctx.constantInts(3, "axes")))
      return failure();
    if (ctx.hasInput(4) && !(steps = ctx.constantInts(4, "steps")))
      return failure();
  }
  if (!starts || !ends)
    return ctx.error("starts and ends are required");
  size_t count = starts->size();
  if (!axes)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, count));
  if (!steps)
    steps = SmallVector<int64_t>(count, 1);
  if (ends->size() != count || axes->size() != count || steps->size() != count)
    return ctx.error("starts, ends, axes and steps must have equal lengths");

  SmallVector<int64_t> begin(rank, 0), limit(type.getShape()), stride(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < count; ++i) {
    std::optional<int64_t> axis = ctx.normalizeAxis((*axes)[i], rank);
    if (!axis)
      return failure();
    if (seen[*axis])
      return ctx.error("axes must not repeat");
    seen[*axis] = true;
    int64_t extent = type.getDimSize(*axis);
    int64_t step = (*steps)[i];
    if (step == 0)
      return ctx.error("steps must not be 0");
    // ONNX clamps positions into range: [0, extent] walking forward,
    // [-1, extent - 1] walking backward.
    auto clampPosition = [&](int64_t position, int64_t low, int64_t high) {
      if (position < 0)
        position = position < -extent ? -1 : position + extent;
      return std::clamp(position, low, high);
    };
    int64_t start = step > 0 ? clampPosition((*starts)[i], 0, extent)
                             : clampPosition((*starts)[i], 0, extent - 1);
    int64_t end = step > 0 ? clampPosition((*ends)[i], 0, extent)
                           : clampPosition((*ends)[i], -1, extent - 1);
    // An empty range keeps its start.
    if ((step > 0 && end < start) || (step < 0 && end > start))
      end = start;
    begin[*axis] = start;
    limit[*axis] = end;
    stride[*axis] = step;
  }
  return ctx.setOutput(0, ctx.create<SliceOp>(x, begin, limit, stride));
}

LogicalResult importGather(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), typeOf(x).getRank());
  if (!axis)
    return failure();
  return ctx.setOutput(0, ctx.create<GatherOp>(x, ctx.input(1),
                                               static_cast<uint64_t>(*axis)));
}

LogicalResult importGatherElements(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), typeOf(x).getRank());
  if (!axis)
    return failure();
  return ctx.setOutput(0, ctx.create<GatherElementsOp>(
                              x, ctx.input(1), static_cast<uint64_t>(*axis)));
}

LogicalResult importGatherND(NodeContext &ctx) {
  int64_t batchDims = ctx.opset() >= 12 ? ctx.intAttr("batch_dims", 0) : 0;
  if (batchDims < 0)
    return ctx.error("batch_dims must not be negative");
  return ctx.setOutput(0, ctx.create<GatherNdOp>(
                              ctx.input(0), ctx.input(1),
                              static_cast<uint64_t>(batchDims)));
}

LogicalResult importExpand(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<SmallVector<int64_t>> shape = ctx.constantInts(1, "the shape");
  if (!shape)
    return failure();
  // Expand broadcasts both ways: a 1 in the given shape keeps the input's.
  SmallVector<int64_t> result;
  if (!OpTrait::util::getBroadcastedShape(typeOf(x).getShape(), *shape,
                                          result))
    return ctx.error("the input does not broadcast to the given shape");
  return ctx.setOutput(0, ctx.expandTo(x, result));
}

LogicalResult importPad(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  std::string modeName = ctx.stringAttr("mode", "constant");
  std::optional<PadMode> mode =
      modeName == "constant" ? std::optional(PadMode::Constant)
      : modeName == "reflect" ? std::optional(PadMode::Reflect)
      : modeName == "edge"    ? std::optional(PadMode::Edge)
                              : std::nullopt;
  if (!mode)
    return ctx.error("mode '" + modeName + "' is not supported");
  std::optional<SmallVector<int64_t>> pads;
  double value = 0.0;
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (ctx.opset() < 11) {
    pads = ctx.intsAttr("pads");
    value = ctx.floatAttr("value", 0.0f);
  } else {
    pads = ctx.constantInts(1, "pads");
    if (ctx.hasInput(2)) {
      std::optional<double> given = ctx.constantScalar(2, "constant_value");
      if (!given)
        return failure();
      value = *given;
    }
    if (ctx.hasInput(3)) {
      std::optional<SmallVector<int64_t>> given = ctx.constantInts(3, "axes");
      if (!given)
        return failure();
      std::optional<SmallVector<int64_t>> normalized;
      // Pads follow the axes in the order given.
      axes.clear();
      for (int64_t axis : *given) {
        std::optional<int64_t> n = ctx.normalizeAxis(axis, rank);
        if (!n)
          return failure();
        axes.push_back(*n);
      }
    }
  }
  if (!pads)
    return ctx.error("pads are required");
  size_t count = axes.size();
  if (pads->size() != 2 * count)
    return ctx.error("pads must have " + llvm::Twine(2 * count) + " entries");
  SmallVector<int64_t> grow(2 * rank, 0);
  SmallVector<int64_t> begin(rank, 0), limit(type.getShape()), steps(rank, 1);
  bool crops = false;
  for (auto [i, axis] : llvm::enumerate(axes)) {
    int64_t before = (*pads)[i], after = (*pads)[count + i];
    // Negative pads crop.
    grow[axis] = std::max<int64_t>(before, 0);
    grow[rank + axis] = std::max<int64_t>(after, 0);
    begin[axis] = std::max<int64_t>(-before, 0);
    limit[axis] = type.getDimSize(axis) - std::max<int64_t>(-after, 0);
    crops = crops || before < 0 || after < 0;
    if (begin[axis] > limit[axis])
      return ctx.error("negative pads crop more than axis " +
                       llvm::Twine(axis) + " holds");
  }
  if (crops)
    x = ctx.create<SliceOp>(x, begin, limit, steps);
  return ctx.setOutput(0, ctx.create<PadOp>(x, grow, *mode, APFloat(value)));
}

LogicalResult importShape(NodeContext &ctx) {
  ArrayRef<int64_t> shape = typeOf(ctx.input(0)).getShape();
  int64_t rank = shape.size();
  auto clampIndex = [&](int64_t index) {
    return std::clamp<int64_t>(index < 0 ? index + rank : index, 0, rank);
  };
  int64_t start = clampIndex(ctx.intAttr("start", 0));
  int64_t end = clampIndex(ctx.intAttr("end", rank));
  ArrayRef<int64_t> part =
      end > start ? shape.slice(start, end - start) : ArrayRef<int64_t>();
  return ctx.setOutput(
      0, i64Constant(ctx, {static_cast<int64_t>(part.size())}, part));
}

LogicalResult importSize(NodeContext &ctx) {
  return ctx.setOutput(
      0, i64Constant(ctx, {}, {typeOf(ctx.input(0)).getNumElements()}));
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  std::optional<SmallVector<int64_t>> shape = ctx.constantInts(0, "the shape");
  if (!shape)
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return ctx.error("the shape has a negative extent");
  Attribute element = FloatAttr::get(Float32Type::get(ctx.context()), 0.0);
  if (ElementsAttr value = ctx.tensorAttr("value")) {
    if (value.getNumElements() != 1)
      return ctx.error("value must hold one element");
    element = *value.getValues<Attribute>().begin();
  } else if (ctx.hasAttribute("value")) {
    return failure();
  }
  auto type =
      RankedTensorType::get(*shape, cast<TypedAttr>(element).getType());
  return ctx.setOutput(0, ctx.constant(DenseElementsAttr::get(type, element)));
}

LogicalResult importConstant(NodeContext &ctx) {
  Builder &b = ctx.builder();
  if (ctx.hasAttribute("sparse_value") || ctx.hasAttribute("value_string") ||
      ctx.hasAttribute("value_strings"))
    return ctx.error("sparse and string constants are not supported");
  if (ctx.hasAttribute("value"))
    return ctx.setOutput(0, ctx.constant(ctx.tensorAttr("value")));
  if (ctx.hasAttribute("value_float")) {
    float value = ctx.floatAttr("value_float", 0.0f);
    return ctx.setOutput(0, ctx.scalar(b.getF32Type(), value));
  }
  if (ctx.hasAttribute("value_int")) {
    int64_t value = ctx.intAttr("value_int", 0);
    return ctx.setOutput(0, i64Constant(ctx, {}, {value}));
  }
  if (std::optional<SmallVector<float>> values = ctx.floatsAttr("value_floats")) {
    auto type = RankedTensorType::get({static_cast<int64_t>(values->size())},
                                      b.getF32Type());
    return ctx.setOutput(
        0, ctx.constant(DenseElementsAttr::get(type, ArrayRef<float>(*values))));
  }
  if (std::optional<SmallVector<int64_t>> values = ctx.intsAttr("value_ints"))
    return ctx.setOutput(
        0, i64Constant(ctx, {static_cast<int64_t>(values->size())}, *values));
  return ctx.error("the constant has no value");
}

LogicalResult importRange(NodeContext &ctx) {
  std::optional<double> start = ctx.constantScalar(0, "start");
  std::optional<double> limit = ctx.constantScalar(1, "limit");
  std::optional<double> delta = ctx.constantScalar(2, "delta");
  if (!start || !limit || !delta)
    return failure();
  if (*delta == 0.0)
    return ctx.error("delta must not be 0");
  int64_t count = std::max<int64_t>(
      0, static_cast<int64_t>(std::ceil((*limit - *start) / *delta)));
  Type elementType = typeOf(ctx.input(0)).getElementType();
  auto type = RankedTensorType::get({count}, elementType);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double value = *start + i * *delta;
    values.push_back(isa<FloatType>(elementType)
                         ? Attribute(FloatAttr::get(elementType, value))
                         : IntegerAttr::get(elementType,
                                            static_cast<int64_t>(value)));
  }
  return ctx.setOutput(0, ctx.constant(DenseElementsAttr::get(type, values)));
}

/// Tile: each axis [d] becomes [r, d] by broadcasting, then [r * d].
LogicalResult importTile(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  std::optional<SmallVector<int64_t>> repeats = ctx.constantInts(1, "repeats");
  if (!repeats)
    return failure();
  if (static_cast<int64_t>(repeats->size()) != type.getRank())
    return ctx.error("repeats must have one entry per axis");
  SmallVector<int64_t> spread, expanded, tiled;
  for (auto [extent, repeat] : llvm::zip(type.getShape(), *repeats)) {
    if (repeat < 0)
      return ctx.error("repeats must not be negative");
    spread.append({1, extent});
    expanded.append({repeat, extent});
    tiled.push_back(repeat * extent);
  }
  return ctx.setOutput(
      0, ctx.reshape(ctx.expandTo(ctx.reshape(x, spread), expanded), tiled));
}

/// DepthToSpace and SpaceToDepth: a reshape, a transpose and a reshape.
LogicalResult importDepthToSpace(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t b = ctx.intAttr("blocksize", 0);
  std::string mode = ctx.stringAttr("mode", "DCR");
  if (type.getRank() != 4 || b < 1 || type.getDimSize(1) % (b * b) != 0)
    return ctx.error("needs [N, C, H, W] input with C a multiple of "
                     "blocksize^2");
  if (mode != "DCR" && mode != "CRD")
    return ctx.error("mode must be DCR or CRD");
  int64_t n = type.getDimSize(0), c = type.getDimSize(1) / (b * b);
  int64_t h = type.getDimSize(2), w = type.getDimSize(3);
  Value blocks =
      mode == "DCR"
          ? ctx.transpose(ctx.reshape(x, {n, b, b, c, h, w}), {0, 3, 4, 1, 5, 2})
          : ctx.transpose(ctx.reshape(x, {n, c, b, b, h, w}), {0, 1, 4, 2, 5, 3});
  return ctx.setOutput(0, ctx.reshape(blocks, {n, c, h * b, w * b}));
}

LogicalResult importSpaceToDepth(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  int64_t b = ctx.intAttr("blocksize", 0);
  // Since opset 28 the channel order is a choice, as for DepthToSpace.
  std::string mode = ctx.stringAttr("mode", "DCR");
  if (type.getRank() != 4 || b < 1 || type.getDimSize(2) % b != 0 ||
      type.getDimSize(3) % b != 0)
    return ctx.error("needs [N, C, H, W] input with H and W multiples of "
                     "blocksize");
  if (mode != "DCR" && mode != "CRD")
    return ctx.error("mode must be DCR or CRD");
  int64_t n = type.getDimSize(0), c = type.getDimSize(1);
  int64_t h = type.getDimSize(2) / b, w = type.getDimSize(3) / b;
  Value blocks = ctx.transpose(ctx.reshape(x, {n, c, h, b, w, b}),
                               mode == "DCR"
                                   ? ArrayRef<int64_t>{0, 3, 5, 1, 2, 4}
                                   : ArrayRef<int64_t>{0, 1, 3, 5, 2, 4});
  return ctx.setOutput(0, ctx.reshape(blocks, {n, c * b * b, h, w}));
}

/// CumSum: the running sum along an axis, as a product with a triangular
/// matrix of ones (exact for integers; the axis moved last and back).
LogicalResult importCumSum(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  std::optional<double> axisValue = ctx.constantScalar(1, "axis");
  if (!axisValue)
    return failure();
  int64_t rank = std::max<int64_t>(type.getRank(), 1);
  std::optional<int64_t> axis =
      ctx.normalizeAxis(static_cast<int64_t>(*axisValue), rank);
  if (!axis)
    return failure();
  bool exclusive = ctx.intAttr("exclusive", 0);
  bool reverse = ctx.intAttr("reverse", 0);
  if (type.getRank() == 0)
    return ctx.setOutput(0, exclusive ? ctx.create<SubOp>(x, x) : x);
  // Rows [..., n] times T[j, i] = (j <= i), or <, >=, > for the variants.
  SmallVector<int64_t> permutation =
      llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  std::swap(permutation[*axis], permutation.back());
  Value rows = ctx.transpose(x, permutation);
  int64_t n = type.getDimSize(*axis);
  if (type.getRank() == 1)
    rows = ctx.reshape(rows, {1, n});
  auto iota = llvm::to_vector(llvm::seq<int64_t>(0, n));
  Value from = i64Constant(ctx, {n, 1}, iota);
  Value to = i64Constant(ctx, {1, n}, iota);
  CompareKind kind = reverse ? (exclusive ? CompareKind::GT : CompareKind::GE)
                             : (exclusive ? CompareKind::LT : CompareKind::LE);
  Value triangle = ctx.castTo(ctx.create<CompareOp>(kind, from, to),
                              type.getElementType());
  Value sums = ctx.create<MatmulOp>(rows, triangle);
  if (type.getRank() == 1)
    sums = ctx.reshape(sums, {n});
  return ctx.setOutput(0, ctx.transpose(sums, permutation));
}

/// A constant [rows, columns] i1 mask, true where `keep(row, column)`.
Value maskConstant(NodeContext &ctx, int64_t rows, int64_t columns,
                   function_ref<bool(int64_t, int64_t)> keep) {
  SmallVector<bool> mask;
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t column = 0; column < columns; ++column)
      mask.push_back(keep(row, column));
  auto type = RankedTensorType::get({rows, columns},
                                    IntegerType::get(ctx.context(), 1));
  return ctx.constant(DenseElementsAttr::get(type, mask));
}

LogicalResult importTrilu(NodeContext &ctx) {
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  if (type.getRank() < 2)
    return ctx.error("input must have rank 2 or more");
  bool upper = ctx.intAttr("upper", 1);
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    std::optional<double> given = ctx.constantScalar(1, "k");
    if (!given)
      return failure();
    k = static_cast<int64_t>(*given);
  }
  Value mask = maskConstant(
      ctx, type.getDimSize(type.getRank() - 2), type.getShape().back(),
      [&](int64_t row, int64_t column) {
        return upper ? column - row >= k : column - row <= k;
      });
  return ctx.setOutput(
      0, ctx.create<WhereOp>(mask, x, ctx.scalar(type.getElementType(), 0)));
}

LogicalResult importEyeLike(NodeContext &ctx) {
  RankedTensorType type = typeOf(ctx.input(0));
  if (type.getRank() != 2)
    return ctx.error("input must be a matrix");
  Type elementType = type.getElementType();
  if (ctx.hasAttribute("dtype")) {
    int64_t dtype = ctx.intAttr("dtype", 0);
    elementType = convertElementType(ctx.context(), dtype);
    if (!elementType)
      return ctx.error("dtype " + dataTypeName(dtype) + " is not supported");
  }
  int64_t k = ctx.intAttr("k", 0);
  Value mask = maskConstant(ctx, type.getDimSize(0), type.getDimSize(1),
                            [&](int64_t row, int64_t column) {
                              return column - row == k;
                            });
  return ctx.setOutput(0, ctx.castTo(mask, elementType));
}

/// OneHot: compare the indices (negative ones count from the depth) with
/// an iota along the new axis, then pick from values = [off, on].
LogicalResult importOneHot(NodeContext &ctx) {
  Value indices = ctx.input(0), values = ctx.input(2);
  RankedTensorType indexType = typeOf(indices);
  std::optional<double> depthValue = ctx.constantScalar(1, "depth");
  if (!depthValue)
    return failure();
  auto depth = static_cast<int64_t>(*depthValue);
  if (depth < 1)
    return ctx.error("depth must be positive");
  if (typeOf(values).getNumElements() != 2)
    return ctx.error("values must be [off, on]");
  int64_t rank = indexType.getRank() + 1;
  std::optional<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), rank);
  if (!axis)
    return failure();
  Value index = ctx.castTo(indices, i64Type(ctx));
  Value negative = ctx.create<CompareOp>(CompareKind::LT, index,
                                         ctx.scalar(i64Type(ctx), 0));
  index = ctx.create<WhereOp>(
      negative, ctx.create<AddOp>(index, ctx.scalar(i64Type(ctx), depth)),
      index);
  SmallVector<int64_t> shape(indexType.getShape());
  shape.insert(shape.begin() + *axis, 1);
  index = ctx.reshape(index, shape);
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[*axis] = depth;
  Value iota = i64Constant(ctx, iotaShape,
                           llvm::to_vector(llvm::seq<int64_t>(0, depth)));
  Value hot = ctx.create<CompareOp>(CompareKind::EQ, index, iota);
  Value flat = ctx.reshape(values, {2});
  auto pick = [&](int64_t i) {
    return ctx.reshape(ctx.create<SliceOp>(flat, ArrayRef<int64_t>{i},
                                           ArrayRef<int64_t>{i + 1},
                                           ArrayRef<int64_t>{1}),
                       {});
  };
  return ctx.setOutput(0, ctx.create<WhereOp>(hot, pick(1), pick(0)));
}

} // namespace

void addTensorRules(RuleTable &table) {
  llvm::StringRef d = kDefaultDomain;
  table.add(d, "Reshape", importReshape, 5, 2);
  table.add(d, "Flatten", importFlatten);
  table.add(d, "Squeeze", importSqueeze);
  table.add(d, "Unsqueeze", importUnsqueeze);
  table.add(d, "Transpose", importTranspose);
  table.add(d, "Concat", importConcat);
  table.add(d, "Split", importSplit);
  table.add(d, "Slice", importSlice);
  table.add(d, "Gather", importGather, 1, 2);
  table.add(d, "GatherElements", importGatherElements, 11, 2);
  table.add(d, "GatherND", importGatherND, 11, 2);
  table.add(d, "Expand", importExpand, 8, 2);
  table.add(d, "Pad", importPad);
  table.add(d, "Shape", importShape);
  table.add(d, "Size", importSize);
  table.add(d, "ConstantOfShape", importConstantOfShape, 9);
  table.add(d, "Constant", importConstant, 1, /*requiredInputs=*/0);
  table.add(d, "Range", importRange, 11, 3);
  table.add(d, "Tile", importTile, 6, 2);
  table.add(d, "DepthToSpace", importDepthToSpace);
  table.add(d, "SpaceToDepth", importSpaceToDepth);
  table.add(d, "Trilu", importTrilu, 14);
  table.add(d, "CumSum", importCumSum, 11, 2);
  table.add(d, "EyeLike", importEyeLike, 9);
  table.add(d, "OneHot", importOneHot, 11, 3);
}

} // namespace pith::importer
