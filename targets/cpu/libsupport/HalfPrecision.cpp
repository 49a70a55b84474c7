//===- HalfPrecision.cpp - bf16 / fp16 tensors for the CPU kernels --------===//
#include "targets/cpu/libsupport/HalfPrecision.h"

#include "spattn/half_precision.hpp"
#include "spattn/runtime_internal.hpp"

#include <cstring>
#include <new>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Vector arguments of always-inline helpers: no ABI is involved.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace spattn::cpu {

namespace {

/// Calls f(offset of row (b, h, l) in t, its index in a contiguous copy)
/// over the rows of rank-4 tensor `t` (the innermost dim is contiguous).
template <typename F> void forEachRow(const spattn_tensor &t, F &&f) {
  int64_t index = 0;
  for (int64_t b = 0; b < t.shape[0]; ++b)
    for (int64_t h = 0; h < t.shape[1]; ++h)
      for (int64_t l = 0; l < t.shape[2]; ++l)
        f(rt::elementOffset(t, b, h, l), index++);
}

/// `count` rows of n fp16 values (`stride` apart) widened into rows n
/// floats apart on CPUs without F16C (halfToFloat is branch free, so this
/// vectorizes for the baseline x86-64 too).
void widenHalfBaseline(const uint16_t *from, int64_t stride, int64_t count,
                       int64_t n, float *out) {
  for (int64_t r = 0; r < count; ++r)
    widenRow(SPATTN_F16, from + r * stride, n, out + r * n);
}

typedef uint16_t Halves16 __attribute__((vector_size(32)));
typedef uint32_t Words16 __attribute__((vector_size(64)));

/// `count` rows of n bf16 values (`stride` apart) widened into rows n
/// floats apart, 16 values at a time: a bf16 is the top half of a float.
inline __attribute__((always_inline)) void
widenBfloat16Body(const uint16_t *from, int64_t stride, int64_t count, int64_t n,
                  float *out) {
  for (int64_t r = 0; r < count; ++r) {
    const uint16_t *in = from + r * stride;
    float *wide = out + r * n;
    int64_t d = 0;
    for (; d + 16 <= n; d += 16) {
      Halves16 halves;
      std::memcpy(&halves, in + d, sizeof halves);
      const Words16 words = __builtin_convertvector(halves, Words16) << 16;
      std::memcpy(wide + d, &words, sizeof words);
    }
    widenRow(SPATTN_BF16, in + d, n - d, wide + d);
  }
}

// The driver runs the widest version the CPU has (hostVectors()): a 16-bit
// decode step widens every K and V row it reads.
void widenBfloat16Baseline(const uint16_t *from, int64_t stride, int64_t count,
                           int64_t n, float *out) {
  widenBfloat16Body(from, stride, count, n, out);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void widenBfloat16Avx2(const uint16_t *from,
                                                       int64_t stride, int64_t count,
                                                       int64_t n, float *out) {
  widenBfloat16Body(from, stride, count, n, out);
}

__attribute__((target("avx512f,avx512bw,avx2"))) void
widenBfloat16Avx512(const uint16_t *from, int64_t stride, int64_t count, int64_t n,
                    float *out) {
  widenBfloat16Body(from, stride, count, n, out);
}

// fp16 rows with F16C's exact conversion (vcvtph2ps), 8 or 16 values at a
// time: element by element, a prefill's spans cost as much as its kernels.
__attribute__((target("avx2,f16c"))) void widenHalfAvx2(const uint16_t *from,
                                                       int64_t stride, int64_t count,
                                                       int64_t n, float *out) {
  for (int64_t r = 0; r < count; ++r) {
    const uint16_t *in = from + r * stride;
    float *wide = out + r * n;
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
      _mm256_storeu_ps(wide + d, _mm256_cvtph_ps(_mm_loadu_si128(
                                     reinterpret_cast<const __m128i *>(in + d))));
    widenRow(SPATTN_F16, in + d, n - d, wide + d);
  }
}

__attribute__((target("avx512f,avx2,f16c"))) void
widenHalfAvx512(const uint16_t *from, int64_t stride, int64_t count, int64_t n,
                float *out) {
  for (int64_t r = 0; r < count; ++r) {
    const uint16_t *in = from + r * stride;
    float *wide = out + r * n;
    int64_t d = 0;
    for (; d + 16 <= n; d += 16)
      _mm512_storeu_ps(wide + d, _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(
                                     reinterpret_cast<const __m256i *>(in + d))));
    widenRow(SPATTN_F16, in + d, n - d, wide + d);
  }
}

/// Every AVX2 CPU made has F16C, but nothing promises it.
bool hasF16c() {
  static const bool has = __builtin_cpu_supports("f16c");
  return has;
}
#endif

} // namespace

