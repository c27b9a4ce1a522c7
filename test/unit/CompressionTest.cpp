//===- CompressionTest.cpp - Unit tests of the compression arithmetic -----===//
//
// Part of pith. Quantization round trips on matrices, checked against the
// definitions directly (numpy's would be the same arithmetic), GPTQ, the
// error measures, sizes, and the --quantize shorthands.
//
//===----------------------------------------------------------------------===//

#include "passes/compression/Factorization.h"
#include "passes/compression/Quantization.h"
#include "passes/compression/Sparsity.h"
#include "pith/Compiler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir::pith::compression;

namespace {

std::vector<float> gaussian(size_t count, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = normal(engine);
  return values;
}

QuantScheme scheme(unsigned bits, int64_t group, bool symmetric = true) {
  QuantScheme result;
  result.bits = bits;
  result.groupSize = group;
  result.symmetric = symmetric;
  return result;
}

TEST(QuantizationTest, RoundTripIsWithinHalfAStep) {
  const int64_t rows = 8, cols = 64;
  std::vector<float> weights = gaussian(rows * cols, 1);
  for (QuantScheme s : {scheme(8, 0), scheme(4, 16), scheme(2, 32),
                        scheme(8, 32, false), scheme(4, 0, false)}) {
    QuantizedMatrix q = quantizeRoundToNearest(weights, rows, cols, s);
    std::vector<float> back = dequantize(q, s);
    int64_t group = s.columnsPerScale(cols);
    for (int64_t i = 0; i < rows * cols; ++i) {
      float step =
          std::fabs(q.scales[i / cols * (cols / group) + i % cols / group]);
      // Rounding is within half a step; a value at the edge of the range
      // may be clamped (symmetric: the side opposite the extreme has one
      // level fewer), within a whole step.
      bool edge = q.values[i] == s.lowest() || q.values[i] == s.highest();
      EXPECT_LE(std::fabs(back[i] - weights[i]),
                (edge ? 1.0f : 0.5f) * step * 1.0001f)
          << s.describe() << " element " << i;
      EXPECT_GE(q.values[i], s.lowest());
      EXPECT_LE(q.values[i], s.highest());
    }
  }
}

TEST(QuantizationTest, SymmetricMapsTheExtremeToTheLowestLevel) {
  // Groups of 4: extremes 4 and -8.
  std::vector<float> weights = {1, -2, 3, 4, 0.5, 0.25, -8, 1};
  QuantizedMatrix q = quantizeRoundToNearest(weights, 1, 8, scheme(4, 4));
  EXPECT_EQ(q.scales, (std::vector<float>{-0.5f, 1.0f}));
  EXPECT_EQ(q.values, (std::vector<int8_t>{-2, 4, -6, -8, 0, 0, -8, 1}));
  EXPECT_TRUE(q.zeroPoints.empty());
}

TEST(QuantizationTest, AsymmetricSpansTheRangeWithAZeroPoint) {
  // [0, 15] over 4 bits: scale 1, zero point -8; 0 stays exact.
  std::vector<float> weights(16);
  for (int i = 0; i < 16; ++i)
    weights[i] = static_cast<float>(i);
  QuantScheme s = scheme(4, 0, false);
  QuantizedMatrix q = quantizeRoundToNearest(weights, 1, 16, s);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0f);
  EXPECT_EQ(q.zeroPoints[0], -8);
  EXPECT_EQ(dequantize(q, s), weights);
}

TEST(QuantizationTest, AllZeroGroupsStayZero) {
  std::vector<float> weights(32, 0.0f);
  QuantScheme s = scheme(4, 16);
  QuantizedMatrix q = quantizeRoundToNearest(weights, 2, 16, s);
  EXPECT_EQ(dequantize(q, s), weights);
  ErrorStats error = compareWeights(weights, dequantize(q, s));
  EXPECT_EQ(error.relativeError, 0);
}

TEST(QuantizationTest, SmallerGroupsAndMoreBitsErrLess) {
  const int64_t rows = 16, cols = 256;
  std::vector<float> weights = gaussian(rows * cols, 2);
  auto errorOf = [&](QuantScheme s) {
    return compareWeights(
               weights,
               dequantize(quantizeRoundToNearest(weights, rows, cols, s), s))
        .relativeError;
  };
  EXPECT_LT(errorOf(scheme(4, 32)), errorOf(scheme(4, 128)));
  EXPECT_LT(errorOf(scheme(4, 128)), errorOf(scheme(4, 0)));
  EXPECT_LT(errorOf(scheme(8, 0)), errorOf(scheme(4, 32)));
  EXPECT_LT(errorOf(scheme(4, 32)), errorOf(scheme(2, 32)));
  // Gaussian weights at 8 bits per channel: about 45 dB.
  double error = errorOf(scheme(8, 0));
  EXPECT_GT(-20 * std::log10(error), 38);
}

