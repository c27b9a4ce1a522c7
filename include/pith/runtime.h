/*===- pith/runtime.h - Load and run compiled pith packages -------*- C -*-===*
 *
 * Part of pith. The C ABI of libpith_runtime: load a .pith package, query
 * its signature, and run it on buffers the caller owns.
 *
 * - Every function that can fail returns a pith_status*: NULL on success,
 *   otherwise a status the caller reads and frees with pith_status_free.
 *   Nothing is thrown across this ABI.
 * - Tensors are dense, row-major and wrap caller memory: the runtime never
 *   copies inputs, and writes outputs straight into the caller's buffers.
 * - A loaded model is immutable: any number of threads may invoke it at
 *   once, each with its own buffers.
 *
 *===----------------------------------------------------------------------===*/

#ifndef PITH_RUNTIME_H
#define PITH_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PITH_API __attribute__((visibility("default")))
#else
#define PITH_API
#endif

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

typedef enum pith_status_code {
  PITH_OK = 0,
  /* A bad argument: a null pointer, an unknown name, a wrong count. */
  PITH_INVALID_ARGUMENT = 1,
  /* A tensor's dtype or shape differs from the model's signature. */
  PITH_SIGNATURE_MISMATCH = 2,
  /* The file cannot be opened or read. */
  PITH_IO_ERROR = 3,
  /* The file is not a valid package: corrupt, truncated, wrong version. */
  PITH_INVALID_PACKAGE = 4,
  /* The package was compiled for a CPU this machine is not. */
  PITH_UNSUPPORTED_TARGET = 5,
  /* Anything else, e.g. the code object cannot be loaded. */
  PITH_INTERNAL = 6,
} pith_status_code;

typedef struct pith_status pith_status;

PITH_API pith_status_code pith_status_get_code(const pith_status *status);
/* A message naming the problem and where it is; valid until freed. */
PITH_API const char *pith_status_get_message(const pith_status *status);
PITH_API void pith_status_free(pith_status *status);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

/* Element types; the values are the package format's. */
typedef enum pith_dtype {
  PITH_F32 = 0,
  PITH_F64 = 1,
  PITH_F16 = 2,
  PITH_BF16 = 3,
  PITH_I8 = 4,
  PITH_I16 = 5,
  PITH_I32 = 6,
  PITH_I64 = 7,
  PITH_U8 = 8,
  PITH_U16 = 9,
  PITH_U32 = 10,
  PITH_U64 = 11,
  PITH_BOOL = 12, /* one byte per element, 0 or 1 */
} pith_dtype;

/* Bytes per element, or 0 for a value that is not a pith_dtype. */
PITH_API size_t pith_dtype_size(pith_dtype dtype);
/* "f32", "i64", ...; "unknown" for a value that is not a pith_dtype. */
PITH_API const char *pith_dtype_name(pith_dtype dtype);

/* An input or output of a model, as its signature declares it. The
 * pointers stay valid as long as the model. */
typedef struct pith_tensor_info {
  const char *name;
  pith_dtype dtype;
  size_t rank;
  const int64_t *shape;
} pith_tensor_info;

/* A caller's buffer, given as an input or an output. `name` may be NULL to
 * bind by position; `size_bytes` is the buffer's size, checked against the
 * signature. */
typedef struct pith_tensor {
  const char *name;
  pith_dtype dtype;
  size_t rank;
  const int64_t *shape;
  void *data;
  size_t size_bytes;
} pith_tensor;

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

typedef struct pith_model pith_model;

/* Maps the package at `path`, verifies it, checks that this CPU can run its
 * code and loads the code. On failure *model is NULL. */
PITH_API pith_status *pith_model_load(const char *path, pith_model **model);
PITH_API void pith_model_free(pith_model *model);

PITH_API size_t pith_model_input_count(const pith_model *model);
PITH_API size_t pith_model_output_count(const pith_model *model);
/* The signature of input (output) `index`; NULL when out of range. */
PITH_API const pith_tensor_info *pith_model_input(const pith_model *model,
                                                  size_t index);
PITH_API const pith_tensor_info *pith_model_output(const pith_model *model,
                                                   size_t index);
/* The target the package was compiled for ("host", "x86-64-v3", ...,
 * "sm_90"), its CPU name (a GPU's architecture for GPU targets), and the
 * compiler that produced it ("pith 0.1.0"). A GPU package runs on CUDA
 * device 0 through the driver, libcuda.so.1 (or the file
 * $PITH_CUDA_DRIVER names), opened when the first one loads; inputs and
 * outputs stay host buffers, copied to and from the device each run, and
 * the kernels replay as one CUDA graph ($PITH_CUDA_GRAPHS=0: one launch
 * each). */
PITH_API const char *pith_model_target(const pith_model *model);
PITH_API const char *pith_model_cpu(const pith_model *model);
PITH_API const char *pith_model_producer(const pith_model *model);
/* Bytes of weights the model maps from its package. */
PITH_API size_t pith_model_weight_bytes(const pith_model *model);

/* One compressed layer's line of the compression report the package holds:
 * the technique, the weight's bytes before and after, its relative error
 * ||W - W'|| / ||W|| and SQNR in dB. */
typedef struct pith_layer_report {
  const char *layer;
  const char *method;
  uint64_t bytes_before;
  uint64_t bytes_after;
  double relative_error;
  double sqnr_db;
  /* The layer this one is part of (a factor of a factorized layer), whose
   * line already counts the weight's bytes before; "" for none. */
  const char *refines;
  /* The relative error of the layer's outputs on the calibration inputs
   * (pith-calibrate); negative for a layer compressed without them. */
  double output_error;
} pith_layer_report;

/* Lines of the compression report (0 for an uncompressed model), and line
 * `index` into *line: 1, or 0 when out of range. The strings live as long as
 * the model. */
PITH_API size_t pith_model_report_count(const pith_model *model);
PITH_API int pith_model_report_line(const pith_model *model, size_t index,
                                    pith_layer_report *line);

/* Runs the model: every input and every output exactly once, each matching
 * the signature, all bound by name or all by position. Outputs must not
 * overlap inputs or each other. */
PITH_API pith_status *pith_model_invoke(const pith_model *model,
                                        const pith_tensor *inputs,
                                        size_t input_count,
                                        const pith_tensor *outputs,
                                        size_t output_count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PITH_RUNTIME_H */
