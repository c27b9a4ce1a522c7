//===- PithDialect.td - The pith dialect -------------------------*- tablegen -*-===//
//
// Part of pith. The dialect definition, shared type constraints and the op
// base classes.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_DIALECT_TD
#define PITH_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Pith_Dialect : Dialect {
  let name = "pith";
  let cppNamespace = "::mlir::pith";
  let summary = "Graph-level operations of neural networks, and their compressed forms";
  let description = [{
    The pith dialect holds a neural network as a graph of operations on
    statically shaped, ranked tensors: elementwise arithmetic and activations,
    matrix products, convolution, pooling, normalization, reductions and data
    movement. Weights are `pith.constant`s holding dialect resources, and the
    compressed forms of weights are spelled with the same ops as everything
    else: integer storage tensors that `pith.dequantize` turns back into
    floating point, with per-tensor, per-axis or blocked scales.

    Every op infers its result type from its operands and attributes, and
    every op is free of side effects, so the graph can be folded, fused and
    rewritten by compression passes before it is lowered to linalg.
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Traits
//===----------------------------------------------------------------------===//

// Result types inferred from operands and attributes; inference also checks
// them, and reports a problem once (see PithTraits.h).
def Pith_VerifyInferredTypes : NativeOpTrait<"VerifyInferredTypes"> {
  let cppNamespace = "::mlir::pith";
}
def Pith_InferTypes : TraitList<[Pith_VerifyInferredTypes, InferTypeOpAdaptor]>;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Pith_Float : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
def Pith_Int : AnyTypeOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64],
                         "integer">;
def Pith_Numeric : AnyTypeOf<[Pith_Float, Pith_Int], "numeric">;
// Narrow integer storage of quantized values: signless is signed.
def Pith_QuantStorage : AnyTypeOf<[I8, UI8, I<4>, UI<4>, I<2>, UI<2>],
                                  "quantized storage (i8/ui8/i4/ui4/i2/ui2)">;

def Pith_Tensor : StaticShapeTensorOf<[AnyType]>;
def Pith_FloatTensor : StaticShapeTensorOf<[Pith_Float]>;
def Pith_NumericTensor : StaticShapeTensorOf<[Pith_Numeric]>;
def Pith_BoolTensor : StaticShapeTensorOf<[I1]>;
def Pith_LogicalTensor : StaticShapeTensorOf<[I1, Pith_Int]>;
def Pith_IndexTensor : StaticShapeTensorOf<[I32, I64]>;
def Pith_QuantTensor : StaticShapeTensorOf<[Pith_QuantStorage]>;

#endif // PITH_DIALECT_TD
