//===- HostTensor.cpp - Tensors in host memory, .npy files ----------------===//
//
// Part of pith. The .npy format: a magic string, a version, a header
// length, a Python dict literal ({'descr': '<f4', 'fortran_order': False,
// 'shape': (1, 64), }) padded with spaces, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "lib/runtime/HostTensor.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

namespace pith {
namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

struct NpyType {
  const char *descr;
  pith_dtype dtype;
};

// bf16 has no NumPy type; ml_dtypes spells it '<V2', too vague to accept.
const NpyType kNpyTypes[] = {
    {"<f4", PITH_F32}, {"<f8", PITH_F64}, {"<f2", PITH_F16}, {"|i1", PITH_I8},
    {"<i2", PITH_I16}, {"<i4", PITH_I32}, {"<i8", PITH_I64}, {"|u1", PITH_U8},
    {"<u2", PITH_U16}, {"<u4", PITH_U32}, {"<u8", PITH_U64}, {"|b1", PITH_BOOL},
};

/// The value of `key` in the header dict, up to the next top-level comma
/// (or the closing parenthesis of a tuple).
bool headerValue(const std::string &header, const std::string &key,
                 std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  at = header.find(':', at);
  if (at == std::string::npos)
    return false;
  ++at;
  while (at < header.size() && header[at] == ' ')
    ++at;
  size_t end = at;
  if (at < header.size() && header[at] == '(')
    end = header.find(')', at) + 1;
  else
    end = header.find_first_of(",}", at);
  if (end == std::string::npos || end == 0)
    return false;
  value = header.substr(at, end - at);
  return true;
}

uint16_t floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000;
  int32_t exponent = ((bits >> 23) & 0xff) - 127 + 15;
  uint32_t mantissa = bits & 0x7fffff;
  if (exponent <= 0)
    return sign; // Values this small flush to zero; fine for random inputs.
  if (exponent >= 31)
    return sign | 0x7c00;
  return sign | (exponent << 10) | (mantissa >> 13);
}

} // namespace

HostTensor HostTensor::like(const pith_tensor_info &info) {
  HostTensor tensor;
  tensor.name = info.name;
  tensor.dtype = info.dtype;
  tensor.shape.assign(info.shape, info.shape + info.rank);
  tensor.bytes.assign(tensor.elementCount() * pith_dtype_size(info.dtype), 0);
  return tensor;
}

int64_t HostTensor::elementCount() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

pith_tensor HostTensor::view() {
  return {name.c_str(), dtype,        shape.size(),
          shape.data(), bytes.data(), bytes.size()};
}

