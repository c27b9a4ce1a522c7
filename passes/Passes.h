//===- Passes.h - Every pith pass -------------------------------*- C++ -*-===//
//
// Part of pith. Pass declarations and registration (generated from
// Passes.td), and the pattern sets the passes are built on, so that tools,
// python and other passes can use the same rewrites.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_PASSES_PASSES_H
#define PITH_PASSES_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
} // namespace mlir

namespace mlir::pith {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// The mark pith-lower-to-linalg puts on a contraction over packed
/// quantized weights ({bits, unsigned}); pith-vectorize-contractions writes
/// such ops as loops, and other passes treat them as contractions.
inline constexpr llvm::StringLiteral kQuantizedMatmulAttr =
    "pith.quantized_matmul";

/// The mark pith-lower-to-linalg puts on a contraction over the packed kept
/// values of an N:M-sparse weight ({n, m}).
inline constexpr llvm::StringLiteral kSparseMatmulAttr = "pith.sparse_matmul";

/// The mark pith-lower-to-linalg puts on a contraction over the packed
/// nonzeros of a bitmap-sparse weight (pith.masked_densify).
inline constexpr llvm::StringLiteral kBitmapMatmulAttr = "pith.bitmap_matmul";

/// The mark pith-lower-to-linalg puts on a contraction over the nonzeros
/// of a masked weight kept indexed (each output feature's nonzeros and
/// their input indices), multiplied into many rows at once.
inline constexpr llvm::StringLiteral kIndexedMatmulAttr =
    "pith.indexed_matmul";

/// Whether `op` is a contraction over packed weights (quantized or
/// sparse), which only its writer in pith-vectorize-contractions may
/// rebuild. Except for indexed ones (whose body reads x and the weights
/// from above), operands 0 and 1 and the init are x, the weights and the
/// output as a contraction's are.
inline bool isPackedMatmul(Operation *op) {
  return op->hasAttr(kQuantizedMatmulAttr) || op->hasAttr(kSparseMatmulAttr) ||
         op->hasAttr(kBitmapMatmulAttr) || op->hasAttr(kIndexedMatmulAttr);
}

/// The columns of N a float register tile of pith-vectorize-contractions
/// takes with `lanes` f32 lanes a vector: the first of two vectors, one,
/// half or a quarter of one, 4 or 2 that divides `columns` (1 if none).
/// pith-pack-weights packs constant weights in panels of this width.
inline int64_t registerTileColumns(int64_t columns, int64_t lanes) {
  for (int64_t width :
       {2 * lanes, lanes, lanes / 2, lanes / 4, int64_t{4}, int64_t{2}})
    if (width > 0 && columns % width == 0)
      return width;
  return 1;
}

/// The mark pith-vectorize-contractions puts on the vector.multi_reduction
/// of a 4-way dot product of unsigned by signed bytes into 32-bit sums
/// (VNNI's vpdpbusd, written portably); pith-lower-vectors, after
/// bufferization, makes it that instruction.
inline constexpr llvm::StringLiteral kVnniDotAttr = "pith.vnni_dot";

/// The mark pith-vectorize-contractions puts on the vector.multi_reduction
/// of products of bf16 pairs into f32 lanes (AVX-512 BF16's vdpbf16ps,
/// written portably); pith-lower-vectors makes it that instruction.
inline constexpr llvm::StringLiteral kBf16DotAttr = "pith.bf16_dot";

/// Patterns that turn matmul (+ add) with a constant weight into linear.
void populateFuseLinearPatterns(RewritePatternSet &patterns);

/// How pith-lower-to-linalg lays out quantized linear layers.
struct QuantizedLayout {
  /// Layers over int8-quantized inputs multiply integers (VNNI, AVX2)...
  bool int8Dot = false;
  /// ... where their weights have at most this many bits: 8 with VNNI's
  /// vpdpbusd; 4 with AVX2's vpmaddubsw, whose 16-bit sums of two products
  /// of an 8-bit weight and an input could overflow.
  int64_t int8DotBits = 8;
  /// Output features per packed panel of weights: a CPU register tile's
  /// width, or a warp's on GPUs, whose threads then read consecutive bytes.
  int64_t panelWidth = 16;
  /// N:M-sparse layers multiply their kept values alone
  /// (`pith.sparse_matmul`), where pith-vectorize-contractions writes them;
  /// else their weights are expanded.
  bool packSparse = true;
  /// Bytes of K that each output feature's packed weights keep together, at
  /// most (the largest power of two that divides a group's bytes): 1 for a
  /// CPU, whose vectors hold a row of bytes across the panel; 16 for a GPU,
  /// whose threads each load 16 consecutive bytes at once.
  int64_t threadBytes = 1;
};

/// Patterns that lower every pith op to linalg, tensor, arith and math,
/// converting types with `converter` (pith's unsigned types to signless),
/// quantized layers laid out as `layout` says (see pith-lower-to-linalg).
void populatePithToLinalgPatterns(const TypeConverter &converter,
                                  RewritePatternSet &patterns,
                                  QuantizedLayout layout = {});

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Options of the CPU pipeline.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Width of the target's vector registers, in bits"),
      llvm::cl::init(512)};
  Option<bool> parallelize{
      *this, "parallelize",
      llvm::cl::desc("Run ops with enough work on OpenMP threads"),
      llvm::cl::init(true)};
  Option<bool> int8Dot{
      *this, "int8-dot",
      llvm::cl::desc("Multiply int8-quantized inputs as integers (the "
                     "target has AVX-512 VNNI, or AVX2: see vnni)"),
      llvm::cl::init(false)};
  Option<bool> vnni{
      *this, "vnni",
      llvm::cl::desc("With int8-dot, the target has VNNI (vpdpbusd); "
                     "without, AVX2's vpmaddubsw and vpmaddwd multiply "
                     "weights of at most 4 bits"),
      llvm::cl::init(true)};
  Option<bool> bf16Dot{
      *this, "bf16-dot",
      llvm::cl::desc("Weight-only 4-bit layers at few rows multiply by "
                     "AVX-512 BF16 dot products (the target has avx512bf16 "
                     "and avx512vbmi)"),
      llvm::cl::init(false)};
};

