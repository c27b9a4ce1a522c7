//===- PithTraits.h - Op traits of the pith dialect -------------*- C++ -*-===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHTRAITS_H
#define PITH_DIALECTS_PITH_PITHTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::pith {

/// Verifies an op's operands, attributes and result types with its result
/// type inference, ahead of InferTypeOpInterface's own check: a problem is
/// reported once, with the reason inference gives, rather than followed by
/// a generic "failed to infer returned types".
template <typename ConcreteType>
class VerifyInferredTypes
    : public OpTrait::TraitBase<ConcreteType, VerifyInferredTypes> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    SmallVector<Type> inferred;
    if (failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getAttrDictionary(), op->getPropertiesStorage(),
            op->getRegions(), inferred)))
      return failure();
    if (TypeRange(inferred) != op->getResultTypes()) {
      return op->emitOpError("result type ")
             << op->getResultTypes() << " differs from the inferred "
             << TypeRange(inferred);
    }
    return success();
  }
};

} // namespace mlir::pith

#endif // PITH_DIALECTS_PITH_PITHTRAITS_H
