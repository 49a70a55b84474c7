//===- PageBoundsTest.cpp - Decode with page bounds kept by the caller ----===//
//
// Libraries with a pages stage (examples/specs/quest.mlir, and
// test/e2e/specs/pages_mixed.mlir where stages, GQA groups and served heads
// do not line up): bounds built by <name>_update_page_bounds give
// <name>_attention_with_page_bounds the very bits of <name>_attention's O
// and LSE, from scratch at lengths around pages and bucket edges and in a
// decode loop that appends keys one and a few at a time to a strided KV
// cache; the bounds rows are the brute-force minima and maxima and rows
// past the last page stay untouched; every bad argument gets its status and
// a message.
//
//===----------------------------------------------------------------------===//
#include "LoadedLibrary.h"

#include "spattn/half_precision.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace spattn::test {
namespace {

constexpr float kUntouched = std::numeric_limits<float>::quiet_NaN();
constexpr int64_t kBatch = 2;

/// A loaded library with a pages stage, and its shapes.
struct PagesLibrary {
  std::unique_ptr<LoadedLibrary> lib;
  mlir::spattn::SpecConfig config;
  int32_t stage = -1; // its (last) pages stage
  int64_t page = 0;

  PagesLibrary(const std::string &name, const std::string &specFile)
      : lib(loadLibrary(name, specFile)) {
    if (!lib)
      return;
    config = mlir::spattn::SpecConfig::fromOp(lib->spec);
    for (int32_t s = 0; s < lib->numStages(); ++s)
      if (std::string(lib->stageKind(s)) == "pages")
        stage = s;
    if (stage >= 0 && lib->pageSize)
      page = lib->pageSize(stage);
  }
  bool ready() const {
    return lib && lib->updatePageBounds && lib->attentionWithPageBounds &&
           stage >= 0 && page > 0;
  }
  int64_t pages(int64_t length) const { return (length + page - 1) / page; }
};

/// O and LSE of one call.
struct Outputs {
  Tensor o, lse;
  Outputs(int64_t lq, const mlir::spattn::SpecConfig &c)
      : o({kBatch, c.numQHeads, lq, c.headDim}), lse({kBatch, c.numQHeads, lq}) {}
};

/// Index of the first element whose bits differ, or -1.
int64_t firstDifference(const std::vector<float> &a, const std::vector<float> &b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0)
      return static_cast<int64_t>(i);
  return -1;
}

/// Page bounds [B, Hkv, P, 2 * D] with `pad` floats after each row, all
/// kUntouched at first.
struct Bounds {
  std::vector<float> data;
  spattn_tensor desc;
  Bounds(int64_t kvHeads, int64_t pages, int64_t dim, int64_t pad = 0) {
    const int64_t row = 2 * dim + pad;
    data.assign(kBatch * kvHeads * pages * row, kUntouched);
    desc = spattn_contiguous(data.data(), SPATTN_F32, 4,
                             std::vector<int64_t>{kBatch, kvHeads, pages, 2 * dim}.data());
    desc.strides[2] = row;
    desc.strides[1] = pages * row;
    desc.strides[0] = kvHeads * pages * row;
  }
  const float *row(int64_t b, int64_t h, int64_t p) const {
    return data.data() + b * desc.strides[0] + h * desc.strides[1] +
           p * desc.strides[2];
  }
};

/// `t` (rank 4) viewed at its first `length` rows per head.
spattn_tensor firstRows(const spattn_tensor &t, int64_t length) {
  spattn_tensor view = t;
  view.shape[2] = length;
  return view;
}

