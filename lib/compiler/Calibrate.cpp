//===- Calibrate.cpp - pith-calibrate -------------------------------------===//
//
// Part of pith. Runs the model on calibration samples and records, on each
// linear layer, statistics of the layer's input: the ranges activation
// quantization needs, the per-feature magnitudes activation-aware scaling
// needs, and E[x x^T], GPTQ's Hessian; on each convolution, E[v v^T] of its
// windows v. The model runs compiled: a copy of it whose entry point also
// returns every linear layer's and convolution's input goes through
// compileFile into a temporary package, which the runtime loads.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"
#include "pith/runtime.h"

#include "dialects/pith/PithFolds.h"
#include "dialects/pith/PithOps.h"
#include "lib/compiler/Samples.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "passes/Passes.h"
#include "passes/compression/CompressionUtils.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"

#include <cmath>
#include <limits>

namespace mlir::pith {
#define GEN_PASS_DEF_CALIBRATEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;
using namespace mlir::pith;
using ::pith::ModelPtr;

namespace {

/// A histogram of |x| over [0, range) whose range doubles (merging pairs
/// of bins) whenever a larger value arrives, so that percentiles need
/// neither the values kept nor their range known in advance.
class MagnitudeHistogram {
public:
  void add(float magnitude) {
    if (!(magnitude < std::numeric_limits<float>::infinity()))
      return;
    if (range == 0)
      range = magnitude > 0 ? 2 * magnitude : 1;
    while (magnitude >= range)
      widen();
    ++bins[static_cast<size_t>(magnitude / range * kBins)];
    ++count;
  }

  /// The upper edge of the bin where the fraction `p` of values is reached.
  float percentile(double p) const {
    uint64_t wanted = static_cast<uint64_t>(std::ceil(p * count));
    uint64_t seen = 0;
    for (size_t bin = 0; bin < kBins; ++bin) {
      seen += bins[bin];
      if (seen >= wanted && seen > 0)
        return static_cast<float>(range * (bin + 1) / kBins);
    }
    return static_cast<float>(range);
  }

private:
  static constexpr size_t kBins = 4096;

  void widen() {
    for (size_t bin = 0; bin < kBins / 2; ++bin)
      bins[bin] = bins[2 * bin] + bins[2 * bin + 1];
    std::fill(bins.begin() + kBins / 2, bins.end(), 0);
    range *= 2;
  }

  std::vector<uint64_t> bins = std::vector<uint64_t>(kBins, 0);
  double range = 0;
  uint64_t count = 0;
};

/// The statistics of one layer input over the calibration samples.
struct InputStatistics {
  explicit InputStatistics(int64_t channels)
      : channels(channels), absMax(channels, 0.0f), absSum(channels, 0.0),
        moment(channels * channels, 0.0) {}

  /// Adds the `rows` rows of `channels` values at `data`.
  void add(const float *data, int64_t rows) {
    std::vector<float> sampleMoment(channels * channels, 0.0f);
    for (int64_t row = 0; row < rows; ++row) {
      const float *x = data + row * channels;
      for (int64_t i = 0; i < channels; ++i) {
        float magnitude = std::fabs(x[i]);
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        absMax[i] = std::max(absMax[i], magnitude);
        absSum[i] += magnitude;
        histogram.add(magnitude);
        // The upper triangle; the lower one mirrors it at the end.
        float *m = sampleMoment.data() + i * channels;
        for (int64_t j = i; j < channels; ++j)
          m[j] += x[i] * x[j];
      }
    }
    for (int64_t i = 0; i < channels * channels; ++i)
      moment[i] += sampleMoment[i];
    tokens += rows;
  }

  /// The pith.calibration dictionary; `name` prefixes its resources.
  DictionaryAttr toAttr(MLIRContext *context, StringRef name,
                        int64_t samples) const {
    Builder b(context);
    auto f32 = b.getF32Type();
    double perToken = tokens ? 1.0 / static_cast<double>(tokens) : 0.0;
    std::vector<float> mean(channels), second(channels * channels);
    for (int64_t i = 0; i < channels; ++i) {
      mean[i] = static_cast<float>(absSum[i] * perToken);
      for (int64_t j = i; j < channels; ++j)
        second[i * channels + j] = second[j * channels + i] =
            static_cast<float>(moment[i * channels + j] * perToken);
    }
    auto resource = [&](ArrayRef<int64_t> shape, StringRef suffix,
                        ArrayRef<float> values) {
      return mlir::pith::detail::makeResource(
          RankedTensorType::get(shape, f32), (name + suffix).str(),
          compression::asBytes<float>(values));
    };
    NamedAttribute entries[] = {
        b.getNamedAttr("samples", b.getI64IntegerAttr(samples)),
        b.getNamedAttr("tokens", b.getI64IntegerAttr(tokens)),
        b.getNamedAttr("min", b.getF32FloatAttr(tokens ? min : 0.0f)),
        b.getNamedAttr("max", b.getF32FloatAttr(tokens ? max : 0.0f)),
        b.getNamedAttr("abs_p99_9",
                       b.getF32FloatAttr(histogram.percentile(0.999))),
        b.getNamedAttr("abs_p99_99",
                       b.getF32FloatAttr(histogram.percentile(0.9999))),
        b.getNamedAttr("channel_abs_max",
                       resource({channels}, "_abs_max", absMax)),
        b.getNamedAttr("channel_abs_mean",
                       resource({channels}, "_abs_mean", mean)),
        b.getNamedAttr("second_moment", resource({channels, channels},
                                                 "_second_moment", second))};
    return b.getDictionaryAttr(entries);
  }

