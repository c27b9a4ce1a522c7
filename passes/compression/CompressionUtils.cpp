//===- CompressionUtils.cpp - Shared pieces of the compression passes -----===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/CompressionUtils.h"

#include "dialects/pith/PithFolds.h"
#include "passes/compression/Sparsity.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"

namespace mlir::pith::compression {

std::string layerName(Operation *op) {
  std::string name;
  op->getLoc()->walk([&](Location loc) {
    if (auto named = dyn_cast<NameLoc>(loc)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!name.empty())
    return name;
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()))
    return (op->getName().getStringRef() + "@" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  return op->getName().getStringRef().str();
}

bool isLayerKind(StringRef kind) {
  return kind == "linear" || kind == "conv" || kind == "depthwise";
}

FailureOr<LayerSelection> LayerSelection::parse(Operation *root,
                                                ArrayRef<std::string> only,
                                                ArrayRef<std::string> skip,
                                                ArrayRef<std::string> kinds) {
  LayerSelection selection;
  for (auto [option, patterns, globs] :
       {std::make_tuple(StringRef("only"), only, &selection.only),
        std::make_tuple(StringRef("skip"), skip, &selection.skip)}) {
    for (const std::string &pattern : patterns) {
      llvm::Expected<llvm::GlobPattern> glob =
          llvm::GlobPattern::create(pattern);
      if (!glob) {
        root->emitError() << "option '" << option << "': bad pattern '"
                          << pattern
                          << "': " << llvm::toString(glob.takeError());
        return failure();
      }
      globs->push_back(std::move(*glob));
    }
  }
  for (const std::string &kind : kinds) {
    if (!isLayerKind(kind)) {
      root->emitError() << "option 'kinds': unknown layer kind '" << kind
                        << "' (linear, conv or depthwise)";
      return failure();
    }
    selection.kinds.push_back(kind);
  }
  return selection;
}

/// `linear`, `depthwise` or `conv`: what LayerSelection calls `op`.
static StringRef layerKind(Operation *op) {
  auto conv = dyn_cast<ConvOp>(op);
  if (!conv)
    return "linear";
  auto input = cast<RankedTensorType>(conv.getInput().getType());
  auto groups = static_cast<int64_t>(conv.getGroups());
  return groups > 1 && groups == input.getDimSize(1) ? "depthwise" : "conv";
}

bool LayerSelection::selects(Operation *op, StringRef layer) const {
  auto matches = [&](const llvm::GlobPattern &glob) {
    return glob.match(layer);
  };
  return (kinds.empty() || llvm::is_contained(kinds, layerKind(op))) &&
         (only.empty() || llvm::any_of(only, matches)) &&
         llvm::none_of(skip, matches);
}

SmallVector<CandidateLayer> selectedLayers(Operation *root,
                                           const LayerSelection &selection) {
  SmallVector<CandidateLayer> layers;
  root->walk([&](LinearOp op) {
    if (!op.getWeight().getType().getElementType().isF32())
      return;
    Operation *weight = op.getWeight().getDefiningOp();
    auto ofConstants = [](Operation *sparse) {
      return sparse && llvm::all_of(sparse->getOperands(), [](Value operand) {
               return operand.getDefiningOp<ConstantOp>();
             });
    };
    if (!isa_and_present<ConstantOp>(weight) &&
        !(isa_and_present<DensifyOp, MaskedDensifyOp>(weight) &&
          ofConstants(weight)))
      return;
    std::string name = layerName(op);
    if (selection.selects(op, name))
      layers.push_back({op, weight, std::move(name)});
  });
  return layers;
}

std::optional<std::vector<float>> CandidateLayer::readWeight() const {
  if (auto constant = dyn_cast<ConstantOp>(weight))
    return pith::detail::readFloats(constant.getValue());
  if (auto masked = dyn_cast<MaskedDensifyOp>(weight)) {
    std::optional<std::vector<float>> values = pith::detail::readFloats(
        masked.getValues().getDefiningOp<ConstantOp>().getValue());
    std::optional<std::vector<int8_t>> mask = pith::detail::readBytes(
        masked.getMask().getDefiningOp<ConstantOp>().getValue());
    if (!values || !mask)
      return std::nullopt;
    return expandMasked(*values, *mask);
  }
  auto densify = cast<DensifyOp>(weight);
  std::optional<std::vector<float>> values = pith::detail::readFloats(
      densify.getValues().getDefiningOp<ConstantOp>().getValue());
  std::optional<std::vector<int8_t>> positions = pith::detail::readBytes(
      densify.getPositions().getDefiningOp<ConstantOp>().getValue());
  if (!values || !positions)
    return std::nullopt;
  RankedTensorType type = densify.getType();
  return densifyKept(*values, *positions, type.getDimSize(0),
                     type.getDimSize(1), densify.getN(), densify.getM());
}

int64_t CandidateLayer::inputRows() const {
  auto type = cast<RankedTensorType>(LinearOp(op).getInput().getType());
  int64_t cols = type.getRank() > 0 ? type.getDimSize(type.getRank() - 1) : 0;
  if (!type.hasStaticShape() || cols <= 0)
    return 0;
  return type.getNumElements() / cols;
}

uint64_t CandidateLayer::storedBytes() const {
  auto type = cast<RankedTensorType>(weight->getResult(0).getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  if (auto densify = dyn_cast<DensifyOp>(weight))
    return nOfMBytes(rows, cols, densify.getN(), densify.getM(), inputRows());
  if (auto masked = dyn_cast<MaskedDensifyOp>(weight))
    return maskedBytes(rows, cols, masked.getValues().getType().getDimSize(0),
                       inputRows());
  return static_cast<uint64_t>(rows * cols) * sizeof(float);
}

std::string CandidateLayer::weightBaseName() const {
  Operation *constant = weight;
  if (isa<DensifyOp, MaskedDensifyOp>(weight))
    constant = weight->getOperand(0).getDefiningOp();
  return compression::weightBaseName(cast<ConstantOp>(constant).getValue(),
                                     name);
}

FailureOr<DictionaryAttr> calibrationOf(Operation *op, StringRef layer,
                                        StringRef need) {
  auto calibration = op->getAttrOfType<DictionaryAttr>(kCalibrationAttrName);
  if (!calibration)
    return op->emitError()
           << "layer '" << layer << "' has no calibration statistics; " << need
           << " needs pith-calibrate to run first (pith-compile --calibrate)";
  return calibration;
}

FailureOr<std::vector<float>> secondMomentOf(Operation *op, StringRef layer,
                                             ArrayRef<int64_t> shape,
                                             StringRef need) {
  FailureOr<DictionaryAttr> calibration = calibrationOf(op, layer, need);
  if (failed(calibration))
    return failure();
  auto moment = calibration->getAs<ElementsAttr>("second_moment");
  if (!moment)
    return op->emitError() << "layer '" << layer
                           << "': its calibration has no second_moment";
  auto type = cast<ShapedType>(moment.getType());
  std::optional<std::vector<float>> values = pith::detail::readFloats(moment);
  if (!values || type.getShape() != shape) {
    InFlightDiagnostic diagnostic =
        op->emitError() << "layer '" << layer
                        << "': its calibration's second_moment is not f32 [";
    llvm::interleaveComma(shape, diagnostic);
    return diagnostic << "]";
  }
  return std::move(*values);
}

std::string weightBaseName(Attribute value, StringRef layer) {
  if (auto resource = dyn_cast_if_present<DenseResourceElementsAttr>(value))
    return resource.getRawHandle().getKey().str();
  return layer.str();
}

void CandidateLayer::eraseUnusedWeight() {
  if (!weight->use_empty())
    return;
  SmallVector<Operation *> operands;
  for (Value operand : weight->getOperands())
    operands.push_back(operand.getDefiningOp());
  weight->erase();
  for (Operation *operand : operands)
    if (operand && operand->use_empty())
      operand->erase();
}

void recordCompression(Operation *op, StringRef layer, StringRef method,
                       uint64_t bytesBefore, uint64_t bytesAfter,
                       const ErrorStats &error) {
  Builder b(op->getContext());
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("layer", b.getStringAttr(layer)),
      b.getNamedAttr("method", b.getStringAttr(method)),
      b.getNamedAttr("bytes_before", b.getI64IntegerAttr(bytesBefore)),
      b.getNamedAttr("bytes_after", b.getI64IntegerAttr(bytesAfter)),
      b.getNamedAttr("relative_error", b.getF64FloatAttr(error.relativeError)),
      b.getNamedAttr("sqnr_db", b.getF64FloatAttr(error.sqnrDb))};
  if (error.outputError >= 0)
    fields.push_back(
        b.getNamedAttr("output_error", b.getF64FloatAttr(error.outputError)));
  SmallVector<Attribute> lines;
  if (auto existing = op->getAttrOfType<ArrayAttr>(kReportAttrName))
    llvm::append_range(lines, existing.getValue());
  // A part of a layer refines the layer's line; a layer compressed again
  // (pruned, then quantized) refines its own first line.
  if (auto whole = op->getAttrOfType<StringAttr>(kPartOfAttrName))
    fields.push_back(b.getNamedAttr("refines", whole));
  else if (!lines.empty())
    fields.push_back(b.getNamedAttr("refines", b.getStringAttr(layer)));
  lines.push_back(b.getDictionaryAttr(fields));
  op->setAttr(kReportAttrName, b.getArrayAttr(lines));
}

} // namespace mlir::pith::compression
