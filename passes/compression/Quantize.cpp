//===- Quantize.cpp - pith-quantize ---------------------------------------===//
//
// Part of pith. Weight-only quantization of linear layers: each constant
// weight becomes narrow integers and scales that pith.dequantize turns
// back into floats, so the layer computes with the quantized weight; the
// lowering fuses the dequantization into the matrix product. Each layer
// records its bytes and its weight error for the report.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "passes/Passes.h"
#include "passes/compression/CompressionUtils.h"
#include "passes/compression/Sparsity.h"
#include "llvm/ADT/StringSwitch.h"

#include <cmath>
#include <limits>

namespace mlir::pith {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;
using namespace mlir::pith::compression;

namespace {

/// f32 lanes of an AVX-512 vector: what convolutions' integer products
/// fill and a rotation's right-hand factor spans.
constexpr int64_t kLanes = 16;

/// A rank-0 f32 constant.
Value f32Scalar(OpBuilder &b, Location loc, float value) {
  return ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), value));
}

/// The bytes of a [rows, cols] weight's `nonzeros` int8 nonzeros in the
/// indexed form, with a scale per row.
uint64_t indexedInt8Bytes(int64_t rows, int64_t cols, int64_t nonzeros) {
  return indexedBytes(rows, cols, nonzeros, sizeof(int8_t)) +
         rows * sizeof(float);
}

