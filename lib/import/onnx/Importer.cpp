//===- Importer.cpp - ONNX models into the pith dialect -------------------===//
//
// Part of pith. The importer's core: it reads the model, checks opsets and
// that every op has a rule (listing all that do not at once), fixes the
// input shapes, orders the nodes, and hands each node to its rule. It
// knows no op: everything op-specific is in rules/.
//
//===----------------------------------------------------------------------===//

#include "pith/Import.h"

#include "dialects/pith/PithDialect.h"
#include "dialects/pith/PithOps.h"
#include "lib/import/onnx/Rules.h"
#include "lib/import/onnx/Tensors.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/parser.h"
#include "google/protobuf/io/zero_copy_stream_impl.h"
#include "onnx/defs/schema.h"

#include <climits>
#include <queue>

using namespace mlir;

namespace pith::importer {
namespace {

/// How many node names an error lists before it says "and N more".
constexpr size_t kListedNodes = 4;

/// A node's name for messages: its ONNX name, or its op type and position.
std::string nodeLabel(const onnx::NodeProto &node, size_t index) {
  if (!node.name().empty())
    return node.name();
  return (node.op_type() + "#" + llvm::Twine(index)).str();
}

/// The node's domain, "" for the default one (also called "ai.onnx").
llvm::StringRef domainOf(const onnx::NodeProto &node) {
  llvm::StringRef domain = node.domain();
  return domain == "ai.onnx" ? llvm::StringRef() : domain;
}

std::string quotedList(ArrayRef<std::string> names) {
  std::string text;
  for (auto [i, name] : llvm::enumerate(names)) {
    if (i == kListedNodes) {
      text += " and " + std::to_string(names.size() - i) + " more";
      break;
    }
    text += (i ? ", '" : "'") + name + "'";
  }
  return text;
}

class ModelImporter {
public:
  ModelImporter(MLIRContext &context, llvm::StringRef name,
                const OnnxImportOptions &options)
      : context(context), options(options), builder(&context),
        modelLoc(FileLineColLoc::get(&context, name, 0, 0)),
        baseDirectory(llvm::sys::path::parent_path(name)) {}

  OwningOpRef<ModuleOp> import(onnx::ModelProto &model);

private:
  LogicalResult readOpsets(const onnx::ModelProto &model);
  LogicalResult checkSupported(const onnx::GraphProto &graph);
  FailureOr<SmallVector<size_t>> orderNodes(const onnx::GraphProto &graph,
                                            const llvm::StringSet<> &defined);
  FailureOr<SmallVector<Type>> inputTypes(
      ArrayRef<const onnx::ValueInfoProto *> inputs);
  LogicalResult importNode(const onnx::NodeProto &node, size_t index);
  LogicalResult checkOutput(const onnx::ValueInfoProto &info, Value value);

  /// The opset version of `domain`, if the model imports it.
  std::optional<int64_t> opsetOf(llvm::StringRef domain) const {
    auto it = opsets.find(domain == "ai.onnx" ? "" : domain);
    if (it == opsets.end())
      return std::nullopt;
    return it->second;
  }
  Location nodeLoc(const onnx::NodeProto &node, size_t index) {
    return NameLoc::get(StringAttr::get(&context, nodeLabel(node, index)),
                        modelLoc);
  }

