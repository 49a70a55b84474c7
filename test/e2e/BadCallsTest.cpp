//===- BadCallsTest.cpp - Bad calls get a status and a message ------------===//
//
// Every malformed call into a generated library returns its status code and
// a message naming the problem; none crashes or writes outside O / LSE.
// Also: strided (non-contiguous) inputs give the contiguous result.
//
//===----------------------------------------------------------------------===//
#include "ReferenceCheck.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <sys/mman.h>

namespace spattn::test {
namespace {

class BadCalls : public ::testing::Test {
protected:
  void SetUp() override {
    lib = loadLibrary("streaming_llm",
                      std::string(SPATTN_EXAMPLES_DIR) + "/streaming_llm.mlir");
    ASSERT_TRUE(lib);
  }

  /// Calls the library and expects `status` and a message mentioning `what`.
  void expectFailure(int status, const std::string &what) {
    int got = lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, lsePtr, options);
    EXPECT_EQ(got, status) << lib->lastError();
    EXPECT_NE(std::string(lib->lastError()).find(what), std::string::npos)
        << "message: " << lib->lastError();
  }

  std::unique_ptr<LoadedLibrary> lib;
  Tensor q{{1, 32, 8, 128}}, k{{1, 8, 16, 128}}, v{{1, 8, 16, 128}},
      o{{1, 32, 8, 128}}, lse{{1, 32, 8}};
  spattn_tensor *lsePtr = &lse.desc;
  const spattn_options *options = nullptr;
};

TEST_F(BadCalls, ValidCallSucceeds) {
  EXPECT_EQ(lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, lsePtr, nullptr),
            SPATTN_OK);
  EXPECT_STREQ(lib->lastError(), "");
}

TEST_F(BadCalls, NullPointers) {
  EXPECT_EQ(lib->attention(nullptr, &k.desc, &v.desc, &o.desc, lsePtr, nullptr),
            SPATTN_ERROR_NULL);
  EXPECT_EQ(lib->attention(&q.desc, &k.desc, &v.desc, nullptr, lsePtr, nullptr),
            SPATTN_ERROR_NULL);
  v.desc.data = nullptr;
  expectFailure(SPATTN_ERROR_NULL, "v->data");
}

TEST_F(BadCalls, Shapes) {
  q.desc.rank = 3;
  expectFailure(SPATTN_ERROR_SHAPE, "rank 4");
  q.desc.rank = 4;
  q.desc.shape[3] = 64; // head_dim 64, spec has 128
  expectFailure(SPATTN_ERROR_SHAPE, "head_dim must be 128");
  q.desc.shape[3] = 128;
  k.desc.shape[1] = v.desc.shape[1] = 4; // kv heads
  expectFailure(SPATTN_ERROR_SHAPE, "8 kv heads");
  k.desc.shape[1] = v.desc.shape[1] = 8;
  v.desc.shape[2] = 15;
  expectFailure(SPATTN_ERROR_SHAPE, "v must have k's shape");
  v.desc.shape[2] = 16;
  o.desc.shape[2] = 7;
  expectFailure(SPATTN_ERROR_SHAPE, "o must have q's shape");
  o.desc.shape[2] = 8;
  lse.desc.shape[2] = 9;
  expectFailure(SPATTN_ERROR_SHAPE, "lse must be");
  lse.desc.shape[2] = 8;
  k.desc.shape[0] = v.desc.shape[0] = 2;
  expectFailure(SPATTN_ERROR_SHAPE, "batch sizes differ");
}

TEST_F(BadCalls, ZeroAndUnsupportedLengths) {
  k.desc.shape[2] = v.desc.shape[2] = 0;
  expectFailure(SPATTN_ERROR_SHAPE, "non-positive size");
  k.desc.shape[2] = v.desc.shape[2] = 4; // Lq = 8 > Lk = 4
  expectFailure(SPATTN_ERROR_LENGTH, "must not exceed Lk");
  Tensor longK({1, 8, 131073, 128}), longV({1, 8, 131073, 128});
  k = std::move(longK);
  v = std::move(longV);
  expectFailure(SPATTN_ERROR_LENGTH, "above the last bucket (131072)");
}

/// A half-precision call is widened to float32 copies of Q, K and V; a
/// length above the last bucket must be refused before that copy reads
/// them (it read past K and V: found by test/capi-fuzz). K and V here live
/// in memory that faults on any read.
TEST_F(BadCalls, LengthRefusedBeforeHalfPrecisionInputsAreRead) {
  const size_t bytes = 4096;
  void *unreadable = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(unreadable, MAP_FAILED);
  for (Tensor *t : {&q, &k, &v, &o})
    t->desc.dtype = SPATTN_F16; // the spec's dtype: the library takes it
  k.desc.data = v.desc.data = unreadable;
  k.desc.shape[2] = v.desc.shape[2] = 131073;
  expectFailure(SPATTN_ERROR_LENGTH, "above the last bucket (131072)");
  munmap(unreadable, bytes);
}