bool floatLike(const spattn_tensor &t, CopyOf copy, FloatTensor &out) {
  // Fresh pages fault on first touch: a bf16 call at L = 1K spent a tenth
  // of its time in the kernel zeroing them (perf). Kept memory avoids that
  // where it matters; longer calls do quadratic work per copied byte and
  // allocate, so a thread holds at most kCopyKinds x kKeptCopyBytes.
  static thread_local rt::Workspace kept[kCopyKinds];
  const int64_t elements = t.shape[0] * t.shape[1] * t.shape[2] * t.shape[3];
  const size_t bytes = sizeof(float) * static_cast<size_t>(elements);
  float *data = nullptr;
  if (bytes <= kKeptCopyBytes) {
    data = static_cast<float *>(kept[static_cast<int>(copy)].reserve(bytes));
  } else {
    // Not value-initialized: every element is written before it is read.
    out.owned.reset(new (std::nothrow) float[static_cast<size_t>(elements)]);
    data = out.owned.get();
  }
  if (!data)
    return false;
  out.tensor = spattn_contiguous(data, SPATTN_F32, 4, t.shape);
  return true;
}

bool widenToFloat(const spattn_tensor &t, CopyOf copy, FloatTensor &out,
                  HostVectors vectors) {
  if (!floatLike(t, copy, out))
    return false;
  const int64_t L = t.shape[2], D = t.shape[3];
  float *to = static_cast<float *>(out.tensor.data);
  for (int64_t b = 0; b < t.shape[0]; ++b)
    for (int64_t h = 0; h < t.shape[1]; ++h)
      widenRows(t, b, h, 0, L, to + (b * t.shape[1] + h) * L * D, vectors);
  return true;
}

void widenRows(const spattn_tensor &t, int64_t b, int64_t h, int64_t row0,
               int64_t count, float *out, HostVectors vectors) {
  const int64_t D = t.shape[3], stride = t.strides[2];
  const uint16_t *from =
      static_cast<const uint16_t *>(t.data) + rt::elementOffset(t, b, h, row0);
#if defined(__x86_64__)
  if (t.dtype == SPATTN_F16 && vectors == HostVectors::Avx512 && hasF16c())
    return widenHalfAvx512(from, stride, count, D, out);
  if (t.dtype == SPATTN_F16 && vectors == HostVectors::Avx2 && hasF16c())
    return widenHalfAvx2(from, stride, count, D, out);
#endif
  if (t.dtype == SPATTN_F16)
    return widenHalfBaseline(from, stride, count, D, out);
#if defined(__x86_64__)
  if (vectors == HostVectors::Avx512)
    return widenBfloat16Avx512(from, stride, count, D, out);
  if (vectors == HostVectors::Avx2)
    return widenBfloat16Avx2(from, stride, count, D, out);
#endif
  widenBfloat16Baseline(from, stride, count, D, out);
}

namespace {

template <uint16_t (*Narrow)(float)>
void narrowRows(const spattn_tensor &from, const spattn_tensor &to) {
  const float *value = static_cast<const float *>(from.data);
  uint16_t *out = static_cast<uint16_t *>(to.data);
  const int64_t D = to.shape[3];
  forEachRow(to, [&](int64_t row, int64_t index) {
    for (int64_t d = 0; d < D; ++d)
      out[row + d] = Narrow(value[index * D + d]);
  });
}

} // namespace

void narrowFromFloat(const spattn_tensor &from, const spattn_tensor &to) {
  if (to.dtype == SPATTN_BF16)
    narrowRows<floatToBfloat16>(from, to);
  else
    narrowRows<floatToHalf>(from, to);
}

} // namespace spattn::cpu