TEST(QuantizationTest, ClippedRangesErrNoMoreAndTrimOutliers) {
  const int64_t rows = 16, cols = 256;
  std::vector<float> weights = gaussian(rows * cols, 4);
  // An outlier in one group of each row.
  for (int64_t r = 0; r < rows; ++r)
    weights[r * cols + 7] = 5.0f;
  for (QuantScheme s : {scheme(4, 128), scheme(4, 32, false), scheme(2, 64),
                        scheme(8, 0)}) {
    QuantScheme clipped = s;
    clipped.clipSearch = true;
    QuantizedMatrix full = quantizeRoundToNearest(weights, rows, cols, s);
    QuantizedMatrix trimmed =
        quantizeRoundToNearest(weights, rows, cols, clipped);
    double fullError =
        compareWeights(weights, dequantize(full, s)).relativeError;
    double trimmedError =
        compareWeights(weights, dequantize(trimmed, clipped)).relativeError;
    // Each group keeps its whole range where no fraction of it errs less.
    EXPECT_LE(trimmedError, fullError * (1 + 1e-12)) << clipped.describe();
    if (s.bits == 4 && s.symmetric)
      // The outlier's group gives up on it: finer levels for the rest.
      EXPECT_LT(std::fabs(trimmed.scales[0]), std::fabs(full.scales[0]))
          << clipped.describe();
  }
  QuantScheme described = scheme(4, 128);
  described.clipSearch = true;
  EXPECT_EQ(described.describe(), "int4 g128 clipped");
}

TEST(QuantizationTest, ErrorStatsFollowTheirDefinitions) {
  ErrorStats stats = compareWeights({3, 4}, {3, 4.5});
  EXPECT_DOUBLE_EQ(stats.relativeError, 0.1);
  EXPECT_DOUBLE_EQ(stats.sqnrDb, 20);
}

TEST(QuantizationTest, BytesCountIntegersScalesAndZeroPoints) {
  // 4096 x 4096 at 4 bits in groups of 128: 8 MiB + 512 KiB of scales.
  EXPECT_EQ(quantizedBytes(4096, 4096, scheme(4, 128)),
            4096u * 4096 / 2 + 4096u * 32 * 4);
  EXPECT_EQ(quantizedBytes(4, 8, scheme(4, 4, false)), 16u + 32 + 4);
  EXPECT_EQ(quantizedBytes(4, 8, scheme(8, 0)), 32u + 16);
}

/// Inputs with correlated features, as a layer's are: [tokens, cols].
std::vector<float> correlatedInputs(int64_t tokens, int64_t cols,
                                    unsigned seed) {
  std::vector<float> independent = gaussian(tokens * cols, seed);
  std::vector<float> mixing = gaussian(cols * cols, seed + 1);
  std::vector<float> inputs(tokens * cols, 0.0f);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j)
        inputs[t * cols + j] +=
            independent[t * cols + i] * mixing[i * cols + j] / cols;
  return inputs;
}

/// E[x x^T] of `inputs` ([tokens, cols]), as pith-calibrate records it.
std::vector<float> secondMoment(const std::vector<float> &inputs,
                                int64_t tokens, int64_t cols) {
  std::vector<float> hessian(cols * cols, 0.0f);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j)
        hessian[i * cols + j] +=
            inputs[t * cols + i] * inputs[t * cols + j] / tokens;
  return hessian;
}

TEST(GptqTest, WithUncorrelatedInputsItRoundsToNearest) {
  // A diagonal Hessian: no column's error can be compensated by another.
  const int64_t rows = 4, cols = 32;
  std::vector<float> weights = gaussian(rows * cols, 3);
  std::vector<float> hessian(cols * cols, 0.0f);
  for (int64_t i = 0; i < cols; ++i)
    hessian[i * cols + i] = 1.0f + i;
  for (bool actOrder : {false, true})
    for (QuantScheme s : {scheme(4, 16), scheme(8, 0, false)}) {
      std::optional<QuantizedMatrix> gptq =
          quantizeGptq(weights, rows, cols, s, hessian, 0.01, actOrder);
      ASSERT_TRUE(gptq);
      QuantizedMatrix nearest = quantizeRoundToNearest(weights, rows, cols, s);
      EXPECT_EQ(gptq->values, nearest.values) << s.describe() << actOrder;
      EXPECT_EQ(gptq->scales, nearest.scales) << s.describe() << actOrder;
      EXPECT_EQ(gptq->zeroPoints, nearest.zeroPoints)
          << s.describe() << actOrder;
    }
}

