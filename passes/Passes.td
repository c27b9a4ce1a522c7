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
// Compression
//===----------------------------------------------------------------------===//

def CalibratePass : Pass<"pith-calibrate", "mlir::ModuleOp"> {
  let summary = "Run the model on calibration inputs and record what each "
                "linear layer's and convolution's input looks like";
  let description = [{
    Compiles a copy of the model for this machine whose entry point also
    returns the input of every `pith.linear` and of every `pith.conv` with
    a constant f32 weight, runs it on each calibration sample, and
    attaches to each linear layer a `pith.calibration` dictionary:
    `samples` and `tokens` (rows of the input over all runs), `min` and
    `max`, `abs_p99_9` and `abs_p99_99` (percentiles of |x|),
    `channel_abs_max` and `channel_abs_mean` ([K], per input feature) and
    `second_moment` ([K, K], E[x x^T]), which `pith-quantize
    rounding=gptq` needs. Layers that share an input share its statistics.
    Each convolution gets `samples`, `tokens` (windows per group over all
    runs) and `second_moment` ([groups, C / groups * K1..Kk, same]:
    E[v v^T] of each group's windows v, the group's input channels times
    the kernel's taps in the weight's order, zeros where a window reaches
    into the padding): the convolution read as a linear layer over its
    windows, for GPTQ.

    `inputs` lists where samples come from: a `.npz` file with one array
    per model input, named like it, shaped like it (one sample) or with a
    leading sample dimension; a `.npy` file for a model with one input; or
    `random:N` for N generated samples (floats uniform in [-1, 1),
    integers in [0, 10)). A missing, unknown or misshapen array is an
    error naming the file, the array and the input. The pass lives in
    `lib/compiler`, since it compiles and runs the model.
  }];
  let options = [
    ListOption<"inputs", "inputs", "std::string",
               "Calibration samples: .npz or .npy files, or random:N">
  ];
  let statistics = [
    Statistic<"calibratedLayers", "calibrated-layers",
              "Linear layers and convolutions given calibration statistics">,
    Statistic<"samplesRun", "samples", "Calibration samples run">
  ];
}

