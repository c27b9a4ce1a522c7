//===- LoweringUtils.cpp - Shared pieces of pith-lower-to-linalg ----------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringUtils.h"

#include "dialects/pith/PithOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlir::pith::lowering {

PithTypeConverter::PithTypeConverter() {
  addConversion([](Type type) { return type; });
  // Sub-byte quantized storage (i4, i2) is held a byte per element, as
  // the resources hold it; pith-lower-to-linalg packs the weights of
  // quantized linear layers itself.
  addConversion([](IntegerType type) -> Type {
    unsigned width = type.getWidth();
    if (width > 1 && width < 8)
      return IntegerType::get(type.getContext(), 8);
    if (type.isUnsigned())
      return IntegerType::get(type.getContext(), width);
    return type;
  });
  addConversion([this](RankedTensorType type) -> Type {
    return type.clone(convertType(type.getElementType()));
  });
}

Type elementTypeOf(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.getElementType();
  return type;
}

bool isUnsigned(Type type) { return elementTypeOf(type).isUnsignedInteger(); }

Value emptyTensor(OpBuilder &builder, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(builder, loc, type.getShape(),
                                 type.getElementType());
}

Value zeroFilled(OpBuilder &builder, Location loc, RankedTensorType type) {
  return linalg::FillOp::create(builder, loc,
                                scalar(builder, loc, type.getElementType(), 0),
                                emptyTensor(builder, loc, type))
      .getResult(0);
}

Value scalar(OpBuilder &builder, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(builder, loc,
                                     builder.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      builder, loc, builder.getIntegerAttr(type, static_cast<int64_t>(value)));
}

AffineMap broadcastMap(MLIRContext *context, ArrayRef<int64_t> resultShape,
                       ArrayRef<int64_t> operandShape) {
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [axis, extent] : llvm::enumerate(operandShape)) {
    size_t resultAxis = offset + axis;
    exprs.push_back(extent == 1 && resultShape[resultAxis] != 1
                        ? getAffineConstantExpr(0, context)
                        : getAffineDimExpr(resultAxis, context));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, context);
}

Value elementwise(OpBuilder &builder, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ScalarBody body) {
  MLIRContext *context = builder.getContext();
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    maps.push_back(broadcastMap(
        context, shape, cast<RankedTensorType>(input.getType()).getShape()));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(shape.size(), context));
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, inputs, emptyTensor(builder, loc, resultType),
      maps, iterators, [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        Value result = body(b, bodyLoc, args.drop_back());
        linalg::YieldOp::create(b, bodyLoc, result);
      });
  return generic.getResult(0);
}

