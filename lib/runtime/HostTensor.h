//===- HostTensor.h - Tensors in host memory, .npy files --------*- C++ -*-===//
//
// Part of pith. What pith-run and pith-bench feed models with: tensors
// owned by the tool, read from and written to NumPy's .npy format, or
// filled with random values. Needs only the runtime's C API (and zlib,
// for compressed .npz archives).
//
//===----------------------------------------------------------------------===//

#ifndef PITH_LIB_RUNTIME_HOSTTENSOR_H
#define PITH_LIB_RUNTIME_HOSTTENSOR_H

#include "pith/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pith {

struct HostTensor {
  std::string name;
  pith_dtype dtype = PITH_F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  /// A tensor shaped like `info`, zero-filled.
  static HostTensor like(const pith_tensor_info &info);
  int64_t elementCount() const;
  /// The view the runtime takes (no copy).
  pith_tensor view();
};

/// Reads a .npy file (format 1.0-3.0, little-endian, C order) into
/// `tensor`; on failure returns false with `error` naming the problem.
bool readNpy(const std::string &path, HostTensor &tensor, std::string &error);

/// Reads the arrays of a .npz file (np.savez or np.savez_compressed), each
/// named by its key; on failure returns false with `error` naming the
/// problem.
bool readNpz(const std::string &path, std::vector<HostTensor> &tensors,
             std::string &error);

/// Writes `tensor` as a .npy file (format 1.0).
bool writeNpy(const std::string &path, const HostTensor &tensor,
              std::string &error);

/// Fills `tensor` with values from a generator seeded with `seed`: floats
/// uniform in [-1, 1), integers in [0, 10) (valid token ids and indices
/// for most models), booleans 0 or 1.
void fillRandom(HostTensor &tensor, uint64_t seed);

} // namespace pith

#endif // PITH_LIB_RUNTIME_HOSTTENSOR_H
