//===- NodeContext.h - What an import rule sees of its node -----*- C++ -*-===//
//
// Part of pith. An import rule turns one ONNX node into pith ops through a
// NodeContext: the node's inputs as values, its attributes, and checked op
// creation. Every input and attribute a rule reads is marked used, and the
// importer rejects a node with an input or attribute its rule did not read:
// an op that gains an input or attribute in a later opset is refused rather
// than imported wrong.
//
// Op creation never aborts: a result type that cannot be inferred or an op
// that does not verify becomes a diagnostic at the node, and the creating
// call returns a null Value. Once one creation failed, later ones return
// null without further diagnostics, so a rule is written as a straight line
// and ends with setOutput, which fails on a null value. (Absent optional
// inputs are null Values too, which builders take for "no operand".)
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_IMPORT_ONNX_NODECONTEXT_H
#define PITH_LIB_IMPORT_ONNX_NODECONTEXT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

namespace pith::importer {

/// The values of the graph being imported, by ONNX name.
using ValueMap = llvm::StringMap<mlir::Value>;

class NodeContext {
public:
  NodeContext(mlir::OpBuilder &builder, ValueMap &values,
              const onnx::NodeProto &node, int64_t opset, mlir::Location loc)
      : opBuilder(builder), values(values), nodeProto(node),
        opsetVersion(opset), location(loc) {}

  const onnx::NodeProto &node() const { return nodeProto; }
  llvm::StringRef opType() const { return nodeProto.op_type(); }
  /// The opset version of the node's domain.
  int64_t opset() const { return opsetVersion; }
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder() { return opBuilder; }
  mlir::MLIRContext *context() { return location.getContext(); }

  //===--------------------------------------------------------------------===//
  // Inputs and outputs
  //===--------------------------------------------------------------------===//

  /// Inputs present, counting absent optional inputs before the last one.
  unsigned numInputs() const { return nodeProto.input_size(); }
  /// Whether input `i` is given (ONNX marks an absent one with "").
  bool hasInput(unsigned i);
  /// Input `i`, or null if it is absent.
  mlir::Value input(unsigned i);
  /// Marks an input as read where it cannot change the result.
  void ignoreInput(unsigned i) { (void)hasInput(i); }
  /// Inputs present on the node that no rule read.
  llvm::SmallVector<unsigned> unusedInputs() const;

  /// Whether output `i` is used by the model (named).
  bool hasOutput(unsigned i) const;
  /// Binds output `i` to `value`; fails if `value` is null, i.e. if
  /// building it failed.
  mlir::LogicalResult setOutput(unsigned i, mlir::Value value);
  /// Fails, naming the output, if the model uses output `i`.
  mlir::LogicalResult requireUnused(unsigned i, llvm::StringRef what);

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  /// The attribute called `name`, or null; marks it used.
  const onnx::AttributeProto *attribute(llvm::StringRef name);
  bool hasAttribute(llvm::StringRef name) { return attribute(name); }
  /// Marks an attribute as read where it cannot change the result.
  void ignoreAttribute(llvm::StringRef name) { (void)attribute(name); }

  /// Typed accessors: the default if the attribute is absent, an error (and
  /// the default) if it has another type.
  int64_t intAttr(llvm::StringRef name, int64_t defaultValue);
  float floatAttr(llvm::StringRef name, float defaultValue);
  std::string stringAttr(llvm::StringRef name, llvm::StringRef defaultValue);
  std::optional<llvm::SmallVector<int64_t>> intsAttr(llvm::StringRef name);
  std::optional<llvm::SmallVector<float>> floatsAttr(llvm::StringRef name);
  /// A tensor-valued attribute (e.g. Constant's `value`), or null.
  mlir::ElementsAttr tensorAttr(llvm::StringRef name);

  /// Attributes present on the node that no rule read.
  llvm::SmallVector<std::string> unusedAttributes() const;

  //===--------------------------------------------------------------------===//
  // Constant operands
  //===--------------------------------------------------------------------===//

  /// The value of `value` if it is a dense constant (after folding).
  static mlir::DenseElementsAttr constantOf(mlir::Value value);
  /// The integer elements of input `i`, which must be a constant; `what`
  /// names it in the error ("the target shape").
  std::optional<llvm::SmallVector<int64_t>> constantInts(unsigned i,
                                                         llvm::StringRef what);
  /// The single element of input `i`, a constant, as a double.
  std::optional<double> constantScalar(unsigned i, llvm::StringRef what);

  //===--------------------------------------------------------------------===//
  // Diagnostics
  //===--------------------------------------------------------------------===//

