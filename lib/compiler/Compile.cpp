//===- Compile.cpp - From a model file to a package -----------------------===//
//
// Part of pith. compileFile: import (ONNX or the pith dialect), the CPU
// pipeline and LLVM code generation or the NVPTX pipeline and ptxas, and
// the .pith package around the code.
//
//===----------------------------------------------------------------------===//

#include "pith/Compiler.h"

#include "lib/package/Package.h"
#include "lib/target/cpu/CpuTarget.h"
#include "lib/target/nvptx/NvptxTarget.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "passes/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace pith {
namespace {

namespace fb = package::fb;

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The width of `target`'s vector registers, in bits, from its features.
int64_t vectorBits(const CpuTarget &target) {
  llvm::StringRef features = target.features;
  if (features.contains("+avx512"))
    return 512;
  if (features.contains("+avx"))
    return 256;
  return 128;
}

/// Reports each top-level pass of the pipeline as a step.
class ProgressInstrumentation : public PassInstrumentation {
public:
  ProgressInstrumentation(const CompileOptions &options, unsigned &step,
                          unsigned steps)
      : options(options), step(step), steps(steps) {}

  void runBeforePass(Pass *pass, Operation *op) override {
    if (!isa<ModuleOp>(op))
      return;
    llvm::StringRef name = pass->getArgument();
    options.progress(++step, steps, name.empty() ? pass->getName() : name);
  }

private:
  const CompileOptions &options;
  unsigned &step;
  unsigned steps;
};

/// The package dtype of a tensor element type, if it has one.
std::optional<fb::DType> dtypeOf(Type type) {
  if (type.isF32())
    return fb::DType::F32;
  if (type.isF64())
    return fb::DType::F64;
  if (type.isF16())
    return fb::DType::F16;
  if (type.isBF16())
    return fb::DType::BF16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::nullopt;
  if (integer.getWidth() == 1)
    return fb::DType::Bool;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 8:
    return isUnsigned ? fb::DType::U8 : fb::DType::I8;
  case 16:
    return isUnsigned ? fb::DType::U16 : fb::DType::I16;
  case 32:
    return isUnsigned ? fb::DType::U32 : fb::DType::I32;
  case 64:
    return isUnsigned ? fb::DType::U64 : fb::DType::I64;
  default:
    return std::nullopt;
  }
}

/// The entry point's inputs and outputs, taken before lowering: names from
/// `pith.name`, types as the model declares them (unsigned included).
llvm::Error readSignature(ModuleOp module, std::string &entry,
                          std::vector<package::TensorSpec> &inputs,
                          std::vector<package::TensorSpec> &outputs) {
  llvm::SmallVector<func::FuncOp> publics;
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      publics.push_back(func);
  if (publics.size() != 1)
    return error("the model must have exactly one public function, its entry "
                 "point; it has " +
                 llvm::Twine(publics.size()));
  func::FuncOp func = publics.front();
  entry = func.getSymName().str();

  auto describe = [&](Type type, Attribute name, llvm::StringRef kind,
                      unsigned index,
                      std::vector<package::TensorSpec> &specs) -> llvm::Error {
    std::string label = kind.str() + " " + std::to_string(index);
    if (auto text = dyn_cast_or_null<StringAttr>(name))
      label = kind.str() + " '" + text.getValue().str() + "'";
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::string typeText;
    llvm::raw_string_ostream(typeText) << type;
    if (!tensor || !tensor.hasStaticShape())
      return error(label + " has type " + typeText +
                   "; compiled models need static shapes (--input-shape "
                   "fixes an input's)");
    std::optional<fb::DType> dtype = dtypeOf(tensor.getElementType());
    if (!dtype)
      return error(label + " has type " + typeText +
                   ", whose element type a package cannot hold");
    package::TensorSpec spec;
    spec.name = isa_and_nonnull<StringAttr>(name)
                    ? cast<StringAttr>(name).getValue().str()
                    : kind.str() + std::to_string(index);
    spec.dtype = *dtype;
    spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    specs.push_back(std::move(spec));
    return llvm::Error::success();
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (llvm::Error failure =
            describe(func.getArgument(i).getType(),
                     func.getArgAttr(i, "pith.name"), "input", i, inputs))
      return failure;
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (llvm::Error failure =
            describe(func.getResultTypes()[i],
                     func.getResultAttr(i, "pith.name"), "output", i, outputs))
      return failure;
  return llvm::Error::success();
}

/// The weights the pipeline outlined, in the order of the entry point's
/// arguments, with their bytes (owned by the context), and the size of the
/// workspace it planned. Removes the attributes that described them, which
/// LLVM IR has no use for.
llvm::Error takeWeights(ModuleOp module, FunctionOpInterface graph,
                        std::vector<package::WeightSpec> &weights,
                        uint64_t &workspaceBytes) {
  auto values = module->getAttrOfType<DictionaryAttr>("pith.weights");
  for (unsigned i = 0; i < graph.getNumArguments(); ++i) {
    graph.removeArgAttr(i, "pith.name");
    if (auto workspace = dyn_cast_or_null<IntegerAttr>(
            graph.removeArgAttr(i, "pith.workspace")))
      workspaceBytes = workspace.getInt();
    auto name =
        dyn_cast_or_null<StringAttr>(graph.removeArgAttr(i, "pith.weight"));
    if (!name)
      continue;
    auto value = values ? values.getAs<ElementsAttr>(name) : ElementsAttr();
    if (!value)
      return error("weight '" + name.getValue() + "' has no value");
    auto type = cast<RankedTensorType>(value.getType());
    package::WeightSpec weight;
    weight.tensor.name = name.getValue().str();
    weight.tensor.dtype = *dtypeOf(type.getElementType());
    weight.tensor.shape.assign(type.getShape().begin(), type.getShape().end());
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
      AsmResourceBlob *blob = resource.getRawHandle().getBlob();
      if (!blob)
        return error("weight '" + name.getValue() + "' has no data");
      llvm::ArrayRef<char> data = blob->getData();
      weight.bytes = std::string_view(data.data(), data.size());
    } else if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      llvm::ArrayRef<char> data = dense.getRawData();
      weight.bytes = std::string_view(data.data(), data.size());
    } else {
      return error("weight '" + name.getValue() +
                   "' is held in an attribute pith cannot read");
    }
    weights.push_back(std::move(weight));
  }
  module->removeAttr("pith.weights");
  return llvm::Error::success();
}

