//===- GuardedTensor.cpp - A strided tensor with guard zones --------------===//
#include "GuardedTensor.h"

#include "spattn/half_precision.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

namespace spattn::capifuzz {

namespace {

constexpr unsigned char kPattern = 0xA5;

size_t sizeOf(spattn_dtype dtype) { return dtype == SPATTN_F32 ? 4 : 2; }

} // namespace

std::array<int64_t, 4> randomStrides(const std::vector<int64_t> &shape,
                                     bool broadcast, Random &random) {
  const int rank = static_cast<int>(shape.size());
  std::array<int64_t, 4> strides{};
  std::vector<int> outer(rank - 1);
  std::iota(outer.begin(), outer.end(), 0);
  std::reverse(outer.begin(), outer.end()); // innermost first: row-major
  if (random.chance(0.4))
    for (int i = rank - 2; i > 0; --i)
      std::swap(outer[i], outer[random.between(0, i)]);
  strides[rank - 1] = 1;
  int64_t extent = shape[rank - 1] + (random.chance(0.2) ? random.between(1, 5) : 0);
  for (int d : outer) {
    strides[d] = extent;
    extent = extent * shape[d] + (random.chance(0.2) ? random.between(1, 7) : 0);
  }
  for (int d = 0; d < rank - 1; ++d) {
    if (broadcast && random.chance(0.08))
      strides[d] = 0;
    // Not the row stride (dimension 2): runtime.h bounds it for Q, K, V.
    if (shape[d] == 1 && d < 2 && random.chance(0.3))
      strides[d] = random.pick<int64_t>({int64_t{1} << 31, int64_t{1} << 40,
                                         std::numeric_limits<int64_t>::max()});
  }
  return strides;
}

GuardedTensor::GuardedTensor(const std::vector<int64_t> &shape,
                             const std::array<int64_t, 4> &strides,
                             spattn_dtype dtype, int64_t guard)
    : elementSize(sizeOf(dtype)), guard(guard) {
  layout = {};
  layout.dtype = dtype;
  layout.rank = static_cast<int32_t>(shape.size());
  int64_t span = 1;
  for (int32_t d = 0; d < layout.rank; ++d) {
    layout.shape[d] = shape[d];
    layout.strides[d] = strides[d];
    span += (shape[d] - 1) * (shape[d] > 1 ? strides[d] : 0);
  }
  bytes.assign((span + 2 * guard) * elementSize, kPattern);
  layout.data = bytes.data() + guard * elementSize;
  desc = layout;
}

int64_t GuardedTensor::elementOffset(int64_t b, int64_t h, int64_t l,
                                     int64_t d) const {
  // Size-1 dimensions may carry any stride: their index is always 0.
  int64_t offset = 0;
  const int64_t index[4] = {b, h, l, d};
  for (int32_t k = 0; k < layout.rank; ++k)
    if (index[k])
      offset += index[k] * layout.strides[k];
  return offset;
}

template <typename Fn> void GuardedTensor::forEachRow(Fn fn) const {
  // The innermost stride is 1: a row is that many consecutive elements.
  const int64_t *s = layout.shape;
  const bool rank4 = layout.rank == 4;
  for (int64_t b = 0; b < s[0]; ++b)
    for (int64_t h = 0; h < s[1]; ++h) {
      if (!rank4) {
        fn(elementOffset(b, h, 0, 0), s[2]);
        continue;
      }
      for (int64_t l = 0; l < s[2]; ++l)
        fn(elementOffset(b, h, l, 0), s[3]);
    }
}

void GuardedTensor::fillValues(Random &random) {
  // Uniform on [-sqrt 3, sqrt 3] (unit variance) from a splitmix64 stream,
  // as test/e2e: a per-element engine call took most of the fuzzer's time.
  uint64_t state = random.bits();
  auto next = [&state] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (static_cast<float>(z >> 40) * 0x1p-24f * 2.0f - 1.0f) * 1.7320508f;
  };
  auto *base = static_cast<unsigned char *>(layout.data);
  forEachRow([&](int64_t offset, int64_t count) {
    unsigned char *p = base + offset * elementSize;
    for (int64_t i = 0; i < count; ++i, p += elementSize) {
      float x = next();
      if (layout.dtype == SPATTN_F32) {
        std::memcpy(p, &x, 4);
        continue;
      }
      uint16_t bits = narrowTo(layout.dtype, x);
      std::memcpy(p, &bits, 2);
    }
  });
  takeSnapshot();
}

void GuardedTensor::fillPattern() {
  std::fill(bytes.begin(), bytes.end(), kPattern);
  takeSnapshot();
}

std::vector<float> GuardedTensor::contiguous() const {
  std::vector<float> out;
  const auto *base = static_cast<const unsigned char *>(layout.data);
  forEachRow([&](int64_t offset, int64_t count) {
    const unsigned char *p = base + offset * elementSize;
    for (int64_t i = 0; i < count; ++i, p += elementSize) {
      if (layout.dtype == SPATTN_F32) {
        float x;
        std::memcpy(&x, p, 4);
        out.push_back(x);
        continue;
      }
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      out.push_back(widenFrom(layout.dtype, bits));
    }
  });
  return out;
}

std::string GuardedTensor::changedBytes(bool outsideView) const {
  std::vector<unsigned char> expected = snapshot;
  if (outsideView) // the view's elements may hold anything
    forEachRow([&](int64_t offset, int64_t count) {
      size_t first = (guard + offset) * elementSize;
      std::memcpy(expected.data() + first, bytes.data() + first, count * elementSize);
    });
  if (std::memcmp(expected.data(), bytes.data(), bytes.size()) == 0)
    return "";
  size_t i = 0;
  while (expected[i] == bytes[i])
    ++i;
  return "byte " + std::to_string(static_cast<int64_t>(i) - guard * int64_t(elementSize)) +
         " (from the view's start) of a " + std::to_string(bytes.size()) +
         "-byte buffer changed";
}

} // namespace spattn::capifuzz