TEST(GptqTest, OutputErrorFollowsItsDefinition) {
  const int64_t rows = 3, cols = 8, tokens = 50;
  std::vector<float> weights = gaussian(rows * cols, 4);
  std::vector<float> other = gaussian(rows * cols, 5);
  std::vector<float> inputs = correlatedInputs(tokens, cols, 6);
  double signal = 0, noise = 0;
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      double y = 0, y2 = 0;
      for (int64_t c = 0; c < cols; ++c) {
        y += inputs[t * cols + c] * weights[r * cols + c];
        y2 += inputs[t * cols + c] * other[r * cols + c];
      }
      signal += y * y;
      noise += (y - y2) * (y - y2);
    }
  EXPECT_NEAR(relativeOutputError(weights, other, rows, cols,
                                  secondMoment(inputs, tokens, cols)),
              std::sqrt(noise / signal), 1e-5);
}

TEST(GptqTest, GroupedOutputErrorTakesEachGroupsHessian) {
  // Two groups of one row: row 0 against H_0 = I, row 1 against
  // H_1 = diag(1, 9). Errors (0.5, 0) and (0, -0.1): sqrt((0.25 + 0.09) /
  // (1 + 9)), where H_0 for both rows would give sqrt(0.26 / 2).
  std::vector<float> weights = {1, 0, 0, 1}, approximation = {0.5, 0, 0, 1.1};
  std::vector<float> hessians = {1, 0, 0, 1, 1, 0, 0, 9};
  EXPECT_NEAR(
      relativeOutputError(weights, approximation, 2, 2, hessians, /*groups=*/2),
      std::sqrt(0.034), 1e-6);
  EXPECT_NEAR(relativeOutputError(weights, approximation, 2, 2,
                                  llvm::ArrayRef(hessians).take_front(4)),
              std::sqrt(0.13), 1e-6);
}

TEST(GptqTest, ErrsLessOnTheOutputsThanRoundingToNearest) {
  const int64_t rows = 32, cols = 128, tokens = 512;
  std::vector<float> weights = gaussian(rows * cols, 7);
  std::vector<float> hessian =
      secondMoment(correlatedInputs(tokens, cols, 8), tokens, cols);
  for (auto [s, actOrder] :
       {std::pair(scheme(4, 32), false), std::pair(scheme(4, 0), false),
        std::pair(scheme(2, 64), false), std::pair(scheme(8, 0, false), false),
        std::pair(scheme(4, 32), true), std::pair(scheme(2, 64), true)}) {
    std::optional<QuantizedMatrix> gptq =
        quantizeGptq(weights, rows, cols, s, hessian, 0.01, actOrder);
    ASSERT_TRUE(gptq);
    double gptqError =
        relativeOutputError(weights, dequantize(*gptq, s), rows, cols, hessian);
    double nearestError = relativeOutputError(
        weights, dequantize(quantizeRoundToNearest(weights, rows, cols, s), s),
        rows, cols, hessian);
    EXPECT_LT(gptqError, 0.8 * nearestError) << s.describe() << actOrder;
    for (int8_t value : gptq->values) {
      EXPECT_GE(value, s.lowest());
      EXPECT_LE(value, s.highest());
    }
  }
}

TEST(GptqTest, FewTokensAndDeadInputsAreDamped) {
  // Fewer tokens than features leaves E[x x^T] singular, and an input
  // that is always 0 leaves a zero on its diagonal: damping and the dead
  // input's unit diagonal make it invertible, and that input's weights
  // become 0.
  const int64_t rows = 2, cols = 16, tokens = 4;
  std::vector<float> inputs = correlatedInputs(tokens, cols, 9);
  for (int64_t t = 0; t < tokens; ++t)
    inputs[t * cols + 5] = 0;
  std::vector<float> weights = gaussian(rows * cols, 10);
  std::optional<QuantizedMatrix> gptq =
      quantizeGptq(weights, rows, cols, scheme(8, 0),
                   secondMoment(inputs, tokens, cols), 0.01);
  ASSERT_TRUE(gptq);
  EXPECT_EQ(gptq->values[5], 0);
  EXPECT_EQ(gptq->values[cols + 5], 0);
  // Without damping a singular Hessian is refused.
  std::vector<float> singular(cols * cols, 1.0f);
  EXPECT_FALSE(quantizeGptq(weights, rows, cols, scheme(8, 0), singular, 0));
}