namespace {

/// Reads one .npy array from `file`; errors start with `invalidWhat`
/// ("'x.npy' is not a valid .npy file").
bool parseNpy(std::istream &file, const std::string &invalidWhat,
              HostTensor &tensor, std::string &error) {
  auto invalid = [&](const std::string &why) {
    error = invalidWhat + ": " + why;
    return false;
  };
  char preamble[kMagicSize + 2];
  if (!file.read(preamble, sizeof(preamble)) ||
      std::memcmp(preamble, kMagic, kMagicSize) != 0)
    return invalid("it does not start with the .npy magic string");
  int major = static_cast<unsigned char>(preamble[kMagicSize]);
  uint32_t headerSize = 0;
  unsigned char length[4] = {};
  if (major == 1) {
    if (!file.read(reinterpret_cast<char *>(length), 2))
      return invalid("it is truncated");
    headerSize = length[0] | length[1] << 8;
  } else if (major == 2 || major == 3) {
    if (!file.read(reinterpret_cast<char *>(length), 4))
      return invalid("it is truncated");
    headerSize = length[0] | length[1] << 8 | length[2] << 16 |
                 static_cast<uint32_t>(length[3]) << 24;
  } else {
    return invalid("format version " + std::to_string(major) +
                   " is not one of 1, 2, 3");
  }
  if (headerSize > (1u << 20))
    return invalid("its header is implausibly long");
  std::string header(headerSize, '\0');
  if (!file.read(header.data(), headerSize))
    return invalid("it is truncated");

  std::string descr, fortran, shape;
  if (!headerValue(header, "descr", descr) ||
      !headerValue(header, "fortran_order", fortran) ||
      !headerValue(header, "shape", shape))
    return invalid("its header lacks 'descr', 'fortran_order' or 'shape'");
  if (fortran != "False")
    return invalid("it is in Fortran order; save a C-order array "
                   "(numpy.ascontiguousarray)");
  descr = descr.substr(1, descr.size() >= 2 ? descr.size() - 2 : 0);
  if (!descr.empty() && descr[0] == '=')
    descr[0] = '<';
  const NpyType *type = nullptr;
  for (const NpyType &candidate : kNpyTypes)
    if (descr == candidate.descr ||
        (descr.size() == 3 && descr[0] == '<' && candidate.descr[0] == '|' &&
         descr.compare(1, 2, candidate.descr + 1) == 0))
      type = &candidate;
  if (!type)
    return invalid("its element type '" + descr +
                   "' is not one pith supports (little-endian bool, int, "
                   "uint and float)");

  tensor.dtype = type->dtype;
  tensor.shape.clear();
  std::stringstream dims(shape.substr(1, shape.size() - 2));
  std::string dim;
  while (std::getline(dims, dim, ',')) {
    size_t first = dim.find_first_not_of(' ');
    if (first == std::string::npos)
      continue;
    char *end = nullptr;
    long long value = std::strtoll(dim.c_str() + first, &end, 10);
    if (value < 0 || (*end != '\0' && *end != ' ' && *end != 'L'))
      return invalid("its shape " + shape + " is malformed");
    tensor.shape.push_back(value);
  }
  uint64_t size = pith_dtype_size(tensor.dtype);
  for (int64_t extent : tensor.shape) {
    if (extent && size > (uint64_t(1) << 40) / extent)
      return invalid("its shape " + shape + " is too large");
    size *= extent;
  }
  tensor.bytes.resize(size);
  if (size && !file.read(reinterpret_cast<char *>(tensor.bytes.data()),
                         static_cast<std::streamsize>(size)))
    return invalid("it holds fewer bytes than its shape " + shape + " needs");
  return true;
}

uint32_t little32(const unsigned char *bytes) {
  return bytes[0] | bytes[1] << 8 | bytes[2] << 16 |
         static_cast<uint32_t>(bytes[3]) << 24;
}
uint16_t little16(const unsigned char *bytes) {
  return bytes[0] | bytes[1] << 8;
}
uint64_t little64(const unsigned char *bytes) {
  return little32(bytes) | static_cast<uint64_t>(little32(bytes + 4)) << 32;
}

/// Inflates the raw deflate stream `in` into exactly `size` bytes.
bool inflateRaw(const unsigned char *in, size_t inSize, std::string &out,
                size_t size) {
  out.assign(size, '\0');
  z_stream stream = {};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return false;
  stream.next_in = const_cast<unsigned char *>(in);
  stream.avail_in = static_cast<uInt>(inSize);
  stream.next_out = reinterpret_cast<unsigned char *>(out.data());
  stream.avail_out = static_cast<uInt>(size);
  int status = inflate(&stream, Z_FINISH);
  bool complete = status == Z_STREAM_END && stream.total_out == size;
  inflateEnd(&stream);
  return complete;
}

} // namespace

bool readNpy(const std::string &path, HostTensor &tensor, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  return parseNpy(file, "'" + path + "' is not a valid .npy file", tensor,
                  error);
}