/// The kernels and launches the NVPTX pipeline left in `module`: the PTX
/// of its gpu.binary, and pith-plan-launches' record with each buffer's
/// memref descriptor spelled out as the kernel's arguments.
llvm::Expected<package::GpuCodeSpec> takeGpuCode(ModuleOp module) {
  package::GpuCodeSpec code;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    code.ptx = object.getObject().getValue();
  }
  auto launches = module->getAttrOfType<ArrayAttr>("pith.launches");
  if (!launches)
    return error("the pipeline recorded no launches");
  llvm::StringMap<uint32_t> kernels;
  for (auto launch : launches.getAsRange<DictionaryAttr>()) {
    package::LaunchSpec spec;
    llvm::StringRef name = launch.getAs<StringAttr>("name").getValue();
    auto [kernel, added] = kernels.try_emplace(name, code.kernels.size());
    if (added)
      code.kernels.push_back(name.str());
    spec.kernel = kernel->second;
    for (int64_t size : launch.getAs<DenseI64ArrayAttr>("grid").asArrayRef())
      spec.grid.push_back(size);
    for (int64_t size : launch.getAs<DenseI64ArrayAttr>("block").asArrayRef())
      spec.block.push_back(size);
    // A scalar's bits and its size in whole bytes (an i1 takes one).
    auto scalar = [&](const llvm::APInt &bits) {
      spec.arguments.push_back(
          {-1, 0, bits.getZExtValue(),
           static_cast<uint8_t>((bits.getBitWidth() + 7) / 8)});
    };
    for (auto argument :
         launch.getAs<ArrayAttr>("arguments").getAsRange<DictionaryAttr>()) {
      if (auto value = argument.get("value")) {
        if (auto integer = dyn_cast<IntegerAttr>(value))
          scalar(integer.getValue());
        else
          scalar(cast<FloatAttr>(value).getValue().bitcastToAPInt());
        continue;
      }
      // A memref descriptor: allocated and aligned pointers, offset,
      // sizes, strides.
      package::KernelArgumentSpec pointer;
      pointer.buffer = argument.getAs<IntegerAttr>("buffer").getInt();
      pointer.byteOffset = argument.getAs<IntegerAttr>("byte_offset").getInt();
      spec.arguments.push_back(pointer);
      spec.arguments.push_back(pointer);
      scalar(llvm::APInt(64, argument.getAs<IntegerAttr>("offset").getInt()));
      for (llvm::StringRef field : {"sizes", "strides"})
        for (int64_t value :
             argument.getAs<DenseI64ArrayAttr>(field).asArrayRef())
          scalar(llvm::APInt(64, value));
    }
    code.launches.push_back(std::move(spec));
  }
  return code;
}

