//===- Runtime.cpp - The thin runtime: checks, errors, lookup -------------===//
#include "spattn/runtime_internal.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <vector>

using namespace spattn::rt;

extern "C" const char *spattn_status_string(int status) {
  switch (status) {
  case SPATTN_OK: return "ok";
  case SPATTN_ERROR_NULL: return "null pointer";
  case SPATTN_ERROR_SHAPE: return "bad shape";
  case SPATTN_ERROR_STRIDE: return "bad strides";
  case SPATTN_ERROR_DTYPE: return "bad dtype";
  case SPATTN_ERROR_LENGTH: return "unsupported length";
  case SPATTN_ERROR_ARGUMENT: return "bad argument";
  case SPATTN_ERROR_MEMORY: return "out of memory";
  case SPATTN_ERROR_INTERNAL: return "internal error";
  default: return "unknown status";
  }
}

extern "C" spattn_tensor spattn_contiguous(void *data, spattn_dtype dtype,
                                           int32_t rank, const int64_t *shape) {
  spattn_tensor t{};
  t.data = data;
  t.dtype = dtype;
  t.rank = rank;
  int64_t stride = 1;
  for (int32_t d = std::min(rank, 4) - 1; d >= 0; --d) {
    t.shape[d] = shape[d];
    t.strides[d] = stride;
    // Absurd shapes saturate rather than wrap: the checks then refuse them.
    if (__builtin_mul_overflow(stride, shape[d], &stride))
      stride = INT64_MAX;
  }
  return t;
}

namespace spattn::rt {

static thread_local std::string lastMessage;

int fail(int status, const std::string &message) {
  lastMessage = message;
  return status;
}

const char *lastError() { return lastMessage.c_str(); }

void clearError() { lastMessage.clear(); }

const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case SPATTN_F32: return "float32";
  case SPATTN_F16: return "float16";
  case SPATTN_BF16: return "bfloat16";
  default: return "an unknown dtype";
  }
}

