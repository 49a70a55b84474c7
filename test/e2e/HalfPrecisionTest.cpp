//===- HalfPrecisionTest.cpp - CPU libraries on bf16 / fp16 tensors -------===//
//
// Every example whose spec declares bf16 or f16, at both ends of every
// bucket (prefill where affordable, decode, a chunk), called with tensors
// of that dtype on inputs rounded to it, against the fp64 reference on the
// same rounded inputs. The kernels accumulate in float32 as for float32
// calls; what differs is O's final rounding to 16 bits, so the bound on O
// is half a unit in the last place of |O| <= ~4 (bf16: 2^-8 * 4 = 1.6e-2,
// fp16: 2^-11 * 4 = 2e-3) plus the float32 error; LSE stays float32
// (1e-4). The kernels with bf16 products (AMX, or vdpbf16ps with AVX-512
// BF16) also round P to bf16 before P V: each weight moves by at most 2^-9
// of itself, so O by at most 2^-9 max|v| (~8e-3 for |v| <= 4, in the worst
// case of all errors adding up), which the bf16 bound covers with the
// output rounding; the row sums and LSE use unrounded P. The AMX ones run
// on spans of at least half a kernel span (the vdpbf16ps ones on every
// many-row span): some examples' calls have them, the test spec
// bf16_long_spans has them in every prefill, full and masked.
// What <name>_selection shows for the 16-bit tensors is what it shows for
// their float32 values.
//
//===----------------------------------------------------------------------===//
#include "ReferenceCheck.h"

#include "spattn/half_precision.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace spattn::test {
namespace {

/// `t`'s values rounded to `dtype` (in place) and as 16-bit storage.
std::vector<uint16_t> roundTo(spattn_dtype dtype, Tensor &t) {
  std::vector<uint16_t> bits(t.data.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    bits[i] = narrowTo(dtype, t.data[i]);
    t.data[i] = widenFrom(dtype, bits[i]);
  }
  return bits;
}

spattn_tensor view(std::vector<uint16_t> &bits, spattn_dtype dtype, const Tensor &t) {
  spattn_tensor d = t.desc;
  d.data = bits.data();
  d.dtype = dtype;
  return d;
}

/// The spec file of an example, or else of a test spec (test/e2e/specs).
std::string specPath(const std::string &name) {
  std::string example = std::string(SPATTN_EXAMPLES_DIR) + "/" + name + ".mlir";
  return std::filesystem::exists(example)
             ? example
             : std::string(SPATTN_E2E_SPECS_DIR) + "/" + name + ".mlir";
}

/// An example spec's library, its attributes and its 16-bit dtype.
struct SixteenBitExample {
  std::unique_ptr<LoadedLibrary> lib;
  mlir::spattn::SpecConfig config;
  spattn_dtype dtype = SPATTN_F32;