  int64_t channels;
  int64_t tokens = 0;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  std::vector<float> absMax;
  std::vector<double> absSum;
  std::vector<double> moment;
  MagnitudeHistogram histogram;
};

/// E[v v^T] of a convolution's windows, GPTQ's Hessian of the convolution
/// read as a linear layer over them: v, for each group, image and output
/// position, holds the group's C / groups input channels times the
/// kernel's taps (0 where the window reaches into the padding), in the
/// order of the weight's [C / groups, K1..Kk].
struct WindowStatistics {
  explicit WindowStatistics(ConvOp op) {
    auto input = cast<RankedTensorType>(op.getInput().getType());
    auto weight = cast<RankedTensorType>(op.getWeight().getType());
    auto output = cast<RankedTensorType>(op.getOutput().getType());
    int64_t spatial = input.getRank() - 2;
    images = input.getDimSize(0);
    channels = input.getDimSize(1);
    groups = op.getGroups();
    channelsPerGroup = channels / groups;
    pixels = llvm::product_of(input.getShape().drop_front(2));
    taps = llvm::product_of(weight.getShape().drop_front(2));
    positions = llvm::product_of(output.getShape().drop_front(2));
    cols = channelsPerGroup * taps;
    // Where tap t of output position p reads in its channel, or -1 in the
    // padding: the position and the tap taken apart dimension by dimension,
    // the last fastest.
    sourceOf.assign(taps * positions, -1);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t p = 0; p < positions; ++p) {
        int64_t tapRest = t, positionRest = p, offset = 0, stride = 1;
        bool inside = true;
        for (int64_t d = spatial - 1; d >= 0; --d) {
          int64_t kernel = weight.getDimSize(2 + d);
          int64_t extent = output.getDimSize(2 + d);
          int64_t k = tapRest % kernel, o = positionRest % extent;
          tapRest /= kernel;
          positionRest /= extent;
          int64_t at = o * op.getStrides()[d] + k * op.getDilations()[d] -
                       op.getPads()[d];
          inside &= at >= 0 && at < input.getDimSize(2 + d);
          offset += at * stride;
          stride *= input.getDimSize(2 + d);
        }
        if (inside)
          sourceOf[t * positions + p] = offset;
      }
    moment.assign(groups * cols * cols, 0.0);
  }

  /// Adds the windows of one sample's input ([N, C, D1..Dk] at `data`).
  void add(const float *data) {
    std::vector<float> windows(cols * positions);
    for (int64_t image = 0; image < images; ++image)
      for (int64_t group = 0; group < groups; ++group) {
        // The windows transposed, [cols, positions], so that each entry of
        // the moment is one dot product over the positions.
        for (int64_t c = 0; c < channelsPerGroup; ++c) {
          const float *channel =
              data + (image * channels + group * channelsPerGroup + c) * pixels;
          for (int64_t t = 0; t < taps; ++t) {
            float *row = windows.data() + (c * taps + t) * positions;
            const int64_t *source = sourceOf.data() + t * positions;
            for (int64_t p = 0; p < positions; ++p)
              row[p] = source[p] < 0 ? 0.0f : channel[source[p]];
          }
        }
        double *groupMoment = moment.data() + group * cols * cols;
        for (int64_t i = 0; i < cols; ++i) {
          const float *a = windows.data() + i * positions;
          for (int64_t j = i; j < cols; ++j) {
            const float *b = windows.data() + j * positions;
            float dot = 0;
            for (int64_t p = 0; p < positions; ++p)
              dot += a[p] * b[p];
            groupMoment[i * cols + j] += dot;
          }
        }
      }
    windowsSeen += images * positions;
  }

