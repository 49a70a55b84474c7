//===- HalfPrecisionTest.cpp - bf16 / fp16 conversions of CPU libraries ---===//
//
// Every fp16 value converts to float and back unchanged; float to fp16
// agrees with the compiler's _Float16 conversion (round to nearest even,
// subnormals, overflow to infinity) on millions of values; float to bf16
// rounds to the nearest bf16 with ties to even, found by brute force.
// Whole strided tensors widen to contiguous float32 and narrow back into
// their strides element by element as the scalar conversions do, and so do
// runs of rows (widenRows, each loop version this CPU runs).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/libsupport/HalfPrecision.h"

#include "spattn/half_precision.hpp"

#include "RunnableVectors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

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

TEST(HalfPrecision, StridedTensorsWidenAndNarrowElementByElement) {
  // [B 2, H 3, L 5, D 19] inside a larger buffer: L and H swapped in
  // memory, rows padded to 21 elements; the gaps must stay untouched. D 19:
  // the vector loops' 16 values and a scalar tail, in each version.
  const int64_t shape[4] = {2, 3, 5, 19};
  const int64_t strides[4] = {3 * 5 * 21 + 4, 21, 3 * 21, 1};
  const size_t span = static_cast<size_t>(strides[0] * 2);
  std::mt19937 rng(7);
  for (HostVectors vectors : runnableVectors())
    for (spattn_dtype dtype : {SPATTN_BF16, SPATTN_F16}) {
      SCOPED_TRACE(vectorsName(vectors));
      std::vector<uint16_t> bits(span);
      for (uint16_t &b : bits)
        b = static_cast<uint16_t>(rng());
      spattn_tensor t{bits.data(), dtype, 4,
                      {shape[0], shape[1], shape[2], shape[3]},
                      {strides[0], strides[1], strides[2], strides[3]},
                      SPATTN_MEMORY_HOST, 0};
      FloatTensor wide;
      ASSERT_TRUE(widenToFloat(t, CopyOf::Q, wide, vectors));
      float *values = static_cast<float *>(wide.tensor.data);
      std::vector<uint16_t> out(span, 0xabcd);
      spattn_tensor o = t;
      o.data = out.data();
      int64_t index = 0;
      for (int64_t b = 0; b < shape[0]; ++b)
        for (int64_t h = 0; h < shape[1]; ++h)
          for (int64_t l = 0; l < shape[2]; ++l)
            for (int64_t d = 0; d < shape[3]; ++d, ++index) {
              int64_t at = b * strides[0] + h * strides[1] + l * strides[2] + d;
              float want = widenFrom(dtype, bits[at]);
              float got = values[index];
              ASSERT_TRUE(bitsOf(got) == bitsOf(want) || (std::isnan(got) && std::isnan(want)))
                  << "element " << index;
              values[index] = want * 1.5f; // something to narrow
            }
      narrowFromFloat(wide.tensor, o);
      std::vector<bool> written(span, false);
      index = 0;
      for (int64_t b = 0; b < shape[0]; ++b)
        for (int64_t h = 0; h < shape[1]; ++h)
          for (int64_t l = 0; l < shape[2]; ++l)
            for (int64_t d = 0; d < shape[3]; ++d, ++index) {
              int64_t at = b * strides[0] + h * strides[1] + l * strides[2] + d;
              ASSERT_EQ(out[at], narrowTo(dtype, values[index])) << "element " << index;
              written[at] = true;
            }
      for (size_t at = 0; at < span; ++at) {
        if (!written[at]) {
          ASSERT_EQ(out[at], 0xabcd) << "gap " << at << " overwritten";
        }
      }
    }
}

// Small copies reuse the memory the thread keeps (no fresh pages per
// call), each copy its own; larger ones get memory of their own.
TEST(HalfPrecision, SmallCopiesReuseKeptMemoryLargeOnesOwnTheirs) {
  auto copyOf = [](int64_t rows, CopyOf copy, FloatTensor &out) {
    const int64_t shape[] = {1, 1, rows, 64};
    spattn_tensor t = spattn_contiguous(nullptr, SPATTN_BF16, 4, shape);
    return floatLike(t, copy, out);
  };
  FloatTensor first, again, other;
  ASSERT_TRUE(copyOf(256, CopyOf::K, first));
  ASSERT_TRUE(copyOf(128, CopyOf::K, again));
  ASSERT_TRUE(copyOf(128, CopyOf::V, other));
  EXPECT_EQ(first.tensor.data, again.tensor.data);
  EXPECT_NE(first.tensor.data, other.tensor.data);
  EXPECT_EQ(first.owned, nullptr);
  EXPECT_EQ(again.tensor.shape[2], 128);
  FloatTensor large;
  const int64_t largeRows = kKeptCopyBytes / (64 * sizeof(float)) + 1;
  ASSERT_TRUE(copyOf(largeRows, CopyOf::K, large));
  EXPECT_EQ(large.tensor.data, large.owned.get());
  FloatTensor afterLarge;
  ASSERT_TRUE(copyOf(128, CopyOf::K, afterLarge));
  EXPECT_EQ(afterLarge.tensor.data, first.tensor.data);
}

class WidenRows : public ::testing::TestWithParam<HostVectors> {};

TEST_P(WidenRows, EqualTheScalarConversion) {
  // Rows of D values (around the 16-value vectors), `stride` apart, from any
  // (b, h, first row); every bit pattern's widening, NaNs included, and
  // nothing written past count rows.
  std::mt19937 rng(3);
  for (spattn_dtype dtype : {SPATTN_BF16, SPATTN_F16})
    for (int64_t D : {1, 15, 16, 17, 64, 128, 130}) {
      const int64_t shape[4] = {2, 3, 40, D};
      const int64_t strides[4] = {3 * 40 * (D + 3), 40 * (D + 3), D + 3, 1};
      std::vector<uint16_t> bits(static_cast<size_t>(2 * strides[0]));
      for (uint16_t &b : bits)
        b = static_cast<uint16_t>(rng());
      const spattn_tensor t{bits.data(), dtype, 4,
                            {shape[0], shape[1], shape[2], shape[3]},
                            {strides[0], strides[1], strides[2], strides[3]},
                            SPATTN_MEMORY_HOST, 0};
      for (int64_t row0 : {0, 7, 39})
        for (int64_t count : {int64_t{1}, int64_t{3}, 40 - row0}) {
          if (row0 + count > 40)
            continue;
          std::vector<float> out(static_cast<size_t>((count + 1) * D), -7.0f);
          widenRows(t, 1, 2, row0, count, out.data(), GetParam());
          for (int64_t r = 0; r < count; ++r)
            for (int64_t d = 0; d < D; ++d) {
              const uint16_t b = bits[strides[0] + 2 * strides[1] +
                                      (row0 + r) * strides[2] + d];
              const float want = widenFrom(dtype, b);
              const float got = out[r * D + d];
              ASSERT_TRUE(bitsOf(got) == bitsOf(want) ||
                          (std::isnan(got) && std::isnan(want)))
                  << "D " << D << " row " << row0 + r << " d " << d;
            }
          for (int64_t d = 0; d < D; ++d)
            ASSERT_EQ(out[count * D + d], -7.0f) << "written past the rows";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Vectors, WidenRows, ::testing::ValuesIn(runnableVectors()),
                         [](const auto &info) { return vectorsName(info.param); });

} // namespace
} // namespace spattn::cpu
