//===- Contraction.cpp - Import rules: matrix products --------------------===//
//
// Part of pith. MatMul (with numpy's vector promotion) and Gemm; a Gemm
// that is a fully connected layer becomes pith.linear directly.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

} // namespace

Value buildMatMul(NodeContext &ctx, Value a, Value b) {
  if (!a || !b)
    return {};
  if (typeOf(a).getRank() == 0 || typeOf(b).getRank() == 0) {
    ctx.emitError() << "operands must not be scalars";
    return {};
  }
  // numpy promotes a vector to a matrix and drops the added axis after.
  bool vectorA = typeOf(a).getRank() == 1;
  bool vectorB = typeOf(b).getRank() == 1;
  if (vectorA)
    a = ctx.reshape(a, {1, typeOf(a).getDimSize(0)});
  if (vectorB)
    b = ctx.reshape(b, {typeOf(b).getDimSize(0), 1});
  Value product = ctx.create<MatmulOp>(a, b);
  if (!product || (!vectorA && !vectorB))
    return product;
  SmallVector<int64_t> shape(typeOf(product).getShape());
  if (vectorB)
    shape.pop_back();
  if (vectorA)
    shape.erase(shape.end() - (vectorB ? 1 : 2));
  return ctx.reshape(product, shape);
}

namespace {

LogicalResult importMatMul(NodeContext &ctx) {
  return ctx.setOutput(0, buildMatMul(ctx, ctx.input(0), ctx.input(1)));
}

LogicalResult importGemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1), c = ctx.input(2);
  float alpha = ctx.floatAttr("alpha", 1.0f);
  float beta = ctx.floatAttr("beta", 1.0f);
  bool transA = ctx.intAttr("transA", 0);
  bool transB = ctx.intAttr("transB", 0);
  if (typeOf(a).getRank() != 2 || typeOf(b).getRank() != 2)
    return ctx.error("A and B must be matrices");
  Type elementType = typeOf(a).getElementType();

  // y = A·Bᵀ + C with C one value per output: a fully connected layer.
  int64_t features = typeOf(b).getDimSize(transB ? 0 : 1);
  auto isBias = [&](Value value) {
    ArrayRef<int64_t> shape = typeOf(value).getShape();
    return shape.size() <= 2 && (shape.empty() || shape.back() == features) &&
           llvm::all_of(shape.drop_back(), [](int64_t d) { return d == 1; });
  };
  if (transB && !transA && alpha == 1.0f && isa<FloatType>(elementType) &&
      (!c || (beta == 1.0f && isBias(c)))) {
    Value bias;
    if (c)
      bias = ctx.expandTo(ctx.reshape(c, typeOf(c).getRank() == 0
                                             ? ArrayRef<int64_t>{1}
                                             : ArrayRef<int64_t>{features}),
                          {features});
    return ctx.setOutput(0, ctx.create<LinearOp>(a, b, bias));
  }

  if (transA)
    a = ctx.transpose(a, {1, 0});
  if (transB)
    b = ctx.transpose(b, {1, 0});
  Value y = ctx.create<MatmulOp>(a, b);
  if (alpha != 1.0f)
    y = ctx.create<MulOp>(y, ctx.scalar(elementType, alpha));
  if (c) {
    if (beta != 1.0f)
      c = ctx.create<MulOp>(c, ctx.scalar(elementType, beta));
    y = ctx.create<AddOp>(y, c);
  }
  return ctx.setOutput(0, y);
}

} // namespace

void addContractionRules(RuleTable &table) {
  table.add(kDefaultDomain, "MatMul", importMatMul, 1, 2);
  table.add(kDefaultDomain, "Gemm", importGemm, 1, 2);
}

} // namespace pith::importer