TEST(InputScalingTest, SmoothQuantBalancesActivationAndWeightRanges) {
  // Column maxima of |W|: 2, 4, 1 (and 0); of |x|: 8, 1, 0, 5.
  std::vector<float> weights = {2, -1, 0, 0, 1, 4, -1, 0};
  std::vector<float> scales =
      smoothQuantScales(weights, 2, 4, {8, 1, 0, 5}, 0.5);
  EXPECT_FLOAT_EQ(scales[0], 2.0f); // sqrt(8) / sqrt(2)
  EXPECT_FLOAT_EQ(scales[1], 0.5f); // sqrt(1) / sqrt(4)
  EXPECT_FLOAT_EQ(scales[2], 1.0f); // an input that is always 0
  EXPECT_FLOAT_EQ(scales[3], 1.0f); // a column of zeros
  EXPECT_FLOAT_EQ(smoothQuantScales(weights, 2, 4, {8, 1, 0, 5}, 1)[0], 8);
}

TEST(InputScalingTest, AwqErrsNoMoreThanRoundingToNearest) {
  // Inputs whose features differ in scale by 100x: AWQ rounds the weights
  // of the large ones more finely. With all rows searched, its output error
  // is at most plain rounding's (alpha 0), and here clearly less.
  const int64_t rows = 16, cols = 64, tokens = 256;
  std::vector<float> inputs = correlatedInputs(tokens, cols, 11);
  std::vector<float> mean(cols, 0.0f);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t c = 0; c < cols; ++c) {
      inputs[t * cols + c] *= c % 8 == 0 ? 10.0f : 0.1f;
      mean[c] += std::fabs(inputs[t * cols + c]) / tokens;
    }
  std::vector<float> hessian = secondMoment(inputs, tokens, cols);
  std::vector<float> weights = gaussian(rows * cols, 12);
  QuantScheme s = scheme(4, 32);
  std::vector<float> scales = awqScales(weights, rows, cols, s, mean, hessian);
  std::vector<float> scaled = weights;
  scaleColumns(scaled, rows, cols, scales);
  std::vector<float> awq =
      dequantize(quantizeRoundToNearest(scaled, rows, cols, s), s);
  scaleColumns(awq, rows, cols, scales, /*divide=*/true);
  std::vector<float> nearest =
      dequantize(quantizeRoundToNearest(weights, rows, cols, s), s);
  EXPECT_LT(relativeOutputError(weights, awq, rows, cols, hessian),
            0.9 * relativeOutputError(weights, nearest, rows, cols, hessian));
}

TEST(RotationTest, BlockIsTheLargestPowerOfTwoDividingUpTo128) {
  EXPECT_EQ(hadamardBlock(384), 128);
  EXPECT_EQ(hadamardBlock(11008), 128);
  EXPECT_EQ(hadamardBlock(48), 16);
  EXPECT_EQ(hadamardBlock(6), 2);
  EXPECT_EQ(hadamardBlock(3), 1);
}

TEST(RotationTest, RowsAreMultipliedByTheNormalizedHadamardMatrix) {
  // H_4 / 2 on each block of 4 of a [1, 8] row: the Sylvester matrix's
  // row i, column j is (-1)^popcount(i & j).
  std::vector<float> row = {1, 2, 3, 4, 0, 0, 0, 8};
  hadamardRotateRows(row, 1, 8, 4);
  std::vector<float> expected = {5, -1, -2, 0, 4, -4, -4, 4};
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_FLOAT_EQ(row[i], expected[i]) << i;
  // R is symmetric and orthogonal: applied twice it gives the row back.
  hadamardRotateRows(row, 1, 8, 4);
  std::vector<float> original = {1, 2, 3, 4, 0, 0, 0, 8};
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(row[i], original[i], 1e-6) << i;
}

TEST(RotationTest, MomentRotatesWithTheInputs) {
  // E[(x R)(x R)^T] computed from rotated samples is R E[x x^T] R.
  const int64_t tokens = 64, cols = 32, block = 16;
  std::vector<float> inputs = correlatedInputs(tokens, cols, 21);
  std::vector<float> moment = secondMoment(inputs, tokens, cols);
  hadamardRotateMoment(moment, cols, block);
  hadamardRotateRows(inputs, tokens, cols, block);
  std::vector<float> expected = secondMoment(inputs, tokens, cols);
  for (int64_t i = 0; i < cols * cols; ++i)
    EXPECT_NEAR(moment[i], expected[i], 1e-4) << i;
}

