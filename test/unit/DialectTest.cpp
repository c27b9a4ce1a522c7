//===- DialectTest.cpp - Unit tests of the pith dialect's C++ API ---------===//
//
// Part of pith. What lit tests cannot reach: building ops through the
// generated builders (result types inferred) and folding weights held in
// dialect resources.
//
//===----------------------------------------------------------------------===//

#include "dialects/pith/PithOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::pith;

namespace {

class DialectTest : public ::testing::Test {
protected:
  DialectTest() : builder(&context), loc(builder.getUnknownLoc()) {
    context.loadDialect<PithDialect>();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A float constant of `shape` holding 0, 1, 2, ... in a dialect resource.
  Value iotaResource(ArrayRef<int64_t> shape, StringRef name) {
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    std::vector<float> values(type.getNumElements());
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<float>(i);
    auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values);
    auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
    return ConstantOp::create(builder, loc, type, attr);
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc;
  OwningOpRef<ModuleOp> module;
};

TEST_F(DialectTest, BuildersInferResultTypes) {
  Value x = iotaResource({2, 3, 8}, "x");
  Value w = iotaResource({16, 8}, "w");
  auto linear = LinearOp::create(builder, loc, x, w, /*bias=*/Value());
  EXPECT_EQ(linear.getType(),
            RankedTensorType::get({2, 3, 16}, builder.getF32Type()));

  Value row = iotaResource({16}, "row");
  auto sum = AddOp::create(builder, loc, linear, row);
  EXPECT_EQ(sum.getType(), linear.getType());
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(DialectTest, TransposeOfResourceFoldsIntoNewResource) {
  Value w = iotaResource({2, 3}, "w");
  auto transpose = TransposeOp::create(builder, loc, w, ArrayRef<int64_t>{1, 0});
  SmallVector<OpFoldResult> folded;
  ASSERT_TRUE(succeeded(transpose->fold(folded)));
  ASSERT_EQ(folded.size(), 1u);
  auto resource = dyn_cast_if_present<DenseResourceElementsAttr>(
      dyn_cast_if_present<Attribute>(folded.front()));
  ASSERT_TRUE(resource);
  EXPECT_EQ(resource.getType(), transpose.getType());
  ArrayRef<char> bytes = resource.getRawHandle().getBlob()->getData();
  ASSERT_EQ(bytes.size(), 6 * sizeof(float));
  ArrayRef<float> values(reinterpret_cast<const float *>(bytes.data()), 6);
  // [[0 1 2] [3 4 5]] transposed is [[0 3] [1 4] [2 5]].
  EXPECT_EQ(std::vector<float>(values.begin(), values.end()),
            (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST_F(DialectTest, ReshapeOfResourceSharesTheBlob) {
  Value w = iotaResource({2, 3}, "w");
  auto type = RankedTensorType::get({6}, builder.getF32Type());
  auto reshape = ReshapeOp::create(builder, loc, type, w);
  SmallVector<OpFoldResult> folded;
  ASSERT_TRUE(succeeded(reshape->fold(folded)));
  auto resource = dyn_cast_if_present<DenseResourceElementsAttr>(
      dyn_cast_if_present<Attribute>(folded.front()));
  ASSERT_TRUE(resource);
  auto original = cast<DenseResourceElementsAttr>(
      w.getDefiningOp<ConstantOp>().getValue());
  EXPECT_EQ(resource.getRawHandle().getBlob(),
            original.getRawHandle().getBlob());
}

} // namespace
