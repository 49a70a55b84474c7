//===- spattn/half_precision.hpp - bf16 and fp16 scalars --------*- C++ -*-===//
//
// One bf16 or fp16 value to float32 (exact) and back (round to nearest
// even), and a row of them widened, as every host-side reader of 16-bit
// tensors converts them: the CPU library's row loops
// (targets/cpu/libsupport/HalfPrecision.cpp), the runtime's selection stages
// and page bounds, and the tests. Inline so the loops that call them per element
// vectorize (an exported function may be interposed in a shared library,
// so the compiler would call it once per element).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_HALF_PRECISION_HPP
#define SPATTN_HALF_PRECISION_HPP

#include "spattn/runtime.h"

#include <cstdint>
#include <cstring>

namespace spattn {

namespace half_bits {
inline uint32_t of(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}
inline float toFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}
} // namespace half_bits

/// A bf16 is the top half of a float32.
inline float bfloat16ToFloat(uint16_t bits) {
  return half_bits::toFloat(uint32_t{bits} << 16);
}

/// Round to nearest even; a NaN stays a (quiet) NaN.
inline uint16_t floatToBfloat16(float value) {
  uint32_t bits = half_bits::of(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

/// Branch free, so loops of it vectorize: a normal half rebiases its
/// exponent (+112), inf and NaN rebias twice (to 255), and a zero or
/// subnormal half is its mantissa times 2^-24.
inline float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16, magnitude = h & 0x7fffu;
  const uint32_t rebiased = (magnitude << 13) + (112u << 23) +
                            uint32_t{magnitude >= 0x7c00u} * (112u << 23);
  const uint32_t small = half_bits::of(
      static_cast<float>(static_cast<int32_t>(magnitude)) * 5.9604644775390625e-8f);
  const uint32_t useSmall = 0u - uint32_t{magnitude < 0x400u};
  return half_bits::toFloat(sign | (small & useSmall) | (rebiased & ~useSmall));
}

/// Round to nearest even; beyond the largest half, infinity.
inline uint16_t floatToHalf(float value) {
  uint32_t bits = half_bits::of(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) // NaN
    return sign | 0x7e00u;
  if (magnitude >= 0x477ff000u) // rounds to 65520 or more: infinity
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) { // below 2^-14: subnormal or zero
    // Scale so the half's unit in the last place (2^-24) is 1, then round
    // to nearest even by adding and removing a large power of two.
    float scaled = half_bits::toFloat(magnitude) * 16777216.0f; // * 2^24
    float rounded = (scaled + 8388608.0f) - 8388608.0f;         // RNE at integers
    return sign | static_cast<uint16_t>(rounded);
  }
  // Normal: rebias the exponent, round the 13 dropped bits to nearest even.
  uint32_t rebiased = magnitude - (112u << 23);
  uint32_t rounding = 0xfffu + ((rebiased >> 13) & 1u);
  return sign | static_cast<uint16_t>((rebiased + rounding) >> 13);
}

/// `x` rounded to the 16-bit `dtype` (SPATTN_BF16, else float16).
inline uint16_t narrowTo(spattn_dtype dtype, float x) {
  return dtype == SPATTN_BF16 ? floatToBfloat16(x) : floatToHalf(x);
}

/// A value of the 16-bit `dtype` (SPATTN_BF16, else float16) as float32.
inline float widenFrom(spattn_dtype dtype, uint16_t bits) {
  return dtype == SPATTN_BF16 ? bfloat16ToFloat(bits) : halfToFloat(bits);
}

/// n values of the 16-bit `dtype` widened into `out`: one branch per row,
/// so each loop vectorizes.
inline void widenRow(spattn_dtype dtype, const uint16_t *in, int64_t n, float *out) {
  if (dtype == SPATTN_BF16)
    for (int64_t d = 0; d < n; ++d)
      out[d] = bfloat16ToFloat(in[d]);
  else
    for (int64_t d = 0; d < n; ++d)
      out[d] = halfToFloat(in[d]);
}

} // namespace spattn

#endif