def QuantizePass : Pass<"pith-quantize"> {
  let summary = "Quantize the weights of linear and conv layers to 8, 4 or "
                "2 bits";
  let description = [{
    Each `pith.linear` whose weight is an f32 constant `[N, K]` gets that
    weight as `pith.dequantize` of `bits`-bit integers and f32 scales: one
    scale per output channel (`group-size=0`, `axis = 0`) or one per group
    of `group-size` input features (`axis = 1`, `block_size`). Values are
    rounded to nearest, or, with `rounding=gptq`, by GPTQ: column by column,
    each column's rounding error compensated by the columns after it
    through the inverse of E[x x^T] of the layer's inputs, which
    `pith-calibrate` records (`pith.calibration`); a layer without it is an
    error. With `activations=dynamic` the layer's input x is quantized to
    int8 too, per token (a scale per row, its largest magnitude m over
    127, computed at run time: x times 127 / m, `pith.quantize`d with
    scale 1 and `pith.dequantize`d with `block_size` the row's length);
    `activations=static` uses one scale, the largest magnitude
    pith-calibrate saw over 127. `scaling` multiplies each input feature j
    of the weight by s_j before quantizing and divides x by it at run time
    (`pith.mul`), from calibration: `awq` takes s_j = mean|x_j|^a with the a
    in {0, 0.05, ..., 0.95} that errs least on the outputs (weights that
    meet large inputs rounded more finely), `smoothquant` s_j = max|x_j|^alpha
    / max|W_j|^(1-alpha) (outliers of x moved into W, for int8
    activations). `rotate` instead multiplies W and, at run time, x by
    R = diag(H, ..., H), H the Hadamard matrix of 128 input features (or
    of the largest power of two dividing K, if smaller) over its norm:
    orthogonal, so x R (W R)^T = x W^T, and an outlier of x or of a column
    of W is spread over its block, which narrows the groups' ranges and
    the int8 tokens' (QuaRot, QuIP#). GPTQ then sees R E[x x^T] R. At run
    time x R is x viewed `[..., K / 128, 8, 16]`, multiplied by H_8 on the
    left and H_16 on the right (`pith.matmul`), 24 multiply-adds a value.
    Symmetric quantization maps each group's value of
    largest magnitude to the lowest integer, so every level is used (the
    scheme of GGUF's Q4_0 and Q8_0); asymmetric quantization adds a zero
    point and spans the group's range. Layers whose name (the ONNX node's)
    matches a glob of `skip`, or none of `only` when it is given, or whose
    kind is not among `kinds` when they are given (`linear`, `conv`, or
    `depthwise`: a convolution with one input channel a group, in several
    groups), stay f32, and so do, with a warning, a layer whose K is not a multiple of the
    group size and one that quantizing would not make smaller (a single
    input feature with its f32 scale). A layer already quantized (by an earlier pith-quantize with
    other options) is left as it is, so passes compose per layer. An N:M
    layer (`pith.densify` of constants, from pith-sparsify) is read as its
    dense weight; under symmetric int8 per channel rounded to nearest its
    kept values are quantized alone instead and it stays sparse
    (`pith.densify` of `pith.dequantize`); so does a masked layer
    (`pith.masked_densify` of constants) multiplied into 64 rows or more,
    its nonzeros' integers kept (`pith.dequantize` of `pith.masked_densify`
    of int8, a scale per row). Each quantized layer gets
    a `pith.compression` attribute: its report line, with its bytes before
    and after and the weight's relative error and SQNR.

    A `pith.conv` whose weight is an f32 constant `[F, C, K...]` gets it as
    `pith.dequantize` with one scale (and zero point) per output channel
    (`axis = 0`), rounded to nearest (clipped with `clip`) or, with
    `rounding=gptq`, by GPTQ: each group's filters as the rows of a linear
    layer over the group's windows, against the E[v v^T] that
    `pith-calibrate` records for it; with
    `activations=dynamic` the input of one of one group, filters a multiple
    of 16 and windows of at least 32 values (whose integer product pays for
    quantizing it) is quantized to int8 with one scale for the whole
    tensor, max|x| / 127 at run time.
    A 1x1 convolution takes `group-size` too, as groups of input channels
    (blocked scales `[F, C / group-size, 1...]`). Groups for larger kernels,
    input scaling, rotation and static activations are for linear layers,
    and one warning says so where they are asked for.

    ```mlir
    %y = pith.linear %x, %w : (tensor<1x256xf32>, tensor<64x256xf32>) -> tensor<1x64xf32>
    // with bits=4 group-size=128 becomes
    %q = pith.constant dense_resource<w_q4> : tensor<64x256xi4>
    %s = pith.constant dense_resource<w_scale> : tensor<64x2xf32>
    %d = pith.dequantize %q, %s {axis = 1 : i64, block_size = 128 : i64} : (tensor<64x256xi4>, tensor<64x2xf32>) -> tensor<64x256xf32>
    %y = pith.linear %x, %d {pith.compression = {...}} : (tensor<1x256xf32>, tensor<64x256xf32>) -> tensor<1x64xf32>
    ```
  }];
  let options = [
    Option<"bits", "bits", "int64_t", /*default=*/"8",
           "Bits per weight: 8, 4 or 2">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"0",
           "Input features per scale; 0 for one scale per output channel">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Without zero points (false: with them)">,
    Option<"rounding", "rounding", "std::string", /*default=*/"\"nearest\"",
           "nearest, or gptq (error-compensating, needs pith-calibrate)">,
    Option<"damping", "damping", "double", /*default=*/"0.01",
           "GPTQ: fraction of the mean diagonal added to E[x x^T]">,
    Option<"actOrder", "act-order", "bool", /*default=*/"false",
           "GPTQ: quantize columns by decreasing E[x_j^2], group scales "
           "taken beforehand">,
    Option<"activations", "activations", "std::string",
           /*default=*/"\"none\"",
           "Quantize the inputs to int8 too: none, dynamic (per token, "
           "at run time) or static (per tensor, from pith-calibrate)">,
    Option<"scaling", "scaling", "std::string", /*default=*/"\"none\"",
           "Scale input features first, from pith-calibrate: none, awq or "
           "smoothquant">,
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "SmoothQuant: how much of the activations' range moves into "
           "the weights, in [0, 1]">,
    Option<"clip", "clip", "bool", /*default=*/"false",
           "Clip each group's range to the fraction (1 down to 0.5) whose "
           "rounding error is least, weighted by E[x^2] with GPTQ">,
    Option<"rotate", "rotate", "bool", /*default=*/"false",
           "Rotate the input features by a block-diagonal Hadamard matrix "
           "(blocks of up to 128) before quantizing, x too at run time">,
    ListOption<"skip", "skip", "std::string",
               "Globs of layer names to leave in f32">,
    ListOption<"only", "only", "std::string",
               "Globs of the layer names to quantize (default: every layer)">,
    ListOption<"kinds", "kinds", "std::string",
               "Kinds of layer to quantize: linear, conv, depthwise (default: "
               "all)">
  ];
  let statistics = [
    Statistic<"quantizedLayers", "quantized-layers",
              "Linear layers whose weight was quantized">
  ];
}

