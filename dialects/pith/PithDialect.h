//===- PithDialect.h - The pith dialect -------------------------*- C++ -*-===//
//
// Part of pith. The dialect class and its enums.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHDIALECT_H
#define PITH_DIALECTS_PITH_PITHDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/pith/PithDialect.h.inc"
#include "dialects/pith/PithEnums.h.inc"

#endif // PITH_DIALECTS_PITH_PITHDIALECT_H