/// The report lines the compression passes recorded on `module`'s ops.
std::vector<LayerReport> collectReport(ModuleOp module) {
  std::vector<LayerReport> report;
  module->walk([&](Operation *op) {
    auto lines = op->getAttrOfType<ArrayAttr>("pith.compression");
    if (!lines)
      return;
    for (auto line : lines.getAsRange<DictionaryAttr>()) {
      LayerReport layer;
      if (auto text = line.getAs<StringAttr>("layer"))
        layer.layer = text.str();
      if (auto text = line.getAs<StringAttr>("method"))
        layer.method = text.str();
      if (auto bytes = line.getAs<IntegerAttr>("bytes_before"))
        layer.bytesBefore = bytes.getInt();
      if (auto bytes = line.getAs<IntegerAttr>("bytes_after"))
        layer.bytesAfter = bytes.getInt();
      if (auto value = line.getAs<FloatAttr>("relative_error"))
        layer.relativeError = value.getValueAsDouble();
      if (auto value = line.getAs<FloatAttr>("sqnr_db"))
        layer.sqnrDb = value.getValueAsDouble();
      if (auto value = line.getAs<FloatAttr>("output_error"))
        layer.outputError = value.getValueAsDouble();
      if (auto text = line.getAs<StringAttr>("refines"))
        layer.refines = text.str();
      report.push_back(std::move(layer));
    }
  });
  return report;
}

/// Emits `module`'s object code into a temporary file and links it into a
/// shared object, whose bytes come back.
llvm::Expected<std::string> buildSharedObject(llvm::Module &module,
                                              const CpuTarget &target) {
  llvm::SmallString<128> objectPath, libraryPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("pith-model", "o", objectPath))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeObject(objectPath);
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("pith-model", "so", libraryPath))
    return error("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeLibrary(libraryPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec);
    if (ec)
      return error("cannot write '" + objectPath + "': " + ec.message());
    if (llvm::Error failure = emitObject(module, target, os))
      return std::move(failure);
  }
  if (llvm::Error failure = linkSharedObject(objectPath, libraryPath))
    return std::move(failure);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> library =
      llvm::MemoryBuffer::getFile(libraryPath);
  if (!library)
    return error("cannot read '" + libraryPath +
                 "': " + library.getError().message());
  return (*library)->getBuffer().str();
}

} // namespace