def FactorizePass : Pass<"pith-factorize"> {
  let summary = "Factor the weights of linear layers into two of low rank";
  let description = [{
    Each `pith.linear` whose weight is an f32 constant `[N, K]` becomes two
    layers, `linear(linear(x, V), U, b)` with `U [N, r]` and `V [r, K]`,
    the best rank-r approximation of the weight (its leading singular
    vectors, from the Gram matrix of the smaller side in double
    precision). The rank is the least that meets the one budget given:
    `energy` (fraction of the squared singular values kept), `max-error`
    (largest relative error of the weight), `parameters` (largest fraction
    of N K that U and V hold) or `rank`. A layer whose factors would not be
    smaller (r (N + K) >= N K, which also means more multiply-adds) is left
    as it is with a warning, and so is one whose smaller side is wider than
    512. Layers are chosen by `only`, `skip` and `kinds` as in
    pith-quantize; each
    factorized layer's report line names its rank, its bytes and the
    weight's relative error.
  }];
  let options = [
    Option<"energy", "energy", "double", /*default=*/"0",
           "Least fraction of the squared singular values to keep">,
    Option<"maxError", "max-error", "double", /*default=*/"0",
           "Largest relative error ||W - UV|| / ||W||">,
    Option<"parameters", "parameters", "double", /*default=*/"0",
           "Largest fraction of the weight's parameters U and V may hold">,
    Option<"rank", "rank", "int64_t", /*default=*/"0", "The rank itself">,
    ListOption<"skip", "skip", "std::string",
               "Globs of layer names to leave as they are">,
    ListOption<"only", "only", "std::string",
               "Globs of the layer names to factorize (default: every layer)">,
    ListOption<"kinds", "kinds", "std::string",
               "Kinds of layer to factorize: linear, conv, depthwise (default: "
               "all)">
  ];
  let statistics = [
    Statistic<"factorizedLayers", "factorized-layers",
              "Linear layers whose weight was factorized">
  ];
}