TEST(RotationTest, SpreadsAnOutlierFeatureOverItsBlock) {
  // Tokens whose feature 5 is 50x the others, as transformers' inputs
  // have: quantized to int8 per token, the outlier sets every token's
  // scale and the other features get few levels. Rotated, the outlier is
  // spread over the block and the rounding error (rotated back) is far
  // smaller.
  const int64_t tokens = 8, cols = 64;
  std::vector<float> inputs = gaussian(tokens * cols, 22);
  for (int64_t t = 0; t < tokens; ++t)
    inputs[t * cols + 5] *= 50;
  QuantScheme perToken = scheme(8, 0);
  std::vector<float> plain = dequantize(
      quantizeRoundToNearest(inputs, tokens, cols, perToken), perToken);
  std::vector<float> rotated = inputs;
  hadamardRotateRows(rotated, tokens, cols, 64);
  std::vector<float> back = dequantize(
      quantizeRoundToNearest(rotated, tokens, cols, perToken), perToken);
  hadamardRotateRows(back, tokens, cols, 64);
  EXPECT_LT(compareWeights(inputs, back).relativeError,
            0.5 * compareWeights(inputs, plain).relativeError);
}

TEST(QuantizeShorthandTest, ExpandsSchemesAndPresets) {
  auto expand = [](llvm::StringRef text,
                   std::vector<std::string> skip = {}) -> std::string {
    llvm::Expected<std::string> pipeline = pith::quantizePipeline(text, skip);
    if (!pipeline)
      return "error: " + llvm::toString(pipeline.takeError());
    return *pipeline;
  };
  EXPECT_EQ(expand("w4g128"),
            "pith-quantize{bits=4 group-size=128 symmetric=true}");
  EXPECT_EQ(expand("w8-asym"),
            "pith-quantize{bits=8 group-size=0 symmetric=false}");
  EXPECT_EQ(expand("Q4_0"), expand("w4g32"));
  EXPECT_EQ(expand("q8_0"), expand("w8g32"));
  EXPECT_EQ(expand("w2", {"*lm_head*", "emb?"}),
            "pith-quantize{bits=2 group-size=0 symmetric=true "
            "skip=*lm_head*,emb?}");
  EXPECT_NE(expand("w3").find("bits must be 8, 4 or 2"), std::string::npos);
  EXPECT_NE(expand("w4g0").find("group size must be a positive"),
            std::string::npos);
  EXPECT_NE(expand("int4").find("does not start with w"), std::string::npos);
  EXPECT_NE(expand("w4", {"a,b"}).find("layer pattern 'a,b'"),
            std::string::npos);
  EXPECT_EQ(expand("w4g128-asym-gptq"),
            "pith-quantize{bits=4 group-size=128 symmetric=false "
            "rounding=gptq}");
  EXPECT_EQ(expand("w8a8"), "pith-quantize{bits=8 group-size=0 "
                            "symmetric=true activations=dynamic}");
  EXPECT_EQ(expand("w4g32a8-static-gptq"),
            "pith-quantize{bits=4 group-size=32 symmetric=true "
            "rounding=gptq activations=static}");
  EXPECT_NE(expand("w8-static").find("-static is for int8 activations"),
            std::string::npos);
  EXPECT_NE(expand("w8-fast").find("unknown suffix '-fast'"),
            std::string::npos);
  EXPECT_EQ(expand("w4g128-gptq-actorder"),
            "pith-quantize{bits=4 group-size=128 symmetric=true "
            "rounding=gptq act-order=true}");
  EXPECT_NE(expand("w4-actorder").find("-actorder is for GPTQ"),
            std::string::npos);
  EXPECT_EQ(expand("w4g128-awq"), "pith-quantize{bits=4 group-size=128 "
                                  "symmetric=true scaling=awq}");
  EXPECT_EQ(expand("w8a8-smoothquant"),
            "pith-quantize{bits=8 group-size=0 symmetric=true "
            "activations=dynamic scaling=smoothquant}");
  EXPECT_EQ(expand("w8a8-rotate"),
            "pith-quantize{bits=8 group-size=0 symmetric=true rotate=true "
            "activations=dynamic}");
  EXPECT_NE(expand("w4g128-rotate-awq")
                .find("-rotate and -awq are "
                      "alternatives"),
            std::string::npos);
  EXPECT_NE(expand("w8a8-static-rotate").find("not -static"),
            std::string::npos);
  EXPECT_EQ(expand("w4g128-clip-gptq"),
            "pith-quantize{bits=4 group-size=128 symmetric=true "
            "rounding=gptq clip=true}");
}

} // namespace

