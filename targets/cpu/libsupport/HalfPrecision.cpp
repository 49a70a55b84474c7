//===- HalfPrecision.cpp - bf16 / fp16 tensors for the CPU kernels --------===//
#include "targets/cpu/libsupport/HalfPrecision.h"

#include <cstring>
#include <new>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Vector arguments of always-inline helpers: no ABI is involved.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace spattn::cpu {

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

/// Calls f(offset of row (b, h, l) in t, its index in a contiguous copy)
/// over the rows of rank-4 tensor `t` (the innermost dim is contiguous).
template <typename F> void forEachRow(const spattn_tensor &t, F &&f) {
  int64_t index = 0;
  for (int64_t b = 0; b < t.shape[0]; ++b)
    for (int64_t h = 0; h < t.shape[1]; ++h)
      for (int64_t l = 0; l < t.shape[2]; ++l)
        f(b * t.strides[0] + h * t.strides[1] + l * t.strides[2], index++);
}

// The conversions the row loops inline (the exported functions below may
// be interposed in a shared library, so the compiler does not inline them:
// one call per element was most of a conversion's time).

inline float widenBfloat16(uint16_t bits) { return floatOf(uint32_t{bits} << 16); }

inline uint16_t narrowToBfloat16(float value) {
  uint32_t bits = bitsOf(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it quiet and a NaN
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

inline float widenHalf(uint16_t h) {
  uint32_t sign = uint32_t{h & 0x8000u} << 16, exponent = (h >> 10) & 0x1fu,
           mantissa = h & 0x3ffu;
  if (exponent == 0x1f) // inf, NaN
    return floatOf(sign | 0x7f800000u | (mantissa << 13));
  if (exponent == 0) { // zero, subnormal: mantissa * 2^-24
    float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -magnitude : magnitude;
  }
  return floatOf(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline uint16_t narrowToHalf(float value) {
  uint32_t bits = bitsOf(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) // NaN
    return sign | 0x7e00u;
  if (magnitude >= 0x477ff000u) // rounds to 65520 or more: infinity
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) { // below 2^-14: subnormal or zero
    // Scale so the half's unit in the last place (2^-24) is 1, then round
    // to nearest even by adding and removing a large power of two.
    float scaled = floatOf(magnitude) * 16777216.0f; // * 2^24
    float rounded = (scaled + 8388608.0f) - 8388608.0f; // RNE at integers
    return sign | static_cast<uint16_t>(rounded);
  }
  // Normal: rebias the exponent, round the 13 dropped bits to nearest even.
  uint32_t rebiased = magnitude - (112u << 23);
  uint32_t rounding = 0xfffu + ((rebiased >> 13) & 1u);
  return sign | static_cast<uint16_t>((rebiased + rounding) >> 13);
}

/// One row of n bf16 or fp16 values (`dtype`) widened to float32.
void widenRow(spattn_dtype dtype, const uint16_t *in, int64_t n, float *out) {
  if (dtype == SPATTN_BF16)
    for (int64_t d = 0; d < n; ++d)
      out[d] = widenBfloat16(in[d]);
  else
    for (int64_t d = 0; d < n; ++d)
      out[d] = widenHalf(in[d]);
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
    for (; d < n; ++d)
      wide[d] = widenBfloat16(in[d]);
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
    for (; d < n; ++d)
      wide[d] = widenHalf(in[d]);
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
    for (; d < n; ++d)
      wide[d] = widenHalf(in[d]);
  }
}

/// Every AVX2 CPU made has F16C, but nothing promises it.
bool hasF16c() {
  static const bool has = __builtin_cpu_supports("f16c");
  return has;
}
#endif

} // namespace

float bfloat16ToFloat(uint16_t bits) { return widenBfloat16(bits); }
uint16_t floatToBfloat16(float value) { return narrowToBfloat16(value); }
float halfToFloat(uint16_t bits) { return widenHalf(bits); }
uint16_t floatToHalf(float value) { return narrowToHalf(value); }

bool floatLike(const spattn_tensor &t, FloatTensor &out) {
  const int64_t elements = t.shape[0] * t.shape[1] * t.shape[2] * t.shape[3];
  // Not value-initialized: every element is written before it is read.
  out.storage.reset(new (std::nothrow) float[static_cast<size_t>(elements)]);
  out.tensor = spattn_contiguous(out.storage.get(), SPATTN_F32, 4, t.shape);
  return out.storage != nullptr;
}

bool widenToFloat(const spattn_tensor &t, FloatTensor &out) {
  if (!floatLike(t, out))
    return false;
  const uint16_t *from = static_cast<const uint16_t *>(t.data);
  const int64_t D = t.shape[3];
  float *to = out.storage.get();
  forEachRow(t, [&](int64_t row, int64_t index) {
    widenRow(t.dtype, from + row, D, to + index * D);
  });
  return true;
}

void widenRows(const spattn_tensor &t, int64_t b, int64_t h, int64_t row0,
               int64_t count, float *out, HostVectors vectors) {
  const int64_t D = t.shape[3], stride = t.strides[2];
  const uint16_t *from = static_cast<const uint16_t *>(t.data) + b * t.strides[0] +
                         h * t.strides[1] + row0 * stride;
#if defined(__x86_64__)
  if (t.dtype == SPATTN_F16 && vectors == HostVectors::Avx512 && hasF16c())
    return widenHalfAvx512(from, stride, count, D, out);
  if (t.dtype == SPATTN_F16 && vectors == HostVectors::Avx2 && hasF16c())
    return widenHalfAvx2(from, stride, count, D, out);
#endif
  if (t.dtype == SPATTN_F16) {
    for (int64_t r = 0; r < count; ++r)
      widenRow(t.dtype, from + r * stride, D, out + r * D);
    return;
  }
#if defined(__x86_64__)
  if (vectors == HostVectors::Avx512)
    return widenBfloat16Avx512(from, stride, count, D, out);
  if (vectors == HostVectors::Avx2)
    return widenBfloat16Avx2(from, stride, count, D, out);
#endif
  widenBfloat16Baseline(from, stride, count, D, out);
}

void narrowFromFloat(const spattn_tensor &from, const spattn_tensor &to) {
  const float *value = static_cast<const float *>(from.data);
  uint16_t *out = static_cast<uint16_t *>(to.data);
  const int64_t D = to.shape[3];
  forEachRow(to, [&](int64_t row, int64_t index) {
    const float *wide = value + index * D;
    if (to.dtype == SPATTN_BF16)
      for (int64_t d = 0; d < D; ++d)
        out[row + d] = narrowToBfloat16(wide[d]);
    else
      for (int64_t d = 0; d < D; ++d)
        out[row + d] = narrowToHalf(wide[d]);
  });
}

} // namespace spattn::cpu
