//===- Reduction.cpp - Import rules: reductions ---------------------------===//
//
// Part of pith. The Reduce* family (axes an attribute until opset 13 for
// ReduceSum and 18 for the others, an input after) and ArgMax/ArgMin.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {
namespace {

/// A reduction over the node's axes, which are an input from opset
/// `axesInputSince` on; ReduceLogSum is log(ReduceSum).
template <ReduceKind kind, int64_t axesInputSince = 18, bool logarithm = false>
LogicalResult importReduce(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  bool keepdims = ctx.intAttr("keepdims", 1);
  bool noopWithoutAxes = ctx.intAttr("noop_with_empty_axes", 0);
  std::optional<SmallVector<int64_t>> axes;
  if (ctx.opset() < axesInputSince) {
    axes = ctx.intsAttr("axes");
  } else if (ctx.hasInput(1)) {
    axes = ctx.constantInts(1, "axes");
    if (!axes)
      return failure();
  }
  if (!axes || axes->empty()) {
    // No axes: every axis, or none with noop_with_empty_axes.
    if (noopWithoutAxes || rank == 0)
      return ctx.setOutput(0, logarithm ? ctx.create<LogOp>(x) : x);
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  SmallVector<int64_t> normalized;
  for (int64_t axis : *axes) {
    std::optional<int64_t> n = ctx.normalizeAxis(axis, rank);
    if (!n)
      return failure();
    normalized.push_back(*n);
  }
  llvm::sort(normalized);
  if (std::adjacent_find(normalized.begin(), normalized.end()) !=
      normalized.end())
    return ctx.error("axes must not repeat");
  // Booleans (ReduceMax and ReduceMin, since opset 20) reduce as 0 and 1.
  bool boolean = type.getElementType().isInteger(1);
  if (boolean)
    x = ctx.castTo(x, IntegerType::get(ctx.context(), 8, IntegerType::Unsigned));
  Value result = ctx.create<ReduceOp>(kind, x, normalized, keepdims);
  if (boolean)
    result = ctx.castTo(result, type.getElementType());
  return ctx.setOutput(0, logarithm ? ctx.create<LogOp>(result) : result);
}

template <typename OpTy> LogicalResult importArgReduce(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<int64_t> axis = ctx.normalizeAxis(
      ctx.intAttr("axis", 0), cast<RankedTensorType>(x.getType()).getRank());
  if (!axis)
    return failure();
  return ctx.setOutput(
      0, ctx.create<OpTy>(x, static_cast<uint64_t>(*axis),
                          ctx.intAttr("keepdims", 1) != 0,
                          ctx.intAttr("select_last_index", 0) != 0));
}

/// TopK: k is an attribute before opset 10, an input since.
LogicalResult importTopK(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<int64_t> axis = ctx.normalizeAxis(
      ctx.intAttr("axis", -1), cast<RankedTensorType>(x.getType()).getRank());
  int64_t k = 0;
  if (ctx.opset() < 10) {
    k = ctx.intAttr("k", -1);
  } else {
    std::optional<SmallVector<int64_t>> given = ctx.constantInts(1, "k");
    if (!given || given->size() != 1)
      return given ? ctx.error("k must hold one value") : failure();
    k = given->front();
  }
  if (!axis)
    return failure();
  Value values = ctx.create<TopKOp>(x, k, static_cast<uint64_t>(*axis),
                                    ctx.intAttr("largest", 1) != 0,
                                    ctx.intAttr("sorted", 1) != 0);
  if (!values)
    return failure();
  Operation *topK = values.getDefiningOp();
  if (failed(ctx.setOutput(1, topK->getResult(1))))
    return failure();
  return ctx.setOutput(0, values);
}

} // namespace

void addReductionRules(RuleTable &table) {
  llvm::StringRef d = kDefaultDomain;
  table.add(d, "ReduceSum", importReduce<ReduceKind::Sum, 13>);
  table.add(d, "ReduceMean", importReduce<ReduceKind::Mean>);
  table.add(d, "ReduceMax", importReduce<ReduceKind::Max>);
  table.add(d, "ReduceMin", importReduce<ReduceKind::Min>);
  table.add(d, "ReduceProd", importReduce<ReduceKind::Prod>);
  table.add(d, "ReduceL1", importReduce<ReduceKind::L1>);
  table.add(d, "ReduceL2", importReduce<ReduceKind::L2>);
  table.add(d, "ReduceSumSquare", importReduce<ReduceKind::SumSquare>);
  table.add(d, "ReduceLogSumExp", importReduce<ReduceKind::LogSumExp>);
  table.add(d, "ReduceLogSum", importReduce<ReduceKind::Sum, 18, true>);
  table.add(d, "ArgMax", importArgReduce<ArgMaxOp>);
  table.add(d, "ArgMin", importArgReduce<ArgMinOp>);
  table.add(d, "TopK", importTopK);
}

} // namespace pith::importer