llvm::Error compileFile(llvm::StringRef inputPath, llvm::StringRef outputPath,
                        const CompileOptions &options) {
  std::optional<GpuTarget> gpuTarget;
  CpuTarget cpuTarget;
  // This CPU running the kernels of the NVPTX pipeline, for tests.
  bool emulateGpu = options.target == "gpu-emulator";
  if (isGpuTargetName(options.target)) {
    llvm::Expected<GpuTarget> target = resolveGpuTarget(options.target);
    if (!target)
      return target.takeError();
    gpuTarget = *target;
    if (options.emit == EmitKind::LLVMIR || options.emit == EmitKind::Object)
      return error("GPU target '" + options.target +
                   "' emits mlir, ptx or a package, not LLVM IR or objects");
  } else {
    llvm::Expected<CpuTarget> target =
        resolveCpuTarget(emulateGpu ? "host" : options.target);
    if (!target)
      return target.takeError();
    cpuTarget = *target;
    if (emulateGpu)
      cpuTarget.name = options.target;
    bool hostArchitecture =
        llvm::Triple(cpuTarget.triple).getArch() ==
        llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
    if (options.emit == EmitKind::Package && !hostArchitecture)
      return error("target '" + cpuTarget.name +
                   "' is for another architecture: compile it to an object "
                   "(--emit=obj); packages are for this machine's");
    if (options.emit == EmitKind::Ptx)
      return error("--emit=ptx is for GPU targets (sm_80, sm_86, sm_89, "
                   "sm_90); target '" +
                   cpuTarget.name + "' is a CPU");
  }

  DialectRegistry registry;
  registerDialects(registry);
  MLIRContext context(registry);
  // Users read diagnostics against their model, not against the IR.
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticStream(diagnostics);
  context.getDiagEngine().registerHandler([&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Warning && options.warning) {
      std::string message;
      llvm::raw_string_ostream os(message);
      printImportDiagnostic(os, diag);
      options.warning(llvm::StringRef(message).rtrim());
      return;
    }
    printImportDiagnostic(diagnosticStream, diag);
  });
  auto fail = [&](const llvm::Twine &what) {
    std::string message = what.str();
    if (!diagnostics.empty())
      message += ":\n" + llvm::StringRef(diagnostics).rtrim().str();
    return error(message);
  };

  bool isMlir = inputPath.ends_with(".mlir") || inputPath.ends_with(".mlirbc");
  // Compression runs on the graph once its layers are pith.linear.
  mlir::PassManager compression(&context);
  if (!options.compression.empty()) {
    compression.addPass(mlir::pith::createFuseLinearPass());
    compression.addPass(createCanonicalizerPass());
    std::string message;
    llvm::raw_string_ostream errors(message);
    if (failed(parsePassPipeline(options.compression, compression, errors)))
      return error("bad compression pipeline '" + options.compression +
                   "': " + llvm::StringRef(message).trim());
  }
  mlir::PassManager pm(&context);
  std::optional<std::string> toolkit;
  if (gpuTarget) {
    toolkit = findCudaToolkit();
    mlir::pith::NvptxPipelineOptions pipelineOptions;
    pipelineOptions.chip = gpuTarget->chip;
    pipelineOptions.features = gpuTarget->features;
    pipelineOptions.toolkit = toolkit.value_or("");
    mlir::pith::buildNvptxPipeline(pm, pipelineOptions);
  } else if (emulateGpu) {
    mlir::pith::NvptxPipelineOptions pipelineOptions;
    pipelineOptions.emulate = true;
    mlir::pith::buildNvptxPipeline(pm, pipelineOptions);
  } else {
    mlir::pith::CpuPipelineOptions pipelineOptions;
    pipelineOptions.vectorBits = vectorBits(cpuTarget);
    pipelineOptions.parallelize = options.parallel;
    // Int8 products on VNNI, else on AVX2 (for weights of 4 bits or less).
    llvm::StringRef features = cpuTarget.features;
    pipelineOptions.vnni =
        pipelineOptions.vectorBits == 512 && features.contains("+avx512vnni");
    pipelineOptions.int8Dot =
        pipelineOptions.vnni || features.contains("+avx2");
    pipelineOptions.bf16Dot = pipelineOptions.vectorBits == 512 &&
                              features.contains("+avx512bf16") &&
                              features.contains("+avx512vbmi");
    mlir::pith::buildCpuPipeline(pm, pipelineOptions);
  }
  unsigned steps =
      1 + compression.size() + pm.size() +
      (gpuTarget ? (options.emit == EmitKind::Package ? 2 : 0)
                 : (options.emit == EmitKind::Mlir ? 0 : 1) +
                       (options.emit == EmitKind::Package ? 2 : 0) +
                       (options.emit == EmitKind::Object ? 1 : 0));
  unsigned step = 0;
  auto report = [&](llvm::StringRef what) {
    if (options.progress)
      options.progress(++step, steps, what);
  };

  report(isMlir ? "parse" : "import");
  OwningOpRef<ModuleOp> module;
  if (isMlir) {
    // Bytecode sections (resources among them) must be 64-byte aligned.
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile(inputPath, /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false,
                                    /*IsVolatile=*/false, llvm::Align(64));
    if (!file)
      return error("cannot open '" + inputPath +
                   "': " + file.getError().message());
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  } else {
    OnnxImportOptions importOptions = options.import;
    importOptions.textFormat |= inputPath.ends_with(".onnxtxt");
    if (importOptions.textFormat) {
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> text =
          llvm::MemoryBuffer::getFile(inputPath);
      if (!text)
        return error("cannot open '" + inputPath +
                     "': " + text.getError().message());
      module = importOnnxBuffer(context, (*text)->getBuffer(), inputPath,
                                importOptions);
    } else {
      module = importOnnxFile(context, inputPath, importOptions);
    }
  }
  if (!module || failed(verify(*module)))
    return fail("cannot " + llvm::Twine(isMlir ? "parse '" : "import '") +
                inputPath + "'");

  package::PackageSpec spec;
  if (llvm::Error failure =
          readSignature(*module, spec.entry, spec.inputs, spec.outputs))
    return failure;

  if (options.progress) {
    compression.addInstrumentation(
        std::make_unique<ProgressInstrumentation>(options, step, steps));
    pm.addInstrumentation(
        std::make_unique<ProgressInstrumentation>(options, step, steps));
  }
  if (!options.compression.empty()) {
    if (failed(compression.run(*module)))
      return fail("cannot compress '" + inputPath + "'");
    std::vector<LayerReport> report = collectReport(*module);
    for (const LayerReport &layer : report)
      spec.report.push_back({layer.layer, layer.method, layer.refines,
                             layer.bytesBefore, layer.bytesAfter,
                             layer.relativeError, layer.sqnrDb,
                             layer.outputError});
    if (options.report)
      options.report(report);
  }
  (void)applyPassManagerCLOptions(pm);
  if (failed(pm.run(*module)))
    return fail("cannot compile '" + inputPath + "'");

  auto openOutput = [&](bool binary)
      -> llvm::Expected<std::unique_ptr<llvm::ToolOutputFile>> {
    std::error_code ec;
    auto file = std::make_unique<llvm::ToolOutputFile>(
        outputPath, ec,
        binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
    if (ec)
      return error("cannot write '" + outputPath + "': " + ec.message());
    return std::move(file);
  };

  // `spec`, with its producer and `target`, to the output.
  auto writePackage = [&](package::TargetSpec target) -> llvm::Error {
    report("write the package");
    spec.producer = "pith " + getVersion().str();
    spec.target = std::move(target);
    std::string message;
    if (!package::writePackage(spec, outputPath.str(), message))
      return error(message);
    return llvm::Error::success();
  };

  if (options.emit == EmitKind::Mlir) {
    llvm::Expected<std::unique_ptr<llvm::ToolOutputFile>> output =
        openOutput(false);
    if (!output)
      return output.takeError();
    module->print((*output)->os());
    (*output)->keep();
    return llvm::Error::success();
  }

  if (gpuTarget) {
    llvm::Expected<package::GpuCodeSpec> code = takeGpuCode(*module);
    if (!code)
      return code.takeError();
    if (options.emit == EmitKind::Ptx) {
      llvm::Expected<std::unique_ptr<llvm::ToolOutputFile>> output =
          openOutput(false);
      if (!output)
        return output.takeError();
      (*output)->os() << code->ptx;
      (*output)->keep();
      return llvm::Error::success();
    }
    if (llvm::Error failure =
            takeWeights(*module, module->lookupSymbol<func::FuncOp>(spec.entry),
                        spec.weights, spec.workspaceBytes))
      return failure;
    // ptxas checks the PTX and makes the code the GPU loads without a JIT.
    report("assemble the kernels");
    std::string cubin;
    if (toolkit && !code->ptx.empty()) {
      llvm::Expected<std::string> assembled =
          assembleCubin(code->ptx, *gpuTarget, *toolkit);
      if (!assembled)
        return assembled.takeError();
      cubin = std::move(*assembled);
      code->cubin = cubin;
    } else if (!toolkit && options.warning) {
      options.warning("warning: no CUDA toolkit (ptxas) found: the package "
                      "holds PTX only, which the driver compiles when it "
                      "loads");
    }
    spec.gpu = std::move(*code);
    return writePackage({gpuTarget->chip, GpuTarget::kTriple.str(),
                         gpuTarget->chip, gpuTarget->features});
  }

  auto graph =
      module->lookupSymbol<LLVM::LLVMFuncOp>("pith_graph_" + spec.entry);
  if (!graph)
    return error("the pipeline left no entry point 'pith_graph_" + spec.entry +
                 "'");
  if (llvm::Error failure =
          takeWeights(*module, graph, spec.weights, spec.workspaceBytes))
    return failure;
  report("translate to LLVM IR and optimize");
  llvm::LLVMContext llvmContext;
  llvm::Expected<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(*module, llvmContext, cpuTarget);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));

  if (options.emit == EmitKind::LLVMIR || options.emit == EmitKind::Object) {
    if (options.emit == EmitKind::Object)
      report("generate code");
    llvm::Expected<std::unique_ptr<llvm::ToolOutputFile>> output =
        openOutput(options.emit == EmitKind::Object);
    if (!output)
      return output.takeError();
    if (options.emit == EmitKind::LLVMIR)
      (*llvmModule)->print((*output)->os(), nullptr);
    else if (llvm::Error failure =
                 emitObject(**llvmModule, cpuTarget, (*output)->os()))
      return failure;
    (*output)->keep();
    return llvm::Error::success();
  }

  report("generate code and link");
  llvm::Expected<std::string> sharedObject =
      buildSharedObject(**llvmModule, cpuTarget);
  if (!sharedObject)
    return sharedObject.takeError();
  spec.sharedObject = *sharedObject;
  spec.entry = "pith_entry_" + spec.entry;
  return writePackage(
      {cpuTarget.name, cpuTarget.triple, cpuTarget.cpu, cpuTarget.features});
}

} // namespace pith
