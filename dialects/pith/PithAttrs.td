//===- PithAttrs.td - pith attributes and enums ------------------*- tablegen -*-===//
//
// Part of pith. Enumerations that select the variant of an op.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_ATTRS_TD
#define PITH_ATTRS_TD

include "dialects/pith/PithDialect.td"
include "mlir/IR/EnumAttr.td"

class Pith_EnumAttr<EnumInfo info, string name>
    : EnumAttr<Pith_Dialect, info, name> {
  // Printed as a bare keyword: `pith.reduce sum %x ...`.
  let assemblyFormat = "$value";
}

def Pith_ReduceKind : I32Enum<"ReduceKind", "reduction", [
  I32EnumCase<"Sum", 0, "sum">,
  I32EnumCase<"Mean", 1, "mean">,
  I32EnumCase<"Max", 2, "max">,
  I32EnumCase<"Min", 3, "min">,
  I32EnumCase<"Prod", 4, "prod">,
  I32EnumCase<"L1", 5, "l1">,
  I32EnumCase<"L2", 6, "l2">,
  I32EnumCase<"SumSquare", 7, "sum_square">,
  I32EnumCase<"LogSumExp", 8, "log_sum_exp">
]> {
  let cppNamespace = "::mlir::pith";
}
def Pith_ReduceKindAttr : Pith_EnumAttr<Pith_ReduceKind, "reduce_kind">;

def Pith_CompareKind : I32Enum<"CompareKind", "comparison", [
  I32EnumCase<"EQ", 0, "eq">,
  I32EnumCase<"NE", 1, "ne">,
  I32EnumCase<"LT", 2, "lt">,
  I32EnumCase<"LE", 3, "le">,
  I32EnumCase<"GT", 4, "gt">,
  I32EnumCase<"GE", 5, "ge">
]> {
  let cppNamespace = "::mlir::pith";
}
def Pith_CompareKindAttr : Pith_EnumAttr<Pith_CompareKind, "compare_kind">;

def Pith_PadMode : I32Enum<"PadMode", "padding mode", [
  I32EnumCase<"Constant", 0, "constant">,
  I32EnumCase<"Reflect", 1, "reflect">,
  I32EnumCase<"Edge", 2, "edge">
]> {
  let cppNamespace = "::mlir::pith";
}
def Pith_PadModeAttr : Pith_EnumAttr<Pith_PadMode, "pad_mode">;

def Pith_GeluApproximation : I32Enum<"GeluApproximation", "GELU approximation", [
  I32EnumCase<"None", 0, "none">,
  I32EnumCase<"Tanh", 1, "tanh">
]> {
  let cppNamespace = "::mlir::pith";
}
def Pith_GeluApproximationAttr
    : Pith_EnumAttr<Pith_GeluApproximation, "gelu_approximation">;

#endif // PITH_ATTRS_TD
