//===- PithOps.cpp - pith operations: type inference and verifiers --------===//
//
// Part of pith. Result type inference (which is also where most ops check
// their operands and attributes, since inference runs first during
// verification) and the verifiers of ops whose result type is explicit.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"

#include "dialects/pith/PithFolds.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::pith;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Appends the numpy broadcast of `types`' shapes to `shape`, or reports
/// the first pair that does not broadcast.
static LogicalResult broadcastShapes(std::optional<Location> loc,
                                     ArrayRef<RankedTensorType> types,
                                     SmallVectorImpl<int64_t> &shape) {
  SmallVector<int64_t> result(types.front().getShape());
  for (RankedTensorType type : types.drop_front()) {
    SmallVector<int64_t> next;
    if (!OpTrait::util::getBroadcastedShape(result, type.getShape(), next)) {
      return emitOptionalError(loc, "operand types ", types.front(), " and ",
                               type, " do not broadcast");
    }
    result = std::move(next);
  }
  shape.append(result.begin(), result.end());
  return success();
}

static LogicalResult checkAxis(std::optional<Location> loc, int64_t axis,
                               int64_t rank, StringRef what = "axis") {
  if (axis < 0 || axis >= rank) {
    return emitOptionalError(loc, what, " ", axis,
                             " is out of range for rank ", rank);
  }
  return success();
}

/// Checks that a gather along `axis` of `input` has something to take when
/// it has indices to take it at.
static LogicalResult checkGatherSource(std::optional<Location> loc,
                                       RankedTensorType input, int64_t axis,
                                       RankedTensorType indices) {
  if (input.getDimSize(axis) == 0 && indices.getNumElements() != 0) {
    return emitOptionalError(loc, "cannot gather from the empty axis ", axis,
                             " of ", input);
  }
  return success();
}

/// Checks that every element of `values` is at least `minimum`.
static LogicalResult checkAtLeast(std::optional<Location> loc,
                                  ArrayRef<int64_t> values, int64_t minimum,
                                  StringRef name) {
  for (int64_t value : values) {
    if (value < minimum) {
      return emitOptionalError(loc, "'", name, "' entries must be at least ",
                               minimum, ", got ", value);
    }
  }
  return success();
}

static LogicalResult checkCount(std::optional<Location> loc,
                                ArrayRef<int64_t> values, size_t expected,
                                StringRef name) {
  if (values.size() != expected) {
    return emitOptionalError(loc, "'", name, "' must have ", expected,
                             " entries, got ", values.size());
  }
  return success();
}

/// Checks a bias operand of shape [features] with the given element type.
static LogicalResult checkBias(std::optional<Location> loc, Value bias,
                               int64_t features, Type elementType) {
  if (!bias)
    return success();
  RankedTensorType type = tensorType(bias);
  auto expected = RankedTensorType::get({features}, elementType);
  if (type != expected)
    return emitOptionalError(loc, "bias must be ", expected, ", got ", type);
  return success();
}

/// Checks that a sliding-window op's input is [N, C, D1..Dk], k in 1..3.
static LogicalResult checkSpatialInput(std::optional<Location> loc,
                                       RankedTensorType inputType) {
  if (inputType.getRank() < 3 || inputType.getRank() > 5) {
    return emitOptionalError(loc, "input must be [N, C, D1..Dk] with 1 to 3 "
                                  "spatial dimensions, got ",
                             inputType);
  }
  return success();
}

