//===- main.cpp - pith-compile: a model in, a deployable artifact out -----===//
//
// Part of pith. Compiles an ONNX model (or a module in the pith dialect)
// ahead of time for a CPU target, into a .pith package or, for a look
// inside, the LLVM-dialect MLIR, LLVM IR or an object file.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "pith/Compiler.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/WithColor.h"

#include <chrono>

namespace cl = llvm::cl;

static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<model.onnx|model.mlir>"),
                                      cl::Required);
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::Required);
static cl::opt<std::string>
    target("target",
           cl::desc("CPU to compile for: host (default), x86-64-v3, "
                    "x86-64-v4, znver4, sapphirerapids, aarch64 (objects); "
                    "or NVIDIA GPU: sm_80, sm_86, sm_89, sm_90; or "
                    "gpu-emulator (the GPU kernels run on this CPU, for "
                    "tests)"),
           cl::init("host"));
static cl::opt<pith::EmitKind>
    emit("emit", cl::desc("What to write"), cl::init(pith::EmitKind::Package),
         cl::values(
             clEnumValN(pith::EmitKind::Package, "package",
                        "A .pith package for pith-run, pith-bench and python"),
             clEnumValN(pith::EmitKind::Mlir, "mlir",
                        "The module after the target's pipeline"),
             clEnumValN(pith::EmitKind::LLVMIR, "llvm",
                        "Optimized LLVM IR (CPU targets)"),
             clEnumValN(pith::EmitKind::Object, "obj",
                        "An object file (CPU targets)"),
             clEnumValN(pith::EmitKind::Ptx, "ptx",
                        "The kernels in PTX (GPU targets)")));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Shape of a graph input, e.g. input_ids=1x128; "
                         "fixes its symbolic dimensions (repeatable)"),
                cl::value_desc("name=DxD..."));
static cl::opt<bool>
    parallel("parallel",
             cl::desc("Run ops with enough work on OpenMP threads (default "
                      "true; OMP_NUM_THREADS sets the threads at run time)"),
             cl::init(true));
static cl::opt<std::string> quantize(
    "quantize",
    cl::desc("Quantize the weights of linear layers and convolutions: "
             "w8, w4 or w2, with g<N> for groups of N input features and "
             "-asym for zero points (w4g128, w8-asym), or q4_0 / q8_0; a8 "
             "for int8 activations per token (w8a8), -static for "
             "calibrated activation scales, -gptq for GPTQ rounding "
             "(w4g128-gptq), -awq or -smoothquant for input scaling; these "
             "need --calibrate; -clip for clipped group ranges, -rotate "
             "for a Hadamard rotation of the inputs"),
    cl::value_desc("scheme"));
static cl::opt<std::string> factorize(
    "factorize",
    cl::desc("Factor the weights of linear layers into two of low rank, the "
             "rank from a budget: energy:F, error:E, params:F or rank:R"),
    cl::value_desc("budget"));
static cl::opt<std::string> sparsify(
    "sparsify",
    cl::desc("Prune the weights of linear layers by magnitude: N:M (2:4), a "
             "fraction (0.5) or blocks (block4x4:0.5), -global for one "
             "threshold across layers, -sparsegpt to compensate through "
             "calibration (SparseGPT; needs --calibrate)"),
    cl::value_desc("spec"));
static cl::list<std::string>
    compressSkip("compress-skip",
                 cl::desc("Leave layers whose name matches this glob to "
                          "--quantize, --sparsify and --factorize "
                          "(repeatable)"),
                 cl::value_desc("glob"));
static cl::list<std::string>
    calibrate("calibrate",
              cl::desc("Run the model on these samples before quantizing, "
                       "for GPTQ: .npz (an array per input, [S, ...] for S "
                       "samples), .npy (one input) or random:N"),
              cl::value_desc("file.npz|file.npy|random:N"), cl::CommaSeparated);
static cl::list<std::string>
    evalInputs("eval",
               cl::desc("After compressing, run the model and the "
                        "uncompressed one on these inputs and report how far "
                        "apart their outputs are (cosine, max |diff|, top-1 "
                        "agreement): .npz, .npy or random:N"),
               cl::value_desc("file.npz|file.npy|random:N"),
               cl::CommaSeparated);
static cl::opt<std::string>
    recipe("recipe",
           cl::desc("Compress as this recipe file (JSON) says: rules of "
                    "layer globs and schemes, applied in order"),
           cl::value_desc("file.json"));
static cl::opt<std::string>
    compressionPasses("compression",
                      cl::desc("Compression passes to run before lowering, "
                               "as a pass pipeline (pith-opt's syntax)"),
                      cl::value_desc("pipeline"));
static cl::opt<std::string>
    reportPath("report",
               cl::desc("Write the compression report to this file: HTML "
                        "with per-layer bars if it ends in .html, else JSON"),
               cl::value_desc("file.json|file.html"));