namespace {

const char *memoryName(int32_t memory) {
  switch (memory) {
  case SPATTN_MEMORY_HOST: return "host";
  case SPATTN_MEMORY_CUDA: return "CUDA device";
  default: return "unknown";
  }
}

std::string takenDtypes(const TargetAccepts &accepts) {
  std::string list;
  for (spattn_dtype d : {SPATTN_F32, SPATTN_F16, SPATTN_BF16})
    if (accepts.takes(d))
      list += (list.empty() ? "" : ", ") + std::string(dtypeName(d));
  return list;
}

std::string describe(const spattn_tensor &t) {
  std::string s = "[";
  for (int32_t d = 0; d < t.rank && d < 4; ++d)
    s += (d ? ", " : "") + std::to_string(t.shape[d]);
  return s + "]";
}

/// The offset of the last element, sum strides[d] * (shape[d] - 1), of
/// positive sizes and non-negative strides; -1 when it is above
/// SPATTN_MAX_ELEMENT_OFFSET (or int64).
int64_t lastElementOffset(const int64_t *shape, const int64_t *strides,
                          int32_t rank) {
  int64_t offset = 0, term = 0;
  for (int32_t d = 0; d < rank; ++d)
    if (__builtin_mul_overflow(strides[d], shape[d] - 1, &term) ||
        __builtin_add_overflow(offset, term, &offset) ||
        offset > SPATTN_MAX_ELEMENT_OFFSET)
      return -1;
  return offset;
}

/// The index range's rules for one tensor (runtime.h): its length (dim 2:
/// L, or the pages of page bounds) within SPATTN_MAX_LENGTH, its last
/// element within SPATTN_MAX_ELEMENT_OFFSET. Past the latter, the shape is
/// at fault when the tensor would not fit even if contiguous.
int checkIndexRange(const std::string &name, const spattn_tensor &t) {
  if (t.shape[2] > SPATTN_MAX_LENGTH)
    return fail(SPATTN_ERROR_LENGTH,
                name + "'s length (shape[2] = " + std::to_string(t.shape[2]) +
                    ") is above SPATTN_MAX_LENGTH (" +
                    std::to_string(SPATTN_MAX_LENGTH) +
                    "), the longest a library serves");
  if (lastElementOffset(t.shape, t.strides, t.rank) >= 0)
    return SPATTN_OK;
  spattn_tensor contiguous =
      spattn_contiguous(t.data, t.dtype, t.rank, t.shape);
  if (lastElementOffset(contiguous.shape, contiguous.strides, t.rank) < 0)
    return fail(SPATTN_ERROR_SHAPE,
                name + " " + describe(t) +
                    " has more elements than a library indexes "
                    "(SPATTN_MAX_ELEMENT_OFFSET + 1 = " +
                    std::to_string(SPATTN_MAX_ELEMENT_OFFSET + 1) + ")");
  return fail(SPATTN_ERROR_STRIDE,
              name + "'s strides put its last element past offset " +
                  std::to_string(SPATTN_MAX_ELEMENT_OFFSET) +
                  " (SPATTN_MAX_ELEMENT_OFFSET)");
}

/// The row stride of a tensor the attend kernels read (Q, K, V): at most
/// SPATTN_MAX_ROW_STRIDE (runtime.h).
int checkRowStride(const char *what, const spattn_tensor &t) {
  if (t.strides[2] <= SPATTN_MAX_ROW_STRIDE)
    return SPATTN_OK;
  return fail(SPATTN_ERROR_STRIDE,
              std::string(what) + "'s row stride (strides[2] = " +
                  std::to_string(t.strides[2]) +
                  ") is above SPATTN_MAX_ROW_STRIDE (" +
                  std::to_string(SPATTN_MAX_ROW_STRIDE) + ")");
}

/// Rank, memory, dtype, positive sizes, unit innermost stride, non-negative
/// strides, the index range. `dtype` is the one element type every tensor
/// of the call shares, and must be one the target takes, unless the
/// tensor's dtype is fixed (LSE: float32; page bounds: the one
/// checkPageBounds chose).
int checkLayout(const char *what, const spattn_tensor *t, int32_t rank,
                const TargetAccepts &accepts, int32_t dtype,
                bool fixedDtype = false) {
  std::string name = what;
  if (!t)
    return fail(SPATTN_ERROR_NULL, name + " is null");
  if (!t->data)
    return fail(SPATTN_ERROR_NULL, name + "->data is null");
  if (t->rank != rank)
    return fail(SPATTN_ERROR_SHAPE, name + " must have rank " +
                                        std::to_string(rank) + ", got " +
                                        std::to_string(t->rank));
  if (storedValue(t->memory) != accepts.memory)
    return fail(SPATTN_ERROR_ARGUMENT,
                name + " is in " + memoryName(storedValue(t->memory)) + " memory; the " +
                    accepts.target + " target reads " +
                    memoryName(accepts.memory) + " memory");
  if (!fixedDtype && !accepts.takes(dtype))
    return fail(SPATTN_ERROR_DTYPE, name + " is " + dtypeName(dtype) +
                                        ", which the " + accepts.target +
                                        " target does not take (it takes " +
                                        takenDtypes(accepts) + ")");
  if (storedValue(t->dtype) != dtype)
    return fail(SPATTN_ERROR_DTYPE, name + " must be " + dtypeName(dtype) +
                                        (fixedDtype ? "" : " like q") +
                                        ", got " + dtypeName(storedValue(t->dtype)));
  for (int32_t d = 0; d < rank; ++d) {
    if (t->shape[d] <= 0)
      return fail(SPATTN_ERROR_SHAPE, name + " has a non-positive size: " +
                                          describe(*t));
    if (t->strides[d] < 0)
      return fail(SPATTN_ERROR_STRIDE, name + " has a negative stride");
  }
  if (t->strides[rank - 1] != 1)
    return fail(SPATTN_ERROR_STRIDE,
                name + " must have a unit innermost stride, got " +
                    std::to_string(t->strides[rank - 1]));
  return checkIndexRange(name, *t);
}

/// Distinct indices of an output must map to distinct elements: sorted by
/// stride, each stride must step over everything the smaller ones span.
/// checkLayout bounded the tensor's last offset, so no term overflows.
int checkNoOverlap(const char *what, const spattn_tensor &t) {
  std::vector<int32_t> dims(t.rank);
  std::iota(dims.begin(), dims.end(), 0);
  std::sort(dims.begin(), dims.end(), [&](int32_t a, int32_t b) {
    return t.strides[a] < t.strides[b];
  });
  int64_t span = 1; // elements covered by the dimensions sorted so far
  for (int32_t d : dims) {
    if (t.shape[d] == 1)
      continue;
    if (t.strides[d] < span)
      return fail(SPATTN_ERROR_STRIDE,
                  std::string(what) + " has overlapping strides: an output "
                                      "must not write one element twice");
    span = t.strides[d] * (t.shape[d] - 1) + span;
  }
  return SPATTN_OK;
}

} // namespace