  MLIRContext &context;
  const OnnxImportOptions &options;
  OpBuilder builder;
  Location modelLoc;
  llvm::StringRef baseDirectory;
  llvm::StringMap<int64_t> opsets;
  ValueMap values;
};

LogicalResult ModelImporter::readOpsets(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
        opset.version();
  std::optional<int64_t> version = opsetOf(kDefaultDomain);
  if (!version)
    return emitError(modelLoc, "the model imports no opset of the default "
                               "ONNX domain");
  if (*version < kMinOpset || *version > kMaxOpset) {
    return emitError(modelLoc)
           << "the model uses opset " << *version
           << " of the default ONNX domain; pith imports opsets " << kMinOpset
           << " to " << kMaxOpset;
  }
  return success();
}

LogicalResult ModelImporter::checkSupported(const onnx::GraphProto &graph) {
  // Unsupported ops, in order of first appearance, with their nodes.
  std::vector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  llvm::StringMap<size_t> position;
  const RuleTable &rules = getRules();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    llvm::StringRef domain = domainOf(node);
    std::optional<int64_t> version = opsetOf(domain);
    const Rule *rule = rules.lookup(domain, node.op_type());
    if (version && rule && *version >= rule->sinceVersion)
      continue;
    std::string what = domain.empty() ? node.op_type()
                                      : (domain + "." + node.op_type()).str();
    what += version ? " (opset " + std::to_string(*version) + ")"
                    : " (domain not imported by the model)";
    auto [it, inserted] = position.try_emplace(what, unsupported.size());
    if (inserted)
      unsupported.emplace_back(what, SmallVector<std::string>());
    unsupported[it->second].second.push_back(nodeLabel(node, index));
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitError(modelLoc);
  diag << unsupported.size() << " unsupported operator"
       << (unsupported.size() == 1 ? "" : "s") << ":";
  for (auto &[what, nodes] : unsupported) {
    diag << "\n  " << what << ": node" << (nodes.size() == 1 ? " " : "s ")
         << quotedList(nodes);
  }
  return diag;
}

FailureOr<SmallVector<size_t>>
ModelImporter::orderNodes(const onnx::GraphProto &graph,
                          const llvm::StringSet<> &defined) {
  // Kahn's algorithm, taking ready nodes in file order.
  size_t count = graph.node_size();
  llvm::StringMap<size_t> producer;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &output : node.output()) {
      if (output.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(output, index);
      if (!inserted || defined.contains(output)) {
        return emitError(nodeLoc(node, index))
               << "value '" << output << "' is defined twice";
      }
    }
  }
  SmallVector<SmallVector<size_t>> consumers(count);
  SmallVector<size_t> pending(count, 0);
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &input : node.input()) {
      if (input.empty() || defined.contains(input))
        continue;
      auto it = producer.find(input);
      if (it == producer.end()) {
        return emitError(nodeLoc(node, index))
               << node.op_type() << ": input '" << input
               << "' is not defined in the graph (no node, input or "
                  "initializer has this name)";
      }
      consumers[it->second].push_back(index);
      ++pending[index];
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t index = 0; index < count; ++index) {
    if (pending[index] == 0)
      ready.push(index);
  }
  SmallVector<size_t> order;
  while (!ready.empty()) {
    size_t index = ready.top();
    ready.pop();
    order.push_back(index);
    for (size_t consumer : consumers[index]) {
      if (--pending[consumer] == 0)
        ready.push(consumer);
    }
  }
  if (order.size() == count)
    return order;
  SmallVector<std::string> cycle;
  for (size_t index = 0; index < count; ++index) {
    if (pending[index] != 0)
      cycle.push_back(nodeLabel(graph.node(index), index));
  }
  return emitError(modelLoc)
         << "the graph has a cycle; these nodes cannot be ordered: "
         << quotedList(cycle);
}

