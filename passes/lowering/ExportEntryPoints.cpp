//===- ExportEntryPoints.cpp - pith-export-entry-points -------------------===//
//
// Part of pith. Each public function gets an entry point taking an array
// of buffer pointers, the one calling convention pith's runtime knows; the
// function itself becomes internal.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_EXPORTENTRYPOINTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

struct ExportEntryPointsPass
    : mlir::pith::impl::ExportEntryPointsPassBase<ExportEntryPointsPass> {
  using ExportEntryPointsPassBase::ExportEntryPointsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // A function the LLVM conversion left alone has a signature it could
    // not lower to bare pointers.
    bool unlowered = false;
    for (auto func : module.getOps<func::FuncOp>()) {
      func.emitError("cannot export '")
          << func.getName()
          << "': its signature could not be lowered to buffer pointers "
             "(zero-sized tensors have no buffer)";
      unlowered = true;
    }
    if (unlowered)
      return signalPassFailure();
    SymbolTable symbols(module);
    llvm::SmallVector<LLVM::LLVMFuncOp> graphs;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (!func.isExternal() && !func.isPrivate() &&
          func.getLinkage() == LLVM::Linkage::External)
        graphs.push_back(func);

    for (LLVM::LLVMFuncOp graph : graphs) {
      LLVM::LLVMFunctionType type = graph.getFunctionType();
      if (!isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
          llvm::any_of(type.getParams(), [](Type param) {
            return !isa<LLVM::LLVMPointerType>(param);
          })) {
        graph.emitError("cannot export '")
            << graph.getName()
            << "': an entry point takes buffers and returns nothing, "
               "lower it with bare-pointer memrefs and out-params";
        return signalPassFailure();
      }
      std::string name = graph.getName().str();
      if (failed(symbols.rename(graph, "pith_graph_" + name)))
        return signalPassFailure();
      graph.setLinkage(LLVM::Linkage::Internal);
      createEntryPoint(graph, "pith_entry_" + name, symbols);
    }
  }

  /// `void name(void **buffers)`: loads each pointer and calls `graph`.
  void createEntryPoint(LLVM::LLVMFuncOp graph, llvm::StringRef name,
                        SymbolTable &symbols) {
    MLIRContext *context = &getContext();
    Location loc = graph.getLoc();
    OpBuilder builder(context);
    builder.setInsertionPointAfter(graph);
    auto pointer = LLVM::LLVMPointerType::get(context);
    auto entry = LLVM::LLVMFuncOp::create(
        builder, loc, name,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {pointer}));
    symbols.insert(entry);
    Block *body = entry.addEntryBlock(builder);
    builder.setInsertionPointToStart(body);
    llvm::SmallVector<Value> buffers;
    for (unsigned i = 0, e = graph.getNumArguments(); i < e; ++i) {
      Value slot = LLVM::GEPOp::create(
          builder, loc, pointer, pointer, body->getArgument(0),
          llvm::ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      buffers.push_back(LLVM::LoadOp::create(builder, loc, pointer, slot));
    }
    LLVM::CallOp::create(builder, loc, graph, buffers);
    LLVM::ReturnOp::create(builder, loc, ValueRange());
  }
};

} // namespace
