//===- PithDialect.cpp - The pith dialect ---------------------------------===//
//
// Part of pith. Dialect registration and constant materialization.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithDialect.h"

#include "dialects/pith/PithOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::pith;

#include "dialects/pith/PithDialect.cpp.inc"
#include "dialects/pith/PithEnums.cpp.inc"

void PithDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/pith/PithOps.cpp.inc"
      >();
}

Operation *PithDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
