//===- NodeContext.cpp - What an import rule sees of its node -------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/import/onnx/NodeContext.h"

#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Tensors.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::pith;

namespace pith::importer {

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

bool NodeContext::hasInput(unsigned i) {
  if (i >= static_cast<unsigned>(nodeProto.input_size()))
    return false;
  usedInputs.resize(nodeProto.input_size(), false);
  usedInputs[i] = true;
  return !nodeProto.input(i).empty();
}

Value NodeContext::input(unsigned i) {
  // The importer checked that every named input is defined.
  return hasInput(i) ? values.lookup(nodeProto.input(i)) : Value();
}

SmallVector<unsigned> NodeContext::unusedInputs() const {
  SmallVector<unsigned> unused;
  for (int i = 0; i < nodeProto.input_size(); ++i) {
    if (!nodeProto.input(i).empty() &&
        (static_cast<size_t>(i) >= usedInputs.size() || !usedInputs[i]))
      unused.push_back(i);
  }
  return unused;
}

bool NodeContext::hasOutput(unsigned i) const {
  return i < static_cast<unsigned>(nodeProto.output_size()) &&
         !nodeProto.output(i).empty();
}

LogicalResult NodeContext::setOutput(unsigned i, Value value) {
  if (!value)
    return failure();
  if (hasOutput(i))
    values[nodeProto.output(i)] = value;
  return success();
}

LogicalResult NodeContext::requireUnused(unsigned i, llvm::StringRef what) {
  if (hasOutput(i))
    return error("output " + llvm::Twine(i) + " (" + what +
                 ") is not supported");
  return success();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeContext::attribute(llvm::StringRef name) {
  for (const onnx::AttributeProto &attr : nodeProto.attribute()) {
    if (attr.name() == name) {
      usedAttributes.insert(name);
      return &attr;
    }
  }
  return nullptr;
}

/// Reports an attribute of an unexpected type.
static void wrongType(NodeContext &ctx, const onnx::AttributeProto &attr,
                      llvm::StringRef expected) {
  ctx.emitError() << "attribute '" << attr.name() << "' must be " << expected;
}

int64_t NodeContext::intAttr(llvm::StringRef name, int64_t defaultValue) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return defaultValue;
  if (attr->type() != onnx::AttributeProto::INT) {
    wrongType(*this, *attr, "an integer");
    return defaultValue;
  }
  return attr->i();
}

float NodeContext::floatAttr(llvm::StringRef name, float defaultValue) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return defaultValue;
  if (attr->type() != onnx::AttributeProto::FLOAT) {
    wrongType(*this, *attr, "a float");
    return defaultValue;
  }
  return attr->f();
}

std::string NodeContext::stringAttr(llvm::StringRef name,
                                    llvm::StringRef defaultValue) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return defaultValue.str();
  if (attr->type() != onnx::AttributeProto::STRING) {
    wrongType(*this, *attr, "a string");
    return defaultValue.str();
  }
  return attr->s();
}

std::optional<SmallVector<int64_t>>
NodeContext::intsAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::nullopt;
  if (attr->type() != onnx::AttributeProto::INTS) {
    wrongType(*this, *attr, "a list of integers");
    return std::nullopt;
  }
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::optional<SmallVector<float>>
NodeContext::floatsAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::nullopt;
  if (attr->type() != onnx::AttributeProto::FLOATS) {
    wrongType(*this, *attr, "a list of floats");
    return std::nullopt;
  }
  return SmallVector<float>(attr->floats().begin(), attr->floats().end());
}

ElementsAttr NodeContext::tensorAttr(llvm::StringRef name) {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return {};
  if (attr->type() != onnx::AttributeProto::TENSOR) {
    wrongType(*this, *attr, "a tensor");
    return {};
  }
  // A copy: importTensor takes raw data over, and the node stays intact.
  onnx::TensorProto tensor = attr->t();
  return importTensor(tensor, /*baseDirectory=*/"", location);
}

SmallVector<std::string> NodeContext::unusedAttributes() const {
  SmallVector<std::string> unused;
  for (const onnx::AttributeProto &attr : nodeProto.attribute()) {
    if (!usedAttributes.contains(attr.name()))
      unused.push_back(attr.name());
  }
  return unused;
}

