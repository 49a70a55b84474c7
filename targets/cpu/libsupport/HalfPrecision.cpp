//===- HalfPrecision.cpp - bf16 / fp16 tensors for the CPU kernels --------===//
#include "targets/cpu/libsupport/HalfPrecision.h"

#include <cstring>
#include <new>

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
    const uint16_t *in = from + row;
    float *wide = to + index * D;
    if (t.dtype == SPATTN_BF16)
      for (int64_t d = 0; d < D; ++d)
        wide[d] = widenBfloat16(in[d]);
    else
      for (int64_t d = 0; d < D; ++d)
        wide[d] = widenHalf(in[d]);
  });
  return true;
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