/// Checks the kernel/stride/dilation/pad attributes of a sliding-window op
/// on `inputType` ([N, C, D1..Dk]) and appends the output's spatial extents.
static LogicalResult
inferWindowExtents(std::optional<Location> loc, RankedTensorType inputType,
                   ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                   ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                   bool ceilMode, SmallVectorImpl<int64_t> &extents) {
  int64_t spatialRank = inputType.getRank() - 2;
  if (failed(checkCount(loc, kernel, spatialRank, "kernel")) ||
      failed(checkCount(loc, strides, spatialRank, "strides")) ||
      failed(checkCount(loc, dilations, spatialRank, "dilations")) ||
      failed(checkCount(loc, pads, 2 * spatialRank, "pads")) ||
      failed(checkAtLeast(loc, kernel, 1, "kernel")) ||
      failed(checkAtLeast(loc, strides, 1, "strides")) ||
      failed(checkAtLeast(loc, dilations, 1, "dilations")) ||
      failed(checkAtLeast(loc, pads, 0, "pads")))
    return failure();
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t padded =
        inputType.getDimSize(2 + i) + pads[i] + pads[spatialRank + i];
    int64_t window = dilations[i] * (kernel[i] - 1) + 1;
    if (padded < window) {
      return emitOptionalError(loc, "window of extent ", window,
                               " does not fit the padded input extent ",
                               padded, " of spatial dimension ", i);
    }
    int64_t extent = (padded - window) / strides[i] + 1;
    if (ceilMode && (padded - window) % strides[i] != 0) {
      // Round up, unless the extra window would start in the end padding.
      if (extent * strides[i] < inputType.getDimSize(2 + i) + pads[i])
        ++extent;
    }
    extents.push_back(extent);
  }
  return success();
}