TEST_F(BadCalls, StridesAndDtype) {
  q.desc.strides[3] = 2;
  expectFailure(SPATTN_ERROR_STRIDE, "unit innermost stride");
  q.desc.strides[3] = 1;
  k.desc.strides[2] = -128;
  expectFailure(SPATTN_ERROR_STRIDE, "negative stride");
  k.desc.strides[2] = 128;
  o.desc.strides[1] = 0; // every head would write the same rows
  expectFailure(SPATTN_ERROR_STRIDE, "overlapping");
  o.desc.strides[1] = 8 * 128;
  v.desc.dtype = SPATTN_BF16;
  expectFailure(SPATTN_ERROR_DTYPE, "float32");
  v.desc.dtype = SPATTN_F32;
  // What the library takes is its target's rule: the cpu target reads
  // float32 and the spec's dtype (here float16) in host memory, and no
  // target here reads CUDA memory.
  for (Tensor *t : {&q, &k, &v, &o})
    t->desc.dtype = SPATTN_BF16;
  expectFailure(SPATTN_ERROR_DTYPE, "the cpu target does not take");
  for (Tensor *t : {&q, &k, &v, &o})
    t->desc.dtype = SPATTN_F32;
  k.desc.memory = SPATTN_MEMORY_CUDA;
  expectFailure(SPATTN_ERROR_ARGUMENT, "the cpu target reads host memory");
  k.desc.memory = SPATTN_MEMORY_HOST;
  q.desc.memory = SPATTN_MEMORY_CUDA;
  expectFailure(SPATTN_ERROR_ARGUMENT, "no target of this library (cpu)");
  q.desc.memory = SPATTN_MEMORY_HOST;
}

/// A C caller may store any int in an enum field. Out-of-range values are
/// refused, read as the ints they are: loaded as the enum type they are
/// undefined in C++ (UBSan's enum check, in the ASan lane), and clang folds
/// the `dtype < 32` test of a spattn_dtype away, which would take dtype 32
/// for float32.
TEST_F(BadCalls, OutOfRangeEnumValues) {
  auto store = [](auto &field, int32_t value) {
    std::memcpy(&field, &value, sizeof value);
  };
  for (Tensor *t : {&q, &k, &v, &o})
    store(t->desc.dtype, 32);
  expectFailure(SPATTN_ERROR_DTYPE, "q is an unknown dtype");
  for (Tensor *t : {&q, &k, &v, &o})
    t->desc.dtype = SPATTN_F32;
  store(lse.desc.dtype, -1);
  expectFailure(SPATTN_ERROR_DTYPE, "lse must be float32, got an unknown dtype");
  lse.desc.dtype = SPATTN_F32;
  store(k.desc.memory, 1000);
  expectFailure(SPATTN_ERROR_ARGUMENT, "k is in unknown memory");
  k.desc.memory = SPATTN_MEMORY_HOST;
  store(q.desc.memory, -1);
  expectFailure(SPATTN_ERROR_ARGUMENT, "no target of this library (cpu)");
}

TEST_F(BadCalls, OptionsBudgetsAndSelections) {
  spattn_options bad{-1};
  options = &bad;
  expectFailure(SPATTN_ERROR_ARGUMENT, "num_threads");
  // A library without request parameters takes no request values.
  int64_t quality = 1;
  spattn_options requested{0, 1, &quality};
  options = &requested;
  expectFailure(SPATTN_ERROR_ARGUMENT, "takes 0 request values in options, got 1");
  int64_t values[2];
  EXPECT_EQ(lib->budgets(4096, nullptr, values, 1), SPATTN_ERROR_ARGUMENT);
  EXPECT_EQ(lib->budgets(4096, nullptr, nullptr, 2), SPATTN_ERROR_NULL);
  EXPECT_EQ(lib->budgets(0, nullptr, values, 2), SPATTN_ERROR_LENGTH);
  EXPECT_EQ(lib->budgets(131073, nullptr, values, 2), SPATTN_ERROR_LENGTH);
  EXPECT_EQ(lib->budgets(4096, &requested, values, 2), SPATTN_ERROR_ARGUMENT);
  ASSERT_EQ(lib->budgets(4096, nullptr, values, 2), SPATTN_OK);
  EXPECT_EQ(values[0], 4);    // sinks
  EXPECT_EQ(values[1], 3072); // align(48 sqrt(4096), 64)
  EXPECT_STREQ(lib->budgetLabel(1), "window.size");
  EXPECT_EQ(lib->budgetLabel(2), nullptr);
  spattn_selection sel;
  EXPECT_EQ(lib->selection(&q.desc, &k.desc, 0, 0, 0, nullptr, &sel), SPATTN_ERROR_ARGUMENT);
  EXPECT_EQ(lib->selection(&q.desc, &k.desc, 0, 0, 0, nullptr, nullptr), SPATTN_ERROR_NULL);
}

/// Q laid out [B, L, H, D] in memory and described as [B, H, L, D] through
/// strides; O written the same way: the result equals the contiguous one.
TEST(StridedTensors, TransposedLayoutsGiveTheContiguousResult) {
  auto lib = loadLibrary("streaming_llm",
                         std::string(SPATTN_EXAMPLES_DIR) + "/streaming_llm.mlir");
  ASSERT_TRUE(lib);
  CallShape shape{2, 77, 300};
  CallResult contiguous = runLibrary(*lib, shape, 9);
  ASSERT_EQ(contiguous.status, SPATTN_OK);
  const int64_t B = 2, H = 32, L = 77, D = 128;
  std::vector<float> qT(B * L * H * D), oT(B * L * H * D);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t d = 0; d < D; ++d)
          qT[((b * L + l) * H + h) * D + d] = contiguous.q.at(b, h, l, d);
  spattn_tensor q = contiguous.q.desc, o = contiguous.o.desc;
  q.data = qT.data();
  o.data = oT.data();
  for (spattn_tensor *t : {&q, &o}) {
    t->strides[0] = L * H * D;
    t->strides[1] = D;
    t->strides[2] = H * D;
  }
  ASSERT_EQ(lib->attention(&q, &contiguous.k.desc, &contiguous.v.desc, &o,
                           nullptr, nullptr),
            SPATTN_OK)
      << lib->lastError();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t d = 0; d < D; ++d)
          ASSERT_FLOAT_EQ(oT[((b * L + l) * H + h) * D + d],
                          contiguous.o.at(b, h, l, d));
}

} // namespace
} // namespace spattn::test
