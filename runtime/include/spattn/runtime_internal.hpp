//===- spattn/runtime_internal.hpp - The thin runtime, for libraries -*- C++ -*-===//
//
// What a generated library calls before any kernel runs: argument checks
// against the spec's shape, the per-thread error message, variant lookup by
// length. No pattern logic lives here.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_RUNTIME_INTERNAL_HPP
#define SPATTN_RUNTIME_INTERNAL_HPP

#include "spattn/runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace spattn::rt {

/// An enum field of a caller's struct (dtype, memory) as the int the caller
/// stored: C lets any int into a C enum, and loading a value outside the
/// enumerators as the enum type is undefined in C++ (UBSan's enum check;
/// a compiler may fold the range checks away).
template <typename Enum> int32_t storedValue(const Enum &field) {
  static_assert(sizeof(Enum) == sizeof(int32_t), "C enums are int-sized");
  int32_t value;
  std::memcpy(&value, &field, sizeof value);
  return value;
}

/// What one target of a library reads: element types (a bit per
/// spattn_dtype) and memory. The target says it, not the runtime.
struct TargetAccepts {
  const char *target;  // "cpu", ... for messages
  uint32_t dtypes;     // bit (1 << SPATTN_F32) etc.; LSE is always float32
  spattn_memory memory;

  bool takes(int32_t dtype) const {
    return dtype >= 0 && dtype < 32 && (dtypes >> dtype) & 1u;
  }
};

/// The static shape a library was compiled for, and what the target serving
/// the call reads.
struct SpecShape {
  const char *name;
  int64_t headDim, numQHeads, numKVHeads;
  TargetAccepts accepts;
};

/// "float32", "float16", "bfloat16".
const char *dtypeName(int32_t dtype);

/// Bytes of one element: 4 for float32, 2 for the 16-bit dtypes.
inline int64_t elementBytes(int32_t dtype) { return dtype == SPATTN_F32 ? 4 : 2; }

/// Where element (b, h, row) lies in `t`, in elements from t.data: the
/// first of a row of Q, K, V or O ([B, H, L, D]), or an LSE value ([B, H, L]).
inline int64_t elementOffset(const spattn_tensor &t, int64_t b, int64_t h, int64_t row) {
  return b * t.strides[0] + h * t.strides[1] + row * t.strides[2];
}

/// The address of that element, in t's own dtype.
inline char *elementAddress(const spattn_tensor &t, int64_t b, int64_t h, int64_t row) {
  return static_cast<char *>(t.data) +
         elementOffset(t, b, h, row) * elementBytes(t.dtype);
}

/// The sizes of one checked call.
struct CallShape {
  int64_t batch, numQHeads, numKVHeads, queryLength, keyLength, headDim;
  /// The kv head query head h reads (GQA, MQA).
  int64_t kvHeadOf(int64_t h) const { return h / (numQHeads / numKVHeads); }
};

/// Records `message` as this thread's last error and returns `status`.
int fail(int status, const std::string &message);
/// This thread's last error message ("" after a successful call).
const char *lastError();
void clearError();

/// Checks Q, K, V, O (and LSE when not null) against each other and the
/// spec: null pointers, ranks, sizes, GQA divisibility, head_dim, dtype and
/// memory (those the target accepts, one dtype for Q, K, V, O), strides (innermost 1, non-negative, outputs not overlapping),
/// 1 <= Lq <= Lk. Fills `shape` and returns SPATTN_OK, or fails.
int checkAttention(const SpecShape &spec, const spattn_tensor *q,
                   const spattn_tensor *k, const spattn_tensor *v,
                   const spattn_tensor *o, const spattn_tensor *lse,
                   CallShape &shape);

/// Checks Q and K alone (selection queries), as checkAttention does.
int checkQueryKey(const SpecShape &spec, const spattn_tensor *q,
                  const spattn_tensor *k, CallShape &shape);

/// Checks K alone (page bounds updates) as checkQueryKey checks it; fills
/// the batch, kv heads, key length and head_dim of `shape`.
int checkKey(const SpecShape &spec, const spattn_tensor *k, CallShape &shape);

/// Checks page bounds `what` kept for K of `shape` in pages of `page` keys:
/// [B, Hkv, P, 2 * D] in a dtype and the memory that `reads` (what the
/// target reading them takes for this K; memory: K's, any other is
/// SPATTN_ERROR_ARGUMENT), P >= ceil(Lk / page), strides as
/// checkAttention's, not overlapping when `written`.
int checkPageBounds(const char *what, const spattn_tensor *bounds, const CallShape &shape,
                    int64_t page, const TargetAccepts &reads, bool written);

/// Index of the first bucket whose upper bound is >= length, or -1 when the
/// length is above every bucket (or below 1).
int findBucket(const int64_t *upperBounds, int count, int64_t length);

/// 64-byte aligned scratch memory, released with the object.
class Workspace {
public:
  Workspace() = default;
  Workspace(const Workspace &) = delete;
  Workspace &operator=(const Workspace &) = delete;
  ~Workspace();
  /// At least `bytes` bytes, or null when allocation fails.
  void *reserve(size_t bytes);

private:
  void *memory = nullptr;
  size_t size = 0;
};

} // namespace spattn::rt

#endif