/// Checks the scale and zero point of quantize/dequantize against the data
/// they apply to, and the granularity that `axis` and `blockSize` select.
static LogicalResult checkQuantParams(std::optional<Location> loc,
                                      RankedTensorType dataType,
                                      RankedTensorType scaleType,
                                      Value zeroPoint, Type storageType,
                                      std::optional<uint64_t> axisAttr,
                                      std::optional<uint64_t> blockSizeAttr) {
  if (blockSizeAttr && !axisAttr)
    return emitOptionalError(loc, "'block_size' requires 'axis'");
  if (!axisAttr) {
    if (scaleType.getRank() != 0) {
      return emitOptionalError(loc, "per-tensor scale must have rank 0, got ",
                               scaleType,
                               " (set 'axis' for per-axis or blocked scales)");
    }
  } else {
    auto axis = static_cast<int64_t>(*axisAttr);
    if (failed(checkAxis(loc, axis, dataType.getRank())))
      return failure();
    int64_t extent = dataType.getDimSize(axis);
    if (!blockSizeAttr) {
      if (scaleType.getRank() != 1 || scaleType.getDimSize(0) != extent) {
        return emitOptionalError(loc, "per-axis scale must have shape [",
                                 extent, "] (the extent of axis ", axis,
                                 "), got ", scaleType);
      }
    } else {
      auto blockSize = static_cast<int64_t>(*blockSizeAttr);
      if (blockSize < 1) {
        return emitOptionalError(loc, "'block_size' must be positive, got ",
                                 blockSize);
      }
      SmallVector<int64_t> expected(dataType.getShape());
      expected[axis] = llvm::divideCeil(extent, blockSize);
      if (scaleType.getShape() != ArrayRef<int64_t>(expected)) {
        return emitOptionalError(
            loc, "blocked scale must have shape ",
            RankedTensorType::get(expected, scaleType.getElementType()),
            " (axis ", axis, " divided into blocks of ", blockSize, "), got ",
            scaleType);
      }
    }
  }
  if (!zeroPoint)
    return success();
  RankedTensorType zeroPointType = tensorType(zeroPoint);
  if (zeroPointType.getShape() != scaleType.getShape() ||
      zeroPointType.getElementType() != storageType) {
    return emitOptionalError(
        loc, "zero point must be ",
        RankedTensorType::get(scaleType.getShape(), storageType),
        " (the scale's shape, the storage element type), got ",
        zeroPointType);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::verify() {
  Type elementType = getInput().getType().getElementType();
  for (std::optional<TypedAttr> bound : {getMinAttr(), getMaxAttr()}) {
    if (bound && *bound && bound->getType() != elementType) {
      return emitOpError("bounds must have the element type ") << elementType
             << ", got " << *bound;
    }
  }
  auto lower = dyn_cast_if_present<FloatAttr>(getMinAttr());
  auto upper = dyn_cast_if_present<FloatAttr>(getMaxAttr());
  if (lower && upper && lower.getValue() > upper.getValue())
    return emitOpError("'min' exceeds 'max'");
  auto lowerInt = dyn_cast_if_present<IntegerAttr>(getMinAttr());
  auto upperInt = dyn_cast_if_present<IntegerAttr>(getMaxAttr());
  if (lowerInt && upperInt) {
    bool isUnsigned = elementType.isUnsignedInteger();
    if (isUnsigned ? lowerInt.getValue().ugt(upperInt.getValue())
                   : lowerInt.getValue().sgt(upperInt.getValue()))
      return emitOpError("'min' exceeds 'max'");
  }
  return success();
}

/// Shared by every binary elementwise op (see Pith_BinaryOp in PithOps.td).
static LogicalResult inferBroadcastResult(std::optional<Location> loc, Value lhs,
                                       Value rhs, Type elementType,
                                       SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(loc, {tensorType(lhs), tensorType(rhs)}, shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, elementType));
  return success();
}


LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return inferBroadcastResult(loc, adaptor.getLhs(), adaptor.getRhs(),
                              IntegerType::get(context, 1), types);
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  SmallVector<int64_t> shape;
  RankedTensorType onTrue = tensorType(adaptor.getOnTrue());
  if (failed(broadcastShapes(loc,
                             {tensorType(adaptor.getCondition()), onTrue,
                              tensorType(adaptor.getOnFalse())},
                             shape)))
    return failure();
  types.push_back(RankedTensorType::get(shape, onTrue.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions and convolution
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType lhs = tensorType(adaptor.getLhs());
  RankedTensorType rhs = tensorType(adaptor.getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2) {
    return emitOptionalError(loc, "operands must have rank 2 or more, got ",
                             lhs, " and ", rhs);
  }
  int64_t lhsK = lhs.getShape().back();
  int64_t rhsK = rhs.getShape()[rhs.getRank() - 2];
  if (lhsK != rhsK) {
    return emitOptionalError(loc, "contracting dimensions differ: lhs ", lhs,
                             " has K = ", lhsK, ", rhs ", rhs, " has K = ",
                             rhsK);
  }
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(lhs.getShape().drop_back(2),
                                          rhs.getShape().drop_back(2),
                                          shape)) {
    return emitOptionalError(loc, "batch dimensions of ", lhs, " and ", rhs,
                             " do not broadcast");
  }
  shape.push_back(lhs.getShape()[lhs.getRank() - 2]);
  shape.push_back(rhs.getShape().back());
  types.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType weight = tensorType(adaptor.getWeight());
  if (input.getRank() < 1)
    return emitOptionalError(loc, "input must have rank 1 or more");
  if (weight.getRank() != 2)
    return emitOptionalError(loc, "weight must be [N, K], got ", weight);
  int64_t features = weight.getDimSize(0);
  if (input.getShape().back() != weight.getDimSize(1)) {
    return emitOptionalError(loc, "input ", input, " has K = ",
                             input.getShape().back(), " but weight ", weight,
                             " has K = ", weight.getDimSize(1));
  }
  if (failed(checkBias(loc, adaptor.getBias(), features,
                       input.getElementType())))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  shape.back() = features;
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType weight = tensorType(adaptor.getWeight());
  if (failed(checkSpatialInput(loc, input)))
    return failure();
  if (weight.getRank() != input.getRank()) {
    return emitOptionalError(loc, "weight ", weight,
                             " must have the input's rank ", input.getRank());
  }
  auto groups = static_cast<int64_t>(adaptor.getGroups());
  if (groups < 1)
    return emitOptionalError(loc, "'groups' must be positive, got ", groups);
  int64_t channels = input.getDimSize(1);
  int64_t filters = weight.getDimSize(0);
  if (channels % groups != 0 || filters % groups != 0) {
    return emitOptionalError(loc, "input channels (", channels,
                             ") and filters (", filters,
                             ") must be multiples of groups (", groups, ")");
  }
  if (weight.getDimSize(1) * groups != channels) {
    return emitOptionalError(loc, "weight ", weight, " must have ",
                             channels / groups,
                             " input channels per group, got ",
                             weight.getDimSize(1));
  }
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  if (failed(inferWindowExtents(loc, input, weight.getShape().drop_front(2), adaptor.getStrides(),
                                adaptor.getPads(), adaptor.getDilations(),
                                /*ceilMode=*/false, shape)) ||
      failed(checkBias(loc, adaptor.getBias(), filters,
                       input.getElementType())))
    return failure();
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Shared by the pooling ops (see Pith_PoolOp in PithOps.td).
template <typename Adaptor>
static LogicalResult inferPoolResult(std::optional<Location> loc,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  int64_t spatialRank = input.getRank() - 2;
  SmallVector<int64_t> shape = {input.getDimSize(0), input.getDimSize(1)};
  if (failed(checkSpatialInput(loc, input)) ||
      failed(inferWindowExtents(loc, input, kernel, adaptor.getStrides(),
                                adaptor.getPads(), adaptor.getDilations(),
                                adaptor.getCeilMode(), shape)))
    return failure();
  // A window lying wholly in the padding would have nothing to pool.
  for (int64_t i = 0; i < spatialRank; ++i) {
    int64_t window = adaptor.getDilations()[i] * (kernel[i] - 1) + 1;
    for (int64_t pad : {adaptor.getPads()[i], adaptor.getPads()[spatialRank + i]}) {
      if (pad >= window) {
        return emitOptionalError(loc, "pad ", pad,
                                 " is not smaller than the window extent ",
                                 window, " of spatial dimension ", i);
      }
    }
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalization
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (axes.empty())
    return emitOptionalError(loc, "'axes' must name at least one axis");
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (failed(checkAxis(loc, axis, input.getRank())))
      return failure();
    if (i > 0 && axes[i - 1] >= axis)
      return emitOptionalError(loc, "'axes' must be strictly increasing");
  }
  SmallVector<int64_t> shape;
  for (auto [dim, extent] : llvm::enumerate(input.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(dim)))
      shape.push_back(extent);
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

/// Shared by arg_max and arg_min (see Pith_ArgReduceOp in PithOps.td).
template <typename Adaptor>
static LogicalResult inferArgReduceResult(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  if (failed(checkAxis(loc, axis, input.getRank())))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  if (adaptor.getKeepdims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  types.push_back(RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  auto k = static_cast<int64_t>(adaptor.getK());
  if (failed(checkAxis(loc, axis, input.getRank())))
    return failure();
  if (k < 0 || k > input.getDimSize(axis)) {
    return emitOptionalError(loc, "k = ", k, " is not within the extent ",
                             input.getDimSize(axis), " of axis ", axis);
  }
  SmallVector<int64_t> shape(input.getShape());
  shape[axis] = k;
  types.push_back(input.clone(shape));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

/// Shared by softmax and log_softmax (see Pith_SoftmaxLikeOp in PithOps.td).
static LogicalResult verifySoftmaxAxis(Operation *op, uint64_t axis) {
  return checkAxis(op->getLoc(), static_cast<int64_t>(axis),
                   tensorType(op->getOperand(0)).getRank());
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = getInput().getType();
  auto axis = static_cast<int64_t>(getAxis());
  if (failed(checkAxis(getLoc(), axis, input.getRank())))
    return failure();
  auto normalized =
      RankedTensorType::get(input.getShape().drop_front(axis),
                            input.getElementType());
  for (Value operand : {getScale(), getBias()}) {
    if (operand && operand.getType() != normalized) {
      return emitOpError("scale and bias must be ")
             << normalized << " (the normalized axes), got "
             << operand.getType();
    }
  }
  return success();
}

LogicalResult BatchNormOp::verify() {
  RankedTensorType input = getInput().getType();
  if (input.getRank() < 2)
    return emitOpError("input must be [N, C, ...], got ") << input;
  auto statistics = RankedTensorType::get({input.getDimSize(1)},
                                          input.getElementType());
  if (getScale().getType() != statistics) {
    return emitOpError("scale, bias, mean and variance must be ")
           << statistics << " (one per channel), got "
           << getScale().getType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType output = getOutput().getType();
  if (input.getElementType() != output.getElementType())
    return emitOpError("cannot change the element type; use pith.cast");
  if (input.getNumElements() != output.getNumElements()) {
    return emitOpError("cannot reshape ")
           << input << " (" << input.getNumElements() << " elements) to "
           << output << " (" << output.getNumElements() << " elements)";
  }
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  if (failed(checkCount(loc, permutation, input.getRank(), "permutation")))
    return failure();
  SmallVector<bool> seen(input.getRank(), false);
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation) {
    if (dim < 0 || dim >= input.getRank() || seen[dim]) {
      return emitOptionalError(loc, "'permutation' is not a permutation of 0..",
                               input.getRank() - 1);
    }
    seen[dim] = true;
    shape.push_back(input.getDimSize(dim));
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one operand");
  RankedTensorType first = tensorType(adaptor.getInputs().front());
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  if (failed(checkAxis(loc, axis, first.getRank())))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (Value input : adaptor.getInputs().drop_front()) {
    RankedTensorType type = tensorType(input);
    bool compatible = type.getRank() == first.getRank();
    for (int64_t dim = 0; compatible && dim < first.getRank(); ++dim)
      compatible = dim == axis || type.getDimSize(dim) == shape[dim];
    if (!compatible) {
      return emitOptionalError(loc, "operand ", type,
                               " does not match ", first,
                               " outside axis ", axis);
    }
    shape[axis] += type.getDimSize(axis);
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SplitOp::verify() {
  RankedTensorType input = getInput().getType();
  auto axis = static_cast<int64_t>(getAxis());
  if (failed(checkAxis(getLoc(), axis, input.getRank())))
    return failure();
  int64_t total = 0;
  for (Type type : getOutputs().getTypes()) {
    auto output = cast<RankedTensorType>(type);
    bool compatible = output.getRank() == input.getRank();
    for (int64_t dim = 0; compatible && dim < input.getRank(); ++dim)
      compatible = dim == axis || output.getDimSize(dim) == input.getDimSize(dim);
    if (!compatible) {
      return emitOpError("result ") << output << " does not match the input "
                                    << input << " outside axis " << axis;
    }
    total += output.getDimSize(axis);
  }
  if (total != input.getDimSize(axis)) {
    return emitOpError("results cover ")
           << total << " positions of axis " << axis << ", the input has "
           << input.getDimSize(axis);
  }
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  int64_t rank = input.getRank();
  ArrayRef<int64_t> starts = adaptor.getStarts();
  ArrayRef<int64_t> limits = adaptor.getLimits();
  ArrayRef<int64_t> steps = adaptor.getSteps();
  if (failed(checkCount(loc, starts, rank, "starts")) ||
      failed(checkCount(loc, limits, rank, "limits")) ||
      failed(checkCount(loc, steps, rank, "steps")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t extent = input.getDimSize(dim);
    int64_t start = starts[dim], limit = limits[dim], step = steps[dim];
    bool inRange = step > 0 ? 0 <= start && start <= limit && limit <= extent
                            : -1 <= limit && limit <= start && start < extent;
    if (step == 0 || !inRange) {
      return emitOptionalError(loc, "slice [", start, ":", limit, ":", step,
                               "] of dimension ", dim, " (extent ", extent,
                               ") is not a valid in-range slice");
    }
    shape.push_back(step > 0 ? llvm::divideCeil(limit - start, step)
                             : llvm::divideCeil(start - limit, -step));
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  if (failed(checkAxis(loc, axis, input.getRank())) ||
      failed(checkGatherSource(loc, input, axis, indices)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *,
                                                 std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  if (failed(checkAxis(loc, axis, input.getRank())))
    return failure();
  bool fits = indices.getRank() == input.getRank();
  if (fits && failed(checkGatherSource(loc, input, axis, indices)))
    return failure();
  for (int64_t dim = 0; fits && dim < input.getRank(); ++dim)
    fits = dim == axis || indices.getDimSize(dim) <= input.getDimSize(dim);
  if (!fits) {
    return emitOptionalError(loc, "indices ", indices,
                             " must have the rank of ", input,
                             " and no larger extents outside axis ", axis);
  }
  types.push_back(indices.clone(input.getElementType()));
  return success();
}

LogicalResult GatherNdOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  auto batchDims = static_cast<int64_t>(adaptor.getBatchDims());
  if (indices.getRank() < 1)
    return emitOptionalError(loc, "indices must have rank 1 or more");
  int64_t depth = indices.getShape().back();
  if (batchDims < 0 || batchDims >= indices.getRank() ||
      batchDims + depth > input.getRank()) {
    return emitOptionalError(loc, "batch_dims ", batchDims, " and ", depth,
                             " coordinates do not fit input ", input);
  }
  if (input.getShape().take_front(batchDims) !=
      indices.getShape().take_front(batchDims)) {
    return emitOptionalError(loc, "the first ", batchDims,
                             " axes of input and indices must match");
  }
  for (int64_t axis = batchDims; axis < batchDims + depth; ++axis) {
    if (failed(checkGatherSource(loc, input, axis, indices)))
      return failure();
  }
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, input.getShape().drop_front(batchDims + depth));
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ExpandOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType output = getOutput().getType();
  if (input.getElementType() != output.getElementType())
    return emitOpError("cannot change the element type; use pith.cast");
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(input.getShape(), output.getShape(),
                                          shape) ||
      ArrayRef<int64_t>(shape) != output.getShape())
    return emitOpError("cannot broadcast ") << input << " to " << output;
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  int64_t rank = input.getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (failed(checkCount(loc, pads, 2 * rank, "pads")) ||
      failed(checkAtLeast(loc, pads, 0, "pads")))
    return failure();
  PadMode mode = adaptor.getMode();
  SmallVector<int64_t> shape;
  for (int64_t dim = 0; dim < rank; ++dim) {
    int64_t extent = input.getDimSize(dim);
    int64_t widest = std::max(pads[dim], pads[rank + dim]);
    if (mode == PadMode::Reflect && widest >= extent) {
      return emitOptionalError(loc, "reflect padding of ", widest,
                               " needs an extent above it, dimension ", dim,
                               " has ", extent);
    }
    if (mode == PadMode::Edge && widest > 0 && extent == 0) {
      return emitOptionalError(loc, "edge padding of empty dimension ", dim);
    }
    shape.push_back(extent + pads[dim] + pads[rank + dim]);
  }
  types.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType output = getOutput().getType();
  RankedTensorType scale = getScale().getType();
  if (input.getShape() != output.getShape()) {
    return emitOpError("result ")
           << output << " must have the input's shape " << input;
  }
  if (scale.getElementType() != input.getElementType()) {
    return emitOpError("scale ")
           << scale << " must have the input's element type "
           << input.getElementType();
  }
  return checkQuantParams(getLoc(), input, scale, getZeroPoint(),
                          output.getElementType(), getAxis(), getBlockSize());
}

LogicalResult DequantizeOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  RankedTensorType input = tensorType(adaptor.getInput());
  RankedTensorType scale = tensorType(adaptor.getScale());
  if (failed(checkQuantParams(loc, input, scale, adaptor.getZeroPoint(),
                              input.getElementType(), adaptor.getAxis(),
                              adaptor.getBlockSize())))
    return failure();
  types.push_back(
      RankedTensorType::get(input.getShape(), scale.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Sparsity
//===----------------------------------------------------------------------===//

LogicalResult DensifyOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  RankedTensorType values = tensorType(adaptor.getValues());
  RankedTensorType positions = tensorType(adaptor.getPositions());
  int64_t n = adaptor.getN(), m = adaptor.getM();
  if (n <= 0 || m <= n)
    return emitOptionalError(loc, "needs 0 < n < m, got ", n, ":", m);
  if (values.getRank() != 2 || values.getShape() != positions.getShape())
    return emitOptionalError(loc, "values ", values, " and positions ",
                             positions, " must be matrices of one shape");
  if (values.getDimSize(1) % n != 0)
    return emitOptionalError(loc, "a row's ", values.getDimSize(1),
                             " values do not divide into groups of ", n);
  if (m > (int64_t{1} << positions.getElementTypeBitWidth()))
    return emitOptionalError(loc, "positions ", positions.getElementType(),
                             " cannot reach ", m - 1);
  types.push_back(RankedTensorType::get(
      {values.getDimSize(0), values.getDimSize(1) / n * m},
      values.getElementType()));
  return success();
}

LogicalResult
MaskedDensifyOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &types) {
  RankedTensorType values = tensorType(adaptor.getValues());
  RankedTensorType mask = tensorType(adaptor.getMask());
  if (values.getRank() != 1)
    return emitOptionalError(loc, "values ", values, " must be a vector");
  if (mask.getRank() != 2)
    return emitOptionalError(loc, "mask ", mask, " must be a matrix");
  if (values.getDimSize(0) > mask.getNumElements())
    return emitOptionalError(loc, values.getDimSize(0),
                             " values do not fit the mask's ",
                             mask.getNumElements(), " elements");
  types.push_back(
      RankedTensorType::get(mask.getShape(), values.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/pith/PithOps.cpp.inc"