bool readNpz(const std::string &path, std::vector<HostTensor> &tensors,
             std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string archive((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
  auto invalid = [&](const std::string &why) {
    error = "'" + path + "' is not a valid .npz file: " + why;
    return false;
  };
  auto bytes = reinterpret_cast<const unsigned char *>(archive.data());
  size_t size = archive.size();
  // The end of central directory record: its signature, searched from the
  // end past an archive comment of at most 64 KiB.
  constexpr size_t kEndSize = 22;
  size_t end = std::string::npos;
  for (size_t at = size >= kEndSize ? size - kEndSize + 1 : 0; at-- > 0;) {
    if (little32(bytes + at) == 0x06054b50) {
      end = at;
      break;
    }
    if (size - at > kEndSize + 65535)
      break;
  }
  if (end == std::string::npos)
    return invalid("it is not a zip archive (np.savez writes one)");
  uint64_t entries = little16(bytes + end + 10);
  uint64_t directory = little32(bytes + end + 16);
  // Zip64: the locator, just before, points at the zip64 end record.
  if (end >= 20 && little32(bytes + end - 20) == 0x07064b50) {
    uint64_t record = little64(bytes + end - 20 + 8);
    if (record + 56 > size || little32(bytes + record) != 0x06064b50)
      return invalid("its zip64 end record is corrupt");
    entries = little64(bytes + record + 32);
    directory = little64(bytes + record + 48);
  }
  tensors.clear();
  size_t at = directory;
  for (uint64_t entry = 0; entry < entries; ++entry) {
    if (at + 46 > size || little32(bytes + at) != 0x02014b50)
      return invalid("its central directory is corrupt");
    uint16_t method = little16(bytes + at + 10);
    uint64_t packedSize = little32(bytes + at + 20);
    uint64_t fullSize = little32(bytes + at + 24);
    uint16_t nameSize = little16(bytes + at + 28);
    uint16_t extraSize = little16(bytes + at + 30);
    uint16_t commentSize = little16(bytes + at + 32);
    uint64_t local = little32(bytes + at + 42);
    if (at + 46 + nameSize + extraSize > size)
      return invalid("its central directory is truncated");
    std::string name(archive.data() + at + 46, nameSize);
    // Sizes and offset that do not fit 32 bits are in the zip64 extra
    // field, in this order, each only when its 32-bit field is all ones.
    for (size_t extra = at + 46 + nameSize;
         extra + 4 <= at + 46 + nameSize + extraSize;) {
      uint16_t id = little16(bytes + extra),
               length = little16(bytes + extra + 2);
      if (id == 0x0001) {
        const unsigned char *field = bytes + extra + 4;
        const unsigned char *limit =
            std::min(field + length, bytes + at + 46 + nameSize + extraSize);
        for (uint64_t *value : {&fullSize, &packedSize, &local})
          if (*value == 0xffffffff && field + 8 <= limit) {
            *value = little64(field);
            field += 8;
          }
      }
      extra += 4 + length;
    }
    at += 46 + nameSize + extraSize + commentSize;
    if (local + 30 > size || little32(bytes + local) != 0x04034b50)
      return invalid("the entry '" + name + "' is corrupt");
    uint64_t data = local + 30 + little16(bytes + local + 26) +
                    little16(bytes + local + 28);
    if (data + packedSize > size)
      return invalid("the entry '" + name + "' is truncated");
    // The .npy reader refuses arrays past 2^40 bytes; so does this.
    if (fullSize > (uint64_t(1) << 40))
      return invalid("the entry '" + name + "' is implausibly large");
    std::string contents;
    if (method == 0 && packedSize == fullSize)
      contents.assign(archive.data() + data, packedSize);
    else if (method != 8 ||
             !inflateRaw(bytes + data, packedSize, contents, fullSize))
      return invalid("the entry '" + name +
                     "' is neither stored nor deflated, or is corrupt");
    const std::string suffix = ".npy";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      return invalid("the entry '" + name + "' is not a .npy array");
    std::string arrayName = name.substr(0, name.size() - suffix.size());
    std::istringstream stream(contents);
    HostTensor tensor;
    if (!parseNpy(stream,
                  "'" + path + "' array '" + arrayName +
                      "' is not a valid .npy array",
                  tensor, error))
      return false;
    tensor.name = arrayName;
    tensors.push_back(std::move(tensor));
  }
  return true;
}

bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error) {
  const char *descr = nullptr;
  for (const NpyType &candidate : kNpyTypes)
    if (candidate.dtype == tensor.dtype)
      descr = candidate.descr;
  if (!descr) {
    error = "cannot write '" + path + "': " + pith_dtype_name(tensor.dtype) +
            " has no .npy type";
    return false;
  }
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    header += (i ? ", " : "") + std::to_string(tensor.shape[i]);
  if (tensor.shape.size() == 1)
    header += ","; // A one-element tuple.
  header += "), }";
  // Magic, version and length take 10 bytes; the header ends in '\n' and
  // the data starts at a multiple of 64.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';

  std::ofstream file(path, std::ios::binary);
  char preamble[10] = {'\x93',
                       'N',
                       'U',
                       'M',
                       'P',
                       'Y',
                       1,
                       0,
                       static_cast<char>(header.size() & 0xff),
                       static_cast<char>(header.size() >> 8)};
  file.write(preamble, sizeof(preamble));
  file.write(header.data(), header.size());
  file.write(reinterpret_cast<const char *>(tensor.bytes.data()),
             tensor.bytes.size());
  if (!file.flush()) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

void fillRandom(HostTensor &tensor, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> integer(0, 9);
  int64_t count = tensor.elementCount();
  uint8_t *data = tensor.bytes.data();
  for (int64_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
    case PITH_F32:
      reinterpret_cast<float *>(data)[i] = real(generator);
      break;
    case PITH_F64:
      reinterpret_cast<double *>(data)[i] = real(generator);
      break;
    case PITH_F16:
      reinterpret_cast<uint16_t *>(data)[i] = floatToHalf(real(generator));
      break;
    case PITH_BF16: {
      float value = real(generator);
      uint32_t bits;
      std::memcpy(&bits, &value, 4);
      reinterpret_cast<uint16_t *>(data)[i] = bits >> 16;
      break;
    }
    case PITH_BOOL:
      data[i] = integer(generator) & 1;
      break;
    default: {
      // Integers: the low bytes of a small non-negative value.
      uint64_t value = integer(generator);
      std::memcpy(data + i * pith_dtype_size(tensor.dtype), &value,
                  pith_dtype_size(tensor.dtype));
      break;
    }
    }
  }
}

} // namespace pith