namespace {

using mlir::pith::compression::chooseRank;
using mlir::pith::compression::lowRankFactors;
using mlir::pith::compression::RankBudget;
using mlir::pith::compression::singularDecomposition;
using mlir::pith::compression::truncationError;

/// `rows` x `cols` with singular values `values` (the rest 0): a sum of
/// rank-1 products of orthogonal vectors built from a rotation.
std::vector<float> withSingularValues(int64_t rows, int64_t cols,
                                      const std::vector<double> &values) {
  std::vector<float> matrix(rows * cols, 0.0f);
  for (size_t r = 0; r < values.size(); ++r)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        // Orthonormal DCT-II bases on both sides.
        double u = std::cos(M_PI * (i + 0.5) * r / rows) *
                   std::sqrt((r == 0 ? 1.0 : 2.0) / rows);
        double v = std::cos(M_PI * (j + 0.5) * r / cols) *
                   std::sqrt((r == 0 ? 1.0 : 2.0) / cols);
        matrix[i * cols + j] += static_cast<float>(values[r] * u * v);
      }
  return matrix;
}

TEST(FactorizationTest, FindsTheSingularValues) {
  std::vector<double> want = {9, 4, 2, 0.5};
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>(8, 12), {12, 8}}) {
    auto svd =
        singularDecomposition(withSingularValues(rows, cols, want), rows, cols);
    ASSERT_EQ(svd.values.size(), 8u);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(svd.values[i], want[i], 1e-4) << rows << "x" << cols;
    for (size_t i = want.size(); i < svd.values.size(); ++i)
      EXPECT_NEAR(svd.values[i], 0.0, 1e-3);
  }
}

TEST(FactorizationTest, RankFromEachBudget) {
  std::vector<double> values = {3, 2, 1, 0};
  // Energy: 9 / 14 = 0.64, 13 / 14 = 0.93, 14 / 14.
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0.6, 0, 0, 0}), 1);
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0.9, 0, 0, 0}), 2);
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0.95, 0, 0, 0}), 3);
  // Error: sqrt(5 / 14) = 0.60, sqrt(1 / 14) = 0.27.
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0, 0.3, 0, 0}), 2);
  // Parameters: half of 4 x 4 = 8 is rank 1 (r * 8 <= 8).
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0, 0, 0.5, 0}), 1);
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0, 0, 0, 3}), 3);
  EXPECT_EQ(chooseRank(values, 4, 4, RankBudget{0, 0, 0, 9}), 4);
  EXPECT_DOUBLE_EQ(truncationError(values, 2), std::sqrt(1.0 / 14));
}

TEST(FactorizationTest, FactorsAreTheBestRankApproximation) {
  std::vector<double> values = {5, 3, 1};
  for (auto [rows, cols] : {std::pair<int64_t, int64_t>(6, 10), {10, 6}}) {
    std::vector<float> w = withSingularValues(rows, cols, values);
    auto svd = singularDecomposition(w, rows, cols);
    auto factors = lowRankFactors(w, svd, 2);
    double error = 0, norm = 0;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double product = 0;
        for (int64_t r = 0; r < 2; ++r)
          product += static_cast<double>(factors.left[i * 2 + r]) *
                     factors.right[r * cols + j];
        error += std::pow(product - w[i * cols + j], 2);
        norm += std::pow(w[i * cols + j], 2);
      }
    // Eckart-Young: the error of rank 2 is the dropped singular value.
    EXPECT_NEAR(std::sqrt(error / norm), truncationError(svd.values, 2), 1e-5);
    EXPECT_NEAR(std::sqrt(error), 1.0, 1e-4);
  }
}

} // namespace

