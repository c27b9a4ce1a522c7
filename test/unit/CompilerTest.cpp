//===- CompilerTest.cpp - Unit tests of the compiler C++ API --------------===//
//
// Part of pith. pith::runPipeline as the python module and tools use it.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "mlir/InitAllPasses.h"
#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

namespace {

class CompilerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() { pith::registerPasses(); }
};

constexpr const char *kProgram = R"mlir(
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = pith.constant dense<1.0> : tensor<4xf32>
  %y = pith.mul %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
)mlir";

TEST_F(CompilerTest, RunsAPipeline) {
  llvm::Expected<std::string> output =
      pith::runPipeline(kProgram, "canonicalize");
  ASSERT_TRUE(static_cast<bool>(output)) << llvm::toString(output.takeError());
  EXPECT_EQ(output->find("pith.mul"), std::string::npos) << *output;
  EXPECT_NE(output->find("return %arg0"), std::string::npos) << *output;
}

TEST_F(CompilerTest, ReportsParseErrorsWithTheirLocation) {
  llvm::Expected<std::string> output =
      pith::runPipeline("func.func @f( {", "");
  ASSERT_FALSE(static_cast<bool>(output));
  std::string message = llvm::toString(output.takeError());
  EXPECT_NE(message.find("cannot parse the input"), std::string::npos);
  EXPECT_NE(message.find("<input>:1:"), std::string::npos) << message;
}

TEST_F(CompilerTest, ReportsVerifierErrors) {
  llvm::Expected<std::string> output = pith::runPipeline(R"mlir(
    func.func @f(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
      %z = pith.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
      return %z : tensor<4xf32>
    })mlir", "");
  ASSERT_FALSE(static_cast<bool>(output));
  EXPECT_NE(llvm::toString(output.takeError()).find("do not broadcast"),
            std::string::npos);
}

TEST_F(CompilerTest, RejectsAnUnknownPass) {
  llvm::Expected<std::string> output =
      pith::runPipeline(kProgram, "no-such-pass");
  ASSERT_FALSE(static_cast<bool>(output));
  EXPECT_NE(llvm::toString(output.takeError()).find("no-such-pass"),
            std::string::npos);
}

} // namespace