//===----------------------------------------------------------------------===//
// Constant operands
//===----------------------------------------------------------------------===//

DenseElementsAttr NodeContext::constantOf(Value value) {
  DenseElementsAttr dense;
  if (value && matchPattern(value, m_Constant(&dense)))
    return dense;
  return {};
}

std::optional<SmallVector<int64_t>>
NodeContext::constantInts(unsigned i, llvm::StringRef what) {
  DenseElementsAttr dense = constantOf(input(i));
  if (!dense || !dense.getElementType().isInteger()) {
    emitError() << what << " (input " << i << ") must be an integer constant";
    return std::nullopt;
  }
  return llvm::map_to_vector(dense.getValues<APInt>(), [&](const APInt &v) {
    return dense.getElementType().isUnsignedInteger()
               ? static_cast<int64_t>(v.getZExtValue())
               : v.getSExtValue();
  });
}

std::optional<double> NodeContext::constantScalar(unsigned i,
                                                  llvm::StringRef what) {
  DenseElementsAttr dense = constantOf(input(i));
  if (!dense || dense.getNumElements() != 1) {
    emitError() << what << " (input " << i
                << ") must be a constant with one element";
    return std::nullopt;
  }
  Attribute element = *dense.getValues<Attribute>().begin();
  if (auto number = dyn_cast<FloatAttr>(element))
    return number.getValueAsDouble();
  auto integer = cast<IntegerAttr>(element);
  return dense.getElementType().isUnsignedInteger()
             ? static_cast<double>(integer.getValue().getZExtValue())
             : static_cast<double>(integer.getValue().getSExtValue());
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

InFlightDiagnostic NodeContext::emitError() {
  reportedError = true;
  return mlir::emitError(location) << opType() << ": ";
}

LogicalResult NodeContext::error(const llvm::Twine &message) {
  emitError() << message;
  return failure();
}

std::optional<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                                  llvm::StringRef name) {
  if (axis < -rank || axis >= rank) {
    emitError() << name << " " << axis << " is out of range for rank " << rank;
    return std::nullopt;
  }
  return axis < 0 ? axis + rank : axis;
}

//===----------------------------------------------------------------------===//
// Building ops
//===----------------------------------------------------------------------===//

bool NodeContext::checkOperands(const OperationState &state) {
  if (llvm::all_of(state.operands, [](Value v) { return v; }))
    return true;
  emitError() << "a required input is missing";
  fail();
  return false;
}

SmallVector<Value> NodeContext::finish(OperationState &state) {
  if (failedBefore || !checkOperands(state)) {
    fail();
    return {};
  }
  Operation *op = opBuilder.create(state);
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    fail();
    return {};
  }
  SmallVector<Value> results;
  if (succeeded(opBuilder.tryFold(op, results)) && !results.empty()) {
    op->erase();
    return results;
  }
  return SmallVector<Value>(op->getResults());
}

Value NodeContext::constant(ElementsAttr value) {
  if (!value)
    return {};
  return ConstantOp::create(opBuilder, location, value.getType(), value);
}

Value NodeContext::scalarLike(Value like, double value) {
  return like ? scalar(cast<ShapedType>(like.getType()).getElementType(), value)
              : Value();
}

Value NodeContext::scalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  if (isa<FloatType>(elementType))
    return constant(DenseElementsAttr::get(
        type, FloatAttr::get(elementType, value).getValue()));
  return constant(DenseElementsAttr::get(
      type,
      IntegerAttr::get(elementType, static_cast<int64_t>(value)).getValue()));
}

Value NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  if (!value)
    return {};
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return createTyped<ReshapeOp>(type, value);
}

Value NodeContext::castTo(Value value, Type elementType) {
  if (!value)
    return {};
  auto type = cast<RankedTensorType>(value.getType());
  return createTyped<CastOp>(type.clone(elementType), value);
}

Value NodeContext::transpose(Value value, ArrayRef<int64_t> permutation) {
  return create<TransposeOp>(value, permutation);
}

Value NodeContext::expandTo(Value value, ArrayRef<int64_t> shape) {
  if (!value)
    return {};
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(value.getType()).getElementType());
  return createTyped<ExpandOp>(type, value);
}

} // namespace pith::importer