struct QuantizePass : mlir::pith::impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;

  void runOnOperation() override {
    Operation *root = getOperation();
    if (bits != 8 && bits != 4 && bits != 2) {
      root->emitError() << "pith-quantize: bits must be 8, 4 or 2, got "
                        << static_cast<int64_t>(bits);
      return signalPassFailure();
    }
    int64_t perByte = 8 / bits;
    if (groupSize < 0 || groupSize % perByte != 0) {
      root->emitError() << "pith-quantize: group-size must be 0 (one scale "
                           "per output channel) or a positive multiple of "
                        << perByte << " for " << static_cast<int64_t>(bits)
                        << "-bit weights, got "
                        << static_cast<int64_t>(groupSize);
      return signalPassFailure();
    }
    FailureOr<LayerSelection> selection =
        LayerSelection::parse(root, only, skip, kinds);
    if (failed(selection))
      return signalPassFailure();
    if (rounding != "nearest" && rounding != "gptq") {
      root->emitError() << "pith-quantize: rounding must be nearest or gptq, "
                           "got '"
                        << rounding << "'";
      return signalPassFailure();
    }
    std::optional<QuantScheme::Activations> activationMode =
        llvm::StringSwitch<std::optional<QuantScheme::Activations>>(activations)
            .Case("none", QuantScheme::Activations::None)
            .Case("dynamic", QuantScheme::Activations::Dynamic)
            .Case("static", QuantScheme::Activations::Static)
            .Default(std::nullopt);
    if (!activationMode) {
      root->emitError() << "pith-quantize: activations must be none, dynamic "
                           "or static, got '"
                        << activations << "'";
      return signalPassFailure();
    }
    std::optional<QuantScheme::Scaling> scalingMode =
        llvm::StringSwitch<std::optional<QuantScheme::Scaling>>(scaling)
            .Case("none", QuantScheme::Scaling::None)
            .Case("awq", QuantScheme::Scaling::Awq)
            .Case("smoothquant", QuantScheme::Scaling::SmoothQuant)
            .Default(std::nullopt);
    if (!scalingMode) {
      root->emitError() << "pith-quantize: scaling must be none, awq or "
                           "smoothquant, got '"
                        << scaling << "'";
      return signalPassFailure();
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      root->emitError() << "pith-quantize: alpha must lie in [0, 1], got "
                        << static_cast<double>(alpha);
      return signalPassFailure();
    }
    if (rotate && *scalingMode != QuantScheme::Scaling::None) {
      root->emitError() << "pith-quantize: rotate and scaling=" << scaling
                        << " are alternatives: both reshape the input "
                           "features' outliers; choose one";
      return signalPassFailure();
    }
    if (rotate && *activationMode == QuantScheme::Activations::Static) {
      root->emitError() << "pith-quantize: rotate needs activations=none or "
                           "dynamic: a static scale is calibrated on x, not "
                           "on the rotated x";
      return signalPassFailure();
    }
    if (damping < 0) {
      root->emitError() << "pith-quantize: damping must not be negative, got "
                        << static_cast<double>(damping);
      return signalPassFailure();
    }
    QuantScheme scheme;
    scheme.bits = bits;
    scheme.groupSize = groupSize;
    scheme.symmetric = symmetric;
    scheme.gptq = rounding == "gptq";
    scheme.actOrder = scheme.gptq && actOrder;
    scheme.activations = *activationMode;
    scheme.scaling = *scalingMode;
    scheme.clipSearch = clip;
    scheme.rotate = rotate;

    for (CandidateLayer &layer : selectedLayers(root, *selection))
      if (failed(quantizeLayer(layer, scheme)))
        return signalPassFailure();
    if (failed(quantizeConvolutions(root, *selection, scheme)))
      return signalPassFailure();
  }

  /// Whether a convolution's integer product can pay for int8 inputs: one
  /// group, filters filling the 16 lanes of its integer dot products, and
  /// windows of at least 32 values. Below that, quantizing the input and
  /// moving the product's rows (the filters its lanes) cost more than the
  /// integer multiply-adds save: a 1x1 convolution of 16 channels into 96
  /// at 112x112 took 2.37 ms with int8 inputs, 1.01 in f32.
  static bool takesInt8Inputs(ConvOp op, int64_t filters, int64_t window) {
    constexpr int64_t kLeastWindow = 32;
    return op.getGroups() == 1 && filters % kLanes == 0 &&
           window >= kLeastWindow;
  }

  /// The convolutions `selection` selects with an f32 constant weight get
  /// their weight quantized with one scale per output channel, rounded to
  /// nearest or by GPTQ (the filters of each group against E[v v^T] of the
  /// group's windows v, which pith-calibrate records), and with dynamic
  /// int8 activations, the input of those whose product can pay for it
  /// (takesInt8Inputs) quantized to int8 with one scale per tensor (a
  /// window of a channel has no row of its own to scale). Groups are for
  /// 1x1 convolutions (of input channels) and linear layers; input
  /// scaling, rotation and static activations for linear layers (one
  /// warning says so where the scheme asks for them).
  LogicalResult quantizeConvolutions(Operation *root,
                                     const LayerSelection &selection,
                                     const QuantScheme &scheme) {
    QuantScheme convScheme;
    convScheme.bits = scheme.bits;
    convScheme.symmetric = scheme.symmetric;
    convScheme.clipSearch = scheme.clipSearch;
    convScheme.gptq = scheme.gptq;
    convScheme.actOrder = scheme.actOrder;
    bool int8Inputs = scheme.activations == QuantScheme::Activations::Dynamic;
    bool narrowed = scheme.rotate ||
                    scheme.scaling != QuantScheme::Scaling::None ||
                    scheme.activations == QuantScheme::Activations::Static;
    bool warned = false;
    WalkResult walk = root->walk([&](ConvOp op) {
      auto constant = op.getWeight().getDefiningOp<ConstantOp>();
      RankedTensorType type = op.getWeight().getType();
      std::string layer = layerName(op);
      if (!constant || !type.getElementType().isF32() ||
          !selection.selects(op, layer))
        return WalkResult::advance();
      int64_t rows = type.getDimSize(0), cols = type.getNumElements() / rows;
      // Groups of input channels where each channel is one column (1x1
      // kernels): the blocked scales [F, C / group, 1...] of pith.dequantize.
      convScheme.groupSize = scheme.groupSize != 0 &&
                                     cols == type.getDimSize(1) &&
                                     cols % scheme.groupSize == 0
                                 ? scheme.groupSize
                                 : 0;
      uint64_t bytesBefore = static_cast<uint64_t>(rows * cols) * sizeof(float);
      uint64_t bytesAfter = quantizedBytes(rows, cols, convScheme);
      std::optional<std::vector<float>> weights =
          pith::detail::readFloats(constant.getValue());
      if (!weights || bytesAfter >= bytesBefore)
        return WalkResult::advance();
      if ((narrowed || convScheme.groupSize != scheme.groupSize) && !warned) {
        op.emitWarning() << "convolution '" << layer << "' and the others get "
                         << convScheme.describe()
                         << " weights: groups are for linear layers and "
                            "1x1 convolutions, input scaling or rotation and "
                            "static int8 activations for linear layers";
        warned = true;
      }
      int64_t groups = op.getGroups();
      std::vector<float> moment;
      if (convScheme.gptq) {
        FailureOr<std::vector<float>> read =
            secondMomentOf(op, layer, {groups, cols, cols}, "GPTQ rounding");
        if (failed(read))
          return WalkResult::interrupt();
        moment = std::move(*read);
      }
      FailureOr<QuantizedMatrix> quantized = quantizeConvolution(
          op, layer, *weights, rows, cols, convScheme, moment);
      if (failed(quantized))
        return WalkResult::interrupt();
      std::vector<float> approximation = dequantize(*quantized, convScheme);
      ErrorStats error = compareWeights(*weights, approximation);
      if (!moment.empty()) {
        // One group's filters are sampled as a linear layer's rows; grouped
        // ones have few filters a group, all taken.
        int64_t sampled = groups == 1 ? std::min(rows, kErrorSampleRows) : rows;
        error.outputError =
            relativeOutputError(sampleRows(*weights, rows, cols, sampled),
                                sampleRows(approximation, rows, cols, sampled),
                                sampled, cols, moment, groups);
      }
      OpBuilder b(op);
      op.getWeightMutable().assign(buildDequantize(
          b, op.getLoc(), weightBaseName(constant.getValue(), layer),
          type.getShape(), *quantized, convScheme));
      if (constant->use_empty())
        constant->erase();
      std::string method = convScheme.describe();
      if (int8Inputs && takesInt8Inputs(op, rows, cols)) {
        op.getInputMutable().assign(
            dynamicInt8(b, op.getLoc(), op.getInput(), /*perRow=*/false));
        method += ", int8 activations per tensor";
      }
      recordCompression(op, layer, method, bytesBefore, bytesAfter, error);
      ++quantizedLayers;
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// A convolution's [rows, cols] weight quantized per output channel:
  /// rounded to nearest, or by GPTQ group by group, each group's filters
  /// against its [cols, cols] block of `moment`.
  FailureOr<QuantizedMatrix> quantizeConvolution(ConvOp op, StringRef layer,
                                                 ArrayRef<float> weights,
                                                 int64_t rows, int64_t cols,
                                                 const QuantScheme &scheme,
                                                 ArrayRef<float> moment) {
    if (!scheme.gptq)
      return quantizeRoundToNearest(weights, rows, cols, scheme);
    int64_t groups = op.getGroups(), rowsPerGroup = rows / groups;
    QuantizedMatrix result;
    result.rows = rows;
    result.cols = cols;
    for (int64_t group = 0; group < groups; ++group) {
      std::optional<QuantizedMatrix> part = quantizeGptq(
          weights.slice(group * rowsPerGroup * cols, rowsPerGroup * cols),
          rowsPerGroup, cols, scheme,
          moment.slice(group * cols * cols, cols * cols),
          static_cast<double>(damping), scheme.actOrder);
      if (!part)
        return op.emitError()
               << "convolution '" << layer << "': E[v v^T] of group " << group
               << "'s windows is not positive definite even with damping "
               << static_cast<double>(damping) << "; raise damping";
      llvm::append_range(result.values, part->values);
      llvm::append_range(result.scales, part->scales);
      llvm::append_range(result.zeroPoints, part->zeroPoints);
    }
    return result;
  }

  /// `quantized` as constants (its integers shaped `shape`, named after
  /// `base`) and their dequantization: one scale (and zero point) per row
  /// of the weight, or per group of columns of a [rows, cols] weight.
  DequantizeOp buildDequantize(OpBuilder &b, Location loc, StringRef base,
                               ArrayRef<int64_t> shape,
                               const QuantizedMatrix &quantized,
                               const QuantScheme &scheme) {
    auto storage = b.getIntegerType(scheme.bits);
    auto values = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(RankedTensorType::get(shape, storage),
                                   (base + "_q" + Twine(scheme.bits)).str(),
                                   asBytes<int8_t>(quantized.values)));
    // Blocked scales have the weight's rank: [rows, cols / group] for a
    // linear layer, [F, C / group, 1...] for a 1x1 convolution.
    SmallVector<int64_t> scaleShape = {quantized.rows};
    if (scheme.groupSize != 0) {
      scaleShape.push_back(quantized.cols / scheme.groupSize);
      scaleShape.append(shape.size() - 2, 1);
    }
    auto scales = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(
            RankedTensorType::get(scaleShape, b.getF32Type()),
            (base + "_scale").str(), asBytes<float>(quantized.scales)));
    Value zeroPoints;
    if (!scheme.symmetric)
      zeroPoints = ConstantOp::create(
          b, loc,
          pith::detail::makeResource(RankedTensorType::get(scaleShape, storage),
                                     (base + "_zero_point").str(),
                                     asBytes<int8_t>(quantized.zeroPoints)));
    IntegerAttr axis = b.getI64IntegerAttr(scheme.groupSize == 0 ? 0 : 1);
    IntegerAttr blockSize = scheme.groupSize == 0
                                ? IntegerAttr()
                                : b.getI64IntegerAttr(scheme.groupSize);
    return DequantizeOp::create(b, loc, values, scales, zeroPoints, axis,
                                blockSize);
  }

  /// The normalized Sylvester-Hadamard matrix of `n`, a constant.
  Value hadamardConstant(OpBuilder &b, Location loc, int64_t n) {
    std::vector<float> matrix(n * n, 0.0f);
    for (int64_t i = 0; i < n; ++i)
      matrix[i * n + i] = 1;
    hadamardRotateRows(matrix, n, n, n);
    return ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get({n, n}, b.getF32Type()),
                               llvm::ArrayRef(matrix)));
  }

  /// `x` ([..., K]) times R = diag(H, ..., H) of `block`: viewed
  /// [..., K / block, a, b] with a * b = block and b at most one vector of
  /// 16 lanes, multiplied by H_a on the left and H_b on the right (H_block
  /// is H_a (x) H_b), a + b multiply-adds per value where R takes block.
  Value rotateInput(OpBuilder &b, Location loc, Value x, int64_t block) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t right = std::min(block, kLanes), left = block / right;
    SmallVector<int64_t> shape(type.getShape().drop_back());
    shape.push_back(type.getShape().back() / block);
    if (left > 1)
      shape.push_back(left);
    shape.push_back(right);
    Value view = ReshapeOp::create(b, loc, type.clone(shape), x);
    if (left > 1)
      view = MatmulOp::create(b, loc, hadamardConstant(b, loc, left), view);
    view = MatmulOp::create(b, loc, view, hadamardConstant(b, loc, right));
    return ReshapeOp::create(b, loc, type, view);
  }

  /// The input of `op` quantized to int8 and back, as `activations` says.
  FailureOr<Value> quantizedInput(OpBuilder &b, LinearOp op, StringRef layer,
                                  QuantScheme::Activations activations,
                                  ArrayRef<float> inputScales) {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    auto int8 = type.clone(b.getIntegerType(8));
    if (activations == QuantScheme::Activations::Static) {
      FailureOr<DictionaryAttr> calibration =
          calibrationOf(op, layer, "static activation quantization");
      if (failed(calibration))
        return failure();
      auto low = calibration->getAs<FloatAttr>("min");
      auto high = calibration->getAs<FloatAttr>("max");
      if (!low || !high)
        return op.emitError()
               << "layer '" << layer << "': its calibration has no min and max";
      double peak = std::max(std::fabs(low.getValueAsDouble()),
                             std::fabs(high.getValueAsDouble()));
      if (!inputScales.empty()) {
        // x diag(1/s): its peak, feature by feature.
        FailureOr<std::vector<float>> channelMax = channelStatistic(
            op, layer, *calibration, "channel_abs_max", inputScales.size());
        if (failed(channelMax))
          return failure();
        peak = 0;
        for (auto [magnitude, scale] : llvm::zip(*channelMax, inputScales))
          peak = std::max(peak, static_cast<double>(magnitude) / scale);
      }
      Value scale =
          f32Scalar(b, loc, peak > 0 ? static_cast<float>(peak / 127) : 1.0f);
      Value q = QuantizeOp::create(b, loc, int8, x, scale, Value(),
                                   IntegerAttr(), IntegerAttr());
      return DequantizeOp::create(b, loc, q, scale, Value(), IntegerAttr(),
                                  IntegerAttr())
          .getResult();
    }
    return dynamicInt8(b, loc, x, /*perRow=*/true);
  }

  /// `x` through int8 and back, with scales computed at run time that map
  /// the largest magnitude m to 127 (a tiny one where all are zero, which
  /// quantizes them to zeros): one per row along the last axis (`perRow`:
  /// per token), else one for the whole tensor. x is multiplied by 127 / m
  /// and rounded (quantized with scale 1), and the integers dequantized
  /// with m / 127: a multiplication an element where a division costs
  /// several.
  Value dynamicInt8(OpBuilder &b, Location loc, Value x, bool perRow) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t last = type.getRank() - 1;
    SmallVector<int64_t> axes = {last};
    if (!perRow)
      axes = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    Value peak =
        MaxOp::create(b, loc,
                      ReduceOp::create(b, loc, ReduceKind::Max,
                                       AbsOp::create(b, loc, x), axes, perRow),
                      f32Scalar(b, loc, std::numeric_limits<float>::min()));
    Value levels = f32Scalar(b, loc, 127.0f);
    Value scale = DivOp::create(b, loc, peak, levels);
    Value inverse = DivOp::create(b, loc, levels, peak);
    IntegerAttr axis = perRow ? b.getI64IntegerAttr(last) : IntegerAttr();
    IntegerAttr row =
        perRow ? b.getI64IntegerAttr(type.getShape()[last]) : IntegerAttr();
    Value q = QuantizeOp::create(b, loc, type.clone(b.getIntegerType(8)),
                                 MulOp::create(b, loc, x, inverse),
                                 f32Scalar(b, loc, 1.0f), Value(),
                                 IntegerAttr(), IntegerAttr());
    return DequantizeOp::create(b, loc, q, scale, Value(), axis, row)
        .getResult();
  }

  /// A [count] statistic of the layer's input features from its
  /// calibration.
  FailureOr<std::vector<float>> channelStatistic(LinearOp op, StringRef layer,
                                                 DictionaryAttr calibration,
                                                 StringRef name,
                                                 int64_t count) {
    auto value = calibration.getAs<ElementsAttr>(name);
    std::optional<std::vector<float>> values =
        value ? pith::detail::readFloats(value) : std::nullopt;
    if (!values || static_cast<int64_t>(values->size()) != count)
      return op.emitError() << "layer '" << layer << "': its calibration's "
                            << name << " is not " << count << " f32 values";
    return std::move(*values);
  }

  /// The input scales `scheme.scaling` asks for, or none; `moment` is
  /// E[x x^T] (AWQ judges its exponent by it).
  FailureOr<std::vector<float>> inputScalesOf(LinearOp op, StringRef layer,
                                              ArrayRef<float> weights,
                                              int64_t rows, int64_t cols,
                                              const QuantScheme &scheme,
                                              ArrayRef<float> moment) {
    if (scheme.scaling == QuantScheme::Scaling::None)
      return std::vector<float>();
    bool awq = scheme.scaling == QuantScheme::Scaling::Awq;
    FailureOr<DictionaryAttr> calibration =
        calibrationOf(op, layer, awq ? "AWQ scaling" : "SmoothQuant scaling");
    if (failed(calibration))
      return failure();
    if (!awq) {
      FailureOr<std::vector<float>> channelMax =
          channelStatistic(op, layer, *calibration, "channel_abs_max", cols);
      if (failed(channelMax))
        return failure();
      return smoothQuantScales(weights, rows, cols, *channelMax,
                               static_cast<double>(alpha));
    }
    FailureOr<std::vector<float>> channelMean =
        channelStatistic(op, layer, *calibration, "channel_abs_mean", cols);
    if (failed(channelMean))
      return failure();
    return awqScales(weights, rows, cols, scheme, *channelMean, moment);
  }

  /// An N:M layer under symmetric per-channel weights, rounded to nearest:
  /// its kept values quantized alone (a row's extreme is among them, and
  /// zero stays zero, so the layer computes what the dense weight's
  /// quantization would), stored as densify(dequantize(q, s), positions).
  void quantizeKept(CandidateLayer &candidate, DensifyOp densify,
                    const QuantScheme &scheme) {
    LinearOp op = candidate.op;
    auto valuesType = cast<RankedTensorType>(densify.getValues().getType());
    int64_t rows = valuesType.getDimSize(0), kept = valuesType.getDimSize(1);
    RankedTensorType weightType = op.getWeight().getType();
    int64_t cols = weightType.getDimSize(1);
    std::optional<std::vector<float>> values = pith::detail::readFloats(
        densify.getValues().getDefiningOp<ConstantOp>().getValue());
    std::optional<std::vector<int8_t>> positions = pith::detail::readBytes(
        densify.getPositions().getDefiningOp<ConstantOp>().getValue());
    if (!values || !positions)
      return;
    QuantizedMatrix quantized =
        quantizeRoundToNearest(*values, rows, kept, scheme);
    int64_t n = densify.getN(), m = densify.getM();
    std::vector<float> before =
        densifyKept(*values, *positions, rows, cols, n, m);
    std::vector<float> after = densifyKept(dequantize(quantized, scheme),
                                           *positions, rows, cols, n, m);
    OpBuilder b(op);
    Location loc = op.getLoc();
    DequantizeOp dequantized = buildDequantize(
        b, loc, candidate.weightBaseName(), {rows, kept}, quantized, scheme);
    op.getWeightMutable().assign(
        DensifyOp::create(b, loc, dequantized, densify.getPositions(),
                          densify.getNAttr(), densify.getMAttr())
            .getResult());
    // Packed with their positions, or, multiplied into many rows, indexed
    // as int8 nonzeros (a scale a row either way).
    uint64_t bytesAfter =
        multipliesIndexed(candidate.inputRows())
            ? indexedInt8Bytes(rows, cols, rows * kept)
            : quantizedBytes(rows, kept, scheme) +
                  static_cast<uint64_t>(rows * (cols / m) *
                                        packedPositionBytes(n, m));
    recordCompression(op, candidate.name, scheme.describe(),
                      candidate.storedBytes(), bytesAfter,
                      compareWeights(before, after));
    candidate.eraseUnusedWeight();
    ++quantizedLayers;
  }

  /// A masked layer multiplied indexed (over many rows of input) under
  /// symmetric per-channel int8 rounded to nearest: its nonzeros quantized
  /// with their rows' scales (zero stays zero, so the layer computes what
  /// the dense weight's quantization would), stored as
  /// dequantize(masked_densify(q, mask), s) for the indexed kernel.
  void quantizeNonzeros(CandidateLayer &candidate, MaskedDensifyOp masked,
                        const QuantScheme &scheme) {
    LinearOp op = candidate.op;
    RankedTensorType weightType = op.getWeight().getType();
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    std::optional<std::vector<float>> before = candidate.readWeight();
    std::optional<std::vector<int8_t>> mask = pith::detail::readBytes(
        masked.getMask().getDefiningOp<ConstantOp>().getValue());
    if (!before || !mask)
      return;
    QuantizedMatrix quantized =
        quantizeRoundToNearest(*before, rows, cols, scheme);
    std::vector<int8_t> nonzeros;
    for (auto [kept, value] : llvm::zip(*mask, quantized.values))
      if (kept)
        nonzeros.push_back(value);
    OpBuilder b(op);
    Location loc = op.getLoc();
    std::string base = candidate.weightBaseName();
    auto nonzeroType = RankedTensorType::get(
        {static_cast<int64_t>(nonzeros.size())}, b.getI8Type());
    Value values = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(nonzeroType, base + "_q8",
                                   asBytes<int8_t>(nonzeros)));
    Value scales = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(
            RankedTensorType::get({rows}, b.getF32Type()), base + "_scale",
            asBytes<float>(quantized.scales)));
    Value integers = MaskedDensifyOp::create(b, loc, values, masked.getMask());
    op.getWeightMutable().assign(
        DequantizeOp::create(b, loc, integers, scales, Value(),
                             b.getI64IntegerAttr(0), IntegerAttr())
            .getResult());
    uint64_t bytesAfter =
        indexedInt8Bytes(rows, cols, static_cast<int64_t>(nonzeros.size()));
    recordCompression(op, candidate.name, scheme.describe(),
                      candidate.storedBytes(), bytesAfter,
                      compareWeights(*before, dequantize(quantized, scheme)));
    candidate.eraseUnusedWeight();
    ++quantizedLayers;
  }

  LogicalResult quantizeLayer(CandidateLayer &candidate,
                              const QuantScheme &scheme) {
    LinearOp op = candidate.op;
    const std::string &layer = candidate.name;
    RankedTensorType weightType = op.getWeight().getType();
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    // Sparse weights keep their sparsity under int8 per channel rounded to
    // nearest: N:M kept values, and the nonzeros of masked layers that
    // multiply them indexed.
    bool perChannelInt8 = scheme.bits == 8 && scheme.groupSize == 0 &&
                          scheme.symmetric && !scheme.gptq &&
                          scheme.scaling == QuantScheme::Scaling::None &&
                          scheme.activations == QuantScheme::Activations::None;
    auto densify = dyn_cast<DensifyOp>(candidate.weight);
    if (densify && perChannelInt8) {
      quantizeKept(candidate, densify, scheme);
      return success();
    }
    auto masked = dyn_cast<MaskedDensifyOp>(candidate.weight);
    if (masked && perChannelInt8 && multipliesIndexed(candidate.inputRows())) {
      quantizeNonzeros(candidate, masked, scheme);
      return success();
    }
    if (scheme.groupSize != 0 && cols % scheme.groupSize != 0) {
      op.emitWarning() << "layer '" << layer << "' has " << cols
                       << " input features, not a multiple of the group size "
                       << scheme.groupSize << "; it stays f32";
      return success();
    }
    uint64_t bytesBefore = candidate.storedBytes();
    uint64_t bytesAfter = quantizedBytes(rows, cols, scheme);
    if (bytesAfter >= bytesBefore) {
      op.emitWarning() << "layer '" << layer << "': " << scheme.describe()
                       << " would not make its " << rows << "x" << cols
                       << " weight smaller (" << bytesAfter << " bytes, now "
                       << bytesBefore << "); it stays as it is";
      return success();
    }
    std::optional<std::vector<float>> weights = candidate.readWeight();
    if (!weights)
      return success();

    // E[x x^T], read once: AWQ and GPTQ need it, and wherever calibration
    // left it the report gives the output error too.
    bool awq = scheme.scaling == QuantScheme::Scaling::Awq;
    auto calibration = op->getAttrOfType<DictionaryAttr>(kCalibrationAttrName);
    std::vector<float> moment;
    if (scheme.gptq || awq ||
        (calibration && calibration.get("second_moment"))) {
      FailureOr<std::vector<float>> read = secondMomentOf(
          op, layer, {cols, cols}, awq ? "AWQ scaling" : "GPTQ rounding");
      if (failed(read))
        return failure();
      moment = std::move(*read);
    }

    // With input scales s the layer quantizes W diag(s) and computes with
    // x diag(1/s), whose second moment is diag(1/s) E[x x^T] diag(1/s).
    FailureOr<std::vector<float>> inputScales =
        inputScalesOf(op, layer, *weights, rows, cols, scheme, moment);
    if (failed(inputScales))
      return failure();
    std::vector<float> scaled = *weights;
    if (!inputScales->empty())
      scaleColumns(scaled, rows, cols, *inputScales);

    // Rotated, it quantizes W R and computes with x R, whose second moment
    // is R E[x x^T] R.
    int64_t block = 1;
    if (scheme.rotate) {
      block = hadamardBlock(cols);
      if (block == 1)
        op.emitWarning() << "layer '" << layer << "' has " << cols
                         << " input features, an odd number; it is quantized "
                            "without rotation";
      else
        hadamardRotateRows(scaled, rows, cols, block);
    }

    QuantizedMatrix quantized;
    if (scheme.gptq) {
      std::vector<float> inputMoment = moment;
      if (!inputScales->empty()) {
        scaleColumns(inputMoment, cols, cols, *inputScales, /*divide=*/true);
        for (int64_t i = 0; i < cols; ++i)
          for (int64_t j = 0; j < cols; ++j)
            inputMoment[i * cols + j] /= (*inputScales)[i];
      }
      if (block > 1)
        hadamardRotateMoment(inputMoment, cols, block);
      std::optional<QuantizedMatrix> result =
          quantizeGptq(scaled, rows, cols, scheme, inputMoment,
                       static_cast<double>(damping), scheme.actOrder);
      if (!result)
        return op.emitError()
               << "layer '" << layer
               << "': E[x x^T] of its inputs is not positive definite even "
                  "with damping "
               << static_cast<double>(damping) << "; raise damping";
      quantized = std::move(*result);
    } else {
      quantized = quantizeRoundToNearest(scaled, rows, cols, scheme);
    }
    std::vector<float> approximation = dequantize(quantized, scheme);
    if (block > 1)
      hadamardRotateRows(approximation, rows, cols, block);
    if (!inputScales->empty())
      scaleColumns(approximation, rows, cols, *inputScales, /*divide=*/true);
    ErrorStats error = compareWeights(*weights, approximation);
    if (!moment.empty()) {
      int64_t sampled = std::min(rows, kErrorSampleRows);
      error.outputError =
          relativeOutputError(sampleRows(*weights, rows, cols, sampled),
                              sampleRows(approximation, rows, cols, sampled),
                              sampled, cols, moment);
    }

    OpBuilder b(op);
    Location loc = op.getLoc();
    std::string base = candidate.weightBaseName();
    DequantizeOp dequantized =
        buildDequantize(b, loc, base, {rows, cols}, quantized, scheme);
    if (!inputScales->empty()) {
      std::vector<float> inverse;
      for (float scale : *inputScales)
        inverse.push_back(1 / scale);
      Value divisor = ConstantOp::create(
          b, loc,
          pith::detail::makeResource(
              RankedTensorType::get({cols}, b.getF32Type()),
              base + "_input_scale", asBytes<float>(inverse)));
      op.getInputMutable().assign(
          MulOp::create(b, loc, op.getInput(), divisor).getResult());
    }
    if (block > 1)
      op.getInputMutable().assign(rotateInput(b, loc, op.getInput(), block));
    if (scheme.activations != QuantScheme::Activations::None) {
      FailureOr<Value> input =
          quantizedInput(b, op, layer, scheme.activations, *inputScales);
      if (failed(input))
        return failure();
      op.getInputMutable().assign(*input);
    }
    op.getWeightMutable().assign(dequantized);
    candidate.eraseUnusedWeight();

    recordCompression(op, layer, scheme.describe(), bytesBefore, bytesAfter,
                      error);
    ++quantizedLayers;
    return success();
  }
};

} // namespace