def SparsifyPass : Pass<"pith-sparsify"> {
  let summary = "Prune the weights of linear layers by magnitude";
  let description = [{
    Each `pith.linear` whose weight is an f32 constant `[N, K]` gets a
    fraction `sparsity` of its weights zeroed by `pattern`:
    `unstructured` (the smallest magnitudes), `N:M` such as `2:4` (the
    M - N smallest of every M consecutive weights of a row; `sparsity` is
    then 1 - N / M) or `blockRxC` such as `block4x4` (the blocks of least
    L2 norm). With `global`, one threshold across all the layers chosen
    decides, so layers lose different fractions; otherwise each layer
    loses `sparsity` of its own. A layer that does not divide into the
    pattern's groups stays dense with a warning. With `compensate`
    (SparseGPT, Frantar and Alistarh 2023; unstructured and N:M, from the
    layer's E[x x^T] that pith-calibrate records), each row's weights go
    left to right, those of least w_j^2 / [H^-1]_jj in each group (N:M) or
    block of 128 columns go, and each pruned weight's value is spread over
    the row's weights still to come, so that the outputs change least. An
    N:M weight with M a power of two up to 16 is stored as its kept values
    and their positions (`pith.densify`); other weights as their nonzeros
    and a mask (`pith.masked_densify`) where that takes fewer bytes than
    dense f32 as the CPU kernel for the layer's rows keeps them (a bitmap
    below 64 rows, indexed from 64 on), else dense (pith-quantize may
    follow; zero stays zero). The report line
    gives the fraction zeroed, the bytes stored, the weight's error and,
    where calibration ran, the outputs' error. Layers are chosen by `only`,
    `skip` and `kinds` as in pith-quantize.
  }];
  let options = [
    Option<"sparsity", "sparsity", "double", /*default=*/"0.5",
           "Fraction of the weights to zero (not for N:M)">,
    Option<"pattern", "pattern", "std::string", /*default=*/"\"unstructured\"",
           "unstructured, N:M (2:4) or blockRxC (block4x4)">,
    Option<"global", "global", "bool", /*default=*/"false",
           "One threshold across all the layers chosen">,
    Option<"compensate", "compensate", "bool", /*default=*/"false",
           "SparseGPT: choose by saliency and spread each pruned weight "
           "over the row's later weights through E[x x^T] (needs "
           "pith-calibrate; unstructured or N:M)">,
    Option<"damping", "damping", "double", /*default=*/"0.01",
           "With compensate, the fraction of E[x x^T]'s mean diagonal "
           "added to its diagonal">,
    ListOption<"skip", "skip", "std::string",
               "Globs of layer names to leave dense">,
    ListOption<"only", "only", "std::string",
               "Globs of the layer names to prune (default: every layer)">,
    ListOption<"kinds", "kinds", "std::string",
               "Kinds of layer to prune: linear, conv, depthwise (default: "
               "all)">
  ];
  let statistics = [
    Statistic<"prunedLayers", "pruned-layers",
              "Linear layers whose weight was pruned">
  ];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def LowerToLinalgPass : Pass<"pith-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower pith ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites every pith op into upstream dialects on tensors: elementwise
    ops into `linalg.generic` whose operands broadcast through their
    indexing maps, contractions into `linalg.generic` contractions,
    convolutions into a window copy and a contraction per group (im2col;
    along the filters, the product transposed back, where the output
    positions do not fill 16-lane vectors and the filters do; depthwise
    ones into a loop nest that multiplies each tap of the window in place,
    reading the input at stride x ow + dilation x kw),
    reductions into `linalg.reduce`, `top_k` into an `scf.for` of k
    selection rounds, data movement into `tensor` and `linalg` ops, and
    constants into `arith.constant` (weights stay dialect resources).
    pith's unsigned integer types become signless, with unsigned
    arithmetic chosen from the pith op's types, in function signatures
    too. An op that cannot be lowered is an error naming it. With
    `int8-dot`, a linear layer whose input is quantized to int8 per token
    (W8A8, W4A8) and whose weight is quantized becomes a contraction of the
    int8 input with weights packed four values of K to a 32-bit lane, for
    VNNI's `vpdpbusd` (`pith.quantized_matmul` with `dot = true`), if its
    weights have at most `int8-dot-bits` bits; so does a convolution of an
    int8 input (one scale per tensor) and weights quantized per filter,
    over the int8 input's windows, the filters its lanes (zero channels
    added where a window's values are not a multiple of 4).
    Quantized weights are packed in panels of `panel-width` output
    features, consecutive in memory for each row of bytes; with
    `thread-bytes` above 1, for each run of that many bytes (fewer where a
    group's bytes are not a multiple), byte t of a run holding values
    t, t + run, ... of its stretch of K, the contraction looping over runs,
    values in a byte, then bytes of the run (as the int8-dot form does with
    runs of 4).
    `pith.densify` becomes a generic that puts the kept values back (of
    constants that no sparse contraction takes, a dense constant built at
    compile time); with
    `pack-sparse`, a linear layer over the densification of constants
    (M a power of two up to 16, a group's N positions of log2 M bits in
    at most 32) becomes a contraction over the kept values, packed
    [panels, groups, N, width], with their positions an 8-, 16- or 32-bit
    integer per feature and group (`pith.sparse_matmul = {n, m}`); over
    64 rows or more kept values (f32, or int8 with their rows' scales)
    are multiplied indexed instead, as masked weights' nonzeros are
    (below).
    `pith.masked_densify` of constants becomes a dense constant, unless
    (with `pack-sparse`) only linear layers take it: each becomes a
    contraction over its nonzeros, packed with a 16-bit mask per panel of
    16 features and input and each panel's first nonzero
    (`pith.bitmap_matmul`), or, over 64 rows or more (padded with zeros
    to vectors of 16, as many as 3 or 4 divides), by output feature: the
    nonzeros per panel of 16 features and chunk of 32 inputs, feature by
    feature, with their inputs' places in the chunk (a byte), each run's
    first nonzero and each feature's offset and count in it, and x
    transposed (`pith.indexed_matmul`); of anything but constants it is
    refused. Int8 nonzeros (`pith.dequantize` of `pith.masked_densify` of
    int8 constants, a scale per row) are multiplied indexed over 64 rows
    or more with their rows' scales, as N:M int8 kept values are, and
    otherwise expanded at compile time into a dense int8 layer.
  }];
  let options = [
    Option<"int8Dot", "int8-dot", "bool", /*default=*/"false",
           "Multiply int8-quantized inputs as integers (the target has "
           "AVX-512 VNNI)">,
    Option<"int8DotBits", "int8-dot-bits", "int64_t", /*default=*/"8",
           "With int8-dot, the most bits a weight may have (8 for VNNI, "
           "4 for AVX2, whose 16-bit pair sums 8-bit weights overflow)">,
    Option<"panelWidth", "panel-width", "int64_t", /*default=*/"16",
           "Output features per packed panel of quantized weights (16: a "
           "CPU register tile; 32: a GPU warp)">,
    Option<"packSparse", "pack-sparse", "bool", /*default=*/"true",
           "Multiply sparse layers' kept values or nonzeros alone (for "
           "pith-vectorize-contractions); else expand their weights">,
    Option<"threadBytes", "thread-bytes", "int64_t", /*default=*/"1",
           "Bytes of K each output feature's packed quantized weights keep "
           "together, at most (1: a CPU's rows of bytes across the panel; "
           "16: a GPU thread's 128-bit load)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def FillPerUsePass : Pass<"pith-fill-per-use"> {
  let summary = "Give each use of a tensor linalg.fill a fill of its own";
  let description = [{
    A `linalg.fill` on tensors with several uses (CSE merges identical
    fills: the zeros many sums start from) is replaced by a clone for each
    use, just before its user. Bufferized shared, the fill would be one
    buffer that every op
    writing into it but the last first copies whole (in MobileNetV2, a
    zero-filled 300 KB accumulator copied for each of three depthwise
    convolutions); each fill of its own is written in place, and
    `pith-parallelize` and the vectorizers move it into the chunks and
    tiles that use it.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FuseElementwisePass : Pass<"pith-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops into their consumers, not into contractions";
  let description = [{
    Upstream's elementwise fusion (with reshape propagation and folding of
    small constants), except that nothing fuses into a contraction: a
    matmul keeps reading its operands as laid out in memory, so that
    pith-vectorize-contractions can load rows of them, rather than
    recomputing a transpose or an activation in its innermost loop.
    Then an elementwise op that reads a float contraction's result through
    reshapes (a 1x1 convolution's [n, 1, f, positions] product viewed
    [n, f, h, w]) is rewritten over the contraction's loops: the product is
    read as it is, inputs of the op's shape are reshaped, and broadcast
    inputs keep their maps where each loop they read is one of the
    product's (extents of 1 aside); the reshape moves after the op. An
    input read by a split or merged loop (an image row, where the product
    has positions) leaves the op as it is.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::affine::AffineDialect"];
}

def PackWeightsPass : Pass<"pith-pack-weights"> {
  let summary = "Pack constant right-hand sides of contractions into panels";
  let description = [{
    A float contraction on tensors whose right-hand side is a constant
    [K, N] matrix (indexed by its one K loop and its last N loop, with N
    last in the output) has the constant repacked at compile time into
    panels [N / P, K, P] of P columns, the N tile pith-vectorize-contractions
    takes: two vectors of f32 of `vector-bits`, else one, else half of one,
    the first that divides N, where N holds at least two such panels. The
    contraction becomes a linalg.generic with N split into (panel, column)
    loops, writing its output viewed as [..., N / P, P]. Each register tile
    then streams contiguous panels (several where few rows would leave too
    few accumulators). A resource becomes a new resource named
    with the suffix `_packed`; constants that cannot be repacked are left.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers, in bits">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def PadInPlacePass : Pass<"pith-pad-in-place"> {
  let summary = "Pad tensors by filling their border and inserting the source";
  let description = [{
    Each `tensor.pad` of a static shape by a constant becomes an empty
    tensor of the padded shape whose border strips (low and high along each
    padded dimension) are filled with the constant, and the source inserted
    into its middle. The padded tensor is built just before the source's
    producer, so that `eliminate-empty-tensors` lets the producer write into
    it. Bufferized as it was, a pad filled a whole new buffer and copied the
    source into it: 96 channels at 112x112, a depthwise convolution's input,
    are 5 MB filled and 4.8 MB copied per run.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect"];
}

def ParallelizePass : Pass<"pith-parallelize"> {
  let summary = "Split linalg ops with enough work into chunks run in parallel";
  let description = [{
    Each linalg op on tensors with static shapes whose work (loop
    iterations times the operations in its body) is at least `min-work` is
    tiled along one parallel loop into an scf.forall of 2 to `chunks`
    chunks, each a whole divisor of the loop (so every chunk has a static
    shape) with at least `min-work / chunks` of the work. The loop is the
    outermost that splits: for a contraction its batch, then M, then N
    loops, or N before M where the operand N indexes (the weight, mostly)
    is the larger, so that each chunk reads its own part of it rather than
    all of it; otherwise parallel loops in order. M splits into multiples of 8
    rows (a register tile's), and the loop the vectorizers run along (a
    contraction's last N loop, another op's last loop) into multiples of
    32 elements. A contraction over indexed sparse weights
    (`pith.indexed_matmul`) splits by its panels of 16 features alone. The
    CPU pipeline turns each forall into an OpenMP
    worksharing loop. Ops already inside an scf.forall and fills are left
    alone, except that a fill an op's output starts from moves into the
    op's chunks, each filling its own part (filled whole before the loop,
    the output would be read back from memory). A float contraction whose
    result only an elementwise op reads, as it lies and over the same loops
    (its epilogue: a bias, an activation, a residual addition), is split
    with it: each chunk fills, multiplies and applies the epilogue to its
    own part of the output. An epilogue with an operand narrower than a
    byte (a mask of i1) or that reads from above is none.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"1048576",
           "Least work (iterations x body operations) worth a parallel loop">,
    Option<"chunks", "chunks", "int64_t", /*default=*/"16",
           "Most chunks a loop splits into">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect"];
}

def VectorizeContractionsPass : Pass<"pith-vectorize-contractions"> {
  let summary = "Tile float contractions to register blocks and vectorize them";
  let description = [{
    Each float contraction on tensors whose output and right-hand operand
    are contiguous along N (matmul, batched and broadcast matmuls, linear
    layers with their weights laid out [K, N]) is tiled: loops over batch,
    N and M tiles outside, K innermost, with an mR x nR output tile that
    fits the register file (nR up to two vectors of `vector-bits`, mR up to
    8 rows) and K in steps of up to 4. Where few rows leave fewer than 8
    accumulators, a tile over packed weights spans several panels, so that
    multiply-adds along K do not each wait on the last. Tile sizes divide
    the extents, so tiles are full and need no masks. Each tile becomes
    vector.transfer_read
    / vector.contract / vector.transfer_write, and the output tile's read
    and write leave the K loop once loop-invariant-subset-hoisting runs.
    Where the output starts from a `linalg.fill` (a sum's zeros; for a
    chunk of an `scf.forall`, the chunk's own, see pith-parallelize),
    each tile fills its own block before its K loop, so the output is
    written once rather than filled whole and read back. Where the
    contraction has an epilogue (see pith-parallelize), the epilogue is
    tiled as the output is and each block of it follows its K loop: it
    applies to the sums while they are in registers, and the product
    itself is never stored.
    Contractions over quantized weights (`pith.quantized_matmul`) are
    written as loops over panels of 16 output features; those over int8
    inputs (`dot = true`, with 512-bit vectors) as 4-way dot products of
    bytes into 32-bit sums, marked `pith.vnni_dot` for pith-lower-vectors
    to make them AVX-512 VNNI's `vpdpbusd`. Contractions over the kept
    values of N:M-sparse weights (`pith.sparse_matmul`) are written as
    loops over panels, blocks of rows and groups: each slot's values times
    x's group gathered by the slot's positions (from its m elements, which
    pith-lower-vectors permutes in registers), n FMAs per group of m.
    Contractions over the nonzeros of bitmap-sparse weights
    (`pith.bitmap_matmul`) walk each panel's nonzeros with a running
    offset: each input's 16-bit mask expands the next nonzeros into a
    register (a gather by the count of the mask's lower bits, which
    pith-lower-vectors makes AVX-512's `vexpandps`), multiplied by that
    input of every row of a block; chunks of inputs whose masks are all
    zero are skipped. Contractions over indexed nonzeros
    (`pith.indexed_matmul`) go by blocks of 128 rows (64 with AVX2),
    panels and chunks of 32 inputs: the panel's nonzeros are walked in
    order, each feature taking its count of them, each (int8 ones made
    floats) multiplied into 8 vectors of 16 rows (4 with AVX2) of its
    input's row of x transposed; then a panel's 16 features' sums are
    transposed in registers, scaled by the features' scales for int8
    nonzeros, and added to the output's rows. With
    `bf16-dot`, 4-bit weight-only contractions at 1 or 2 rows multiply by
    pairs of bf16: per block of 4 rows of packed
    bytes, the bytes permuted so that each feature's share a 32-bit lane,
    each pair of values shifted under the bits of bf16 1.0 (1 + n/16), and
    a dot product with the pairs of x, split before the panels into two
    bf16 parts, marked `pith.bf16_dot` for pith-lower-vectors; the packed
    bytes 4096 ahead of each block are prefetched (`memref.prefetch` of a
    read-only `bufferization.to_buffer` of any layout), since one thread's
    stream of weights outruns the hardware prefetchers. Other
    contractions are left as they are.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers, in bits">,
    Option<"bf16Dot", "bf16-dot", "bool", /*default=*/"false",
           "Weight-only 4-bit layers at few rows multiply by AVX-512 BF16 "
           "dot products (the target has avx512bf16 and avx512vbmi)">
  ];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
                           "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def AllocateResultsPass : Pass<"pith-allocate-results", "mlir::func::FuncOp"> {
  let summary = "Allocate results returned through reshapes in their own shape";
  let description = [{
    A function result that is a reshape (`memref.collapse_shape`,
    `memref.expand_shape`, any number of them) of a static, identity-layout
    `memref.alloc` is allocated in the result's own shape instead: the
    allocation's users get a reshaped view of the new buffer, and the
    function returns the buffer itself. `buffer-results-to-out-params` then
    has the producer write into the caller's buffer, where it would have
    copied the reshape into it (a 1x1 convolution's [n, 1, f, positions]
    product returned as [n, f, h, w]: 4.8 MB copied at 96x112x112).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PlanWorkspacePass : Pass<"pith-plan-workspace", "mlir::ModuleOp"> {
  let summary = "Place a public function's buffers in one workspace argument";
  let description = [{
    The static, identity-layout `memref.alloc`s at the top level of each
    public function become `memref.view`s of a new last argument, an i8
    buffer marked `pith.workspace = <bytes>`, and their deallocations go.
    Buffers are placed largest first at the lowest 64-byte-aligned offset
    that overlaps no buffer alive at the same time (from its allocation to
    the last use of it or of a view of it). A buffer that may escape (is
    returned, passed to a call, or turned into another buffer by a non-view
    op) keeps its allocation.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def VectorizeRowsPass : Pass<"pith-vectorize-rows"> {
  let summary = "Vectorize linalg ops other than contractions along their innermost loop";
  let description = [{
    Each linalg op on tensors that is not a contraction, whose operands are
    all contiguous along its innermost loop (or do not depend on it; an
    input read at the innermost index plus other loops', as a
    convolution's windows are at ow + kw, counts as contiguous; an input
    strided along it, at 2 ow + kw (a strided copy's, a strided depthwise
    convolution's), is read as the row's span, from where the map puts
    index 0, and every other element picked by a shuffle, in registers),
    and that gathers nothing, is tiled to
    rows: every outer loop steps by 1, the innermost by the largest power
    of two of vectors of `vector-bits` (up to 16) that divides it, by the
    whole row where it is shorter than a vector, or by half or a quarter
    of one; a reduction along the row takes it whole. A row of positions
    longer than a vector but not a multiple of one (28, or a strided
    depthwise convolution's 56) is first split into two ops, its whole
    vectors (16) and the rest (12). A row of
    positions steps outside the reductions before it (a depthwise
    convolution's taps), so that
    loop-invariant-subset-hoisting keeps the output's row in registers
    across them. Each
    row is vectorized: elementwise bodies become vector arithmetic,
    reductions along the row vector.multi_reduction. A transpose of 32-bit
    elements that moves the innermost dimension, once dimensions that stay
    together are collapsed into one ([1, 56, 56, 256] to [1, 256, 56, 56]
    is [3136, 256] to [256, 3136]), goes by 16x16 blocks: 16 vectors
    read, transposed in registers by 64 two-source shuffles, 16 written;
    a swapped extent that is not a multiple of 16 (196, a 14x14 image's)
    ends in a partial block, its vectors masked and its rows past the end
    kept to the last one. Transposes with a swapped extent under 16, and
    other ops with transposed operands, are left to scalar loops.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers, in bits">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def LowerVectorsPass : Pass<"pith-lower-vectors"> {
  let summary = "Lower vector ops on buffers to 1-D vector code";
  let description = [{
    vector.contract becomes outer products and each outer product FMAs;
    transfers become 1-D loads and stores (permutation maps as broadcasts
    and transposes); multi-dimensional broadcasts, transposes, shape casts
    and reductions become 1-D ops. What remains converts to LLVM one
    vector instruction at a time. A reduction marked `pith.vnni_dot` (a
    4-way dot product of unsigned by signed bytes into 32-bit sums, which
    pith-vectorize-contractions writes for int8 inputs) becomes
    `llvm.x86.avx512.vpdpbusd.512`, or with `vnni=false` AVX2's
    `vpmaddubsw` (pairs of products into 16-bit sums, saturating: exact for
    weights of at most 4 bits) and `vpmaddwd` by ones on each half. A
    reduction marked `pith.bf16_dot` (products of pairs of bf16 into f32
    lanes) becomes `llvm.x86.avx512bf16.dpbf16ps.512`. A gather of f32
    lanes from a 1-D buffer of m elements (which
    pith-vectorize-contractions writes for N:M-sparse weights) becomes a
    load of the m elements, repeated across a register and permuted by
    the indices: `llvm.x86.avx512.permvar.sf.512` with 512-bit vectors,
    `llvm.x86.avx2.permps` on each half with 256-bit ones (m dividing the
    lanes); otherwise it stays a gather. A gather of 16 f32 lanes whose
    mask is bit f of a spread integer and whose index in lane f counts
    that integer's bits below f (the expansion of a bitmap-sparse weight's
    nonzeros) becomes, with 512-bit vectors, one expanding load
    (`vexpandps`); with narrower ones it stays a masked gather.
  }];
  let options = [
    Option<"vnni", "vnni", "bool", /*default=*/"true",
           "Dot products of bytes with VNNI; else with AVX2">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Width of the target's vector registers, in bits">
  ];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def ApproximateMathPass : Pass<"pith-approximate-math"> {
  let summary = "Replace exp, log, erf and tanh with vectorizable polynomials";
  let description = [{
    math.exp, expm1, log, log1p, log2, erf, erfc and tanh become upstream
    MLIR's polynomial approximations in arith ops (f16 and bf16 computed in
    f32), which LLVM vectorizes, instead of one libm call per element.
    They are within a few ulp in f32. Trigonometric functions keep their
    libm calls.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
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
  let summary = "Turn copies between strided buffers into loops";
  let description = [{
    A `memref.copy` whose source or target is not contiguous in row-major
    order becomes loops over its rows that move each row by vectors (the
    largest power of two of elements, up to 256 bytes, dividing the row)
    where the shapes are static and the rows contiguous in both buffers (a
    `tensor.pad`'s copy into the middle of the padded buffer), else
    `linalg.copy`, which lowers to loops with the rest of linalg;
    contiguous copies stay and become `memcpy`. Compiled models so
    need no MLIR runtime library (LLVM lowers strided copies to a call to
    `memrefCopy` from it). With `all`, every copy becomes `linalg.copy`,
    contiguous ones too: on a GPU, copies are kernels like any loop.
  }];
  let options = [
    Option<"all", "all", "bool", /*default=*/"false",
           "Turn every copy into linalg.copy, contiguous ones too">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def MapToGpuPass : Pass<"pith-map-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Run the loops of a bufferized function as GPU kernels";
  let description = [{
    Runs after linalg became loops (`convert-linalg-to-parallel-loops`), on
    buffers. Each `scf.parallel` at the top level of a function becomes a
    `gpu.launch` of one thread per iteration: the iterations are numbered
    with the innermost dimension fastest, so that neighbouring threads touch
    neighbouring elements (coalesced accesses), and split into blocks of
    `block-size` threads; threads past the end do nothing. Loops inside an
    iteration (reductions) stay sequential in its thread. Other ops that
    read or write memory at the top level (a reduction over every element,
    a scalar store) run in a launch of one thread, as consecutive ops share
    one. Constants and views of buffers stay on the host. Float arithmetic
    in a launch may contract (`fastmath<contract>`). A value computed on
    the GPU and used on the host is an error naming the op.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::scf::SCFDialect"];
}

def MapReductionsToGpuPass : Pass<"pith-map-reductions-to-gpu",
                                  "mlir::func::FuncOp"> {
  let summary = "Run linalg ops with reductions as GPU kernels that "
                "accumulate in registers";
  let description = [{
    Runs on buffers, before `convert-linalg-to-parallel-loops`. Each
    top-level linalg op with reductions, static shapes and one output
    indexed by all its parallel dimensions becomes a `gpu.launch` of one
    thread per output element (numbered innermost dimension fastest, in
    blocks of `block-size`), which runs the reduction loops with the
    accumulator in a register: one load and one store of the output in all.
    A parallel dimension that the largest input read in the reduction does
    not use (a layer's rows, which its weights do not) goes to each thread
    whole where it has 2 to 16 iterations (a GEMV-shaped layer), else in
    tiles of up to 8 (a divisor of its extent): the thread carries one
    accumulator per row and reads that input once for all of them. Where
    the rows' own inputs are read in runs (below), a thread holds at most
    64 of their values (tiles of 4 rows for runs of 16).

    When the body is a sum (it yields `out` plus terms that do not depend
    on `out`, through adds, subtractions of such terms and selects on
    conditions that do not depend on it) and the threads are fewer than
    `min-threads`, the outermost looped reduction dimension longer than
    one is split across `gridDim.y` blocks (into a divisor of its extent,
    each share at least `min-work` iterations); each block sums its share
    from zero and adds it to the output with `memref.atomic_rmw`, so the
    output must already hold the initial value (as linalg's fill leaves
    it). Sums split this way are not bitwise reproducible from run to run.

    Where an input keeps runs of the innermost reduction dimension
    together (it indexes only the input's last, contiguous dimension, as
    long as the run) and a run starts aligned (an entry-point buffer is
    256-byte aligned, a `memref.view` keeps its constant shift's
    alignment), that dimension (at most 64 iterations, not the only
    reduction) is unrolled and each run read in `vector.load`s of up to 16
    bytes and two values or more, once, in the loop of the innermost
    dimension its indices use. Float arithmetic in the launch may contract
    (`fastmath<contract>`). Other ops are left to
    `convert-linalg-to-parallel-loops`.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"minThreads", "min-threads", "int64_t", /*default=*/"131072",
           "Threads under which a sum's reduction is split across blocks">,
    Option<"minWork", "min-work", "int64_t", /*default=*/"64",
           "Fewest reduction iterations a split keeps">
  ];
  let dependentDialects = ["mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def EmulateGpuPass : Pass<"pith-emulate-gpu"> {
  let summary = "Run GPU launches on the host, their blocks and threads in "
                "sequence";
  let description = [{
    Each `gpu.launch` becomes six nested `scf.for` loops, over the grid's
    z, y and x and then the block's, with the block and thread ids the
    loops' indices and the sizes the launch's own; the body runs in the
    innermost. Kernels pith maps never synchronize threads or share
    memory, so running them one after another computes what the GPU
    computes, up to the order of atomic additions. Vector loads lose the
    alignment a GPU's buffers guarantee (a caller's input on a CPU need
    not be aligned). `pith-compile --target=gpu-emulator` compiles a model
    this way, for this CPU: the GPU mapping passes' numerics are checked
    without a GPU.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect"];
}

def PlanLaunchesPass : Pass<"pith-plan-launches", "mlir::ModuleOp"> {
  let summary = "Record a GPU model's kernel launches for the runtime";
  let description = [{
    Runs after `gpu-kernel-outlining`. The kernels of every `gpu.module`
    move into one, `@pith_kernels`, each named after the module it came
    from. The public function must then be a straight line of launches
    with static sizes, on buffers that are its arguments or views of them:
    each `gpu.launch_func` is recorded, in order, in the module's
    `pith.launches` array, as a dictionary with the kernel's `name`, its
    `grid` and `block` sizes and its `arguments`: per argument, for a
    buffer, the function argument it is a view of (`buffer`), the byte
    offset of the view's base (`byte_offset`) and its memref descriptor
    (`offset`, `sizes`, `strides`), and for a scalar its `value`. The
    runtime launches them from this array; the host function is not
    compiled. Anything else on the host (a loop, a buffer allocated at run
    time, a constant buffer) is an error naming the op.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
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