/// Checks every row of `bounds` against the minima and maxima of `k`'s
/// keys (first `length`), and that rows past the last page are untouched.
void expectBruteForceBounds(const PagesLibrary &pl, const Tensor &k,
                            int64_t length, const Bounds &bounds) {
  const int64_t dim = pl.config.headDim;
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < pl.config.numKVHeads; ++h)
      for (int64_t p = 0; p < bounds.desc.shape[2]; ++p) {
        const float *row = bounds.row(b, h, p);
        for (int64_t d = 0; d < dim; ++d) {
          if (p >= pl.pages(length)) {
            ASSERT_TRUE(std::isnan(row[d]) && std::isnan(row[dim + d]))
                << "row " << p << " past the last page was written";
            continue;
          }
          float lo = std::numeric_limits<float>::infinity(), hi = -lo;
          for (int64_t j = p * pl.page; j < std::min(length, (p + 1) * pl.page); ++j) {
            lo = std::min(lo, k.at(b, h, j, d));
            hi = std::max(hi, k.at(b, h, j, d));
          }
          ASSERT_EQ(row[d], lo) << "b " << b << " h " << h << " page " << p;
          ASSERT_EQ(row[dim + d], hi) << "b " << b << " h " << h << " page " << p;
        }
      }
}

/// Runs attention with and without `bounds` (at pages stage pl.stage;
/// `others` at the other stages) on these views; expects the same bits.
void expectSameBits(const PagesLibrary &pl, const spattn_tensor &q,
                    const spattn_tensor &k, const spattn_tensor &v,
                    const spattn_tensor *bounds, const std::string &where,
                    const spattn_tensor *others = nullptr) {
  const int64_t lq = q.shape[2];
  Outputs plain(lq, pl.config), withBounds(lq, pl.config);
  ASSERT_EQ(pl.lib->attention(&q, &k, &v, &plain.o.desc, &plain.lse.desc, nullptr),
            SPATTN_OK)
      << pl.lib->lastError();
  std::vector<const spattn_tensor *> entries(pl.lib->numStages(), others);
  entries[pl.stage] = bounds;
  ASSERT_EQ(pl.lib->attentionWithPageBounds(&q, &k, &v, &withBounds.o.desc,
                                            &withBounds.lse.desc, entries.data(),
                                            nullptr),
            SPATTN_OK)
      << pl.lib->lastError();
  EXPECT_EQ(firstDifference(withBounds.o.data, plain.o.data), -1) << "O, " << where;
  EXPECT_EQ(firstDifference(withBounds.lse.data, plain.lse.data), -1)
      << "LSE, " << where;
}

/// `t` rounded to fp16: its values become the fp16 ones, stored in `bits`,
/// and the descriptor of those.
spattn_tensor toHalf(Tensor &t, std::vector<uint16_t> &bits) {
  bits.resize(t.data.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    bits[i] = floatToHalf(t.data[i]);
    t.data[i] = halfToFloat(bits[i]);
  }
  spattn_tensor d = t.desc;
  d.data = bits.data();
  d.dtype = SPATTN_F16;
  return d;
}

/// expectSameBits for fp16 Q, K and V (contiguous Q; O in fp16, no LSE).
void expectSameHalfBits(const PagesLibrary &pl, const spattn_tensor &qh,
                        const spattn_tensor &kh, const spattn_tensor &vh,
                        const spattn_tensor *bounds, const std::string &where) {
  std::vector<uint16_t> plain(kBatch * pl.config.numQHeads * qh.shape[2] *
                              pl.config.headDim),
      withBounds(plain.size());
  spattn_tensor o1 = qh, o2 = qh;
  o1.data = plain.data();
  o2.data = withBounds.data();
  ASSERT_EQ(pl.lib->attention(&qh, &kh, &vh, &o1, nullptr, nullptr), SPATTN_OK)
      << pl.lib->lastError();
  std::vector<const spattn_tensor *> entries(pl.lib->numStages(), nullptr);
  entries[pl.stage] = bounds;
  ASSERT_EQ(pl.lib->attentionWithPageBounds(&qh, &kh, &vh, &o2, nullptr, entries.data(),
                                            nullptr),
            SPATTN_OK)
      << pl.lib->lastError();
  EXPECT_EQ(plain, withBounds) << where;
}

PagesLibrary quest() {
  return PagesLibrary("quest", std::string(SPATTN_EXAMPLES_DIR) + "/quest.mlir");
}

