//===- pith/Compiler.h - The pith compiler's C++ API ------------*- C++ -*-===//
//
// Part of pith. What the tools and the python module share: registration
// of everything pith understands, and running pass pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_COMPILER_H
#define PITH_COMPILER_H

#include "pith/Import.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace pith {

/// pith's version, as the tools and the package format report it.
llvm::StringRef getVersion();

/// Adds the pith dialect and every upstream dialect and extension that
/// pith's pipelines go through.
void registerDialects(mlir::DialectRegistry &registry);

/// Registers every pith pass and the upstream passes, for textual
/// pipelines (`pith-opt`, runPipeline).
void registerPasses();

/// Parses `source` (MLIR text or bytecode), verifies it, runs `pipeline` on
/// its top-level module and prints the result. `pipeline` is a textual pass
/// pipeline without the module anchor, e.g. "canonicalize,func.func(cse)",
/// or empty. Diagnostics come back in the error, each with its location.
llvm::Expected<std::string> runPipeline(llvm::StringRef source,
                                        llvm::StringRef pipeline);

/// What compileFile writes.
enum class EmitKind {
  /// The LLVM-dialect module the CPU pipeline makes (text).
  Mlir,
  /// LLVM IR after optimization (text).
  LLVMIR,
  /// An object file for the target.
  Object,
  /// The kernels of a GPU target, in PTX (text).
  Ptx,
  /// A .pith package: signature, weights and a shared object (for a CPU)
  /// or kernels and their launches (for a GPU).
  Package,
};

/// One compressed layer's line of the compression report.
struct LayerReport {
  std::string layer, method;
  /// The layer this line's layer is part of (a factor of a factorized
  /// layer), or empty: its bytes before are already counted there.
  std::string refines;
  uint64_t bytesBefore = 0, bytesAfter = 0;
  /// ||W - W'|| / ||W|| of the weight, and the SQNR it makes, in dB.
  double relativeError = 0, sqnrDb = 0;
  /// How much the layer's outputs change on the calibration inputs,
  /// relative to them; negative without calibration.
  double outputError = -1;
};

/// The pass that `--quantize=SCHEME` stands for, as a textual pipeline:
/// `w8`, `w4` or `w2` (one scale per output channel), with `g<N>` for
/// groups of N input features (`w4g128`), and `-asym` for zero points;
/// or a preset, `q4_0` (w4g32) or `q8_0` (w8g32); `a8` after the group
/// quantizes the layers' inputs to int8 per token at run time (`w8a8`,
/// `w4g128a8`), `-static` with one calibrated scale per layer instead;
/// `-gptq` rounds by GPTQ; `-awq` and `-smoothquant` scale input features
/// first; `-clip` clips each group's range where that errs less; `-rotate`
/// rotates the input features by a Hadamard matrix. All but `a8`, `-clip`
/// and `-rotate` alone need calibration. Layers whose names match a glob
/// of `skip`, or none of `only` when given, or whose kind is not in `kinds`
/// when given (`linear`, `conv`, `depthwise`), stay f32. An unknown scheme
/// is an error naming it.
llvm::Expected<std::string>
quantizePipeline(llvm::StringRef scheme, llvm::ArrayRef<std::string> skip,
                 llvm::ArrayRef<std::string> only = {},
                 llvm::ArrayRef<std::string> kinds = {});

/// The pass that `--factorize=BUDGET` stands for: `energy:F` (keep a
/// fraction F of the squared singular values), `error:E` (relative error at
/// most E), `params:F` (at most a fraction F of the parameters) or
/// `rank:R`; layers chosen by `skip`, `only` and `kinds` as for
/// quantizePipeline.
llvm::Expected<std::string>
factorizePipeline(llvm::StringRef budget, llvm::ArrayRef<std::string> skip,
                  llvm::ArrayRef<std::string> only = {},
                  llvm::ArrayRef<std::string> kinds = {});

/// The pass that `--sparsify=SPEC` stands for: `N:M` (`2:4`), a fraction
/// of unstructured sparsity (`0.5`, or `unstructured:0.5`), or blocks
/// (`block4x4:0.5`); `-global` at the end for one threshold across the
/// layers chosen, `-sparsegpt` for SparseGPT; layers chosen by `skip`,
/// `only` and `kinds`.
llvm::Expected<std::string>
sparsifyPipeline(llvm::StringRef spec, llvm::ArrayRef<std::string> skip,
                 llvm::ArrayRef<std::string> only = {},
                 llvm::ArrayRef<std::string> kinds = {});

/// Whether `--sparsify=SPEC` prunes by SparseGPT (ends in `-sparsegpt`),
/// which needs calibration to run before it.
bool compensatesPruning(llvm::StringRef spec);

/// The pass that `--calibrate=SOURCE,...` stands for: pith-calibrate on
/// `.npz` or `.npy` files of samples, or `random:N`.
llvm::Expected<std::string>
calibratePipeline(llvm::ArrayRef<std::string> sources);