namespace {

using mlir::pith::compression::bitmapBytes;
using mlir::pith::compression::expandMasked;
using mlir::pith::compression::indexedBytes;
using mlir::pith::compression::indexedPaddedRows;
using mlir::pith::compression::keptBytes;
using mlir::pith::compression::keptPositions;
using mlir::pith::compression::maskedBytes;
using mlir::pith::compression::multipliesIndexed;
using mlir::pith::compression::nOfMBytes;
using mlir::pith::compression::packedPositionBytes;
using mlir::pith::compression::prune;
using mlir::pith::compression::pruneCompensated;
using mlir::pith::compression::pruningScores;
using mlir::pith::compression::scoreThreshold;
using mlir::pith::compression::SparsityPattern;

TEST(SparsityTest, ParsesPatterns) {
  EXPECT_EQ(SparsityPattern::parse("2:4")->describe(), "2:4");
  EXPECT_EQ(SparsityPattern::parse("block4x8")->describe(), "block 4x8");
  EXPECT_EQ(SparsityPattern::parse("unstructured")->describe(), "unstructured");
  for (const char *bad : {"4:2", "2:2", "0:4", "block4", "blockx4", "half"})
    EXPECT_FALSE(SparsityPattern::parse(bad)) << bad;
}

TEST(SparsityTest, PrunesTheSmallestByPattern) {
  std::vector<float> w = {1, -2, 3, -4, 5, 6, -7, 8};
  auto unstructured = *SparsityPattern::parse("unstructured");
  float half = scoreThreshold(pruningScores(w, 2, 4, unstructured), 0.5);
  EXPECT_EQ(prune(w, 2, 4, unstructured, half),
            (std::vector<float>{0, 0, 0, 0, 5, 6, -7, 8}));
  auto twoOfFour = *SparsityPattern::parse("2:4");
  EXPECT_EQ(prune(w, 2, 4, twoOfFour, 0),
            (std::vector<float>{0, 0, 3, -4, 0, 0, -7, 8}));
  // Blocks of 2x2 by L2 norm: (1, -2, 5, 6) against (3, -4, -7, 8).
  auto blocks = *SparsityPattern::parse("block2x2");
  float threshold = scoreThreshold(pruningScores(w, 2, 4, blocks), 0.5);
  EXPECT_EQ(prune(w, 2, 4, blocks, threshold),
            (std::vector<float>{0, 0, 3, -4, 0, 0, -7, 8}));
}

TEST(SparsityTest, KeepsPositionsInOrder) {
  // 2:4: the two largest magnitudes of each group, by position; on ties
  // the later ones stay (the first ones go).
  std::vector<float> w = {1, -2, 3, -4, 8, 7, -6, 5, 2, 2, 2, 2};
  EXPECT_EQ(keptPositions(w, *SparsityPattern::parse("2:4")),
            (std::vector<int64_t>{2, 3, 0, 1, 2, 3}));
  EXPECT_EQ(keptPositions(w, *SparsityPattern::parse("1:4")),
            (std::vector<int64_t>{3, 0, 3}));
}

TEST(SparsityTest, PacksPositionsByPattern) {
  // log2(m) bits for each of the n kept: in 1, 2 or 4 bytes a group.
  EXPECT_EQ(packedPositionBytes(2, 4), 1);
  EXPECT_EQ(packedPositionBytes(1, 8), 1);
  EXPECT_EQ(packedPositionBytes(4, 8), 2);
  EXPECT_EQ(packedPositionBytes(8, 16), 4);
  EXPECT_EQ(packedPositionBytes(12, 16), 0); // 48 bits
  EXPECT_EQ(packedPositionBytes(2, 6), 0);   // m not a power of two
  EXPECT_EQ(packedPositionBytes(2, 32), 0);  // m above 16
  // A 2:4 [8, 64] weight: 128 groups of 2 floats and a byte.
  EXPECT_EQ(keptBytes(8, 64, 2, 4), 128u * 9);
  EXPECT_EQ(keptBytes(8, 64, 4, 8), 64u * 18);
}

TEST(SparsityTest, ExpandsNonzerosByTheirMask) {
  // Row-major: the mask's nonzero bytes take the values in order.
  std::vector<float> values = {1, 2, 3};
  std::vector<int8_t> mask = {0, 1, 0, 0, 1, 1};
  EXPECT_EQ(*expandMasked(values, mask),
            (std::vector<float>{0, 1, 0, 0, 2, 3}));
  // One nonzero too many, or too few, for the values.
  EXPECT_FALSE(expandMasked(values, std::vector<int8_t>{1, 1, 1, 1}));
  EXPECT_FALSE(expandMasked(values, std::vector<int8_t>{1, 0, 1, 0}));
  // 33 rows are 3 panels of 16 features: 64 inputs' 16-bit masks and a
  // 4-byte start each, and 100 floats.
  EXPECT_EQ(bitmapBytes(33, 64, 100), 3u * (64 * 2 + 4) + 400);
}

TEST(SparsityTest, ManyRowsMultiplyIndexedNonzeros) {
  // 64 rows or more.
  EXPECT_TRUE(multipliesIndexed(64));
  EXPECT_TRUE(multipliesIndexed(113));
  EXPECT_FALSE(multipliesIndexed(1));
  EXPECT_FALSE(multipliesIndexed(63));
  // Vectors of 16 rows, as many as 3 or 4 divides: 113 rows take 8
  // vectors, 65 take 6 (5 would leave no block of 3 or 4), 96 take 6,
  // 200 (13) take 15.
  EXPECT_EQ(indexedPaddedRows(64), 64);
  EXPECT_EQ(indexedPaddedRows(113), 128);
  EXPECT_EQ(indexedPaddedRows(65), 96);
  EXPECT_EQ(indexedPaddedRows(96), 96);
  EXPECT_EQ(indexedPaddedRows(200), 240);
  // 33 rows are 3 panels of 16 features and 70 inputs 3 chunks of 32:
  // each of the 9 runs takes a 4-byte start and a 1-byte count per
  // feature; each of 100 nonzeros takes 4 bytes and its input's byte.
  EXPECT_EQ(indexedBytes(33, 70, 100), 9u * (4 + 16) + 500);
  EXPECT_EQ(maskedBytes(33, 70, 100, 128), indexedBytes(33, 70, 100));
  EXPECT_EQ(maskedBytes(33, 64, 100, 1), bitmapBytes(33, 64, 100));
  // 2:4 over 64 rows: its 33 x 32 kept values indexed; over one, packed.
  EXPECT_EQ(nOfMBytes(33, 64, 2, 4, 64), indexedBytes(33, 64, 33 * 32));
  EXPECT_EQ(nOfMBytes(33, 64, 2, 4, 1), keptBytes(33, 64, 2, 4));
}

TEST(SparsityTest, SparseGptWithUncorrelatedInputsPrunesByMagnitude) {
  // H = I: saliency is w^2 and nothing moves; N:M and unstructured (half
  // of each row's block of columns) alike.
  std::vector<float> w = {1, -2, 3, -4, 5, 6, -7, 8};
  std::vector<float> identity(16, 0.0f);
  for (int i = 0; i < 4; ++i)
    identity[i * 4 + i] = 1;
  auto twoOfFour = *SparsityPattern::parse("2:4");
  EXPECT_EQ(*pruneCompensated(w, 2, 4, twoOfFour, 0.5, identity, 0),
            prune(w, 2, 4, twoOfFour, 0));
  auto unstructured = *SparsityPattern::parse("unstructured");
  EXPECT_EQ(*pruneCompensated(w, 2, 4, unstructured, 0.5, identity, 0),
            (std::vector<float>{0, 0, 3, -4, 0, 0, -7, 8}));
  // A singular H (an input always 0 beside a duplicated one) is refused
  // without damping, and taken with it.
  std::vector<float> singular = {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0,
                                 0, 0, 0, 1};
  EXPECT_FALSE(pruneCompensated(w, 2, 4, twoOfFour, 0.5, singular, 0));
  EXPECT_TRUE(pruneCompensated(w, 2, 4, twoOfFour, 0.5, singular, 0.01));
}

TEST(SparsityTest, SparseGptMovesPrunedWeightsOntoCorrelatedInputs) {
  // Inputs 0 and 1 correlate: pruning 0.3 adds 0.9 * 0.3 to weight 1.
  std::vector<float> w = {0.3f, 1.0f, 0.9f, 0.2f};
  std::vector<float> h = {1, 0.9f, 0, 0, 0.9f, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  std::vector<float> pruned = *pruneCompensated(
      w, 1, 4, *SparsityPattern::parse("2:4"), 0.5, h, 0);
  EXPECT_EQ(pruned[0], 0.0f);
  EXPECT_NEAR(pruned[1], 1.27f, 1e-5);
  EXPECT_NEAR(pruned[2], 0.9f, 1e-6);
  EXPECT_EQ(pruned[3], 0.0f);
}

TEST(SparsityTest, TiesWithTheThresholdGo) {
  // A quarter of four equal weights: the threshold takes them all.
  std::vector<float> w = {2, 2, 2, 2};
  auto unstructured = *SparsityPattern::parse("unstructured");
  float threshold = scoreThreshold(pruningScores(w, 1, 4, unstructured), 0.25);
  EXPECT_EQ(prune(w, 1, 4, unstructured, threshold),
            (std::vector<float>{0, 0, 0, 0}));
}

} // namespace