TEST(PageBounds, QuestDeclaresItsPagesStage) {
  PagesLibrary pl = quest();
  ASSERT_TRUE(pl.ready());
  EXPECT_EQ(pl.page, 16);
  EXPECT_EQ(pl.lib->pageSize(-1), 0);
  EXPECT_EQ(pl.lib->pageSize(pl.lib->numStages()), 0);
}

TEST(PageBounds, BoundsFromScratchGiveTheSameBits) {
  PagesLibrary pl = quest();
  ASSERT_TRUE(pl.ready());
  const mlir::spattn::SpecConfig &c = pl.config;
  uint32_t seed = 1;
  // Around pages (16) and the first two bucket edges (4096, 16384).
  for (int64_t lk : {1, 2, 15, 16, 17, 33, 255, 4095, 4096, 4097, 16385}) {
    Tensor k({kBatch, c.numKVHeads, lk, c.headDim}), v({kBatch, c.numKVHeads, lk, c.headDim});
    k.randomize(seed++);
    v.randomize(seed++);
    // A buffer with room for more pages, padded rows for odd lengths.
    Bounds bounds(c.numKVHeads, pl.pages(lk) + 2, c.headDim, lk % 2 ? 5 : 0);
    ASSERT_EQ(pl.lib->updatePageBounds(&k.desc, 0, pl.stage, &bounds.desc), SPATTN_OK)
        << pl.lib->lastError();
    expectBruteForceBounds(pl, k, lk, bounds);
    for (int64_t lq : {int64_t(1), std::min<int64_t>(2, lk), std::min<int64_t>(5, lk)}) {
      Tensor q({kBatch, c.numQHeads, lq, c.headDim});
      q.randomize(seed++);
      expectSameBits(pl, q.desc, k.desc, v.desc, &bounds.desc,
                     "Lq " + std::to_string(lq) + " Lk " + std::to_string(lk));
      // Null entries and a null array compute the bounds from K.
      expectSameBits(pl, q.desc, k.desc, v.desc, nullptr, "null entry");
    }
  }
}

TEST(PageBounds, IncrementalDecodeMatchesAtEveryStep) {
  PagesLibrary pl = quest();
  ASSERT_TRUE(pl.ready());
  const mlir::spattn::SpecConfig &c = pl.config;
  // A KV cache with room for `capacity` keys, appended to at its end.
  const int64_t capacity = 4200;
  Tensor kCache({kBatch, c.numKVHeads, capacity, c.headDim}),
      vCache({kBatch, c.numKVHeads, capacity, c.headDim});
  kCache.randomize(11);
  vCache.randomize(12);
  Bounds bounds(c.numKVHeads, pl.pages(capacity), c.headDim);
  const int64_t steps[] = {1, 1, 3, 1, 7, 2, 16, 1, 5, 33, 1, 15, 17};
  int64_t length = 0;
  uint32_t seed = 20;
  for (int64_t step = 0; length < capacity; ++step) {
    // Past 300 keys, one long append up to the first bucket's edge.
    int64_t added = length >= 300 && length < 4090 ? 4090 - length : steps[step % 13];
    const int64_t next = std::min(capacity, length + added);
    spattn_tensor k = firstRows(kCache.desc, next), v = firstRows(vCache.desc, next);
    ASSERT_EQ(pl.lib->updatePageBounds(&k, length, pl.stage, &bounds.desc), SPATTN_OK)
        << pl.lib->lastError();
    length = next;
    const int64_t lq = step % 4 == 3 ? std::min<int64_t>(3, length) : 1;
    Tensor q({kBatch, c.numQHeads, lq, c.headDim});
    q.randomize(seed++);
    expectSameBits(pl, q.desc, k, v, &bounds.desc, "Lk " + std::to_string(length));
    if (HasFailure())
      return;
  }
  expectBruteForceBounds(pl, kCache, capacity, bounds);
}

