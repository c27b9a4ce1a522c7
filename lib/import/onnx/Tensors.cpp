//===- Tensors.cpp - ONNX tensors and types as MLIR -----------------------===//
//
// Part of pith.
//
//===----------------------------------------------------------------------===//

#include "lib/import/onnx/Tensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace pith::importer {
namespace {

// Data types newer than Debian's onnx.proto (ONNX 1.12).
constexpr int32_t kUint4 = 21;
constexpr int32_t kInt4 = 22;
constexpr int32_t kUint2 = 25;
constexpr int32_t kInt2 = 26;

/// Resources are aligned for the widest vector loads (AVX-512).
constexpr size_t kResourceAlignment = 64;

/// Tensors up to this size stay literal so that folding sees them; so do
/// integer tensors (shapes, indices) up to kMaxLiteralIntegers.
constexpr int64_t kMaxLiteralElements = 16;
constexpr int64_t kMaxLiteralIntegers = 1024;

/// Bits per element of the integer types ONNX packs several to a byte
/// (lowest bits first), else 0.
unsigned packedBits(int32_t dataType) {
  if (dataType == kInt4 || dataType == kUint4)
    return 4;
  if (dataType == kInt2 || dataType == kUint2)
    return 2;
  return 0;
}

/// Bytes per element in pith's storage: one per bool and per 4-bit integer.
size_t storageWidth(Type elementType) {
  return std::max<size_t>(1, elementType.getIntOrFloatBitWidth() / 8);
}

/// A blob owning a copy of `bytes`.
AsmResourceBlob copyBlob(ArrayRef<char> bytes) {
  return HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                       kResourceAlignment);
}

/// A blob of `count` elements of `width` bytes, filled by `fill(out, i)`.
template <typename Fill>
AsmResourceBlob buildBlob(int64_t count, size_t width, Fill fill) {
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocate(count * width, kResourceAlignment);
  char *out = blob.getMutableData().data();
  for (int64_t i = 0; i < count; ++i)
    fill(out + i * width, i);
  return blob;
}

/// Unpacks `bits`-bit integers, several to a byte with the lowest bits
/// first, into one byte each (sign-extended if `isSigned`).
AsmResourceBlob unpackSubByte(ArrayRef<char> packed, int64_t count,
                              unsigned bits, bool isSigned) {
  unsigned perByte = 8 / bits;
  uint8_t mask = (1u << bits) - 1, sign = 1u << (bits - 1);
  return buildBlob(count, 1, [&](char *out, int64_t i) {
    auto byte = static_cast<uint8_t>(packed[i / perByte]);
    uint8_t value = (byte >> ((i % perByte) * bits)) & mask;
    *out = static_cast<char>(isSigned && (value & sign) ? value | ~mask
                                                        : value);
  });
}

/// Maps the external data of `tensor`, `size` bytes at its offset in the
/// file it names, which must lie inside `baseDirectory`.
std::optional<AsmResourceBlob> mapExternalData(const onnx::TensorProto &tensor,
                                               llvm::StringRef baseDirectory,
                                               size_t size, size_t alignment,
                                               Location loc) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    uint64_t number = 0;
    bool isNumber = !llvm::StringRef(entry.value()).getAsInteger(10, number);
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (!isNumber) {
        emitError(loc) << "tensor '" << tensor.name() << "': external data "
                       << entry.key() << " '" << entry.value()
                       << "' is not a number";
        return std::nullopt;
      }
      (entry.key() == "offset" ? offset : length.emplace()) = number;
    }
  }
  if (location.empty()) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "': external data without a location";
    return std::nullopt;
  }
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         "..")) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data path '"
                   << location << "' leaves the model's directory";
    return std::nullopt;
  }
  llvm::SmallString<256> path(baseDirectory);
  llvm::sys::path::append(path, location);
  uint64_t fileSize = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize)) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "': cannot open external data file '" << path
                   << "': " << ec.message();
    return std::nullopt;
  }
  if (length && *length != size) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data holds "
                   << *length << " bytes, its shape needs " << size;
    return std::nullopt;
  }
  if (offset > fileSize || fileSize - offset < size) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data file '"
                   << path << "' has " << fileSize << " bytes, "
                   << size << " are needed at offset " << offset;
    return std::nullopt;
  }
  if (size == 0)
    return copyBlob({});
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileSlice(path, size, offset);
  if (!buffer) {
    emitError(loc) << "tensor '" << tensor.name() << "': cannot map '" << path
                   << "': " << buffer.getError().message();
    return std::nullopt;
  }
  ArrayRef<char> data((*buffer)->getBufferStart(), size);
  // Typed access needs natural alignment; an odd offset costs a copy.
  if (!llvm::isAddrAligned(llvm::Align(alignment), data.data()))
    return copyBlob(data);
  auto owner = std::shared_ptr<llvm::MemoryBuffer>(std::move(*buffer));
  return AsmResourceBlob(
      data, alignment, [owner](void *, size_t, size_t) mutable { owner.reset(); },
      /*dataIsMutable=*/false);
}