  explicit SixteenBitExample(const std::string &name)
      : lib(loadLibrary(name, specPath(name))) {
    if (!lib)
      return;
    config = mlir::spattn::SpecConfig::fromOp(lib->spec);
    dtype = config.dtype == "bf16" ? SPATTN_BF16
            : config.dtype == "f16" ? SPATTN_F16
                                    : SPATTN_F32;
  }
  /// Loaded, and of a 16-bit spec.
  bool ready() const { return lib && dtype != SPATTN_F32; }
};

class HalfPrecisionExample : public ::testing::TestWithParam<const char *> {};

TEST_P(HalfPrecisionExample, MatchesReferenceOnRoundedInputs) {
  std::string name = GetParam();
  SixteenBitExample example(name);
  ASSERT_TRUE(example.ready()) << name << ": not loaded, or not a 16-bit spec";
  auto &[lib, config, dtype] = example;
  const double bound = dtype == SPATTN_BF16 ? 1.6e-2 : 2e-3;
  int64_t lo = 1;
  uint32_t seed = 100;
  for (int64_t hi : config.buckets) {
    for (int64_t lk : {lo, hi}) {
      std::vector<CallShape> calls = {{1, 1, lk}, {1, std::min<int64_t>(67, lk), lk}};
      if (lk <= 512)
        calls.push_back({1, lk, lk});
      for (const CallShape &shape : calls) {
        CallResult r = runLibrary(*lib, shape, seed); // allocates and fills
        ASSERT_EQ(r.status, SPATTN_OK) << lib->lastError();
        std::vector<uint16_t> q = roundTo(dtype, r.q), k = roundTo(dtype, r.k),
                              v = roundTo(dtype, r.v), o(r.o.data.size());
        spattn_tensor dq = view(q, dtype, r.q), dk = view(k, dtype, r.k),
                      dv = view(v, dtype, r.v), dout = view(o, dtype, r.o);
        ASSERT_EQ(lib->attention(&dq, &dk, &dv, &dout, &r.lse.desc, nullptr), SPATTN_OK)
            << lib->lastError();
        for (size_t i = 0; i < o.size(); ++i)
          r.o.data[i] = widenFrom(dtype, o[i]);
        ErrorBound error = compareWithReference(*lib, shape, r, seed++);
        EXPECT_LE(error.out, bound) << name << " Lq " << shape.queryLength << " Lk " << lk;
        EXPECT_LE(error.lse, 1e-4) << name << " Lq " << shape.queryLength << " Lk " << lk;
      }
    }
    lo = hi + 1;
  }
}

/// `bits` ([B, H, L, D] like `t`) copied into the layout [B, L, H, D] of
/// `strided`, described with the strides of that layout: the view of a
/// 16-bit KV cache held token-major.
spattn_tensor tokenMajor(const std::vector<uint16_t> &bits, spattn_dtype dtype,
                         const Tensor &t, std::vector<uint16_t> &strided) {
  const int64_t B = t.desc.shape[0], H = t.desc.shape[1], L = t.desc.shape[2],
                D = t.desc.shape[3];
  strided.resize(bits.size());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t l = 0; l < L; ++l)
        std::copy_n(bits.data() + ((b * H + h) * L + l) * D, D,
                    strided.data() + ((b * L + l) * H + h) * D);
  spattn_tensor d = t.desc;
  d.data = strided.data();
  d.dtype = dtype;
  const int64_t strides[4] = {L * H * D, D, H * D, 1};
  std::copy_n(strides, 4, d.strides);
  return d;
}

TEST_P(HalfPrecisionExample, DecodeStepsGiveTheFloat32CallsBits) {
  // A 16-bit decode step reads K and V in their own width (the few-row
  // kernels take them as they lie, or the widening does): its O is the O
  // of the float32 call on the same values, rounded, bit for bit. Lengths
  // 1, odd, off the tile grid and both ends of every bucket; K and V
  // token-major ([B, L, H, D] strides).
  std::string name = GetParam();
  SixteenBitExample example(name);
  ASSERT_TRUE(example.ready()) << name << ": not loaded, or not a 16-bit spec";
  auto &[lib, config, dtype] = example;
  std::vector<int64_t> lengths = {1, 2, 17, 63, 65, 333, 1000};
  int64_t lo = 1;
  for (int64_t hi : config.buckets) {
    lengths.push_back(lo);
    lengths.push_back(std::min<int64_t>(hi, 8192)); // keep the test short
    lo = hi + 1;
  }
  uint32_t seed = 700;
  for (int64_t lk : lengths)
    for (int64_t lq : {int64_t{1}, std::min<int64_t>(3, lk)}) {
      SCOPED_TRACE(name + " Lq " + std::to_string(lq) + " Lk " + std::to_string(lk));
      Tensor q({2, config.numQHeads, lq, config.headDim}),
          k({2, config.numKVHeads, lk, config.headDim}),
          v({2, config.numKVHeads, lk, config.headDim}),
          o({2, config.numQHeads, lq, config.headDim});
      q.randomize(seed++);
      k.randomize(seed++);
      v.randomize(seed++);
      std::vector<uint16_t> qBits = roundTo(dtype, q), kBits = roundTo(dtype, k),
                            vBits = roundTo(dtype, v), oBits(o.data.size()), kRows,
                            vRows;
      ASSERT_EQ(lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, nullptr, nullptr),
                SPATTN_OK)
          << lib->lastError();
      spattn_tensor q16 = view(qBits, dtype, q), o16 = view(oBits, dtype, o),
                    k16 = tokenMajor(kBits, dtype, k, kRows),
                    v16 = tokenMajor(vBits, dtype, v, vRows);
      ASSERT_EQ(lib->attention(&q16, &k16, &v16, &o16, nullptr, nullptr), SPATTN_OK)
          << lib->lastError();
      int64_t different = 0;
      for (size_t i = 0; i < oBits.size(); ++i)
        different += oBits[i] != narrowTo(dtype, o.data[i]);
      EXPECT_EQ(different, 0) << " of " << oBits.size() << " values";
    }
}

