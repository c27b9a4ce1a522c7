//===- Rules.h - The table of ONNX import rules -----------------*- C++ -*-===//
//
// Part of pith. Every ONNX op pith imports has one rule: a function from a
// node to pith ops, which handles every opset version of the op in one
// place. Rules are grouped by op family, one file a family under rules/.
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_IMPORT_ONNX_RULES_H
#define PITH_LIB_IMPORT_ONNX_RULES_H

#include "lib/import/onnx/NodeContext.h"
#include "llvm/ADT/StringMap.h"

namespace pith::importer {

/// The default domain; "ai.onnx" is its other name.
inline constexpr llvm::StringLiteral kDefaultDomain = "";
inline constexpr llvm::StringLiteral kMicrosoftDomain = "com.microsoft";

/// The opsets of the default domain pith imports. Ops changed after opset
/// 23 only by new types (which pith's type checks cover) or by new inputs
/// and attributes (which a rule must read, or the node is refused).
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 28;

using RuleFn = mlir::LogicalResult (*)(NodeContext &);

struct Rule {
  RuleFn import;
  /// The first opset of the domain that has the op.
  int64_t sinceVersion;
  /// How many leading inputs the op requires. ONNX's schemas say this for
  /// the ops they know; this covers ops newer than Debian's onnx library.
  unsigned requiredInputs;
};

class RuleTable {
public:
  void add(llvm::StringRef domain, llvm::StringRef opType, RuleFn import,
           int64_t sinceVersion = 1, unsigned requiredInputs = 1) {
    rules[key(domain, opType)] = Rule{import, sinceVersion, requiredInputs};
  }
  const Rule *lookup(llvm::StringRef domain, llvm::StringRef opType) const {
    auto it = rules.find(key(domain, opType));
    return it == rules.end() ? nullptr : &it->second;
  }
  size_t size() const { return rules.size(); }

private:
  static std::string key(llvm::StringRef domain, llvm::StringRef opType) {
    return (domain + "::" + opType).str();
  }
  llvm::StringMap<Rule> rules;
};

// Builders shared by rule families.

/// A Conv over `x` and `w` (+ `bias`), with the node's Conv attributes
/// (auto_pad, dilations, group, kernel_shape, pads, strides).
mlir::Value buildConv(NodeContext &ctx, mlir::Value x, mlir::Value w,
                      mlir::Value bias);
/// A MatMul of `a` and `b` with numpy's promotion of vectors.
mlir::Value buildMatMul(NodeContext &ctx, mlir::Value a, mlir::Value b);

/// Every rule, built once.
const RuleTable &getRules();

// One registration function per family (rules/<Family>.cpp).
void addElementwiseRules(RuleTable &table);
void addContractionRules(RuleTable &table);
void addNeuralNetworkRules(RuleTable &table);
void addReductionRules(RuleTable &table);
void addTensorRules(RuleTable &table);
void addQuantizationRules(RuleTable &table);
void addResizeRules(RuleTable &table);

} // namespace pith::importer

#endif // PITH_LIB_IMPORT_ONNX_RULES_H
