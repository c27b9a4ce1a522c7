//===- PlanWorkspace.cpp - pith-plan-workspace ----------------------------===//
//
// Part of pith. The buffers a model allocates at its top level (one per
// intermediate tensor) become views of one workspace the caller passes,
// placed so that buffers alive at the same time never overlap. A run then
// allocates nothing, and memory freed by one layer is reused by the next
// while it is still in cache.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "passes/Passes.h"

namespace mlir::pith {
#define GEN_PASS_DEF_PLANWORKSPACEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::pith

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

/// A buffer to place: its size and the span of top-level operations, by
/// position, from its allocation to its last use.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0;
  int64_t offset = 0;
};

/// The last top-level position at which `value` or a view of it is used,
/// or nullopt if it may escape (is returned, passed to a call, or used by
/// an op making another buffer of it).
std::optional<int64_t>
lastUse(Value value, Block &block,
        const llvm::DenseMap<Operation *, int64_t> &positions) {
  int64_t last = 0;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (OpOperand &use : current.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp, CallOpInterface>(user))
        return std::nullopt;
      if (isa<memref::DeallocOp>(user))
        continue;
      // Views alias the buffer; any other op making a buffer from it might.
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == current)
        llvm::append_range(worklist, user->getResults());
      else if (llvm::any_of(user->getResultTypes(), llvm::IsaPred<MemRefType>))
        return std::nullopt;
      Operation *top = block.findAncestorOpInBlock(*user);
      if (!top)
        return std::nullopt;
      last = std::max(last, positions.lookup(top));
    }
  }
  return last;
}

struct PlanWorkspacePass
    : mlir::pith::impl::PlanWorkspacePassBase<PlanWorkspacePass> {
  using PlanWorkspacePassBase::PlanWorkspacePassBase;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        plan(func);
  }

  void plan(func::FuncOp func) {
    Block &block = func.getBody().front();
    llvm::DenseMap<Operation *, int64_t> positions;
    for (auto [index, op] : llvm::enumerate(block))
      positions[&op] = index;

    SmallVector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrFloat() || type.getMemorySpace())
        continue;
      // Booleans take a byte each in memory, as LLVM stores i1.
      int64_t elementBits =
          type.getElementType().isInteger(1) ? 8 : type.getElementTypeBitWidth();
      if (elementBits % 8 != 0)
        continue;
      std::optional<int64_t> last = lastUse(alloc, block, positions);
      if (!last)
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.bytes = std::max<int64_t>(
          alignUp(type.getNumElements() * elementBits / 8),
          kAlignment);
      buffer.first = positions.lookup(alloc);
      buffer.last = std::max(*last, buffer.first);
      buffers.push_back(buffer);
    }
    if (buffers.empty())
      return;

    // Largest first, each at the lowest offset clear of every placed
    // buffer alive at the same time.
    SmallVector<Buffer *> order;
    for (Buffer &buffer : buffers)
      order.push_back(&buffer);
    llvm::sort(order, [](Buffer *a, Buffer *b) {
      return std::make_pair(-a->bytes, a->first) <
             std::make_pair(-b->bytes, b->first);
    });
    SmallVector<Buffer *> placed;
    int64_t total = 0;
    for (Buffer *buffer : order) {
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *other : placed)
        if (other->first <= buffer->last && buffer->first <= other->last)
          taken.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (offset + buffer->bytes <= begin)
          break;
        offset = std::max(offset, end);
      }
      buffer->offset = offset;
      total = std::max(total, offset + buffer->bytes);
      placed.push_back(buffer);
    }

    // The workspace is the function's last argument.
    MLIRContext *context = &getContext();
    OpBuilder builder(context);
    auto workspaceType = MemRefType::get({total}, builder.getI8Type());
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(
            index, workspaceType,
            builder.getDictionaryAttr(builder.getNamedAttr(
                "pith.workspace", builder.getI64IntegerAttr(total))),
            func.getLoc())))
      return signalPassFailure();
    Value workspace = func.getArgument(index);
    for (Buffer &buffer : buffers) {
      memref::AllocOp alloc = buffer.alloc;
      builder.setInsertionPoint(alloc);
      Value offset = arith::ConstantIndexOp::create(builder, alloc.getLoc(),
                                                    buffer.offset);
      Value view =
          memref::ViewOp::create(builder, alloc.getLoc(), alloc.getType(),
                                 workspace, offset, ValueRange());
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
  }
};

} // namespace
