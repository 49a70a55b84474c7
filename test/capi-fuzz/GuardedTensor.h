//===- GuardedTensor.h - A strided tensor with guard zones ------*- C++ -*-===//
//
// A tensor in host memory laid out by arbitrary valid strides (transposed,
// padded, broadcast with zero strides, any stride on a size-1 dimension),
// in its own allocation of exactly the bytes its view spans plus `guard`
// elements on each side, so AddressSanitizer flags a read past an input and
// a snapshot comparison any write outside an output's elements. The call
// receives `desc`, which mutations may make invalid; `view` keeps the
// layout the buffer was made for.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_GUARDEDTENSOR_H
#define SPATTN_TEST_CAPIFUZZ_GUARDEDTENSOR_H

#include "Random.h"

#include "spattn/runtime.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace spattn::capifuzz {

/// Strides of a valid view of `shape` (rank 3 or 4, innermost stride 1):
/// the outer dimensions in a random order, sometimes padded; `broadcast`
/// allows zero strides (inputs only); a size-1 batch or head dimension
/// sometimes gets a huge stride, which no element ever multiplies.
std::array<int64_t, 4> randomStrides(const std::vector<int64_t> &shape,
                                     bool broadcast, Random &random);

class GuardedTensor {
public:
  /// `shape` with `strides` in `dtype` (float32, float16 or bfloat16).
  GuardedTensor(const std::vector<int64_t> &shape,
                const std::array<int64_t, 4> &strides, spattn_dtype dtype,
                int64_t guard);

  /// Random values in every element (rounded to the dtype); guards and gaps
  /// get a fixed pattern. Takes the snapshot `unchanged` compares against.
  void fillValues(Random &random);
  /// Everything the fixed pattern; takes the snapshot.
  void fillPattern();
  /// What changedBytes compares against: the bytes now.
  void takeSnapshot() { snapshot = bytes; }
  /// The view's elements in row-major order, as float.
  std::vector<float> contiguous() const;

  /// Empty if no byte differs from the snapshot, else where one does.
  /// `outsideView`: only bytes that no element of the view covers.
  std::string changedBytes(bool outsideView) const;

  spattn_tensor desc;
  const spattn_tensor &view() const { return layout; }

private:
  int64_t elementOffset(int64_t b, int64_t h, int64_t l, int64_t d) const;
  /// fn(offset, count) for each run of `count` consecutive elements.
  template <typename Fn> void forEachRow(Fn fn) const;

  spattn_tensor layout;
  size_t elementSize;
  int64_t guard; // elements before the view's first one
  std::vector<unsigned char> bytes, snapshot;
};

} // namespace spattn::capifuzz

#endif
