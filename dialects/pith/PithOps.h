//===- PithOps.h - pith operations ------------------------------*- C++ -*-===//
//
// Part of pith. The op classes generated from PithOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECTS_PITH_PITHOPS_H
#define PITH_DIALECTS_PITH_PITHOPS_H

#include "dialects/pith/PithDialect.h"
#include "dialects/pith/PithTraits.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/pith/PithOps.h.inc"

#endif // PITH_DIALECTS_PITH_PITHOPS_H
