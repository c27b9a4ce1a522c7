//===- Rules.cpp - The table of ONNX import rules -------------------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/import/onnx/Rules.h"

namespace pith::importer {

const RuleTable &getRules() {
  static const RuleTable table = [] {
    RuleTable rules;
    addElementwiseRules(rules);
    addContractionRules(rules);
    addNeuralNetworkRules(rules);
    addReductionRules(rules);
    addTensorRules(rules);
    addQuantizationRules(rules);
    addResizeRules(rules);
    return rules;
  }();
  return table;
}

} // namespace pith::importer