/// The elements of a tensor held in one of TensorProto's typed fields.
template <typename Field>
std::optional<AsmResourceBlob> fromTypedField(const Field &field,
                                              int64_t count, size_t width,
                                              const onnx::TensorProto &tensor,
                                              Location loc) {
  if (field.size() != count) {
    emitError(loc) << "tensor '" << tensor.name() << "' holds " << field.size()
                   << " values, its shape has " << count << " elements";
    return std::nullopt;
  }
  return buildBlob(count, width, [&](char *out, int64_t i) {
    // Little-endian narrowing: the low bytes of each stored value.
    auto value = field.Get(i);
    std::memcpy(out, &value, width);
  });
}

/// The tensor's elements in pith's storage layout, wherever ONNX keeps them.
std::optional<AsmResourceBlob> readElements(onnx::TensorProto &tensor,
                                            Type elementType, int64_t count,
                                            llvm::StringRef baseDirectory,
                                            Location loc) {
  int32_t dataType = tensor.data_type();
  size_t width = storageWidth(elementType);
  unsigned bits = packedBits(dataType);
  size_t packedSize = bits ? (count * bits + 7) / 8 : count * width;
  auto unpacked = [&](AsmResourceBlob blob) {
    return bits ? unpackSubByte(blob.getData(), count, bits,
                                elementType.isSignlessInteger())
                : std::move(blob);
  };

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::optional<AsmResourceBlob> blob = mapExternalData(
        tensor, baseDirectory, packedSize, bits ? 1 : width, loc);
    if (!blob)
      return std::nullopt;
    return unpacked(std::move(*blob));
  }
  if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != packedSize) {
      emitError(loc) << "tensor '" << tensor.name() << "' holds "
                     << tensor.raw_data().size()
                     << " bytes of raw data, its shape needs " << packedSize;
      return std::nullopt;
    }
    if (bits)
      return unpackSubByte(tensor.raw_data(), count, bits,
                           elementType.isSignlessInteger());
    // Take the bytes over from the protobuf rather than copy them.
    std::string *owned = tensor.release_raw_data();
    ArrayRef<char> data(owned->data(), owned->size());
    if (!llvm::isAddrAligned(llvm::Align(width), data.data())) {
      AsmResourceBlob blob = copyBlob(data);
      delete owned;
      return blob;
    }
    return AsmResourceBlob(
        data, width, [owned](void *, size_t, size_t) { delete owned; },
        /*dataIsMutable=*/false);
  }
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return fromTypedField(tensor.float_data(), count, width, tensor, loc);
  case onnx::TensorProto::DOUBLE:
    return fromTypedField(tensor.double_data(), count, width, tensor, loc);
  case onnx::TensorProto::INT64:
    return fromTypedField(tensor.int64_data(), count, width, tensor, loc);
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return fromTypedField(tensor.uint64_data(), count, width, tensor, loc);
  default:
    break;
  }
  // Everything else narrower than 32 bits lives in int32_data; packed
  // integers a byte of them to a value.
  if (bits) {
    std::optional<AsmResourceBlob> packed = fromTypedField(
        tensor.int32_data(), packedSize, 1, tensor, loc);
    if (!packed)
      return std::nullopt;
    return unpacked(std::move(*packed));
  }
  return fromTypedField(tensor.int32_data(), count, width, tensor, loc);
}

