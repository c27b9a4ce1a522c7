//===- Passes.td - Every pith pass -------------------------------*- tablegen -*-===//
//
// Part of pith. The one declaration of every pith pass: its flag, options,
// statistics and the dialects it creates ops of. Definitions live one pass
// a file, in the folder of their stage (graph/, compression/, lowering/).
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_TD
#define PITH_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph-level passes
//===----------------------------------------------------------------------===//

def FuseLinearPass : Pass<"pith-fuse-linear"> {
  let summary = "Turn matrix products with a constant weight into pith.linear";
  let description = [{
    Rewrites `pith.matmul %x, %W` whose right operand is a constant `[K, N]`
    matrix, and the `pith.add` of a `[N]` bias to its result, into
    `pith.linear %x, %Wt, %b` with the weight transposed to `[N, K]` once, at
    compile time. `pith.linear` is the op that quantization, sparsity and
    factorization rewrite, so this brings the layers of exported models
    (ONNX `MatMul` + `Add`) within their reach.

    ```mlir
    %y = pith.matmul %x, %w : (tensor<1x128x384xf32>, tensor<384x1536xf32>) -> tensor<1x128x1536xf32>
    %z = pith.add %y, %b : (tensor<1x128x1536xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
    // becomes
    %z = pith.linear %x, %wt, %b : (tensor<1x128x384xf32>, tensor<1536x384xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def LowerToLinalgPass : Pass<"pith-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower pith ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every pith op into upstream dialects on tensors: elementwise
    ops into `linalg.generic` whose operands broadcast through their
    indexing maps, contractions and convolutions into `linalg.generic`
    contractions, reductions into `linalg.reduce`, data movement into
    `tensor` and `linalg` ops, and constants into `arith.constant` (weights
    stay dialect resources). pith's unsigned integer types become signless,
    with unsigned arithmetic chosen from the pith op's types, in function
    signatures too. An op without a lowering is an error naming it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

def OutlineWeightsPass : Pass<"pith-outline-weights", "mlir::ModuleOp"> {
  let summary = "Turn large tensor constants into arguments of their function";
  let description = [{
    Every `arith.constant` tensor of at least `min-bytes` bytes in a public
    function becomes a new argument of that function, appended after the
    existing ones and marked `pith.weight = "<name>"` (the dialect resource's
    key where there is one). The values move to the module's `pith.weights`
    dictionary, name to value. Code then reads weights from memory the
    runtime maps from the package instead of carrying them in its data
    section. Boolean tensors, whose in-memory layout differs from their
    attribute's, stay constants.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"256",
           "Smallest constant, in bytes, that becomes a weight">
  ];
}

def LowerStridedCopiesPass : Pass<"pith-lower-strided-copies"> {
  let summary = "Turn copies between strided buffers into linalg.copy";
  let description = [{
    A `memref.copy` whose source or target is not contiguous in row-major
    order becomes `linalg.copy`, which lowers to loops with the rest of
    linalg; contiguous copies stay and become `memcpy`. Compiled models so
    need no MLIR runtime library (LLVM lowers strided copies to a call to
    `memrefCopy` from it).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExportEntryPointsPass : Pass<"pith-export-entry-points", "mlir::ModuleOp"> {
  let summary = "Give each public function the runtime's calling convention";
  let description = [{
    Runs on the LLVM dialect, after function boundaries were lowered with
    bare pointers (every argument a buffer, results written to out-params).
    Each public `llvm.func @f` becomes `@pith_graph_f` with internal linkage,
    and a new `@pith_entry_f(!llvm.ptr)` takes an array of buffer pointers,
    one per argument in order, and calls it. The entry points are the only
    symbols a compiled model exports, so models never interpose on each
    other or on the program that loads them.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // PITH_PASSES_TD
