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

namespace mlir::pith {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;
using namespace mlir::pith::compression;

namespace {

/// `values` as the bytes of a resource of one byte per element.
ArrayRef<char> asBytes(ArrayRef<int8_t> values) {
  return {reinterpret_cast<const char *>(values.data()), values.size()};
}
ArrayRef<char> asBytes(ArrayRef<float> values) {
  return {reinterpret_cast<const char *>(values.data()),
          values.size() * sizeof(float)};
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
    FailureOr<std::vector<llvm::GlobPattern>> skipped =
        parseSkipList(root, "skip", skip);
    if (failed(skipped))
      return signalPassFailure();
    QuantScheme scheme;
    scheme.bits = bits;
    scheme.groupSize = groupSize;
    scheme.symmetric = symmetric;

    SmallVector<LinearOp> layers;
    root->walk([&](LinearOp op) { layers.push_back(op); });
    for (LinearOp op : layers)
      quantizeLayer(op, scheme, *skipped);
  }

  void quantizeLayer(LinearOp op, const QuantScheme &scheme,
                     ArrayRef<llvm::GlobPattern> skipped) {
    auto constant = op.getWeight().getDefiningOp<ConstantOp>();
    RankedTensorType weightType = op.getWeight().getType();
    if (!constant || !weightType.getElementType().isF32())
      return;
    std::string layer = layerName(op);
    if (isSkipped(layer, skipped))
      return;
    int64_t rows = weightType.getDimSize(0), cols = weightType.getDimSize(1);
    if (scheme.groupSize != 0 && cols % scheme.groupSize != 0) {
      op.emitWarning() << "layer '" << layer << "' has " << cols
                       << " input features, not a multiple of the group size "
                       << scheme.groupSize << "; it stays f32";
      return;
    }
    std::optional<std::vector<float>> weights =
        pith::detail::readFloats(constant.getValue());
    if (!weights)
      return;

    QuantizedMatrix quantized =
        quantizeRoundToNearest(*weights, rows, cols, scheme);
    ErrorStats error = compareWeights(*weights, dequantize(quantized, scheme));

    OpBuilder b(op);
    Location loc = op.getLoc();
    std::string base = weightBaseName(constant.getValue(), layer);
    auto storage = b.getIntegerType(scheme.bits);
    auto values = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(RankedTensorType::get({rows, cols}, storage),
                                   base + "_q" + std::to_string(scheme.bits),
                                   asBytes(quantized.values)));
    int64_t groups = cols / scheme.columnsPerScale(cols);
    SmallVector<int64_t> scaleShape = {rows};
    if (scheme.groupSize != 0)
      scaleShape.push_back(groups);
    auto scales = ConstantOp::create(
        b, loc,
        pith::detail::makeResource(
            RankedTensorType::get(scaleShape, b.getF32Type()), base + "_scale",
            asBytes(quantized.scales)));
    Value zeroPoints;
    if (!scheme.symmetric)
      zeroPoints = ConstantOp::create(
          b, loc,
          pith::detail::makeResource(RankedTensorType::get(scaleShape, storage),
                                     base + "_zero_point",
                                     asBytes(quantized.zeroPoints)));
    IntegerAttr axis = b.getI64IntegerAttr(scheme.groupSize == 0 ? 0 : 1);
    IntegerAttr blockSize = scheme.groupSize == 0
                                ? IntegerAttr()
                                : b.getI64IntegerAttr(scheme.groupSize);
    auto dequantized = DequantizeOp::create(b, loc, values, scales, zeroPoints,
                                            axis, blockSize);
    op.getWeightMutable().assign(dequantized);
    if (constant->use_empty())
      constant->erase();

    recordCompression(op, layer, scheme.describe(),
                      static_cast<uint64_t>(rows * cols) * sizeof(float),
                      quantizedBytes(rows, cols, scheme), error);
    ++quantizedLayers;
  }
};

} // namespace