FailureOr<SmallVector<Type>> ModelImporter::inputTypes(
    ArrayRef<const onnx::ValueInfoProto *> inputs) {
  // Given shapes come first, so that the symbols they fix apply to the
  // inputs that share them.
  llvm::StringMap<int64_t> symbols;
  llvm::StringSet<> names;
  for (const onnx::ValueInfoProto *input : inputs) {
    names.insert(input->name());
    auto given = options.inputShapes.find(input->name());
    if (given == options.inputShapes.end() ||
        !input->type().tensor_type().has_shape())
      continue;
    const onnx::TensorShapeProto &shape = input->type().tensor_type().shape();
    if (static_cast<size_t>(shape.dim_size()) != given->second.size()) {
      return emitError(modelLoc)
             << "--input-shape gives input '" << input->name() << "' rank "
             << given->second.size() << ", the model declares rank "
             << shape.dim_size();
    }
    for (auto [axis, dim] : llvm::enumerate(shape.dim())) {
      int64_t extent = given->second[axis];
      if (dim.has_dim_value() && dim.dim_value() != extent) {
        return emitError(modelLoc)
               << "--input-shape gives input '" << input->name()
               << "' extent " << extent << " at axis " << axis
               << ", the model declares " << dim.dim_value();
      }
      if (dim.has_dim_param())
        symbols.try_emplace(dim.dim_param(), extent);
    }
  }
  for (const auto &entry : options.inputShapes) {
    if (!names.contains(entry.getKey())) {
      return emitError(modelLoc) << "--input-shape names '" << entry.getKey()
                                 << "', which is not an input of the model";
    }
  }

  SmallVector<Type> types;
  for (const onnx::ValueInfoProto *input : inputs) {
    const onnx::TypeProto &type = input->type();
    if (!type.has_tensor_type()) {
      return emitError(modelLoc)
             << "input '" << input->name()
             << "' is not a tensor (sequences, maps and optionals are not "
                "supported)";
    }
    Type elementType =
        convertElementType(&context, type.tensor_type().elem_type());
    if (!elementType) {
      return emitError(modelLoc)
             << "input '" << input->name() << "' has element type "
             << dataTypeName(type.tensor_type().elem_type())
             << ", which pith does not support";
    }
    SmallVector<int64_t> shape;
    auto given = options.inputShapes.find(input->name());
    if (given != options.inputShapes.end()) {
      shape = given->second;
    } else if (!type.tensor_type().has_shape()) {
      return emitError(modelLoc)
             << "input '" << input->name()
             << "' has no declared shape; give it with --input-shape "
             << input->name() << "=DxDx...";
    } else {
      for (auto [axis, dim] :
           llvm::enumerate(type.tensor_type().shape().dim())) {
        if (dim.has_dim_value()) {
          shape.push_back(dim.dim_value());
          continue;
        }
        auto bound = symbols.find(dim.dim_param());
        if (dim.has_dim_param() && bound != symbols.end()) {
          shape.push_back(bound->second);
          continue;
        }
        if (axis != 0) {
          InFlightDiagnostic diag = emitError(modelLoc);
          diag << "input '" << input->name() << "' dimension " << axis;
          if (dim.has_dim_param())
            diag << " ('" << dim.dim_param() << "')";
          return diag << " is not known; give the input's shape with "
                         "--input-shape "
                      << input->name() << "=DxDx...";
        }
        std::string symbol =
            dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : "";
        emitWarning(modelLoc)
            << "input '" << input->name() << "' dimension 0" << symbol
            << " is taken as 1 (a batch of one); --input-shape "
            << input->name() << "=... chooses another";
        if (dim.has_dim_param())
          symbols[dim.dim_param()] = 1;
        shape.push_back(1);
      }
    }
    if (llvm::any_of(shape, [](int64_t extent) { return extent < 0; })) {
      return emitError(modelLoc)
             << "input '" << input->name() << "' has a negative extent";
    }
    types.push_back(RankedTensorType::get(shape, elementType));
  }
  return types;
}

/// Checks that every input the op requires is given, as its ONNX schema
/// or else its rule says (rules read optional inputs only where they may
/// be absent).
static LogicalResult checkRequiredInputs(NodeContext &ctx,
                                         llvm::StringRef domain,
                                         const Rule &rule) {
  const onnx::NodeProto &node = ctx.node();
  auto given = [&](size_t i) {
    return static_cast<int>(i) < node.input_size() && !node.input(i).empty();
  };
  const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(
      ctx.opType().str(), ctx.opset(), domain.str());
  if (schema) {
    for (auto [i, formal] : llvm::enumerate(schema->inputs())) {
      if (formal.GetOption() == onnx::OpSchema::Single && !given(i)) {
        return ctx.error("input " + llvm::Twine(i) + " ('" +
                         formal.GetName() + "') is required");
      }
    }
  }
  for (unsigned i = 0; i < rule.requiredInputs; ++i) {
    if (!given(i))
      return ctx.error("input " + llvm::Twine(i) + " is required");
  }
  return success();
}

LogicalResult ModelImporter::importNode(const onnx::NodeProto &node,
                                        size_t index) {
  Location loc = nodeLoc(node, index);
  llvm::StringRef domain = domainOf(node);
  const Rule *rule = getRules().lookup(domain, node.op_type());
  NodeContext ctx(builder, values, node, *opsetOf(domain), loc);
  if (failed(checkRequiredInputs(ctx, domain, *rule)) ||
      failed(rule->import(ctx)) ||
      ctx.hasFailed())
    return failure();
  SmallVector<std::string> unused = ctx.unusedAttributes();
  if (!unused.empty()) {
    return ctx.error("attribute" + llvm::Twine(unused.size() == 1 ? " " : "s ") +
                     quotedList(unused) + " not supported");
  }
  if (SmallVector<unsigned> inputs = ctx.unusedInputs(); !inputs.empty()) {
    std::string list;
    for (unsigned i : inputs)
      list += (list.empty() ? "" : ", ") + std::to_string(i);
    return ctx.error("input" + llvm::Twine(inputs.size() == 1 ? " " : "s ") +
                     list + " not supported");
  }
  for (const std::string &output : node.output()) {
    if (!output.empty() && !values.count(output))
      return ctx.error("output '" + output + "' is not supported");
  }
  return success();
}