int checkQueryKey(const SpecShape &spec, const spattn_tensor *q,
                  const spattn_tensor *k, CallShape &shape) {
  if (int s = checkLayout("q", q, 4, spec.accepts, q ? storedValue(q->dtype) : SPATTN_F32))
    return s;
  if (int s = checkLayout("k", k, 4, spec.accepts, storedValue(q->dtype)))
    return s;
  shape = {q->shape[0], q->shape[1], k->shape[1],
           q->shape[2], k->shape[2], q->shape[3]};
  std::string prefix = std::string(spec.name) + ": ";
  if (int s = checkRowStride("q", *q))
    return s;
  if (int s = checkRowStride("k", *k))
    return s;
  if (k->shape[0] != shape.batch)
    return fail(SPATTN_ERROR_SHAPE, prefix + "q and k batch sizes differ: " +
                                        describe(*q) + " vs " + describe(*k));
  if (shape.headDim != spec.headDim || k->shape[3] != spec.headDim)
    return fail(SPATTN_ERROR_SHAPE,
                prefix + "head_dim must be " + std::to_string(spec.headDim) +
                    ", got q " + describe(*q) + " and k " + describe(*k));
  if (shape.numQHeads != spec.numQHeads || shape.numKVHeads != spec.numKVHeads)
    return fail(SPATTN_ERROR_SHAPE,
                prefix + "the spec has " + std::to_string(spec.numQHeads) +
                    " query and " + std::to_string(spec.numKVHeads) +
                    " kv heads, got q " + describe(*q) + " and k " +
                    describe(*k));
  if (shape.queryLength > shape.keyLength)
    return fail(SPATTN_ERROR_LENGTH,
                prefix + "Lq (" + std::to_string(shape.queryLength) +
                    ") must not exceed Lk (" +
                    std::to_string(shape.keyLength) + ")");
  // Hq * Lq <= 2^30 here (spec heads <= 1024, Lq <= SPATTN_MAX_LENGTH).
  if (shape.batch > SPATTN_MAX_QUERY_ROWS / (shape.numQHeads * shape.queryLength))
    return fail(SPATTN_ERROR_SHAPE,
                prefix + "B * Hq * Lq = " + std::to_string(shape.batch) + " * " +
                    std::to_string(shape.numQHeads) + " * " +
                    std::to_string(shape.queryLength) +
                    " query rows is above SPATTN_MAX_QUERY_ROWS (" +
                    std::to_string(SPATTN_MAX_QUERY_ROWS) + "); split the batch");
  return SPATTN_OK;
}

int checkKey(const SpecShape &spec, const spattn_tensor *k, CallShape &shape) {
  if (int s = checkLayout("k", k, 4, spec.accepts, k ? storedValue(k->dtype) : SPATTN_F32))
    return s;
  shape = {k->shape[0], spec.numQHeads, k->shape[1], 0, k->shape[2], k->shape[3]};
  std::string prefix = std::string(spec.name) + ": ";
  if (shape.headDim != spec.headDim)
    return fail(SPATTN_ERROR_SHAPE, prefix + "head_dim must be " +
                                        std::to_string(spec.headDim) + ", got k " +
                                        describe(*k));
  if (shape.numKVHeads != spec.numKVHeads)
    return fail(SPATTN_ERROR_SHAPE, prefix + "the spec has " +
                                        std::to_string(spec.numKVHeads) +
                                        " kv heads, got k " + describe(*k));
  return SPATTN_OK;
}

