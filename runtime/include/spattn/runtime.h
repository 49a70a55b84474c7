/*===- spattn/runtime.h - Types every spattn library shares -------*- C -*-===*
 *
 * Tensors, options and status codes of the C API that every library made by
 * `spattn-compile --target=...` exposes, whatever its targets. A library `<name>` adds, in
 * `<name>.h`, `<name>_attention(...)` and friends built on these types.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SPATTN_RUNTIME_H
#define SPATTN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types. Which ones a library takes is its target's business (cpu:
 * float32 and the spec's dtype; cuda: float16 and bfloat16); another gets
 * SPATTN_ERROR_DTYPE with a message. */
typedef enum {
  SPATTN_F32 = 0,
  SPATTN_F16 = 1,
  SPATTN_BF16 = 2
} spattn_dtype;

/* Where a tensor's data lives. A library serves the memories of the targets
 * it was compiled for (--target=cpu: host memory, --target=cuda: device). */
typedef enum {
  SPATTN_MEMORY_HOST = 0,
  SPATTN_MEMORY_CUDA = 1 /* CUDA device memory, on device `device` */
} spattn_memory;

/* Every call returns one of these; spattn_status_string() names it and the
 * library's <name>_last_error() says what exactly was wrong. */
typedef enum {
  SPATTN_OK = 0,
  SPATTN_ERROR_NULL = 1,     /* a required pointer is null */
  SPATTN_ERROR_SHAPE = 2,    /* ranks or sizes disagree, or differ from the spec */
  SPATTN_ERROR_STRIDE = 3,   /* a stride the kernels cannot read */
  SPATTN_ERROR_DTYPE = 4,    /* an element type the library does not take */
  SPATTN_ERROR_LENGTH = 5,   /* a length outside every bucket, or Lq > Lk */
  SPATTN_ERROR_ARGUMENT = 6, /* any other bad argument (head, stage, option) */
  SPATTN_ERROR_MEMORY = 7,   /* a workspace could not be allocated */
  SPATTN_ERROR_INTERNAL = 8  /* a kernel failed: a bug, please report */
} spattn_status;

/* The index range every library serves. A call outside it is refused with
 * the status named here and a message naming the limit; no index is ever
 * narrowed or wrapped (docs/semantics.md, "Index range"):
 *  - every tensor's length, shape[2] (L; the pages of page bounds), at most
 *    SPATTN_MAX_LENGTH, the longest length a spec may serve; Lk at most the
 *    library's last bucket, Lq <= Lk: SPATTN_ERROR_LENGTH otherwise;
 *  - query rows B * Hq * Lq <= SPATTN_MAX_QUERY_ROWS: SPATTN_ERROR_SHAPE;
 *  - every tensor's last element offset, sum_d strides[d] * (shape[d] - 1),
 *    <= SPATTN_MAX_ELEMENT_OFFSET: SPATTN_ERROR_SHAPE when its element count
 *    alone is above that, else SPATTN_ERROR_STRIDE;
 *  - the row stride (strides[2]) of Q, K and V <= SPATTN_MAX_ROW_STRIDE, so
 *    that a kernel's view of up to 1024 rows stays within 32-bit offsets:
 *    SPATTN_ERROR_STRIDE. */
#define SPATTN_MAX_LENGTH (INT64_C(1) << 20)
#define SPATTN_MAX_QUERY_ROWS (INT64_C(1) << 30)
#define SPATTN_MAX_ELEMENT_OFFSET ((INT64_C(1) << 48) - 1)
#define SPATTN_MAX_ROW_STRIDE ((INT64_C(1) << 21) - 1)

/* A strided view: shape and strides (in elements, not bytes) innermost last.
 * Q, K, V and O are [B, H, L, D] (rank 4), LSE is [B, Hq, Lq] (rank 3). The
 * innermost (D) stride must be 1; the others may be anything non-negative
 * that does not make distinct elements of an output overlap. */
typedef struct {
  void *data;
  spattn_dtype dtype;
  int32_t rank;
  int64_t shape[4];
  int64_t strides[4];
  spattn_memory memory; /* zero-initialized: host memory */
  int32_t device;       /* CUDA device ordinal; 0 for host memory */
} spattn_tensor;

/* A CUDA stream: the driver's CUstream, which is the runtime's cudaStream_t,
 * named here so that this header needs no CUDA header. Null is the legacy
 * default stream. Used by the entry points of libraries built for cuda. */
typedef struct CUstream_st *spattn_cuda_stream;

typedef struct {
  /* The most CPU worker threads this call uses; 0 uses all of Halide's
   * pool (one thread per core, or the HL_NUM_THREADS environment variable),
   * which caps it too. The pool is shared and never resized by a call, so
   * calls with different values (on any threads) do not affect each other.
   * The cuda target ignores it. */
  int32_t num_threads;
  /* The call's request parameter values, one per parameter the spec
   * declares, in declaration order (spattn_library_info lists them and
   * their ranges). A library without request parameters takes none
   * (num_request = 0); one with them refuses a call without them, or with
   * a value outside its range, with SPATTN_ERROR_ARGUMENT. */
  int32_t num_request;
  const int64_t *request;
} spattn_options;

/* What a selection stage kept for one (batch element, query head): groups of
 * sorted indices in CSR form. Blocks and pages are key-block / page indices;
 * vertical_slash has two groups, key columns then diagonal offsets p(i) - j. */
typedef enum {
  SPATTN_SELECTION_BLOCKS = 0,        /* per query block, from first_group */
  SPATTN_SELECTION_PAGES = 1,         /* per query row */
  SPATTN_SELECTION_VERTICAL_SLASH = 2 /* columns, offsets */
} spattn_selection_kind;

typedef struct {
  spattn_selection_kind kind;
  int64_t first_group;    /* absolute query block of group 0 (blocks) */
  int64_t num_groups;
  const int64_t *offsets; /* [num_groups + 1] */
  const int64_t *indices; /* [offsets[num_groups]] */
} spattn_selection;

/* What a library serves, for bindings and tools that open it at run time
 * (<name>_info). The pointers stay valid while the library is loaded. */
typedef struct {
  const char *name;                   /* the spec's name */
  int64_t head_dim, num_q_heads, num_kv_heads;
  int32_t causal;                     /* 1: keys j <= p(i) only */
  double scale;                       /* softmax scale */
  int32_t num_buckets;
  const int64_t *bucket_upper_bounds; /* bucket b serves Lk up to [b] */
  int32_t num_targets;                /* a call goes to the first whose */
  const char *const *target_names;    /* memory holds Q: "cpu", "cuda" */
  const uint32_t *target_dtypes;      /* bit (1 << spattn_dtype) per dtype */
  const spattn_memory *target_memories;
  int32_t num_request;                /* request parameters every call passes */
  const char *const *request_names;   /* their names, in order */
  const int64_t *request_min;         /* inclusive ranges */
  const int64_t *request_max;
} spattn_library_info;

/* "ok", "null pointer", ... for a status code. */
const char *spattn_status_string(int status);

/* A contiguous row-major descriptor of `rank` dimensions over `data`, in
 * host memory. */
spattn_tensor spattn_contiguous(void *data, spattn_dtype dtype, int32_t rank,
                                const int64_t *shape);

#ifdef __cplusplus
}
#endif

#endif /* SPATTN_RUNTIME_H */