LogicalResult ModelImporter::checkOutput(const onnx::ValueInfoProto &info,
                                         Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (!info.type().has_tensor_type())
    return success();
  const onnx::TypeProto::Tensor &declared = info.type().tensor_type();
  Type elementType = convertElementType(&context, declared.elem_type());
  if (declared.elem_type() != onnx::TensorProto::UNDEFINED &&
      elementType != type.getElementType()) {
    return emitError(modelLoc)
           << "output '" << info.name() << "' is declared "
           << dataTypeName(declared.elem_type()) << " but computes "
           << type.getElementType();
  }
  if (!declared.has_shape())
    return success();
  bool matches = declared.shape().dim_size() == type.getRank();
  for (auto [axis, dim] : llvm::enumerate(declared.shape().dim())) {
    matches = matches && (!dim.has_dim_value() ||
                          dim.dim_value() == type.getDimSize(axis));
  }
  if (!matches) {
    InFlightDiagnostic diag = emitError(modelLoc);
    diag << "output '" << info.name() << "' is declared with shape [";
    for (auto [axis, dim] : llvm::enumerate(declared.shape().dim())) {
      diag << (axis ? ", " : "");
      if (dim.has_dim_value())
        diag << dim.dim_value();
      else
        diag << (dim.has_dim_param() ? dim.dim_param() : "?");
    }
    return diag << "] but computes " << type;
  }
  return success();
}

OwningOpRef<ModuleOp> ModelImporter::import(onnx::ModelProto &model) {
  context.loadDialect<mlir::pith::PithDialect, func::FuncDialect>();
  // Errors name the node; a dump of the pith op would only add noise.
  bool printOps = context.shouldPrintOpOnDiagnostic();
  context.printOpOnDiagnostic(false);
  llvm::scope_exit restore([&] { context.printOpOnDiagnostic(printOps); });
  if (!model.has_graph()) {
    emitError(modelLoc, "the model has no graph");
    return {};
  }
  onnx::GraphProto &graph = *model.mutable_graph();
  if (failed(readOpsets(model)) || failed(checkSupported(graph)))
    return {};

  // Inputs that have initializers are constants (an old export style).
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializerNames.insert(tensor.name());
  SmallVector<const onnx::ValueInfoProto *> inputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (!initializerNames.contains(input.name()))
      inputs.push_back(&input);
  }
  llvm::StringSet<> defined = initializerNames;
  for (const onnx::ValueInfoProto *input : inputs)
    defined.insert(input->name());
  FailureOr<SmallVector<size_t>> order = orderNodes(graph, defined);
  FailureOr<SmallVector<Type>> argumentTypes = inputTypes(inputs);
  if (failed(order) || failed(argumentTypes))
    return {};

  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(
      builder, modelLoc, "main",
      builder.getFunctionType(*argumentTypes, /*results=*/{}));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  for (auto [i, input] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, "pith.name", builder.getStringAttr(input->name()));
    values[input->name()] = body->getArgument(i);
  }
  for (onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    ElementsAttr value = importTensor(tensor, baseDirectory, modelLoc);
    if (!value)
      return {};
    values[tensor.name()] = mlir::pith::ConstantOp::create(
        builder, modelLoc, value.getType(), value);
  }
  for (size_t index : *order) {
    if (failed(importNode(graph.node(index), index)))
      return {};
  }

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = values.lookup(output.name());
    if (!value) {
      emitError(modelLoc) << "output '" << output.name()
                          << "' is not computed by the graph";
      return {};
    }
    if (failed(checkOutput(output, value)))
      return {};
    results.push_back(value);
  }
  func::ReturnOp::create(builder, modelLoc, results);
  // Shape computations folded to constants leave their inputs unused.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body))) {
    if (isOpTriviallyDead(&op))
      op.erase();
  }
  func.setFunctionType(
      builder.getFunctionType(*argumentTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "pith.name", builder.getStringAttr(output.name()));
  return module;
}

} // namespace
} // namespace pith::importer