TEST(PageBounds, HalfPrecisionCallsGetTheSameBits) {
  // quest is an f16 spec: bounds kept from the f16 K itself (a 16-bit KV
  // cache) equal those of its float32 values and serve calls on the f16
  // tensors.
  PagesLibrary pl = quest();
  ASSERT_TRUE(pl.ready());
  const mlir::spattn::SpecConfig &c = pl.config;
  const int64_t lk = 1000;
  Tensor q({kBatch, c.numQHeads, 1, c.headDim}), k({kBatch, c.numKVHeads, lk, c.headDim}),
      v({kBatch, c.numKVHeads, lk, c.headDim});
  q.randomize(31);
  k.randomize(32);
  v.randomize(33);
  std::vector<uint16_t> qBits, kBits, vBits;
  spattn_tensor qh = toHalf(q, qBits), kh = toHalf(k, kBits), vh = toHalf(v, vBits);
  Bounds bounds(c.numKVHeads, pl.pages(lk), c.headDim),
      floatBounds(c.numKVHeads, pl.pages(lk), c.headDim);
  ASSERT_EQ(pl.lib->updatePageBounds(&kh, 0, pl.stage, &bounds.desc), SPATTN_OK)
      << pl.lib->lastError();
  ASSERT_EQ(pl.lib->updatePageBounds(&k.desc, 0, pl.stage, &floatBounds.desc),
            SPATTN_OK)
      << pl.lib->lastError();
  EXPECT_EQ(bounds.data, floatBounds.data);
  expectSameHalfBits(pl, qh, kh, vh, &bounds.desc, "float32 bounds of fp16 K");
}

TEST(PageBounds, BoundsInKsSixteenBitDtypeGiveTheSameBits) {
  // An fp16 KV cache whose bounds are kept in fp16 too (half the memory of
  // float32 bounds): they hold exactly the float32 bounds' values, padding
  // and rows past the last page stay untouched, and every step of a decode
  // loop that appends keys gets the bits of the call without bounds.
  PagesLibrary pl = quest();
  ASSERT_TRUE(pl.ready());
  const mlir::spattn::SpecConfig &c = pl.config;
  const int64_t capacity = 1100, pad = 3, rowStride = 2 * c.headDim + pad;
  const int64_t pages = pl.pages(capacity) + 1;
  Tensor kCache({kBatch, c.numKVHeads, capacity, c.headDim}),
      vCache({kBatch, c.numKVHeads, capacity, c.headDim});
  kCache.randomize(61);
  vCache.randomize(62);
  std::vector<uint16_t> kBits, vBits, qBits;
  const spattn_tensor kh = toHalf(kCache, kBits), vh = toHalf(vCache, vBits);
  constexpr uint16_t kUntouchedHalf = 0x7e01; // a NaN no update writes
  std::vector<uint16_t> kept(kBatch * c.numKVHeads * pages * rowStride, kUntouchedHalf);
  spattn_tensor bounds = spattn_contiguous(
      kept.data(), SPATTN_F16, 4,
      std::vector<int64_t>{kBatch, c.numKVHeads, pages, 2 * c.headDim}.data());
  bounds.strides[2] = rowStride;
  bounds.strides[1] = pages * rowStride;
  bounds.strides[0] = c.numKVHeads * pages * rowStride;
  int64_t length = 0;
  uint32_t seed = 63;
  for (int64_t added : {1, 1, 14, 1, 17, 300, 5, 661, 100}) {
    const int64_t next = length + added;
    spattn_tensor k = firstRows(kh, next), v = firstRows(vh, next);
    ASSERT_EQ(pl.lib->updatePageBounds(&k, length, pl.stage, &bounds), SPATTN_OK)
        << pl.lib->lastError();
    length = next;
    Tensor q({kBatch, c.numQHeads, 1, c.headDim});
    q.randomize(seed++);
    expectSameHalfBits(pl, toHalf(q, qBits), k, v, &bounds,
                       "Lk " + std::to_string(length));
  }
  ASSERT_EQ(length, capacity);
  // Every row against float32 bounds of the same (fp16-valued) keys.
  Bounds floats(c.numKVHeads, pages, c.headDim);
  ASSERT_EQ(pl.lib->updatePageBounds(&kCache.desc, 0, pl.stage, &floats.desc), SPATTN_OK)
      << pl.lib->lastError();
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < c.numKVHeads; ++h)
      for (int64_t p = 0; p < pages; ++p) {
        const uint16_t *row =
            kept.data() + b * bounds.strides[0] + h * bounds.strides[1] + p * rowStride;
        for (int64_t d = 0; d < rowStride; ++d) {
          const bool written = p < pl.pages(capacity) && d < 2 * c.headDim;
          ASSERT_EQ(row[d],
                    written ? floatToHalf(floats.row(b, h, p)[d]) : kUntouchedHalf)
              << "b " << b << " h " << h << " page " << p << " element " << d;
          if (written)
            ASSERT_EQ(halfToFloat(row[d]), floats.row(b, h, p)[d]);
        }
      }
}