/// A literal of `type` from elements in pith's storage layout.
DenseElementsAttr literalFromBytes(RankedTensorType type, ArrayRef<char> data) {
  Type elementType = type.getElementType();
  unsigned bits = elementType.getIntOrFloatBitWidth();
  if (bits == 1) {
    auto values = llvm::map_to_vector(data, [](char c) { return c != 0; });
    return DenseElementsAttr::get(type, llvm::ArrayRef<bool>(values));
  }
  if (bits < 8) {
    auto values = llvm::map_to_vector(data, [&](char c) {
      return llvm::APInt(bits, static_cast<uint8_t>(c) & ((1u << bits) - 1));
    });
    return DenseElementsAttr::get(type, values);
  }
  return DenseElementsAttr::getFromRawBuffer(type, data);
}

} // namespace

Type convertElementType(MLIRContext *context, int32_t dataType) {
  Builder b(context);
  auto unsignedType = [&](unsigned width) {
    return IntegerType::get(context, width, IntegerType::Unsigned);
  };
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::INT16:
    return b.getI16Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::UINT8:
    return unsignedType(8);
  case onnx::TensorProto::UINT16:
    return unsignedType(16);
  case onnx::TensorProto::UINT32:
    return unsignedType(32);
  case onnx::TensorProto::UINT64:
    return unsignedType(64);
  case kInt4:
    return b.getIntegerType(4);
  case kUint4:
    return unsignedType(4);
  case kInt2:
    return b.getIntegerType(2);
  case kUint2:
    return unsignedType(2);
  default:
    return {};
  }
}

llvm::StringRef dataTypeName(int32_t dataType) {
  switch (dataType) {
  case kUint4:
    return "UINT4";
  case kInt4:
    return "INT4";
  case kUint2:
    return "UINT2";
  case kInt2:
    return "INT2";
  case 17:
  case 18:
  case 19:
  case 20:
  case 24:
    return "FLOAT8";
  case 23:
    return "FLOAT4E2M1";
  case 27:
  case 28:
    return "FLOAT6";
  default:
    break;
  }
  if (onnx::TensorProto::DataType_IsValid(dataType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(dataType));
  return "an unknown data type";
}

ElementsAttr importTensor(onnx::TensorProto &tensor,
                          llvm::StringRef baseDirectory, Location loc) {
  Type elementType = convertElementType(loc.getContext(), tensor.data_type());
  if (!elementType) {
    emitError(loc) << "tensor '" << tensor.name() << "' has element type "
                   << dataTypeName(tensor.data_type())
                   << ", which pith does not support";
    return {};
  }
  if (tensor.has_segment()) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "' is segmented, which pith does not support";
    return {};
  }
  llvm::SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = 1;
  for (int64_t extent : shape) {
    if (extent < 0 || (extent > 0 && count > (int64_t{1} << 48) / extent)) {
      emitError(loc) << "tensor '" << tensor.name() << "' has invalid shape";
      return {};
    }
    count *= extent;
  }
  std::optional<AsmResourceBlob> blob =
      readElements(tensor, elementType, count, baseDirectory, loc);
  if (!blob)
    return {};
  auto type = RankedTensorType::get(shape, elementType);
  bool literal = count <= kMaxLiteralElements ||
                 (elementType.isInteger() && count <= kMaxLiteralIntegers);
  if (literal)
    return literalFromBytes(type, blob->getData());
  std::string name = tensor.name().empty() ? "constant" : tensor.name();
  return DenseResourceElementsAttr::get(type, name, std::move(*blob));
}

} // namespace pith::importer
