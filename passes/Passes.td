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

#endif // PITH_PASSES_TD
