//===- PithOps.td - pith operations ------------------------------*- tablegen -*-===//
//
// Part of pith. The graph-level operations of the pith dialect.
//
// Conventions shared by every op:
//  - operands and results are statically shaped ranked tensors;
//  - axes in attributes are non-negative (the importer normalizes ONNX's
//    negative axes);
//  - binary elementwise ops broadcast their operands as numpy does;
//  - spatial ops use the channels-first layout (N, C, D1, ..., Dk) and
//    pads are [begin_1, ..., begin_k, end_1, ..., end_k], as in ONNX.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_OPS_TD
#define PITH_OPS_TD

include "dialects/pith/PithDialect.td"
include "dialects/pith/PithAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

class Pith_Op<string mnemonic, list<Trait> traits = []>
    : Op<Pith_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Pith_ConstantOp : Pith_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor: a weight, a scale or a small literal";
  let description = [{
    Holds a tensor value. Weights are held as dialect resources
    (`dense_resource<name>`), whose bytes live outside the IR text and are
    memory-mapped from the model file; small literals may be `dense<...>`.

    ```mlir
    %w = pith.constant dense_resource<fc1.weight> : tensor<256x784xf32>
    %eps = pith.constant dense<1.0e-05> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Unary elementwise operations
//===----------------------------------------------------------------------===//

class Pith_UnaryOp<string mnemonic, Type tensor, string doc,
                   list<Trait> traits = []>
    : Pith_Op<mnemonic, !listconcat(
          [Pure, Elementwise, SameOperandsAndResultType], traits)> {
  let summary = doc;
  let description = "Applies `" # mnemonic # "` to every element: " # doc # ".";
  let arguments = (ins tensor:$input);
  let results = (outs tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

/// A float function whose constant folding evaluates `expr` on a double x.
class Pith_MathOp<string mnemonic, string doc, string expr>
    : Pith_UnaryOp<mnemonic, Pith_FloatTensor, doc> {
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return detail::foldFloatMath(adaptor.getInput(), getType(),
                                   [](double x) -> double { return }] # expr # [{; });
    }
  }];
}

def Pith_NegOp : Pith_UnaryOp<"neg", Pith_NumericTensor, "negation, -x"> {
  let hasFolder = 1;
}
def Pith_AbsOp : Pith_UnaryOp<"abs", Pith_NumericTensor, "absolute value, |x|"> {
  let hasFolder = 1;
}
def Pith_ReluOp : Pith_UnaryOp<"relu", Pith_NumericTensor,
                               "rectified linear unit, max(x, 0)"> {
  let hasFolder = 1;
}
def Pith_SignOp : Pith_UnaryOp<"sign", Pith_NumericTensor,
                               "the sign of x: -1, 0 or 1">;
def Pith_ExpOp : Pith_MathOp<"exp", "exponential, e^x", "std::exp(x)">;
def Pith_LogOp : Pith_MathOp<"log", "natural logarithm, ln x", "std::log(x)">;
def Pith_SqrtOp : Pith_MathOp<"sqrt", "square root", "std::sqrt(x)">;
def Pith_RsqrtOp : Pith_MathOp<"rsqrt", "reciprocal square root, 1/sqrt(x)",
                               "1.0 / std::sqrt(x)">;
def Pith_ReciprocalOp : Pith_MathOp<"reciprocal", "reciprocal, 1/x", "1.0 / x">;
def Pith_TanhOp : Pith_MathOp<"tanh", "hyperbolic tangent", "std::tanh(x)">;
def Pith_SigmoidOp : Pith_MathOp<"sigmoid", "logistic sigmoid, 1/(1+e^-x)",
                                 "1.0 / (1.0 + std::exp(-x))">;
def Pith_ErfOp : Pith_MathOp<"erf", "Gauss error function", "std::erf(x)">;
def Pith_SinOp : Pith_MathOp<"sin", "sine", "std::sin(x)">;
def Pith_AtanOp : Pith_MathOp<"atan", "arc tangent", "std::atan(x)">;
def Pith_CosOp : Pith_MathOp<"cos", "cosine", "std::cos(x)">;
def Pith_FloorOp : Pith_MathOp<"floor", "rounding toward negative infinity",
                               "std::floor(x)">;
def Pith_CeilOp : Pith_MathOp<"ceil", "rounding toward positive infinity",
                              "std::ceil(x)">;
def Pith_RoundOp : Pith_MathOp<"round", "rounding to nearest, ties to even",
                               "std::nearbyint(x)">;
def Pith_SoftplusOp : Pith_UnaryOp<"softplus", Pith_FloatTensor,
                                   "softplus, ln(1 + e^x)">;
def Pith_SiluOp : Pith_UnaryOp<"silu", Pith_FloatTensor,
                               "sigmoid linear unit, x * sigmoid(x)">;
def Pith_HardSwishOp : Pith_UnaryOp<"hard_swish", Pith_FloatTensor,
                                    "x * max(0, min(1, x/6 + 1/2))">;
def Pith_NotOp : Pith_UnaryOp<"not", Pith_BoolTensor, "logical negation"> {
  let hasFolder = 1;
}

def Pith_GeluOp : Pith_UnaryOp<"gelu", Pith_FloatTensor,
                               "Gaussian error linear unit"> {
  let description = [{
    `x * Phi(x)` with `Phi` the standard normal CDF, computed exactly with
    `erf` (`approximation = none`) or with the tanh approximation
    `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`.
  }];
  let arguments = (ins Pith_FloatTensor:$input,
      DefaultValuedAttr<Pith_GeluApproximationAttr,
                        "GeluApproximation::None">:$approximation);
  let assemblyFormat = "$input (`approximation` `=` $approximation^)? attr-dict `:` type($input)";
}

def Pith_LeakyReluOp : Pith_UnaryOp<"leaky_relu", Pith_FloatTensor,
                                    "x for x >= 0, alpha * x otherwise"> {
  let arguments = (ins Pith_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.01">:$alpha);
}

def Pith_EluOp : Pith_UnaryOp<"elu", Pith_FloatTensor,
                              "x for x >= 0, alpha * (e^x - 1) otherwise"> {
  let arguments = (ins Pith_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "1.0">:$alpha);
}

def Pith_HardSigmoidOp : Pith_UnaryOp<"hard_sigmoid", Pith_FloatTensor,
                                      "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins Pith_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.5">:$beta);
}

def Pith_ClampOp : Pith_UnaryOp<"clamp", Pith_NumericTensor,
                                "min(max(x, min), max)"> {
  let description = [{
    Limits every element to `[min, max]`; a bound that is absent does not
    limit. Each bound is a scalar of the tensor's element type.

    ```mlir
    %0 = pith.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<8xf32>
    ```
  }];
  let arguments = (ins Pith_NumericTensor:$input,
                       OptionalAttr<TypedAttrInterface>:$min,
                       OptionalAttr<TypedAttrInterface>:$max);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Binary elementwise operations (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Pith_BinaryOp<string mnemonic, Type tensor, string doc,
                    list<Trait> traits = []>
    : Pith_Op<mnemonic, !listconcat(
          [Pure, Pith_InferTypes, AllElementTypesMatch<["lhs", "rhs"]>],
          traits)> {
  let summary = doc;
  let description = "Computes " # doc # " element by element; the operands "
      # "broadcast as in numpy, and the result has the broadcast shape.";
  let arguments = (ins tensor:$lhs, tensor:$rhs);
  let results = (outs tensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferBroadcastResult(loc, adaptor.getLhs(), adaptor.getRhs(),
          ::llvm::cast<::mlir::ShapedType>(adaptor.getLhs().getType())
              .getElementType(), types);
    }
  }];
}

def Pith_AddOp : Pith_BinaryOp<"add", Pith_NumericTensor, "the sum lhs + rhs",
                               [Commutative]>;
def Pith_SubOp : Pith_BinaryOp<"sub", Pith_NumericTensor, "the difference lhs - rhs">;
def Pith_MulOp : Pith_BinaryOp<"mul", Pith_NumericTensor, "the product lhs * rhs",
                               [Commutative]>;
def Pith_DivOp : Pith_BinaryOp<"div", Pith_NumericTensor,
    "the quotient lhs / rhs (integers: truncated toward zero)">;
def Pith_RemOp : Pith_BinaryOp<"rem", Pith_NumericTensor,
    "the remainder of lhs / rhs, with the sign of lhs (C fmod)">;
def Pith_PowOp : Pith_BinaryOp<"pow", Pith_FloatTensor, "the power lhs ^ rhs">;
def Pith_MaxOp : Pith_BinaryOp<"max", Pith_NumericTensor, "the larger of lhs and rhs",
                               [Commutative]>;
def Pith_MinOp : Pith_BinaryOp<"min", Pith_NumericTensor, "the smaller of lhs and rhs",
                               [Commutative]>;
def Pith_AndOp : Pith_BinaryOp<"and", Pith_LogicalTensor,
    "logical (i1) or bitwise (integer) conjunction", [Commutative]>;
def Pith_OrOp : Pith_BinaryOp<"or", Pith_LogicalTensor,
    "logical (i1) or bitwise (integer) disjunction", [Commutative]>;
def Pith_XorOp : Pith_BinaryOp<"xor", Pith_LogicalTensor,
    "logical (i1) or bitwise (integer) exclusive or", [Commutative]>;

def Pith_CompareOp : Pith_Op<"compare",
    [Pure, Pith_InferTypes, AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Elementwise comparison with a boolean result";
  let description = [{
    Compares the broadcast operands element by element with the predicate
    `eq`, `ne`, `lt`, `le`, `gt` or `ge`; the result is an `i1` tensor of the
    broadcast shape. Comparisons with NaN are false, but for `ne`.

    ```mlir
    %m = pith.compare lt, %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
    ```
  }];
  let arguments = (ins Pith_CompareKindAttr:$kind, Pith_NumericTensor:$lhs,
                       Pith_NumericTensor:$rhs);
  let results = (outs Pith_BoolTensor:$output);
  let assemblyFormat =
      "$kind `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_WhereOp : Pith_Op<"where",
    [Pure, Pith_InferTypes, AllElementTypesMatch<["on_true", "on_false"]>]> {
  let summary = "Elementwise selection";
  let description = [{
    Picks `on_true` where `condition` holds and `on_false` elsewhere; the
    three operands broadcast together as in numpy.
  }];
  let arguments = (ins Pith_BoolTensor:$condition, Pith_Tensor:$on_true,
                       Pith_Tensor:$on_false);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Pith_CastOp : Pith_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the result's element type. Float to float
    rounds to nearest even; float to integer rounds toward zero (a value
    outside the integer's range gives an unspecified result); integer to
    float rounds to nearest; integer to integer sign- or zero-extends by the
    source's signedness, or truncates. Any nonzero value casts to `true`.
  }];
  let arguments = (ins StaticShapeTensorOf<[Pith_Numeric, I1, Pith_QuantStorage]>:$input);
  let results = (outs StaticShapeTensorOf<[Pith_Numeric, I1, Pith_QuantStorage]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and convolution
//===----------------------------------------------------------------------===//

def Pith_MatmulOp : Pith_Op<"matmul",
    [Pure, Pith_InferTypes, AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Matrix product with broadcast batch dimensions";
  let description = [{
    `lhs` is `[..., M, K]` and `rhs` is `[..., K, N]`; the leading batch
    dimensions broadcast as in numpy and the result is `[..., M, N]`. Both
    operands have rank 2 or more (the importer reshapes ONNX's vectors).

    ```mlir
    %0 = pith.matmul %q, %k : (tensor<12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<12x128x128xf32>
    ```
  }];
  let arguments = (ins Pith_NumericTensor:$lhs, Pith_NumericTensor:$rhs);
  let results = (outs Pith_NumericTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Pith_LinearOp : Pith_Op<"linear",
    [Pure, Pith_InferTypes, AllElementTypesMatch<["input", "weight"]>]> {
  let summary = "Fully connected layer, x · Wᵀ + b: the op compression targets";
  let description = [{
    `input` is `[..., K]`, `weight` is `[N, K]` (one row per output feature,
    the layout of PyTorch's `nn.Linear`) and the optional `bias` is `[N]`;
    the result is `[..., N]`. Quantization, sparsity and factorization
    rewrite the weight of this op, so matrix products with a constant
    operand are brought into this form.

    ```mlir
    %y = pith.linear %x, %w, %b : (tensor<1x128x384xf32>, tensor<1536x384xf32>, tensor<1536xf32>) -> tensor<1x128x1536xf32>
    ```
  }];
  let arguments = (ins Pith_FloatTensor:$input, Pith_FloatTensor:$weight,
                       Optional<Pith_FloatTensor>:$bias);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Pith_ConvOp : Pith_Op<"conv",
    [Pure, Pith_InferTypes, AllElementTypesMatch<["input", "weight"]>]> {
  let summary = "Grouped, strided, dilated convolution (1-D, 2-D or 3-D)";
  let description = [{
    `input` is `[N, C, D1..Dk]`, `weight` is `[F, C/groups, K1..Kk]` and the
    optional `bias` is `[F]`, with k spatial dimensions (1 to 3). `strides`
    and `dilations` have k entries, `pads` has 2k (all begins, then all
    ends). Output extent i is
    `floor((Di + pad_begin_i + pad_end_i - dilation_i * (Ki - 1) - 1) / stride_i) + 1`.

    ```mlir
    %y = pith.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}
        : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Pith_FloatTensor:$input, Pith_FloatTensor:$weight,
                       Optional<Pith_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Pith_PoolOp<string mnemonic, string doc> : Pith_Op<mnemonic,
    [Pure, Pith_InferTypes]> {
  let summary = doc;
  let arguments = (ins Pith_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Pith_NumericTensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferPoolResult(loc, adaptor, types);
    }
  }];
}

def Pith_MaxPoolOp : Pith_PoolOp<"max_pool", "Maximum over sliding windows"> {
  let description = [{
    Takes the maximum of each window of `input` (`[N, C, D1..Dk]`, k from 1
    to 3); padded positions never win. `kernel`, `strides` and `dilations`
    have k entries and `pads` 2k. With `ceil_mode` the output extent rounds
    up, but a window never starts inside the end padding.
  }];
}

def Pith_AvgPoolOp : Pith_PoolOp<"avg_pool", "Average over sliding windows"> {
  let description = [{
    Averages each window of `input` (`[N, C, D1..Dk]`, k from 1 to 3). With
    `count_include_pad` the divisor is the full window size; otherwise it is
    the number of positions inside the input. Attributes as for
    `pith.max_pool`.
  }];
  let results = (outs Pith_FloatTensor:$output);
  let arguments = (ins Pith_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
}

//===----------------------------------------------------------------------===//
// Reductions and normalization
//===----------------------------------------------------------------------===//

def Pith_ReduceOp : Pith_Op<"reduce", [Pure, Pith_InferTypes]> {
  let summary = "Reduction over a set of axes";
  let description = [{
    Reduces `input` over `axes` (strictly increasing, at least one) with
    `sum`, `mean`, `max`, `min`, `prod`, `l1` (sum of |x|), `l2`
    (sqrt of the sum of squares), `sum_square` or `log_sum_exp`. With
    `keepdims` the reduced axes stay as extent 1.

    ```mlir
    %m = pith.reduce mean %x {axes = array<i64: 2>, keepdims = true} : (tensor<1x128x384xf32>) -> tensor<1x128x1xf32>
    ```
  }];
  let arguments = (ins Pith_ReduceKindAttr:$kind, Pith_NumericTensor:$input,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs Pith_NumericTensor:$output);
  let assemblyFormat =
      "$kind $input attr-dict `:` functional-type(operands, results)";
}

class Pith_ArgReduceOp<string mnemonic, string doc>
    : Pith_Op<mnemonic, [Pure, Pith_InferTypes]> {
  let summary = doc;
  let description = [{
    Returns, along `axis`, the index of the }] # doc # [{ (the first one,
    or the last one with `select_last_index`) as `i64`. With `keepdims` the
    axis stays as extent 1.
  }];
  let arguments = (ins Pith_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return inferArgReduceResult(context, loc, adaptor, types);
    }
  }];
}

def Pith_ArgMaxOp : Pith_ArgReduceOp<"arg_max", "largest element">;
def Pith_ArgMinOp : Pith_ArgReduceOp<"arg_min", "smallest element">;

def Pith_TopKOp : Pith_Op<"top_k", [Pure, Pith_InferTypes]> {
  let summary = "The k largest (or smallest) elements along an axis";
  let description = [{
    Returns, along `axis`, the `k` largest elements (`largest`) or the `k`
    smallest, and their `i64` indices; with `sorted` in order, best first.
    Equal elements keep their order (the lower index first). The results
    have the input's shape with extent `k` along `axis`.

    ```mlir
    %v, %i = pith.top_k %x {axis = 1 : i64, k = 5 : i64} : (tensor<1x1000xf32>) -> (tensor<1x5xf32>, tensor<1x5xi64>)
    ```
  }];
  let arguments = (ins Pith_NumericTensor:$input, I64Attr:$k, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Pith_NumericTensor:$values,
                      StaticShapeTensorOf<[I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

class Pith_SoftmaxLikeOp<string mnemonic, string doc>
    : Pith_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = doc;
  let description = "Computes " # doc # " along `axis`.";
  let arguments = (ins Pith_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return verifySoftmaxAxis(*this, getAxis());
    }
  }];
}

def Pith_SoftmaxOp : Pith_SoftmaxLikeOp<"softmax",
    "the softmax, e^x / sum(e^x)">;
def Pith_LogSoftmaxOp : Pith_SoftmaxLikeOp<"log_softmax",
    "the logarithm of the softmax">;

def Pith_LayerNormOp : Pith_Op<"layer_norm",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["input", "output"]>]> {
  let summary = "Layer normalization over the trailing axes";
  let description = [{
    Normalizes `input` over the axes `[axis, rank)` to zero mean and unit
    variance (`epsilon` added to the variance), then multiplies by `scale`
    and adds `bias` when given; both have the shape of the normalized axes.

    ```mlir
    %y = pith.layer_norm %x scale %g bias %b {axis = 2 : i64, epsilon = 1.0e-12 : f64}
        : (tensor<1x128x384xf32>, tensor<384xf32>, tensor<384xf32>) -> tensor<1x128x384xf32>
    ```
  }];
  let arguments = (ins Pith_FloatTensor:$input,
                       Optional<Pith_FloatTensor>:$scale,
                       Optional<Pith_FloatTensor>:$bias, I64Attr:$axis,
                       DefaultValuedAttr<F64Attr, "1.0e-05">:$epsilon);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Pith_BatchNormOp : Pith_Op<"batch_norm",
    [Pure, AllTypesMatch<["input", "output"]>,
     AllTypesMatch<["scale", "bias", "mean", "variance"]>]> {
  let summary = "Batch normalization with running statistics (inference)";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias` per channel;
    `input` is `[N, C, ...]` and the four statistics are `[C]`.
  }];
  let arguments = (ins Pith_FloatTensor:$input, Pith_FloatTensor:$scale,
                       Pith_FloatTensor:$bias, Pith_FloatTensor:$mean,
                       Pith_FloatTensor:$variance,
                       DefaultValuedAttr<F64Attr, "1.0e-05">:$epsilon);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Pith_ReshapeOp : Pith_Op<"reshape", [Pure]> {
  let summary = "Reinterprets a tensor with another shape";
  let description = [{
    Keeps the elements in row-major order and gives them the result's
    shape, which has the same number of elements.
  }];
  let arguments = (ins Pith_Tensor:$input);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Pith_TransposeOp : Pith_Op<"transpose", [Pure, Pith_InferTypes]> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension i is input dimension `permutation[i]`.

    ```mlir
    %t = pith.transpose %x {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x32xf32>) -> tensor<1x12x128x32xf32>
    ```
  }];
  let arguments = (ins Pith_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_ConcatOp : Pith_Op<"concat",
    [Pure, Pith_InferTypes, SameOperandsAndResultElementType]> {
  let summary = "Joins tensors along an axis";
  let description = [{
    The operands have the same rank and agree in every dimension but
    `axis`, along which they are laid end to end.
  }];
  let arguments = (ins Variadic<Pith_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_SplitOp : Pith_Op<"split", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Cuts a tensor into consecutive pieces along an axis";
  let description = [{
    Result i holds the next `extent_i` positions along `axis`, where
    `extent_i` is result i's extent there; the extents add up to the
    input's.
  }];
  let arguments = (ins Pith_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Pith_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Pith_SliceOp : Pith_Op<"slice", [Pure, Pith_InferTypes]> {
  let summary = "Strided window of a tensor";
  let description = [{
    For every dimension d, takes positions `starts[d]`, `starts[d] +
    steps[d]`, ... up to but excluding `limits[d]`. A negative step walks
    backwards (then `limits[d]` may be -1, one before the first position).
    Positions are already clamped into range, as the importer leaves them.

    ```mlir
    %s = pith.slice %x {starts = array<i64: 0, 1>, limits = array<i64: 4, 8>, steps = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Pith_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$steps);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_GatherOp : Pith_Op<"gather", [Pure, Pith_InferTypes]> {
  let summary = "Takes slices of a tensor at given indices along an axis";
  let description = [{
    The result is `input.shape[:axis] + indices.shape +
    input.shape[axis+1:]`: an embedding lookup when `axis` is 0. Negative
    indices count from the end; indices outside `[-d, d)` are clamped.
  }];
  let arguments = (ins Pith_Tensor:$input, Pith_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat =
      "$input `[` $indices `]` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_GatherElementsOp : Pith_Op<"gather_elements", [Pure, Pith_InferTypes]> {
  let summary = "Takes elements of a tensor at per-element indices along an axis";
  let description = [{
    `indices` has the input's rank and, but for `axis`, extents no larger
    than the input's; the result has its shape. Result element `p` is the
    input element at `p` with its `axis` coordinate replaced by
    `indices[p]` (negative indices count from the end; indices outside
    `[-d, d)` are clamped).

    ```mlir
    %t = pith.gather_elements %x[%i] {axis = 1 : i64} : (tensor<1x512xi64>, tensor<1x128xi64>) -> tensor<1x128xi64>
    ```
  }];
  let arguments = (ins Pith_Tensor:$input, Pith_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat =
      "$input `[` $indices `]` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_GatherNdOp : Pith_Op<"gather_nd", [Pure, Pith_InferTypes]> {
  let summary = "Takes slices of a tensor at multi-dimensional indices";
  let description = [{
    The last axis of `indices` holds k coordinates into the input's axes
    `batch_dims` to `batch_dims + k - 1`; the leading `batch_dims` axes of
    input and indices match and index each other. The result is
    `indices.shape[:-1] + input.shape[batch_dims + k:]`. Negative
    coordinates count from the end; coordinates out of range are clamped.
  }];
  let arguments = (ins Pith_Tensor:$input, Pith_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat =
      "$input `[` $indices `]` attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Pith_ExpandOp : Pith_Op<"expand", [Pure]> {
  let summary = "Broadcasts a tensor to a larger shape";
  let description = [{
    Broadcasts `input` to the result's shape as numpy does: trailing
    dimensions align, and each input extent equals the result's or is 1.
  }];
  let arguments = (ins Pith_Tensor:$input);
  let results = (outs Pith_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Pith_PadOp : Pith_Op<"pad", [Pure, Pith_InferTypes]> {
  let summary = "Pads a tensor at both ends of each dimension";
  let description = [{
    `pads` holds, for rank r, `[begin_0, ..., begin_(r-1), end_0, ...,
    end_(r-1)]`, all non-negative. New positions hold `value` (`constant`
    mode), mirror the input without repeating the edge (`reflect`, which
    needs pads smaller than the extent) or repeat the edge (`edge`).
  }];
  let arguments = (ins Pith_NumericTensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<Pith_PadModeAttr,
                                         "PadMode::Constant">:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Pith_NumericTensor:$output);
  let assemblyFormat =
      "$mode $input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Pith_QuantizeOp : Pith_Op<"quantize", [Pure]> {
  let summary = "Affine quantization of floats to narrow integers";
  let description = [{
    `q = saturate(round_half_even(x / scale) + zero_point)`, saturating to
    the range of the result's storage type: `i8`/`ui8`, `i4`/`ui4` or
    `i2`/`ui2` (signless types are signed). The granularity follows from
    the scale's shape and the attributes:

    - per tensor: `scale` has rank 0; no `axis`, no `block_size`;
    - per axis: `scale` is `[input.shape[axis]]`, `axis` is set;
    - blocked: `scale` has the input's rank, with extent
      `ceil(input.shape[axis] / block_size)` along `axis` and the input's
      extents elsewhere; `axis` and `block_size` are set. Group-wise int4
      weights (groups of 32 to 128 along the reduction axis) use this form.

    `zero_point`, when present, has the scale's shape and the result's
    element type; absent, it is 0. `scale` has the input's element type.

    ```mlir
    %q = pith.quantize %w, %s {axis = 1 : i64, block_size = 128 : i64}
        : (tensor<4096x4096xf32>, tensor<4096x32xf32>) -> tensor<4096x4096xi4>
    ```
  }];
  let arguments = (ins Pith_FloatTensor:$input, Pith_FloatTensor:$scale,
                       Optional<Pith_QuantTensor>:$zero_point,
                       OptionalAttr<I64Attr>:$axis,
                       OptionalAttr<I64Attr>:$block_size);
  let results = (outs Pith_QuantTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Pith_DequantizeOp : Pith_Op<"dequantize", [Pure, Pith_InferTypes]> {
  let summary = "Narrow integers back to floats";
  let description = [{
    `x = (q - zero_point) * scale`, the inverse of `pith.quantize`, with the
    same rules for the shapes of `scale` and `zero_point` and for `axis` and
    `block_size`. The result has the input's shape and the scale's element
    type. Lowering fuses this op into its consumer, so compressed weights are
    never expanded in memory.

    ```mlir
    %w = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<256x128xi8>, tensor<256xf32>) -> tensor<256x128xf32>
    ```
  }];
  let arguments = (ins Pith_QuantTensor:$input, Pith_FloatTensor:$scale,
                       Optional<Pith_QuantTensor>:$zero_point,
                       OptionalAttr<I64Attr>:$axis,
                       OptionalAttr<I64Attr>:$block_size);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Sparsity
//===----------------------------------------------------------------------===//

def Pith_DensifyOp : Pith_Op<"densify", [Pure, Pith_InferTypes]> {
  let summary = "N:M sparse rows back to dense ones";
  let description = [{
    The dense `[rows, groups * m]` matrix whose every group of `m`
    consecutive elements of a row holds the group's `n` kept values at
    their positions and zeros elsewhere: `values` and `positions` are
    `[rows, groups * n]`, value `g * n + s` of a row going to column
    `g * m + positions[row, g * n + s]`. Positions are unsigned integers
    (`ui2`, `ui4` or `ui8`, wide enough for `m - 1`), increasing within a
    group. pith-sparsify stores N:M-pruned weights this way (2:4 as
    `ui2` positions); lowering multiplies the kept values alone where it
    can, and otherwise expands them.

    ```mlir
    %w = pith.densify %values, %positions {n = 2 : i64, m = 4 : i64}
        : (tensor<64x32xf32>, tensor<64x32xui2>) -> tensor<64x64xf32>
    ```
  }];
  let arguments = (ins Pith_FloatTensor:$values,
                       StaticShapeTensorOf<[UI<2>, UI<4>, UI8]>:$positions,
                       I64Attr:$n, I64Attr:$m);
  let results = (outs Pith_FloatTensor:$output);
  let assemblyFormat = [{
    $values `,` $positions attr-dict `:` functional-type(operands, results)
  }];
}

def Pith_MaskedDensifyOp : Pith_Op<"masked_densify", [Pure, Pith_InferTypes]> {
  let summary = "Nonzero values and a mask back to a dense matrix";
  let description = [{
    The dense matrix of `mask`'s shape that holds `values`, in row-major
    order, where `mask` is true and zeros elsewhere (numpy's
    `w[mask] = values`): `values` has one element for each true bit.
    pith-sparsify stores unstructured and block-pruned weights this way;
    lowering for CPUs multiplies the nonzeros alone, packed with a 16-bit
    mask per 16 output features and input, and otherwise expands them at
    compile time. Masks are 1-bit values (a byte each in the IR's
    resources, a bit each once packed). Values may be int8 too: pith-quantize
    stores the int8 nonzeros of a layer that multiplies them indexed as
    `dequantize(masked_densify(q, mask), scale)`, a scale per row.

    ```mlir
    %w = pith.masked_densify %values, %mask
        : (tensor<307xf32>, tensor<64x48xi1>) -> tensor<64x48xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[Pith_Float, I8]>:$values,
                       Pith_BoolTensor:$mask);
  let results = (outs StaticShapeTensorOf<[Pith_Float, I8]>:$output);
  let assemblyFormat = [{
    $values `,` $mask attr-dict `:` functional-type(operands, results)
  }];
}

#endif // PITH_OPS_TD