/// Every bad argument of the page bounds entry points gets its status and a
/// message naming the problem.
class PageBoundsBadCalls : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(pl.ready());
    k.randomize(41);
    v.randomize(42);
    q.randomize(43);
    ASSERT_EQ(update(0), SPATTN_OK) << pl.lib->lastError();
  }

  int update(int64_t firstKey, int32_t stage = -1) {
    return pl.lib->updatePageBounds(&k.desc, firstKey, stage < 0 ? pl.stage : stage,
                                    &bounds.desc);
  }
  int attend() {
    std::vector<const spattn_tensor *> entries(pl.lib->numStages(), nullptr);
    entries[pl.stage] = &bounds.desc;
    return pl.lib->attentionWithPageBounds(&q.desc, &k.desc, &v.desc, &o.desc,
                                           nullptr, entries.data(), nullptr);
  }
  /// Expects `status` and a message containing `what` from both entry
  /// points (update: `updateToo`), then restores the bounds descriptor.
  void expectFailure(int status, const std::string &what, bool updateToo = true) {
    int calls[] = {attend(), updateToo ? update(0) : status};
    for (int got : calls) {
      EXPECT_EQ(got, status) << pl.lib->lastError();
      EXPECT_NE(std::string(pl.lib->lastError()).find(what), std::string::npos)
          << "message: " << pl.lib->lastError();
    }
    bounds.desc = good;
  }

  PagesLibrary pl = quest();
  const mlir::spattn::SpecConfig &c = pl.config;
  static constexpr int64_t lk = 40; // 3 pages
  Tensor q{{kBatch, c.numQHeads, 1, c.headDim}}, k{{kBatch, c.numKVHeads, lk, c.headDim}},
      v{{kBatch, c.numKVHeads, lk, c.headDim}}, o{{kBatch, c.numQHeads, 1, c.headDim}};
  Bounds bounds{c.numKVHeads, 3, c.headDim};
  const spattn_tensor good = bounds.desc;
};

TEST_F(PageBoundsBadCalls, ValidCallsSucceed) {
  EXPECT_EQ(attend(), SPATTN_OK) << pl.lib->lastError();
  EXPECT_STREQ(pl.lib->lastError(), "");
  EXPECT_EQ(update(lk), SPATTN_OK) << "first_key = Lk updates nothing";
  EXPECT_EQ(update(17), SPATTN_OK);
}

TEST_F(PageBoundsBadCalls, NullPointers) {
  EXPECT_EQ(pl.lib->updatePageBounds(nullptr, 0, pl.stage, &bounds.desc),
            SPATTN_ERROR_NULL);
  EXPECT_EQ(pl.lib->updatePageBounds(&k.desc, 0, pl.stage, nullptr), SPATTN_ERROR_NULL);
  EXPECT_NE(std::string(pl.lib->lastError()).find("bounds is null"), std::string::npos);
  bounds.desc.data = nullptr;
  expectFailure(SPATTN_ERROR_NULL, "->data is null");
}

