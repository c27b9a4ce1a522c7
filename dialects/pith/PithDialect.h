//===- PithDialect.h - The pith dialect -------------------------*- C++ -*-===//
//
// Part of pith. The dialect class and its attributes.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHDIALECT_H
#define PITH_DIALECTS_PITH_PITHDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/pith/PithDialect.h.inc"
#include "dialects/pith/PithEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/pith/PithAttrs.h.inc"

#endif // PITH_DIALECTS_PITH_PITHDIALECT_H