/// One selection read back as plain vectors (the library reuses its buffers).
struct ReadSelection {
  int status;
  std::vector<int64_t> offsets, indices;
};

ReadSelection readSelection(LoadedLibrary &lib, const spattn_tensor &q,
                            const spattn_tensor &k, int64_t head, int32_t stage) {
  spattn_selection out{};
  ReadSelection read{lib.selection(&q, &k, 0, head, stage, nullptr, &out), {}, {}};
  if (read.status == SPATTN_OK) {
    read.offsets.assign(out.offsets, out.offsets + out.num_groups + 1);
    read.indices.assign(out.indices, out.indices + out.offsets[out.num_groups]);
  }
  return read;
}

class HalfPrecisionSelections : public ::testing::TestWithParam<const char *> {};

TEST_P(HalfPrecisionSelections, AreThoseOfTheirFloat32Values) {
  // <name>_selection on the 16-bit tensors of a call shows what that call
  // selects: the same as on float32 tensors holding the same values.
  std::string name = GetParam();
  SixteenBitExample example(name);
  ASSERT_TRUE(example.ready()) << name << ": not loaded, or not a 16-bit spec";
  auto &[lib, config, dtype] = example;
  ASSERT_GT(lib->numStages(), 0) << name << " has no selection stage";
  uint32_t seed = 500;
  int compared = 0;
  for (auto [lq, lk] : {std::pair<int64_t, int64_t>{1, 1}, {1, 1000}, {300, 300}, {37, 777}}) {
    Tensor q({1, config.numQHeads, lq, config.headDim}),
        k({1, config.numKVHeads, lk, config.headDim});
    q.randomize(seed++);
    k.randomize(seed++);
    std::vector<uint16_t> qBits = roundTo(dtype, q), kBits = roundTo(dtype, k);
    const spattn_tensor q16 = view(qBits, dtype, q), k16 = view(kBits, dtype, k);
    for (int32_t stage = 0; stage < lib->numStages(); ++stage)
      for (int64_t head : {int64_t{0}, config.numQHeads - 1}) {
        // A stage may not serve a head (per_head): then both say so.
        const ReadSelection wide = readSelection(*lib, q.desc, k.desc, head, stage);
        compared += wide.status == SPATTN_OK;
        const ReadSelection narrow = readSelection(*lib, q16, k16, head, stage);
        SCOPED_TRACE(name + " stage " + std::to_string(stage) + " head " +
                     std::to_string(head) + " Lq " + std::to_string(lq) + " Lk " +
                     std::to_string(lk));
        EXPECT_EQ(narrow.status, wide.status) << lib->lastError();
        EXPECT_EQ(narrow.offsets, wide.offsets);
        EXPECT_EQ(narrow.indices, wide.indices);
      }
  }
  EXPECT_GT(compared, 0) << name << ": no stage served the heads tried";
}

INSTANTIATE_TEST_SUITE_P(Examples, HalfPrecisionSelections,
                         ::testing::Values("block_topk", "minference", "flexprefill",
                                           "quest"));

// The examples that declare a 16-bit dtype (bf16: the rest; f16:
// streaming_llm, quest).
INSTANTIATE_TEST_SUITE_P(Examples, HalfPrecisionExample,
                         ::testing::Values("streaming_llm", "longformer", "bigbird",
                                           "sparse_transformer", "block_topk",
                                           "minference", "flexprefill", "quest",
                                           "proportional_window", "longnet_dilated"));
// Whole spans in bf16 (the kernels with bf16 products).
INSTANTIATE_TEST_SUITE_P(E2eSpecs, HalfPrecisionExample,
                         ::testing::Values("bf16_long_spans"));

} // namespace
} // namespace spattn::test