TEST_F(PageBoundsBadCalls, Dtype) {
  // 16-bit bounds only hold the values of K in that dtype.
  bounds.desc.dtype = SPATTN_F16;
  expectFailure(SPATTN_ERROR_DTYPE,
                "must be float32 (what the host reads for this K), got float16");
  bounds.desc.dtype = static_cast<spattn_dtype>(7);
  expectFailure(SPATTN_ERROR_DTYPE, "must be float32");
  // With fp16 K: float32 or fp16 bounds, not bf16.
  std::vector<uint16_t> kBits, vBits, qBits, oBits(q.data.size());
  spattn_tensor kh = toHalf(k, kBits), vh = toHalf(v, vBits), qh = toHalf(q, qBits);
  spattn_tensor oh = qh;
  oh.data = oBits.data();
  std::vector<uint16_t> narrow(bounds.data.size());
  spattn_tensor bh = good;
  bh.data = narrow.data();
  bh.dtype = SPATTN_BF16;
  std::vector<const spattn_tensor *> entries(pl.lib->numStages(), nullptr);
  entries[pl.stage] = &bh;
  EXPECT_EQ(pl.lib->updatePageBounds(&kh, 0, pl.stage, &bh), SPATTN_ERROR_DTYPE);
  EXPECT_NE(std::string(pl.lib->lastError())
                .find("must be float32, float16 (what the host reads for this K)"),
            std::string::npos)
      << pl.lib->lastError();
  EXPECT_EQ(pl.lib->attentionWithPageBounds(&qh, &kh, &vh, &oh, nullptr, entries.data(),
                                            nullptr),
            SPATTN_ERROR_DTYPE);
  bh.dtype = SPATTN_F16;
  EXPECT_EQ(pl.lib->updatePageBounds(&kh, 0, pl.stage, &bh), SPATTN_OK)
      << pl.lib->lastError();
  EXPECT_EQ(pl.lib->attentionWithPageBounds(&qh, &kh, &vh, &oh, nullptr, entries.data(),
                                            nullptr),
            SPATTN_OK)
      << pl.lib->lastError();
  bounds.desc.dtype = SPATTN_F32;
  // K may be float32, bf16 or fp16 (the bounds of a 16-bit cache), nothing else.
  spattn_tensor kOther = k.desc;
  kOther.dtype = static_cast<spattn_dtype>(7);
  EXPECT_EQ(pl.lib->updatePageBounds(&kOther, 0, pl.stage, &bounds.desc),
            SPATTN_ERROR_DTYPE);
  EXPECT_NE(std::string(pl.lib->lastError()).find("takes float32, float16, bfloat16"),
            std::string::npos)
      << pl.lib->lastError();
}

TEST_F(PageBoundsBadCalls, Shapes) {
  bounds.desc.rank = 3;
  expectFailure(SPATTN_ERROR_SHAPE, "rank 4");
  bounds.desc.shape[0] = 1;
  expectFailure(SPATTN_ERROR_SHAPE, "[B, Hkv, P >= ceil(Lk / 16), 2 * D]");
  bounds.desc.shape[1] = c.numKVHeads - 1;
  expectFailure(SPATTN_ERROR_SHAPE, "[2, 8, >= 3, 256]");
  bounds.desc.shape[3] = c.headDim;
  expectFailure(SPATTN_ERROR_SHAPE, "got [2, 8, 3, 128]");
  bounds.desc.shape[2] = 2; // 40 keys need 3 pages
  expectFailure(SPATTN_ERROR_SHAPE, ">= 3");
  bounds.desc.shape[2] = 0;
  expectFailure(SPATTN_ERROR_SHAPE, "non-positive size");
  spattn_tensor kWide = k.desc;
  kWide.shape[3] = 64;
  EXPECT_EQ(pl.lib->updatePageBounds(&kWide, 0, pl.stage, &bounds.desc),
            SPATTN_ERROR_SHAPE);
  kWide = k.desc;
  kWide.shape[1] = 4;
  EXPECT_EQ(pl.lib->updatePageBounds(&kWide, 0, pl.stage, &bounds.desc),
            SPATTN_ERROR_SHAPE);
}