linalg::GenericOp epilogueOf(linalg::LinalgOp op) {
  if (!linalg::isaContractionOpInterface(op) || isPackedMatmul(op) ||
      op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return {};
  OpOperand &use = *op->getResult(0).getUses().begin();
  auto epilogue = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!epilogue || epilogue->getBlock() != op->getBlock() ||
      !epilogue.hasPureTensorSemantics() || epilogue.getNumDpsInits() != 1 ||
      epilogue.getNumReductionLoops() != 0 || epilogue.hasIndexSemantics() ||
      !epilogue.isDpsInput(&use) ||
      !epilogue.getMatchingIndexingMap(&use).isIdentity() ||
      !epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0))
           .isIdentity())
    return {};
  // Vectors of i1 or i4 are packed bits in LLVM, while buffers hold a byte
  // per element; reads from above would be gathers.
  for (Value operand : epilogue->getOperands()) {
    Type element = getElementTypeOrSelf(operand.getType());
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
      return {};
  }
  if (epilogue.getRegion()
          .walk([](tensor::ExtractOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return {};
  return epilogue;
}

void eraseFusedProducer(RewriterBase &rewriter, Operation *producer) {
  for (Operation *user : llvm::make_early_inc_range(producer->getUsers()))
    if (isa<tensor::ExtractSliceOp>(user) && user->use_empty())
      rewriter.eraseOp(user);
  if (producer->use_empty())
    rewriter.eraseOp(producer);
}

std::optional<std::pair<SmallVector<ReassociationIndices>,
                        SmallVector<ReassociationIndices>>>
commonGroups(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  auto isEmpty = [](int64_t size) { return size <= 0; };
  if (from.empty() || to.empty() || llvm::any_of(from, isEmpty) ||
      llvm::any_of(to, isEmpty))
    return std::nullopt;
  SmallVector<ReassociationIndices> fromGroups, toGroups;
  size_t i = 0, j = 0;
  while (i < from.size() && j < to.size()) {
    ReassociationIndices fromGroup = {static_cast<int64_t>(i)};
    ReassociationIndices toGroup = {static_cast<int64_t>(j)};
    int64_t fromElements = from[i++], toElements = to[j++];
    while (fromElements != toElements) {
      if (fromElements < toElements && i < from.size()) {
        fromGroup.push_back(i);
        fromElements *= from[i++];
      } else if (fromElements > toElements && j < to.size()) {
        toGroup.push_back(j);
        toElements *= to[j++];
      } else {
        return std::nullopt;
      }
    }
    fromGroups.push_back(fromGroup);
    toGroups.push_back(toGroup);
  }
  // Trailing dimensions of one element join the last group.
  for (; i < from.size(); ++i)
    fromGroups.back().push_back(i);
  for (; j < to.size(); ++j)
    toGroups.back().push_back(j);
  return std::make_pair(fromGroups, toGroups);
}

Value reshapeTo(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  // Through rank 1: a collapse and an expand, both always valid.
  auto reassociation = [](int64_t rank) {
    ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    return SmallVector<ReassociationIndices>{all};
  };
  Value flat = value;
  if (type.getRank() != 1) {
    flat = type.getRank() == 0
               ? tensor::ExpandShapeOp::create(
                     builder, loc, type.clone({1}), value,
                     SmallVector<ReassociationIndices>{})
                     .getResult()
               : tensor::CollapseShapeOp::create(builder, loc, value,
                                                 reassociation(type.getRank()))
                     .getResult();
  }
  auto target = type.clone(shape);
  if (shape.size() == 1)
    return flat;
  if (shape.empty())
    return tensor::CollapseShapeOp::create(builder, loc, target, flat,
                                           SmallVector<ReassociationIndices>{});
  return tensor::ExpandShapeOp::create(builder, loc, target, flat,
                                       reassociation(shape.size()));
}

Value transposeTo(OpBuilder &builder, Location loc, Value value,
                  ArrayRef<int64_t> permutation) {
  auto type = cast<RankedTensorType>(value.getType());
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return value;
  SmallVector<int64_t> shape;
  for (int64_t axis : permutation)
    shape.push_back(type.getDimSize(axis));
  Value init = emptyTensor(builder, loc, type.clone(shape));
  return linalg::TransposeOp::create(builder, loc, value, init, permutation)
      .getResult()[0];
}

Value reduce(OpBuilder &builder, Location loc, Value input,
             ArrayRef<int64_t> axes, Value init,
             function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (auto [axis, extent] : llvm::enumerate(type.getShape())) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(axis)))
      shape.push_back(extent);
  }
  auto resultType = type.clone(shape);
  Value filled = linalg::FillOp::create(builder, loc, init,
                                        emptyTensor(builder, loc, resultType))
                     .getResult(0);
  auto reduction = linalg::ReduceOp::create(
      builder, loc, input, filled, axes,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        linalg::YieldOp::create(b, bodyLoc,
                                combine(b, bodyLoc, args[1], args[0]));
      });
  return reduction.getResult(0);
}

Value linearResult(OpBuilder &builder, Location loc, Value product, Value bias,
                   ArrayRef<int64_t> shape) {
  if (bias)
    product =
        elementwise(builder, loc, cast<RankedTensorType>(product.getType()),
                    ValueRange{product, bias},
                    [](OpBuilder &b, Location loc, ValueRange v) -> Value {
                      return arith::AddFOp::create(b, loc, v[0], v[1]);
                    });
  return reshapeTo(builder, loc, product, shape);
}

Attribute constantValue(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : ConstantOp();
  return constant ? constant.getValue() : Attribute();
}

std::string resourceKey(Value value, StringRef fallback) {
  if (auto resource =
          dyn_cast_if_present<DenseResourceElementsAttr>(constantValue(value)))
    return resource.getRawHandle().getKey().str();
  return fallback.str();
}

Value panelsToLinear(OpBuilder &builder, Location loc, Value panels,
                     int64_t features, Value bias, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(panels.getType());
  int64_t rows = type.getDimSize(0);
  int64_t padded = type.getDimSize(1) * type.getDimSize(2);
  Value product = reshapeTo(builder, loc, panels, {rows, padded});
  if (padded != features)
    product = tensor::ExtractSliceOp::create(
        builder, loc,
        RankedTensorType::get({rows, features}, type.getElementType()),
        product,
        ArrayRef<OpFoldResult>{builder.getIndexAttr(0),
                               builder.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{builder.getIndexAttr(rows),
                               builder.getIndexAttr(features)},
        ArrayRef<OpFoldResult>{builder.getIndexAttr(1),
                               builder.getIndexAttr(1)});
  return linearResult(builder, loc, product, bias, shape);
}

} // namespace mlir::pith::lowering