  /// The pith.calibration dictionary of the convolution; `name` prefixes
  /// its resource.
  DictionaryAttr toAttr(MLIRContext *context, StringRef name,
                        int64_t samples) const {
    Builder b(context);
    double perWindow = windowsSeen ? 1.0 / static_cast<double>(windowsSeen) : 0;
    std::vector<float> second(moment.size());
    for (int64_t group = 0; group < groups; ++group) {
      int64_t base = group * cols * cols;
      for (int64_t i = 0; i < cols; ++i)
        for (int64_t j = i; j < cols; ++j)
          second[base + i * cols + j] = second[base + j * cols + i] =
              static_cast<float>(moment[base + i * cols + j] * perWindow);
    }
    NamedAttribute entries[] = {
        b.getNamedAttr("samples", b.getI64IntegerAttr(samples)),
        b.getNamedAttr("tokens", b.getI64IntegerAttr(windowsSeen)),
        b.getNamedAttr(
            "second_moment",
            mlir::pith::detail::makeResource(
                RankedTensorType::get({groups, cols, cols}, b.getF32Type()),
                (name + "_second_moment").str(),
                compression::asBytes<float>(second)))};
    return b.getDictionaryAttr(entries);
  }

  int64_t images, channels, groups, channelsPerGroup, pixels, taps, positions,
      cols;
  std::vector<int64_t> sourceOf;
  std::vector<double> moment;
  int64_t windowsSeen = 0;
};

struct CalibratePass : mlir::pith::impl::CalibratePassBase<CalibratePass> {
  using CalibratePassBase::CalibratePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (inputs.empty()) {
      module.emitError() << "pith-calibrate: give the calibration samples, "
                            "inputs=FILE.npz, FILE.npy or random:N";
      return signalPassFailure();
    }
    func::FuncOp entry;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal()) {
        if (entry) {
          module.emitError() << "pith-calibrate: the model must have one "
                                "public function, its entry point";
          return signalPassFailure();
        }
        entry = func;
      }
    if (!entry) {
      module.emitError() << "pith-calibrate: the model has no entry point";
      return signalPassFailure();
    }