  /// An error at the node, starting with the op type. The node then fails
  /// to import, whatever its rule returns.
  mlir::InFlightDiagnostic emitError();
  /// Whether an error was reported at the node.
  bool hasFailed() const { return reportedError; }
  /// Emits an error and returns failure.
  mlir::LogicalResult error(const llvm::Twine &message);
  /// Normalizes an ONNX axis (negative counts from the end) for `rank`.
  std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                       llvm::StringRef name = "axis");

  //===--------------------------------------------------------------------===//
  // Building ops
  //===--------------------------------------------------------------------===//

  /// Creates an op whose result type is inferred, from its builder's
  /// arguments after the result type.
  template <typename OpTy, typename... Args>
  mlir::Value create(Args &&...args) {
    if (failedBefore)
      return {};
    mlir::OperationState state(location, OpTy::getOperationName());
    // The result type is a placeholder until inference replaces it.
    OpTy::build(builder(), state, mlir::Type(), std::forward<Args>(args)...);
    llvm::SmallVector<mlir::Type> types;
    if (!checkOperands(state) ||
        failed(OpTy::inferReturnTypes(context(), location, state.operands,
                                      state.attributes.getDictionary(context()),
                                      state.getRawProperties(), state.regions,
                                      types)))
      return fail();
    state.types.assign(types.begin(), types.end());
    return single(finish(state));
  }

  /// Creates an op with an explicit result type.
  template <typename OpTy, typename... Args>
  mlir::Value createTyped(mlir::Type resultType, Args &&...args) {
    if (failedBefore || !resultType)
      return {};
    mlir::OperationState state(location, OpTy::getOperationName());
    OpTy::build(builder(), state, resultType, std::forward<Args>(args)...);
    return single(finish(state));
  }

  /// Creates an op with several results of explicit types.
  template <typename OpTy, typename... Args>
  llvm::SmallVector<mlir::Value> createMulti(mlir::TypeRange resultTypes,
                                             Args &&...args) {
    if (failedBefore)
      return {};
    mlir::OperationState state(location, OpTy::getOperationName());
    OpTy::build(builder(), state, resultTypes, std::forward<Args>(args)...);
    return finish(state);
  }

  /// An i64 attribute, for op builders that take attributes.
  mlir::IntegerAttr i64(int64_t value) {
    return opBuilder.getI64IntegerAttr(value);
  }

  /// An f64 attribute, as pith's float-valued op attributes are.
  mlir::FloatAttr f64(double value) { return opBuilder.getF64FloatAttr(value); }
  /// A constant holding `value`.
  mlir::Value constant(mlir::ElementsAttr value);
  /// A rank-0 constant of `elementType` holding `value`.
  mlir::Value scalar(mlir::Type elementType, double value);
  /// A rank-0 constant of `like`'s element type (it broadcasts against
  /// `like`); null if `like` is.
  mlir::Value scalarLike(mlir::Value like, double value);
  /// Shorthands for the data movement most rules need.
  mlir::Value reshape(mlir::Value value, llvm::ArrayRef<int64_t> shape);
  mlir::Value castTo(mlir::Value value, mlir::Type elementType);
  mlir::Value transpose(mlir::Value value, llvm::ArrayRef<int64_t> permutation);
  mlir::Value expandTo(mlir::Value value, llvm::ArrayRef<int64_t> shape);

private:
  /// Reports a required operand that is missing (a null Value).
  bool checkOperands(const mlir::OperationState &state);
  /// Creates the op of `state`, verifies it, reporting failures at the
  /// node, and folds it. Returns its (possibly folded) results, or nothing
  /// if it is invalid.
  llvm::SmallVector<mlir::Value> finish(mlir::OperationState &state);
  /// Records that creating an op failed (and was reported); returns null.
  mlir::Value fail() {
    failedBefore = reportedError = true;
    return {};
  }
  static mlir::Value single(llvm::ArrayRef<mlir::Value> results) {
    return results.empty() ? mlir::Value() : results.front();
  }

  mlir::OpBuilder &opBuilder;
  ValueMap &values;
  const onnx::NodeProto &nodeProto;
  int64_t opsetVersion;
  mlir::Location location;
  llvm::StringSet<> usedAttributes;
  llvm::SmallVector<bool> usedInputs;
  /// An op could not be created: later creations return null.
  bool failedBefore = false;
  /// An error was reported: the node fails.
  bool reportedError = false;
};

} // namespace pith::importer

#endif // PITH_LIB_IMPORT_ONNX_NODECONTEXT_H