/// The compression passes a recipe file asks for (JSON):
///
///     {"factorize": [{"layers": ["*intermediate*"], "budget": "params:0.5"}],
///      "sparsify": [{"layers": ["*output*"], "pattern": "2:4"}],
///      "quantize": [{"layers": ["*attention*"], "scheme": "w8"},
///                   {"scheme": "w4g128", "skip": ["*pooler*"]}]}
///
/// with `"calibrate": ["samples.npz"]` (paths relative to the recipe) for
/// GPTQ (`"scheme": "w4g128-gptq"`). Factorization comes first (its factors
/// are then compressed like any layer), then pruning, then calibration on
/// the model as they left it, then quantization. Rules apply in order, each
/// to the layers matching its `layers` globs (every layer without them) that
/// no earlier rule compressed. `calibrate` adds samples to the recipe's. A
/// bad recipe is an error naming the file, the field and what is wrong.
llvm::Expected<std::string>
recipePipeline(llvm::StringRef path,
               llvm::ArrayRef<std::string> calibrate = {});

/// What the compression options of the tools ask for.
struct CompressionRequest {
  /// A recipe file (recipePipeline).
  std::string recipe;
  /// `--factorize`, `--sparsify` and `--quantize` shorthands, and the
  /// layers they skip.
  std::string factorize, sparsify, quantize;
  std::vector<std::string> skip;
  /// `--calibrate` sources, calibrated after factorization and pruning and
  /// before quantization.
  std::vector<std::string> calibrate;
  /// Further passes, as a textual pipeline.
  std::string passes;
};

/// CompileOptions::compression for `request`: the recipe's passes (with the
/// calibration among them), or factorization, pruning, calibration and
/// quantization, then the further passes, each optional; empty when none is
/// given. A skip list alone is an error.
llvm::Expected<std::string>
compressionPipeline(const CompressionRequest &request);

/// How far one output of a compressed model is from the uncompressed
/// model's on the same inputs.
struct OutputError {
  std::string output;
  size_t samples = 0;
  /// Cosine similarity of the whole output, per sample: least and mean.
  double cosineMin = 1, cosineMean = 1;
  double maxAbsDiff = 0;
  /// For outputs shaped like a classifier's scores ([classes] or [batch,
  /// classes]): the fraction of rows whose largest score is the same
  /// class; negative for other outputs.
  double top1Agreement = -1;
};

/// Runs the packages at `referencePath` (uncompressed) and
/// `compressedPath` on the samples `sources` name (`.npz`, `.npy` or
/// `random:N`, as for pith-calibrate) and compares their f32 outputs.
llvm::Expected<std::vector<OutputError>>
compareOutputs(llvm::StringRef referencePath, llvm::StringRef compressedPath,
               llvm::ArrayRef<std::string> sources);

/// Prints `report` as a table, one line per layer and a total.
void printReport(llvm::raw_ostream &os, llvm::ArrayRef<LayerReport> report);

/// Prints `errors`, one line per output.
void printOutputErrors(llvm::raw_ostream &os,
                       llvm::ArrayRef<OutputError> errors);

/// `report` as a JSON document: {"layers": [...], "total": {...}}, with
/// "outputs": [...] when `outputs` are given.
std::string reportToJson(llvm::ArrayRef<LayerReport> report,
                         llvm::ArrayRef<OutputError> outputs = {});

/// `report` as a self-contained HTML page: a table with, per layer, bars
/// of its bytes after against before and of its SQNR; and a table of
/// `outputs` when given.
std::string reportToHtml(llvm::ArrayRef<LayerReport> report,
                         llvm::ArrayRef<OutputError> outputs = {});

struct CompileOptions {
  /// A CPU target (see resolveCpuTarget: host, x86-64-v3, ...) or an
  /// NVIDIA GPU's architecture (sm_80, sm_86, sm_89, sm_90), which emits
  /// mlir, ptx or a package; or `gpu-emulator`, this CPU running the
  /// NVPTX pipeline's kernels on the host (pith-emulate-gpu), for tests.
  std::string target = "host";
  EmitKind emit = EmitKind::Package;
  /// For ONNX models; the input is ONNX unless its name ends in .mlir or
  /// .mlirbc (the pith dialect), and ONNX text if it ends in .onnxtxt.
  OnnxImportOptions import;
  /// Whether ops with enough work run on OpenMP threads (pith-parallelize).
  bool parallel = true;
  /// Compression passes, run after the graph passes and before lowering,
  /// as a textual pipeline ("pith-quantize{bits=4 group-size=128}", or from
  /// quantizePipeline); empty for none.
  std::string compression;
  /// Receives the compression report once the compression passes ran (the
  /// package holds it too).
  std::function<void(llvm::ArrayRef<LayerReport>)> report;
  /// Called as each step starts: `step` of `steps`, and what it does.
  std::function<void(unsigned step, unsigned steps, llvm::StringRef what)>
      progress;
  /// Receives each warning, formatted like an error; errors end the
  /// compilation and come back from compileFile.
  std::function<void(llvm::StringRef message)> warning;
};

/// Compiles the model at `inputPath` and writes `options.emit` to
/// `outputPath`. The model's entry point is its one public function, with
/// static shapes. Every diagnostic comes back in the error.
llvm::Error compileFile(llvm::StringRef inputPath, llvm::StringRef outputPath,
                        const CompileOptions &options);

} // namespace pith

#endif // PITH_COMPILER_H