    // The distinct inputs of the entry point's linear layers.
    SmallVector<LinearOp> layers;
    SmallVector<Value> layerInputs;
    SmallVector<unsigned> inputOfLayer;
    entry.walk([&](LinearOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
      if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
        return;
      const auto *found = llvm::find(layerInputs, op.getInput());
      inputOfLayer.push_back(found - layerInputs.begin());
      if (found == layerInputs.end())
        layerInputs.push_back(op.getInput());
      layers.push_back(op);
    });
    // The convolutions with an f32 constant weight, whose inputs are
    // returned after the linear layers'.
    SmallVector<ConvOp> convolutions;
    entry.walk([&](ConvOp op) {
      auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
      auto weight = op.getWeight().getDefiningOp<ConstantOp>();
      if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
          !weight || !op.getWeight().getType().getElementType().isF32())
        return;
      convolutions.push_back(op);
    });
    if (layers.empty() && convolutions.empty()) {
      module.emitWarning() << "pith-calibrate: the model has no linear "
                              "layers or convolutions (with static f32 "
                              "inputs and weights) to calibrate";
      return;
    }
    SmallVector<Value> returned = layerInputs;
    for (ConvOp op : convolutions)
      returned.push_back(op.getInput());

    llvm::SmallString<128> packagePath;
    FailureOr<ModelPtr> model =
        compileInstrumented(entry, returned, packagePath);
    llvm::FileRemover removePackage(packagePath);
    if (failed(model))
      return signalPassFailure();

    std::vector<InputStatistics> statistics;
    for (Value input : layerInputs)
      statistics.emplace_back(
          cast<RankedTensorType>(input.getType()).getShape().back());
    std::vector<WindowStatistics> windows;
    for (ConvOp op : convolutions)
      windows.emplace_back(op);
    FailureOr<int64_t> samples = runSamples(
        module, **model, entry.getNumArguments(), returned.size(),
        [&](ArrayRef<::pith::HostTensor> extras) {
          for (auto [stats, values] : llvm::zip(statistics, extras))
            stats.add(reinterpret_cast<const float *>(values.bytes.data()),
                      values.elementCount() / stats.channels);
          for (auto [stats, values] :
               llvm::zip(windows, extras.drop_front(statistics.size())))
            stats.add(reinterpret_cast<const float *>(values.bytes.data()));
        });
    if (failed(samples))
      return signalPassFailure();

    SmallVector<DictionaryAttr> attributes;
    for (auto [index, input] : llvm::enumerate(layerInputs)) {
      unsigned first = llvm::find(inputOfLayer, index) - inputOfLayer.begin();
      attributes.push_back(statistics[index].toAttr(
          &getContext(), compression::layerName(layers[first]) + "_calibration",
          *samples));
    }
    for (auto [op, input] : llvm::zip(layers, inputOfLayer))
      op->setAttr(compression::kCalibrationAttrName, attributes[input]);
    for (auto [op, stats] : llvm::zip(convolutions, windows))
      op->setAttr(compression::kCalibrationAttrName,
                  stats.toAttr(&getContext(),
                               compression::layerName(op) + "_calibration",
                               *samples));
    calibratedLayers += layers.size() + convolutions.size();
    samplesRun += *samples;
  }

  /// Compiles a copy of the module whose entry point also returns
  /// `layerInputs`, and loads it.
  FailureOr<ModelPtr> compileInstrumented(func::FuncOp entry,
                                          ArrayRef<Value> layerInputs,
                                          llvm::SmallString<128> &packagePath) {
    ModuleOp module = getOperation();
    OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
    auto copyEntry = copy->lookupSymbol<func::FuncOp>(entry.getSymName());
    // The copy's values in the order the original's were found.
    SmallVector<Value> copyInputs;
    {
      DenseMap<Operation *, Operation *> opsOfCopy;
      SmallVector<Operation *> originals, copies;
      entry.walk([&](Operation *op) { originals.push_back(op); });
      copyEntry.walk([&](Operation *op) { copies.push_back(op); });
      for (auto [original, copied] : llvm::zip(originals, copies))
        opsOfCopy[original] = copied;
      for (Value input : layerInputs) {
        if (auto argument = dyn_cast<BlockArgument>(input)) {
          copyInputs.push_back(copyEntry.getArgument(argument.getArgNumber()));
          continue;
        }
        auto result = cast<OpResult>(input);
        copyInputs.push_back(
            opsOfCopy[result.getOwner()]->getResult(result.getResultNumber()));
      }
    }
    auto returnOp =
        cast<func::ReturnOp>(copyEntry.getBody().back().getTerminator());
    unsigned firstExtra = returnOp.getNumOperands();
    returnOp.getOperandsMutable().append(copyInputs);
    copyEntry.setType(FunctionType::get(&getContext(),
                                        copyEntry.getArgumentTypes(),
                                        returnOp.getOperandTypes()));
    for (unsigned i = 0; i < copyInputs.size(); ++i)
      copyEntry.setResultAttr(
          firstExtra + i, "pith.name",
          StringAttr::get(&getContext(),
                          "pith.calibration." + std::to_string(i)));

    llvm::SmallString<128> modulePath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "pith-calibrate", "mlirbc", modulePath)) {
      module.emitError() << "pith-calibrate: cannot create a temporary file: "
                         << ec.message();
      return failure();
    }
    llvm::FileRemover removeModule(modulePath);
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(modulePath, ec);
      if (ec || failed(writeBytecodeToFile(*copy, os))) {
        module.emitError() << "pith-calibrate: cannot write '" << modulePath
                           << "'";
        return failure();
      }
    }
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "pith-calibrate", "pith", packagePath)) {
      module.emitError() << "pith-calibrate: cannot create a temporary file: "
                         << ec.message();
      return failure();
    }
    ::pith::CompileOptions options;
    if (llvm::Error error =
            ::pith::compileFile(modulePath, packagePath, options)) {
      module.emitError() << "pith-calibrate: cannot compile the model to run "
                            "it: "
                         << llvm::toString(std::move(error));
      return failure();
    }
    llvm::Expected<ModelPtr> model = ::pith::loadModel(packagePath.str().str());
    if (!model) {
      module.emitError() << "pith-calibrate: "
                         << llvm::toString(model.takeError());
      return failure();
    }
    return std::move(*model);
  }

  /// Runs `model` on every sample, handing the `extraCount` values it
  /// returns after the model's own outputs to `consume`; the samples run.
  FailureOr<int64_t>
  runSamples(ModuleOp module, const pith_model &model, size_t inputCount,
             size_t extraCount,
             llvm::function_ref<void(ArrayRef<::pith::HostTensor>)> consume) {
    llvm::Expected<std::vector<::pith::Sample>> samples =
        ::pith::readSamples(model, inputCount, inputs);
    if (!samples) {
      module.emitError() << "pith-calibrate: "
                         << llvm::toString(samples.takeError());
      return failure();
    }
    size_t outputCount = pith_model_output_count(&model);
    std::vector<::pith::HostTensor> outputs;
    for (size_t i = 0; i < outputCount; ++i)
      outputs.push_back(
          ::pith::HostTensor::like(*pith_model_output(&model, i)));
    for (auto [index, sample] : llvm::enumerate(*samples)) {
      if (llvm::Error error = ::pith::runSample(model, sample, outputs)) {
        module.emitError() << "pith-calibrate: sample " << index
                           << " failed to run: "
                           << llvm::toString(std::move(error));
        return failure();
      }
      consume(ArrayRef(outputs).take_back(extraCount));
    }
    return static_cast<int64_t>(samples->size());
  }
};

} // namespace