namespace pith {

llvm::Error parseInputShape(llvm::StringRef spec,
                            OnnxImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  auto invalid = [&] {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--input-shape '" + spec +
            "' is not of the form name=DxDx... (e.g. input_ids=1x128)");
  };
  if (name.empty() || dims.empty() || !spec.contains('='))
    return invalid();
  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef part : parts) {
    int64_t extent = 0;
    if (part.getAsInteger(10, extent) || extent < 0)
      return invalid();
    shape.push_back(extent);
  }
  options.inputShapes[name] = std::move(shape);
  return llvm::Error::success();
}

OwningOpRef<ModuleOp> importOnnxBuffer(MLIRContext &context,
                                       llvm::StringRef data,
                                       llvm::StringRef name,
                                       const OnnxImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(&context, name, 0, 0);
  onnx::ModelProto model;
  if (options.textFormat) {
    onnx::Status status = onnx::OnnxParser::Parse(model, data.str().c_str());
    if (!status.IsOK()) {
      emitError(fileLoc) << "cannot parse the ONNX text: "
                         << status.ErrorMessage();
      return {};
    }
  } else if (data.size() > static_cast<size_t>(INT_MAX)) {
    emitError(fileLoc) << "the model is larger than protobuf's 2 GB limit; "
                          "store its weights as external data";
    return {};
  } else if (!model.ParseFromArray(data.data(),
                                   static_cast<int>(data.size()))) {
    emitError(fileLoc) << "not a valid ONNX model: the protobuf is corrupt "
                          "or truncated";
    return {};
  }
  return importer::ModelImporter(context, name, options).import(model);
}

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context,
                                     llvm::StringRef path,
                                     const OnnxImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (options.textFormat) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path);
    if (!buffer) {
      emitError(fileLoc) << "cannot read the model: "
                         << buffer.getError().message();
      return {};
    }
    return importOnnxBuffer(context, (*buffer)->getBuffer(), path, options);
  }
  // Protobuf reads the file in pieces: the weights inline in it are held
  // once, in the parsed model, from which import takes them over.
  uint64_t size = 0;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::file_size(path, size)) {
    emitError(fileLoc) << "cannot read the model: " << ec.message();
    return {};
  }
  if (size > static_cast<uint64_t>(INT_MAX)) {
    emitError(fileLoc) << "the model is larger than protobuf's 2 GB limit; "
                          "store its weights as external data";
    return {};
  }
  if (std::error_code ec = llvm::sys::fs::openFileForRead(path, fd)) {
    emitError(fileLoc) << "cannot read the model: " << ec.message();
    return {};
  }
  google::protobuf::io::FileInputStream stream(fd);
  stream.SetCloseOnDelete(true);
  onnx::ModelProto model;
  if (!model.ParseFromZeroCopyStream(&stream)) {
    emitError(fileLoc) << "not a valid ONNX model: the protobuf is corrupt "
                          "or truncated";
    return {};
  }
  return importer::ModelImporter(context, path, options).import(model);
}

void printImportDiagnostic(llvm::raw_ostream &os, mlir::Diagnostic &diag) {
  auto print = [&os](mlir::Location loc, llvm::StringRef severity,
                     const mlir::Diagnostic &d) {
    if (auto name = dyn_cast<NameLoc>(loc)) {
      if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
        os << file.getFilename().getValue() << ": ";
      os << "node '" << name.getName().getValue() << "': ";
    } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
      os << file.getFilename().getValue();
      if (file.getLine() != 0)
        os << ":" << file.getLine() << ":" << file.getColumn();
      os << ": ";
    } else if (!isa<UnknownLoc>(loc)) {
      os << loc << ": ";
    }
    os << severity << ": " << d << "\n";
  };
  llvm::StringRef severity =
      diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
      : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                          : "note";
  print(diag.getLocation(), severity, diag);
  for (const mlir::Diagnostic &note : diag.getNotes())
    print(note.getLocation(), "note", note);
}

} // namespace pith