int checkPageBounds(const char *what, const spattn_tensor *bounds, const CallShape &shape,
                    int64_t page, const TargetAccepts &reads, bool written) {
  const spattn_memory memory = reads.memory;
  std::string name = what;
  if (bounds && storedValue(bounds->memory) != memory)
    return fail(SPATTN_ERROR_ARGUMENT, name + " is in " +
                                           memoryName(storedValue(bounds->memory)) +
                                           " memory, K in " + memoryName(memory) +
                                           " memory: page bounds live with K");
  const int32_t dtype = bounds ? storedValue(bounds->dtype) : SPATTN_F32;
  if (bounds && !reads.takes(dtype))
    return fail(SPATTN_ERROR_DTYPE, name + " must be " + takenDtypes(reads) +
                                        " (what the " + reads.target +
                                        " reads for this K), got " + dtypeName(dtype));
  if (int s = checkLayout(what, bounds, 4, reads, dtype, true))
    return s;
  const int64_t pages = (shape.keyLength + page - 1) / page;
  if (bounds->shape[0] != shape.batch || bounds->shape[1] != shape.numKVHeads ||
      bounds->shape[2] < pages || bounds->shape[3] != 2 * shape.headDim)
    return fail(SPATTN_ERROR_SHAPE,
                name + " must be [B, Hkv, P >= ceil(Lk / " + std::to_string(page) +
                    "), 2 * D] = [" + std::to_string(shape.batch) + ", " +
                    std::to_string(shape.numKVHeads) + ", >= " +
                    std::to_string(pages) + ", " +
                    std::to_string(2 * shape.headDim) + "], got " +
                    describe(*bounds));
  return written ? checkNoOverlap(what, *bounds) : SPATTN_OK;
}

int checkAttention(const SpecShape &spec, const spattn_tensor *q,
                   const spattn_tensor *k, const spattn_tensor *v,
                   const spattn_tensor *o, const spattn_tensor *lse,
                   CallShape &shape) {
  if (int s = checkQueryKey(spec, q, k, shape))
    return s;
  if (int s = checkLayout("v", v, 4, spec.accepts, storedValue(q->dtype)))
    return s;
  if (int s = checkLayout("o", o, 4, spec.accepts, storedValue(q->dtype)))
    return s;
  if (int s = checkRowStride("v", *v))
    return s;
  std::string prefix = std::string(spec.name) + ": ";
  for (int32_t d = 0; d < 4; ++d) {
    if (v->shape[d] != k->shape[d])
      return fail(SPATTN_ERROR_SHAPE, prefix + "v must have k's shape " +
                                          describe(*k) + ", got " +
                                          describe(*v));
    if (o->shape[d] != q->shape[d])
      return fail(SPATTN_ERROR_SHAPE, prefix + "o must have q's shape " +
                                          describe(*q) + ", got " +
                                          describe(*o));
  }
  if (int s = checkNoOverlap("o", *o))
    return s;
  if (lse) {
    if (int s = checkLayout("lse", lse, 3, spec.accepts, SPATTN_F32, true))
      return s;
    for (int32_t d = 0; d < 3; ++d)
      if (lse->shape[d] != q->shape[d])
        return fail(SPATTN_ERROR_SHAPE,
                    prefix + "lse must be [B, Hq, Lq] = [" +
                        std::to_string(q->shape[0]) + ", " +
                        std::to_string(q->shape[1]) + ", " +
                        std::to_string(q->shape[2]) + "], got " +
                        describe(*lse));
    if (int s = checkNoOverlap("lse", *lse))
      return s;
  }
  return SPATTN_OK;
}

int findBucket(const int64_t *upperBounds, int count, int64_t length) {
  if (length < 1)
    return -1;
  const int64_t *it = std::lower_bound(upperBounds, upperBounds + count, length);
  return it == upperBounds + count ? -1 : static_cast<int>(it - upperBounds);
}

Workspace::~Workspace() { std::free(memory); }

void *Workspace::reserve(size_t bytes) {
  if (bytes <= size)
    return memory;
  std::free(memory);
  size = (bytes + 63) / 64 * 64;
  memory = std::aligned_alloc(64, size);
  if (!memory)
    size = 0;
  return memory;
}

} // namespace spattn::rt
