//===- PackWeights.cpp - pith-pack-weights --------------------------------===//
//
// Part of pith. A contraction whose right-hand side is a constant [K, N]
// matrix reads, for each register tile of N columns, one short row per
// step of K, each N elements past the last: for a wide N every step lands
// on another page. Packing the constant into panels [N / P, K, P] of P
// columns (the register tile's width) makes each panel one contiguous
// stream, read at compile time's cost instead of every run's, as BLAS
// libraries pack at run time. The contraction gains a loop: N becomes
// (panel, column in panel), and its output is viewed as [..., N / P, P].
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithFolds.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_PACKWEIGHTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

/// What packing one contraction needs: its constant operand, the loops it
/// is indexed by and the panel width.
struct PackPlan {
  OpOperand *weight;
  unsigned kLoop, nLoop;
  int64_t panel;
};

FailureOr<PackPlan> planPacking(linalg::LinalgOp op, int64_t lanes) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty() || dims->k.size() != 1)
    return failure();
  unsigned n = dims->n.back(), k = dims->k.front();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  // Panels as wide as the register tile, where that is at least half a
  // vector (a classifier's 1000 classes take 8 columns of 16 lanes).
  int64_t panel = pith::registerTileColumns(ranges[n], lanes);
  if (panel < lanes / 2 || ranges[n] / panel < 2)
    return failure();
  MLIRContext *context = op.getContext();
  AffineExpr kExpr = getAffineDimExpr(k, context),
             nExpr = getAffineDimExpr(n, context);
  AffineMap outputMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outputMap.getNumResults() == 0 || outputMap.getResults().back() != nExpr)
    return failure();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getResults() != ArrayRef<AffineExpr>{kExpr, nExpr})
      continue;
    auto constant = input->get().getDefiningOp<arith::ConstantOp>();
    if (!constant || !getElementTypeOrSelf(constant.getType()).isF32())
      return failure();
    return PackPlan{input, k, n, panel};
  }
  return failure();
}

/// Rewrites `op` per `plan`; failure leaves it untouched (a constant that
/// cannot be repacked, such as a large non-resource one).
LogicalResult pack(RewriterBase &rewriter, linalg::LinalgOp op,
                   const PackPlan &plan) {
  MLIRContext *context = op.getContext();
  Location loc = op.getLoc();
  auto constant = plan.weight->get().getDefiningOp<arith::ConstantOp>();
  auto weightType = cast<RankedTensorType>(constant.getType());
  int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
  int64_t panels = n / plan.panel;
  auto packedType = weightType.clone({panels, k, plan.panel});
  Attribute packed =
      pith::detail::permuteConstant(constant.getValue(), packedType, {1, 0, 2},
                                    "_packed", {k, panels, plan.panel});
  auto packedValue = dyn_cast_if_present<TypedAttr>(packed);
  if (!packedValue)
    return failure();
  rewriter.setInsertionPoint(op);

  // Loops: those before N, then (panel, column), then the rest shifted.
  unsigned loops = op.getNumLoops() + 1;
  unsigned panelLoop = plan.nLoop, columnLoop = plan.nLoop + 1;
  SmallVector<AffineExpr> shifted;
  for (unsigned i = 0; i < op.getNumLoops(); ++i)
    shifted.push_back(getAffineDimExpr(i <= plan.nLoop ? i : i + 1, context));
  auto remap = [&](AffineMap map) {
    return map.replaceDimsAndSymbols(shifted, {}, loops, 0);
  };
  AffineExpr panelExpr = getAffineDimExpr(panelLoop, context),
             columnExpr = getAffineDimExpr(columnLoop, context);
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (OpOperand *input : op.getDpsInputOperands()) {
    if (input == plan.weight) {
      inputs.push_back(arith::ConstantOp::create(rewriter, loc, packedValue));
      maps.push_back(AffineMap::get(
          loops, 0, {panelExpr, shifted[plan.kLoop], columnExpr}, context));
      continue;
    }
    inputs.push_back(input->get());
    maps.push_back(remap(op.getMatchingIndexingMap(input)));
  }
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outputMap = remap(op.getMatchingIndexingMap(init));
  SmallVector<AffineExpr> outputExprs(outputMap.getResults().drop_back());
  outputExprs.append({panelExpr, columnExpr});
  maps.push_back(AffineMap::get(loops, 0, outputExprs, context));

  auto outputType = cast<RankedTensorType>(init->get().getType());
  int64_t rank = outputType.getRank();
  SmallVector<int64_t> panelShape(outputType.getShape().drop_back());
  panelShape.append({panels, plan.panel});
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i + 1 < rank; ++i)
    reassociation.push_back({i});
  reassociation.push_back({rank - 1, rank});
  Value panelInit = tensor::ExpandShapeOp::create(
      rewriter, loc, outputType.clone(panelShape), init->get(), reassociation);

  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  iterators.insert(iterators.begin() + columnLoop,
                   utils::IteratorType::parallel);
  auto generic =
      linalg::GenericOp::create(rewriter, loc, TypeRange{panelInit.getType()},
                                inputs, panelInit, maps, iterators);
  rewriter.inlineRegionBefore(op->getRegion(0), generic.getRegion(),
                              generic.getRegion().end());
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, outputType, generic.getResult(0), reassociation);
  rewriter.replaceOp(op, result);
  return success();
}

struct PackWeightsPass
    : mlir::pith::impl::PackWeightsPassBase<PackWeightsPass> {
  using PackWeightsPassBase::PackWeightsPassBase;

  void runOnOperation() override {
    int64_t lanes = vectorBits / 32;
    SmallVector<std::pair<linalg::LinalgOp, PackPlan>> work;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (!op.hasPureTensorSemantics() ||
          !linalg::isaContractionOpInterface(op))
        return;
      if (FailureOr<PackPlan> plan = planPacking(op, lanes); succeeded(plan))
        work.push_back({op, *plan});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, plan] : work)
      (void)pack(rewriter, op, plan);
  }
};

} // namespace
