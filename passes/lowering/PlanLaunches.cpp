//===- PlanLaunches.cpp - pith-plan-launches ------------------------------===//
//
// Part of pith. A GPU model's host side is a straight line of kernel
// launches on static buffers; this pass writes it down as data, which the
// runtime replays, so that no host code is compiled for a GPU model.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_PLANLAUNCHESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kKernelModule = "pith_kernels";

struct PlanLaunchesPass
    : mlir::pith::impl::PlanLaunchesPassBase<PlanLaunchesPass> {
  using PlanLaunchesPassBase::PlanLaunchesPassBase;

  /// Moves every kernel into one gpu.module, renamed after the module it
  /// was outlined into, and points the launches at it.
  LogicalResult mergeKernelModules(ModuleOp module) {
    SmallVector<gpu::GPUModuleOp> sources(module.getOps<gpu::GPUModuleOp>());
    if (sources.empty())
      return success();
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto merged =
        gpu::GPUModuleOp::create(builder, module.getLoc(), kKernelModule);
    SymbolTable symbols(merged);
    llvm::StringMap<StringAttr> renamed; // "module::kernel" to new name
    for (gpu::GPUModuleOp source : sources) {
      StringAttr moduleName = source.getNameAttr();
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        if (auto kernel = dyn_cast<gpu::GPUFuncOp>(op)) {
          renamed[(moduleName.getValue() + "::" + kernel.getName()).str()] =
              moduleName;
          kernel.setName(moduleName);
        } else if (auto symbol = dyn_cast<SymbolOpInterface>(op)) {
          // Outlining copies a global into each kernel's module that reads
          // it: one copy serves them all.
          if (Operation *existing = symbols.lookup(symbol.getName())) {
            if (!OperationEquivalence::isEquivalentTo(
                    existing, &op, OperationEquivalence::IgnoreLocations))
              return op.emitOpError(
                  "is defined differently by two kernel modules");
            op.erase();
            continue;
          }
        }
        op.moveBefore(merged.getBody(), merged.getBody()->end());
        if (isa<SymbolOpInterface>(op))
          symbols.insert(&op);
      }
      source.erase();
    }
    WalkResult result = module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto name = renamed.find((kernel.getRootReference().getValue() +
                                "::" + kernel.getLeafReference().getValue())
                                   .str());
      if (name == renamed.end()) {
        launch.emitOpError("launches a kernel no gpu.module defines");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(
          SymbolRefAttr::get(builder.getStringAttr(kKernelModule),
                             {FlatSymbolRefAttr::get(name->second)}));
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// `value`, a buffer the launch of `user` reads or writes, as the function
  /// argument it views and its descriptor.
  FailureOr<DictionaryAttr> describeBuffer(Operation *user, Value value) {
    Builder builder(&getContext());
    auto type = cast<MemRefType>(value.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (!type.hasStaticShape() ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset) ||
        llvm::any_of(strides, ShapedType::isDynamic))
      return user->emitOpError("takes a buffer of dynamic shape or layout (")
             << type << "); GPU models need static ones";
    int64_t byteOffset = 0;
    while (!isa<BlockArgument>(value)) {
      Operation *def = value.getDefiningOp();
      if (auto view = dyn_cast<memref::ViewOp>(def)) {
        // Its source has an identity layout (the verifier says so): the
        // shift is the whole offset.
        std::optional<int64_t> shift = getConstantIntValue(view.getByteShift());
        if (!shift)
          return def->emitOpError("shifts its view by bytes known only at run "
                                  "time; GPU models place buffers statically");
        byteOffset += *shift;
        value = view.getSource();
        continue;
      }
      if (isa<memref::SubViewOp, memref::CollapseShapeOp, memref::ExpandShapeOp,
              memref::ReinterpretCastOp, memref::CastOp>(def)) {
        value = cast<ViewLikeOpInterface>(def).getViewSource();
        continue;
      }
      return def->emitOpError("makes a buffer pith cannot place on the GPU");
    }
    auto argument = cast<BlockArgument>(value);
    SmallVector<int64_t> sizes(type.getShape());
    return builder.getDictionaryAttr({
        builder.getNamedAttr(
            "buffer", builder.getI64IntegerAttr(argument.getArgNumber())),
        builder.getNamedAttr("byte_offset",
                             builder.getI64IntegerAttr(byteOffset)),
        builder.getNamedAttr("offset", builder.getI64IntegerAttr(offset)),
        builder.getNamedAttr("sizes", builder.getDenseI64ArrayAttr(sizes)),
        builder.getNamedAttr("strides", builder.getDenseI64ArrayAttr(strides)),
    });
  }

  /// A scalar argument of `launch`, which must be a constant.
  FailureOr<DictionaryAttr> describeScalar(gpu::LaunchFuncOp launch,
                                           Value value) {
    Builder builder(&getContext());
    Attribute constant;
    if (!matchPattern(value, m_Constant(&constant)))
      return launch.emitOpError("takes a scalar computed at run time; GPU "
                                "models take constants");
    // Indices are 64-bit on nvptx64.
    if (auto integer = dyn_cast<IntegerAttr>(constant);
        integer && integer.getType().isIndex())
      constant = builder.getI64IntegerAttr(integer.getInt());
    if (!isa<IntegerAttr, FloatAttr>(constant) ||
        cast<TypedAttr>(constant).getType().getIntOrFloatBitWidth() > 64)
      return launch.emitOpError("takes a scalar of type ")
             << value.getType() << ", which GPU models cannot pass";
    return builder.getDictionaryAttr(builder.getNamedAttr("value", constant));
  }

  FailureOr<DictionaryAttr> describeLaunch(gpu::LaunchFuncOp launch) {
    Builder builder(&getContext());
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.getDynamicSharedMemorySize() || launch.hasClusterSize())
      return launch.emitOpError("is asynchronous, clustered or uses dynamic "
                                "shared memory, which pith's runtime does not "
                                "launch");
    auto sizes = [&](gpu::KernelDim3 dims) -> FailureOr<DenseI64ArrayAttr> {
      SmallVector<int64_t> values;
      for (Value dim : {dims.x, dims.y, dims.z}) {
        std::optional<int64_t> size = getConstantIntValue(dim);
        if (!size)
          return failure();
        values.push_back(*size);
      }
      return builder.getDenseI64ArrayAttr(values);
    };
    FailureOr<DenseI64ArrayAttr> grid =
        sizes(launch.getGridSizeOperandValues());
    FailureOr<DenseI64ArrayAttr> block =
        sizes(launch.getBlockSizeOperandValues());
    if (failed(grid) || failed(block))
      return launch.emitOpError("has a grid or block size known only at run "
                                "time");
    SmallVector<Attribute> arguments;
    for (Value operand : launch.getKernelOperands()) {
      FailureOr<DictionaryAttr> argument =
          isa<MemRefType>(operand.getType()) ? describeBuffer(launch, operand)
                                             : describeScalar(launch, operand);
      if (failed(argument))
        return failure();
      arguments.push_back(*argument);
    }
    return builder.getDictionaryAttr({
        builder.getNamedAttr("name", launch.getKernel().getLeafReference()),
        builder.getNamedAttr("grid", *grid),
        builder.getNamedAttr("block", *block),
        builder.getNamedAttr("arguments", builder.getArrayAttr(arguments)),
    });
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(mergeKernelModules(module)))
      return signalPassFailure();
    SmallVector<Attribute> launches;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      for (Operation &op : func.getBody().getOps()) {
        if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
          FailureOr<DictionaryAttr> described = describeLaunch(launch);
          if (failed(described))
            return signalPassFailure();
          launches.push_back(*described);
          continue;
        }
        if (op.hasTrait<OpTrait::ConstantLike>() ||
            op.hasTrait<OpTrait::IsTerminator>() ||
            isa<ViewLikeOpInterface>(op))
          continue;
        if (isa<memref::AllocOp, memref::AllocaOp>(op))
          op.emitOpError("allocates a buffer at run time; GPU models place "
                         "their buffers in the workspace");
        else if (isa<memref::GetGlobalOp>(op))
          op.emitOpError("is a constant buffer on the host, which kernels "
                         "cannot read");
        else
          op.emitOpError("would run on the host of a GPU model, which only "
                         "launches kernels");
        return signalPassFailure();
      }
    }
    module->setAttr("pith.launches", ArrayAttr::get(&getContext(), launches));
  }
};

} // namespace
