//===- OutlineWeights.cpp - pith-outline-weights --------------------------===//
//
// Part of pith. Large constants become function arguments, so that a
// compiled model reads its weights from the package the runtime maps
// instead of from its own data section.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "passes/Passes.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::pith {
#define GEN_PASS_DEF_OUTLINEWEIGHTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// The size in bytes of `type`'s elements in memory, or 0 where it is not
/// whole bytes (i1, i4), which is left to constants.
int64_t byteSize(RankedTensorType type) {
  unsigned bits = type.getElementTypeBitWidth();
  if (bits % 8 != 0 || !type.hasStaticShape())
    return 0;
  return type.getNumElements() * (bits / 8);
}

struct OutlineWeightsPass
    : mlir::pith::impl::OutlineWeightsPassBase<OutlineWeightsPass> {
  using OutlineWeightsPassBase::OutlineWeightsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder builder(&getContext());
    llvm::SmallVector<NamedAttribute> weights;
    if (auto existing = module->getAttrOfType<DictionaryAttr>(weightsAttrName))
      llvm::append_range(weights, existing.getValue());
    llvm::StringSet<> names;
    for (NamedAttribute weight : weights)
      names.insert(weight.getName().getValue());

    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      llvm::SmallVector<arith::ConstantOp> constants;
      func.walk([&](arith::ConstantOp op) {
        auto type = dyn_cast<RankedTensorType>(op.getType());
        auto value = dyn_cast<ElementsAttr>(op.getValue());
        int64_t bytes = type ? byteSize(type) : 0;
        if (value && !value.isSplat() && bytes > 0 && bytes >= minBytes)
          constants.push_back(op);
      });
      for (arith::ConstantOp op : constants) {
        std::string name = uniqueName(op, names);
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(
                index, op.getType(),
                builder.getDictionaryAttr(builder.getNamedAttr(
                    weightArgAttrName, builder.getStringAttr(name))),
                op.getLoc())))
          return signalPassFailure();
        op.replaceAllUsesWith(func.getArgument(index));
        weights.push_back(builder.getNamedAttr(name, op.getValue()));
        op.erase();
      }
    }
    if (!weights.empty())
      module->setAttr(weightsAttrName, builder.getDictionaryAttr(weights));
  }

  /// The dialect resource's key where the constant has one (the ONNX
  /// initializer's name), else "weight<N>"; never one already taken.
  std::string uniqueName(arith::ConstantOp op, llvm::StringSet<> &names) {
    std::string base = "weight";
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(op.getValue()))
      base = resource.getRawHandle().getKey().str();
    std::string name = base;
    for (unsigned suffix = 0; names.contains(name); ++suffix)
      name = base + "_" + std::to_string(suffix);
    names.insert(name);
    return name;
  }

  static constexpr llvm::StringLiteral weightsAttrName = "pith.weights";
  static constexpr llvm::StringLiteral weightArgAttrName = "pith.weight";
};

} // namespace
