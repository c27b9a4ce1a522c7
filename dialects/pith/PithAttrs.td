//===- PithAttrs.td - pith attributes and enums ------------------*- tablegen -*-===//
//
// Part of pith. Enumerations that select the variant of an op.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_ATTRS_TD
#define PITH_ATTRS_TD

include "dialects/pith/PithDialect.td"
include "mlir/IR/EnumAttr.td"

// Enums are integer attributes printed as bare keywords in op syntax
// (`pith.reduce sum %x ...`), as arith.cmpi's predicate is.
def Pith_ReduceKindAttr : I32EnumAttr<"ReduceKind", "reduction", [
  I32EnumAttrCase<"Sum", 0, "sum">,
  I32EnumAttrCase<"Mean", 1, "mean">,
  I32EnumAttrCase<"Max", 2, "max">,
  I32EnumAttrCase<"Min", 3, "min">,
  I32EnumAttrCase<"Prod", 4, "prod">,
  I32EnumAttrCase<"L1", 5, "l1">,
  I32EnumAttrCase<"L2", 6, "l2">,
  I32EnumAttrCase<"SumSquare", 7, "sum_square">,
  I32EnumAttrCase<"LogSumExp", 8, "log_sum_exp">
]> {
  let cppNamespace = "::mlir::pith";
}

def Pith_CompareKindAttr : I32EnumAttr<"CompareKind", "comparison", [
  I32EnumAttrCase<"EQ", 0, "eq">,
  I32EnumAttrCase<"NE", 1, "ne">,
  I32EnumAttrCase<"LT", 2, "lt">,
  I32EnumAttrCase<"LE", 3, "le">,
  I32EnumAttrCase<"GT", 4, "gt">,
  I32EnumAttrCase<"GE", 5, "ge">
]> {
  let cppNamespace = "::mlir::pith";
}

def Pith_PadModeAttr : I32EnumAttr<"PadMode", "padding mode", [
  I32EnumAttrCase<"Constant", 0, "constant">,
  I32EnumAttrCase<"Reflect", 1, "reflect">,
  I32EnumAttrCase<"Edge", 2, "edge">
]> {
  let cppNamespace = "::mlir::pith";
}

def Pith_GeluApproximationAttr : I32EnumAttr<"GeluApproximation", "GELU approximation", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Tanh", 1, "tanh">
]> {
  let cppNamespace = "::mlir::pith";
}

#endif // PITH_ATTRS_TD
