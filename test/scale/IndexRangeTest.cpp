//===- IndexRangeTest.cpp - Calls past the index range are refused --------===//
//
// The index range of runtime.h: lengths, query rows, element offsets and
// row strides past their limits get their status and a message naming the
// limit. The descriptors claim huge tensors over a small real buffer: a
// call that wrapped an index instead of refusing would read or write far
// outside it (and ASan or the MMU would say so).
//
//===----------------------------------------------------------------------===//
#include "LoadedLibrary.h"

#include <gtest/gtest.h>

#include <string>

namespace spattn::test {
namespace {

constexpr int64_t kBig = int64_t{1} << 62;

class IndexRange : public ::testing::Test {
protected:
  void SetUp() override {
    lib = loadLibrary("scale_window", std::string(SPATTN_SCALE_SPECS_DIR) +
                                          "/scale_window.mlir");
    ASSERT_TRUE(lib);
  }

  /// Expects `status` from attention and a message mentioning `limit`.
  void expectRefused(int status, const std::string &limit) {
    int got = lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, &lse.desc, nullptr);
    EXPECT_EQ(got, status) << lib->lastError();
    EXPECT_NE(std::string(lib->lastError()).find(limit), std::string::npos)
        << "message: " << lib->lastError();
  }

  // scale_window: 4 query heads, 1 kv head, head_dim 64.
  std::unique_ptr<LoadedLibrary> lib;
  Tensor q{{1, 4, 8, 64}}, k{{1, 1, 16, 64}}, v{{1, 1, 16, 64}},
      o{{1, 4, 8, 64}}, lse{{1, 4, 8}};
};

TEST_F(IndexRange, SmallCallSucceeds) {
  EXPECT_EQ(lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, &lse.desc, nullptr),
            SPATTN_OK)
      << lib->lastError();
}

TEST_F(IndexRange, LengthsAboveTheLongest) {
  k.desc.shape[2] = v.desc.shape[2] = SPATTN_MAX_LENGTH + 1;
  expectRefused(SPATTN_ERROR_LENGTH, "SPATTN_MAX_LENGTH");
  // Far above: refused as a length, not wrapped into an offset.
  k.desc.shape[2] = v.desc.shape[2] = kBig;
  expectRefused(SPATTN_ERROR_LENGTH, "SPATTN_MAX_LENGTH");
  k.desc.shape[2] = v.desc.shape[2] = 16;
  lse.desc.shape[2] = q.desc.shape[2] = o.desc.shape[2] = kBig;
  expectRefused(SPATTN_ERROR_LENGTH, "SPATTN_MAX_LENGTH");
}

TEST_F(IndexRange, QueryRowsAboveTheLimit) {
  // 2^28 batch elements of broadcast Q and K (stride 0) and an O whose
  // offsets still fit: 2^28 * 4 * 8 = 2^33 query rows.
  const int64_t batch = int64_t{1} << 28;
  for (Tensor *t : {&q, &k, &v}) {
    t->desc.shape[0] = batch;
    t->desc.strides[0] = 0;
  }
  o.desc.shape[0] = lse.desc.shape[0] = batch;
  expectRefused(SPATTN_ERROR_SHAPE, "SPATTN_MAX_QUERY_ROWS");
}

TEST_F(IndexRange, ElementOffsetsAboveTheLimit) {
  // One stride past 2^48, and strides whose offsets overflow int64.
  k.desc.shape[0] = v.desc.shape[0] = q.desc.shape[0] = 2;
  o.desc.shape[0] = lse.desc.shape[0] = 2;
  k.desc.strides[0] = int64_t{1} << 48;
  expectRefused(SPATTN_ERROR_STRIDE, "SPATTN_MAX_ELEMENT_OFFSET");
  k.desc.strides[0] = INT64_MAX;
  expectRefused(SPATTN_ERROR_STRIDE, "SPATTN_MAX_ELEMENT_OFFSET");
  k.desc.strides[0] = 0;
  // An output whose overlap check would overflow (3 * 2^62).
  o.desc.strides[1] = kBig;
  expectRefused(SPATTN_ERROR_STRIDE, "SPATTN_MAX_ELEMENT_OFFSET");
}

TEST_F(IndexRange, TensorsWithTooManyElements) {
  // A contiguous descriptor of 2^62 heads: its batch stride saturates
  // instead of wrapping, and the shape is refused.
  const int64_t shape[4] = {4, kBig, 16, 64};
  k.desc = spattn_contiguous(k.data.data(), SPATTN_F32, 4, shape);
  EXPECT_EQ(k.desc.strides[0], INT64_MAX);
  expectRefused(SPATTN_ERROR_SHAPE, "SPATTN_MAX_ELEMENT_OFFSET");
}

TEST_F(IndexRange, RowStridesAboveTheLimit) {
  // Halide views K rows in 32 bits: a stride of 2^32 + 64 must not read
  // as 64.
  for (int64_t stride : {SPATTN_MAX_ROW_STRIDE + 1, (int64_t{1} << 32) + 64}) {
    k.desc.strides[2] = stride;
    k.desc.strides[1] = k.desc.strides[0] = 16 * stride;
    expectRefused(SPATTN_ERROR_STRIDE, "SPATTN_MAX_ROW_STRIDE");
  }
  k = Tensor({1, 1, 16, 64});
  v.desc.strides[2] = SPATTN_MAX_ROW_STRIDE + 1;
  v.desc.strides[1] = v.desc.strides[0] = 16 * v.desc.strides[2];
  expectRefused(SPATTN_ERROR_STRIDE, "SPATTN_MAX_ROW_STRIDE");
}

TEST_F(IndexRange, SelectionQueriesCheckTheSameRange) {
  k.desc.shape[2] = kBig;
  spattn_selection selection;
  EXPECT_EQ(lib->selection(&q.desc, &k.desc, 0, 0, 0, nullptr, &selection),
            SPATTN_ERROR_LENGTH);
  EXPECT_NE(std::string(lib->lastError()).find("SPATTN_MAX_LENGTH"),
            std::string::npos)
      << lib->lastError();
}

} // namespace
} // namespace spattn::test