/// The CPU pipeline: from the pith dialect to the LLVM dialect, each
/// public function with the runtime's entry point. Contractions are tiled
/// to register blocks and vectorized; the rest is loops LLVM vectorizes.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// The start of every pipeline: layers fused into pith.linear, everything
/// lowered to linalg (quantized layers as `lowering` says), elementwise ops
/// fused into their consumers.
void buildGraphToLinalg(OpPassManager &pm,
                        const LowerToLinalgPassOptions &lowering);

/// Tensors to buffers as every pipeline has them: the caller's for a public
/// function's inputs, weights and outputs (results become out-parameters,
/// identity layouts), one planned workspace for the rest.
void buildModelBufferization(OpPassManager &pm);

/// The end of the CPU pipeline: loops, buffers and 1-D vectors on the
/// host to the LLVM dialect, each public function with the runtime's entry
/// point.
void buildHostLoweringToLLVM(OpPassManager &pm);

/// Options of the NVPTX pipeline.
struct NvptxPipelineOptions : public PassPipelineOptions<NvptxPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU's architecture, sm_80..."),
                           llvm::cl::init("sm_80")};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features, e.g. +ptx80 (the PTX version)"),
      llvm::cl::init("+ptx70")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit, for libdevice; empty for none"),
      llvm::cl::init("")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block"),
                            llvm::cl::init(256)};
  Option<bool> emitBinary{
      *this, "emit-binary",
      llvm::cl::desc("End with gpu-module-to-binary (PTX in a gpu.binary)"),
      llvm::cl::init(true)};
  Option<bool> emulate{
      *this, "emulate",
      llvm::cl::desc("Run the launches on the host (pith-emulate-gpu) and "
                     "lower them as the CPU pipeline does, for checking the "
                     "GPU mapping on a CPU"),
      llvm::cl::init(false)};
};

/// The pith dialect to kernels in the NVVM dialect (and, with
/// `emitBinary`, PTX) and a host side recorded as launches
/// (pith-plan-launches).
void buildNvptxPipeline(OpPassManager &pm, const NvptxPipelineOptions &options);

/// Registers the named pipelines (`pith-cpu-pipeline`,
/// `pith-nvptx-pipeline`).
void registerPithPipelines();

} // namespace mlir::pith

#endif // PITH_PASSES_PASSES_H