static cl::opt<bool> progress("progress",
                              cl::desc("Print each step as it starts (the "
                                       "default on a terminal)"));
static cl::opt<bool> quiet("quiet", cl::desc("Print errors only"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Pass names first, for --mlir-print-ir-after=<pass> and the like.
  pith::registerPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "pith-compile: compile a model ahead of time\n\n"
      "  pith-compile model.onnx -o model.pith\n"
      "  pith-compile model.onnx --target=x86-64-v4 --emit=obj -o model.o\n"
      "  pith-compile model.onnx --target=sm_90 -o model.pith\n"
      "  pith-compile model.onnx --quantize=w4g128 --report=report.json -o "
      "model.pith\n");

  auto fail = [](const llvm::Twine &message) {
    llvm::WithColor::error(llvm::errs(), "pith-compile") << message << "\n";
    return 1;
  };

  pith::CompileOptions options;
  options.target = target;
  options.emit = emit;
  options.parallel = parallel;
  llvm::Expected<std::string> compression =
      pith::compressionPipeline({recipe, factorize, sparsify, quantize,
                                 compressSkip, calibrate, compressionPasses});
  if (!compression)
    return fail(llvm::toString(compression.takeError()));
  options.compression = *compression;
  if (!reportPath.empty() && options.compression.empty())
    return fail("--report needs compression (--recipe, --quantize, "
                "--sparsify, --factorize or --compression)");
  if (!evalInputs.empty() && options.compression.empty())
    return fail("--eval needs compression (--recipe, --quantize, "
                "--sparsify, --factorize or --compression)");
  if (!evalInputs.empty() && options.emit != pith::EmitKind::Package)
    return fail(
        "--eval runs the model, so it needs a package (--emit=package)");
  std::vector<pith::LayerReport> report;
  options.report = [&](llvm::ArrayRef<pith::LayerReport> lines) {
    report.assign(lines.begin(), lines.end());
  };
  for (const std::string &spec : inputShapes)
    if (llvm::Error error = pith::parseInputShape(spec, options.import))
      return fail(llvm::toString(std::move(error)));

  // On a terminal the current step overwrites one line; with --progress
  // each step gets its own, with the time since the start.
  bool terminal = llvm::sys::Process::StandardErrIsDisplayed();
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  if (!quiet && (progress || terminal)) {
    options.progress = [&](unsigned step, unsigned steps,
                           llvm::StringRef what) {
      llvm::errs() << llvm::format("%s[%2u/%u %6.2fs] %s",
                                   progress ? "" : "\r\033[K", step, steps,
                                   seconds(), what.str().c_str())
                   << (progress ? "\n" : "");
      llvm::errs().flush();
    };
  }
  options.warning = [&](llvm::StringRef message) {
    if (!quiet)
      llvm::errs() << (progress || !terminal ? "" : "\r\033[K") << message
                   << "\n";
  };

  llvm::Error error = pith::compileFile(inputPath, outputPath, options);
  if (options.progress && !progress)
    llvm::errs() << "\r\033[K";
  if (error)
    return fail(llvm::toString(std::move(error)));
  if (!options.compression.empty() && !quiet)
    pith::printReport(llvm::errs(), report);
  std::vector<pith::OutputError> outputErrors;
  if (!evalInputs.empty()) {
    // The uncompressed model, compiled alike, is the reference.
    llvm::SmallString<128> referencePath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "pith-reference", "pith", referencePath))
      return fail("cannot create a temporary file: " + ec.message());
    llvm::FileRemover removeReference(referencePath);
    pith::CompileOptions reference = options;
    reference.compression.clear();
    reference.progress = nullptr;
    reference.warning = nullptr;
    reference.report = nullptr;
    if (llvm::Error failure =
            pith::compileFile(inputPath, referencePath, reference))
      return fail("--eval: cannot compile the uncompressed model: " +
                  llvm::toString(std::move(failure)));
    llvm::Expected<std::vector<pith::OutputError>> compared =
        pith::compareOutputs(referencePath, outputPath, evalInputs);
    if (!compared)
      return fail("--eval: " + llvm::toString(compared.takeError()));
    outputErrors = std::move(*compared);
    if (!quiet)
      pith::printOutputErrors(llvm::errs(), outputErrors);
  }
  if (!reportPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(reportPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + reportPath + "': " + ec.message());
    os << (llvm::StringRef(reportPath).ends_with(".html")
               ? pith::reportToHtml(report, outputErrors)
               : pith::reportToJson(report, outputErrors));
  }
  if (!quiet && (progress || terminal))
    llvm::errs() << llvm::format("pith-compile: wrote %s in %.2fs\n",
                                 outputPath.c_str(), seconds());
  return 0;
}