TEST_F(PageBoundsBadCalls, Strides) {
  bounds.desc.strides[3] = 2;
  expectFailure(SPATTN_ERROR_STRIDE, "unit innermost stride");
  bounds.desc.strides[1] = -1;
  expectFailure(SPATTN_ERROR_STRIDE, "negative stride");
  // Rows that overlap cannot be written; reading them is harmless.
  bounds.desc.strides[2] = 1;
  EXPECT_EQ(update(0), SPATTN_ERROR_STRIDE);
  EXPECT_NE(std::string(pl.lib->lastError()).find("overlapping"), std::string::npos);
}

TEST_F(PageBoundsBadCalls, Arguments) {
  EXPECT_EQ(update(-1), SPATTN_ERROR_ARGUMENT);
  EXPECT_NE(std::string(pl.lib->lastError()).find("first_key"), std::string::npos);
  EXPECT_EQ(update(lk + 1), SPATTN_ERROR_ARGUMENT);
  EXPECT_EQ(pl.lib->updatePageBounds(&k.desc, 0, -1, &bounds.desc),
            SPATTN_ERROR_ARGUMENT);
  EXPECT_NE(std::string(pl.lib->lastError()).find("not a pages stage"),
            std::string::npos);
  EXPECT_EQ(pl.lib->updatePageBounds(&k.desc, 0, pl.lib->numStages(), &bounds.desc),
            SPATTN_ERROR_ARGUMENT);
  bounds.desc.memory = SPATTN_MEMORY_CUDA;
  expectFailure(SPATTN_ERROR_ARGUMENT, "page bounds live with K");
  // The checks of attention still come first.
  q.desc.shape[3] = 64;
  expectFailure(SPATTN_ERROR_SHAPE, "head_dim", false);
}

TEST(PageBounds, StagesAndServedHeadsLineUp) {
  // Stage 0 top-k blocks (query head 0), stage 1 pages (heads 1-3): kv
  // head 0's pages stage serves one of its two query heads.
  PagesLibrary pl("pages_mixed", std::string(SPATTN_E2E_SPECS_DIR) + "/pages_mixed.mlir");
  ASSERT_TRUE(pl.ready());
  const mlir::spattn::SpecConfig &c = pl.config;
  ASSERT_EQ(pl.stage, 1);
  EXPECT_EQ(pl.page, 8);
  EXPECT_EQ(pl.lib->pageSize(0), 0);
  Tensor k({kBatch, c.numKVHeads, 9, c.headDim});
  Bounds bounds(c.numKVHeads, 2, c.headDim);
  EXPECT_EQ(pl.lib->updatePageBounds(&k.desc, 0, 0, &bounds.desc), SPATTN_ERROR_ARGUMENT);
  EXPECT_NE(std::string(pl.lib->lastError()).find("stage 0 is not a pages stage"),
            std::string::npos);
  // An entry for a stage that is not pages is ignored, valid or not.
  Tensor ignored({1});
  ignored.desc.dtype = SPATTN_F16;
  uint32_t seed = 50;
  for (int64_t lk : {1, 8, 9, 64, 255, 256, 257, 1001, 2048}) {
    Tensor k({kBatch, c.numKVHeads, lk, c.headDim}), v({kBatch, c.numKVHeads, lk, c.headDim});
    k.randomize(seed++);
    v.randomize(seed++);
    Bounds bounds(c.numKVHeads, pl.pages(lk), c.headDim);
    ASSERT_EQ(pl.lib->updatePageBounds(&k.desc, 0, pl.stage, &bounds.desc), SPATTN_OK)
        << pl.lib->lastError();
    expectBruteForceBounds(pl, k, lk, bounds);
    for (int64_t lq : {int64_t(1), std::min<int64_t>(2, lk), std::min<int64_t>(33, lk)}) {
      Tensor q({kBatch, c.numQHeads, lq, c.headDim});
      q.randomize(seed++);
      expectSameBits(pl, q.desc, k.desc, v.desc, &bounds.desc,
                     "Lq " + std::to_string(lq) + " Lk " + std::to_string(lk),
                     &ignored.desc);
    }
  }
}

} // namespace
} // namespace spattn::test
