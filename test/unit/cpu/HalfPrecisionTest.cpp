//===- HalfPrecisionTest.cpp - bf16 / fp16 conversions of CPU libraries ---===//
//
// Every fp16 value converts to float and back unchanged; float to fp16
// agrees with the compiler's _Float16 conversion (round to nearest even,
// subnormals, overflow to infinity) on millions of values; float to bf16
// rounds to the nearest bf16 with ties to even, found by brute force.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/HalfPrecision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

namespace spattn::cpu {
namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float floatOf(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

TEST(HalfPrecision, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f))
      continue;
    _Float16 native;
    uint16_t bits = static_cast<uint16_t>(h);
    std::memcpy(&native, &bits, 2);
    EXPECT_EQ(bitsOf(f), bitsOf(static_cast<float>(native))) << std::hex << h;
    EXPECT_EQ(floatToHalf(f), h) << std::hex << h;
  }
}

TEST(HalfPrecision, FloatToHalfRoundsLikeTheCompiler) {
  std::mt19937 rng(5);
  for (int n = 0; n < 4000000; ++n) {
    // Every bit pattern class: random bits, plus values near the half range.
    uint32_t b = n % 2 ? rng() : (rng() & 0x807fffffu) | ((100u + rng() % 45u) << 23);
    float f = floatOf(b);
    if (std::isnan(f))
      continue;
    _Float16 native = static_cast<_Float16>(f);
    uint16_t want;
    std::memcpy(&want, &native, 2);
    ASSERT_EQ(floatToHalf(f), want) << f;
  }
}

TEST(HalfPrecision, FloatToBfloat16RoundsToNearestEven) {
  std::mt19937 rng(6);
  for (int n = 0; n < 2000000; ++n) {
    float f = floatOf(rng());
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBfloat16(f))));
      continue;
    }
    // The two bf16 values around f (by magnitude); past the largest finite
    // one, infinity stands where 2^128 would be, as IEEE rounding has it.
    uint16_t down = static_cast<uint16_t>(bitsOf(f) >> 16), up = down + 1;
    double x = f, a = bfloat16ToFloat(down), b = bfloat16ToFloat(up);
    if (std::isinf(b))
      b = std::copysign(std::ldexp(1.0, 128), x);
    uint16_t want = std::fabs(x - a) < std::fabs(b - x)   ? down
                    : std::fabs(x - a) > std::fabs(b - x) ? up
                    : (down & 1)                          ? up
                                                          : down;
    ASSERT_EQ(floatToBfloat16(f), want) << f;
  }
}

} // namespace
} // namespace spattn::cpu
