//===- DecodeBench.cpp - spattn-bench's decode section --------------------===//
#include "DecodeBench.h"
#include "Measure.h"

#include "compiler/library/LibraryApi.h"
#include "spattn/half_precision.hpp"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace spattn::bench {

namespace {

constexpr int64_t kQueryHeads = 32, kKVHeads = 8, kHeadDim = 128;

/// Cheap uniform values in [-1.7, 1.7): gigabytes of K and V fill in
/// seconds, and attention's cost does not depend on the values.
void fillUniform(std::vector<float> &values, uint64_t seed) {
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float &x : values) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    x = (float(state >> 40) / float(1 << 24) - 0.5f) * 3.4f;
  }
}

/// The bfloat16 nearest to each value (the library's own rounding).
std::vector<uint16_t> toBfloat16(const std::vector<float> &values) {
  std::vector<uint16_t> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(), floatToBfloat16);
  return out;
}

/// A [batch, heads, length, dim] view of `dtype` into storage laid out for
/// [*, heads, capacity, dim].
spattn_tensor view(const void *storage, spattn_dtype dtype, int64_t batch,
                   int64_t heads, int64_t length, int64_t capacity, int64_t dim) {
  const int64_t shape[4] = {batch, heads, length, dim};
  spattn_tensor t = spattn_contiguous(const_cast<void *>(storage), dtype, 4, shape);
  t.strides[1] = capacity * dim;
  t.strides[0] = heads * capacity * dim;
  return t;
}

llvm::Expected<int32_t> pagesStage(const LibraryApi &lib) {
  if (lib.pageSize && lib.updatePageBounds && lib.attentionWithPageBounds)
    for (int32_t s = 0; s < lib.numStages(); ++s)
      if (lib.pageSize(s) > 0)
        return s;
  return llvm::createStringError("@" + lib.name + " has no pages stage");
}

struct DecodeLibraries {
  LibraryApi dense, denseBf16, quest, questBf16;
};

llvm::Error load(DecodeLibraries &libs) {
  for (auto [lib, name] : {std::pair{&libs.dense, "gqa_dense"},
                           std::pair{&libs.denseBf16, "gqa_dense_bf16"},
                           std::pair{&libs.quest, "gqa_quest"},
                           std::pair{&libs.questBf16, "gqa_quest_bf16"}}) {
    llvm::SmallString<256> file(SPATTN_BENCH_LIB_DIR);
    llvm::sys::path::append(file, name, std::string("lib") + name + ".so");
    if (llvm::Error error = lib->load(file, name))
      return error;
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error runDecodeSection(int threads, bool quick, double bandwidth,
                             llvm::raw_ostream &os) {
  DecodeLibraries libs;
  if (llvm::Error error = load(libs))
    return error;
  llvm::Expected<int32_t> stage = pagesStage(libs.quest);
  if (!stage)
    return stage.takeError();
  const int64_t page = libs.quest.pageSize(*stage);
  if (llvm::Expected<int32_t> same = pagesStage(libs.questBf16);
      !same || *same != *stage || libs.questBf16.pageSize(*same) != page)
    return same ? llvm::createStringError("@gqa_quest_bf16 must page as @gqa_quest")
                : same.takeError();

  const std::vector<int64_t> batches = quick ? std::vector<int64_t>{1}
                                             : std::vector<int64_t>{1, 8};
  const std::vector<int64_t> lengths = quick ? std::vector<int64_t>{16384}
                                             : std::vector<int64_t>{16384, 65536};
  const int64_t maxBatch = batches.back(), capacity = lengths.back();
  const int64_t maxPages = (capacity + page - 1) / page;
  std::vector<float> keys(maxBatch * kKVHeads * capacity * kHeadDim),
      values(keys.size()), queries(maxBatch * kQueryHeads * kHeadDim),
      out(queries.size()), bounds(maxBatch * kKVHeads * maxPages * 2 * kHeadDim);
  std::vector<uint16_t> bounds16(bounds.size());
  fillUniform(keys, 1);
  fillUniform(values, 2);
  fillUniform(queries, 3);
  const std::vector<uint16_t> keys16 = toBfloat16(keys), values16 = toBfloat16(values),
                              queries16 = toBfloat16(queries);
  std::vector<uint16_t> out16(queries16.size());
  spattn_options options{threads};

  os << "\nDecode: Lq = 1, Hq " << kQueryHeads << " / Hkv " << kKVHeads
     << ", D " << kHeadDim << ", float32. Dense reads all of K and V once per "
        "step (GB/s over those bytes, against the triad roofline); Quest keeps "
        "1/16 of the keys in pages of " << page << ", its bounds recomputed "
        "per call or kept by the caller (a step: update the new key's page, "
        "then attend). bf16: the same steps on bfloat16 Q, K, V (half "
        "the bytes of K and V), Quest's bounds computed per call or kept, "
        "from the bf16 K, as float32 or as bf16 (half the bytes; the ratio "
        "to dense bf16 is that of bf16 bounds).\n\n"
        "| B | Lk | dense ms | dense GB/s | % of triad | quest ms | vs dense | "
        "quest, kept bounds ms | vs dense | dense bf16 ms | vs float32 | "
        "quest bf16 ms | quest bf16, kept f32 bounds ms | kept bf16 bounds ms | "
        "vs dense bf16 |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  // The targets look at the longest Lk, every batch.
  double worstShare = 1e9, worstQuest = 1e9, worstBf16 = 1e9, worstQuestBf16 = 1e9;
  for (int64_t batch : batches)
    for (int64_t length : lengths) {
      spattn_tensor q = view(queries.data(), SPATTN_F32, batch, kQueryHeads, 1, 1, kHeadDim);
      spattn_tensor o = view(out.data(), SPATTN_F32, batch, kQueryHeads, 1, 1, kHeadDim);
      spattn_tensor k =
          view(keys.data(), SPATTN_F32, batch, kKVHeads, length, capacity, kHeadDim);
      spattn_tensor v =
          view(values.data(), SPATTN_F32, batch, kKVHeads, length, capacity, kHeadDim);
      spattn_tensor pageBounds = view(bounds.data(), SPATTN_F32, batch, kKVHeads,
                                      maxPages, maxPages, 2 * kHeadDim);
      spattn_tensor pageBounds16 = view(bounds16.data(), SPATTN_BF16, batch, kKVHeads,
                                        maxPages, maxPages, 2 * kHeadDim);
      spattn_tensor q16 =
          view(queries16.data(), SPATTN_BF16, batch, kQueryHeads, 1, 1, kHeadDim);
      spattn_tensor o16 =
          view(out16.data(), SPATTN_BF16, batch, kQueryHeads, 1, 1, kHeadDim);
      spattn_tensor k16 =
          view(keys16.data(), SPATTN_BF16, batch, kKVHeads, length, capacity, kHeadDim);
      spattn_tensor v16 = view(values16.data(), SPATTN_BF16, batch, kKVHeads, length,
                               capacity, kHeadDim);
      int status = SPATTN_OK;
      auto call = [&](const LibraryApi &lib) {
        if (status == SPATTN_OK)
          status = lib.attention(&q, &k, &v, &o, nullptr, &options);
      };
      double dense = medianSeconds([&] { call(libs.dense); });
      double quest = medianSeconds([&] { call(libs.quest); });
      // A step with kept bounds: update the new key's page, then attend.
      auto keptStep = [&](const LibraryApi &lib, spattn_tensor &sq, spattn_tensor &sk,
                          spattn_tensor &sv, spattn_tensor &so, spattn_tensor &keptBounds) {
        std::vector<const spattn_tensor *> given(lib.numStages(), nullptr);
        given[*stage] = &keptBounds;
        if (status == SPATTN_OK)
          status = lib.updatePageBounds(&sk, 0, *stage, &keptBounds);
        return medianSeconds([&] {
          if (status == SPATTN_OK)
            status = lib.updatePageBounds(&sk, length - 1, *stage, &keptBounds);
          if (status == SPATTN_OK)
            status = lib.attentionWithPageBounds(&sq, &sk, &sv, &so, nullptr, given.data(),
                                                 &options);
        });
      };
      double kept = keptStep(libs.quest, q, k, v, o, pageBounds);
      double bf16 = medianSeconds([&] {
        if (status == SPATTN_OK)
          status = libs.denseBf16.attention(&q16, &k16, &v16, &o16, nullptr, &options);
      });
      double questBf16 = medianSeconds([&] {
        if (status == SPATTN_OK)
          status = libs.questBf16.attention(&q16, &k16, &v16, &o16, nullptr, &options);
      });
      double keptBf16Float = keptStep(libs.questBf16, q16, k16, v16, o16, pageBounds);
      double keptBf16 = keptStep(libs.questBf16, q16, k16, v16, o16, pageBounds16);
      if (status != SPATTN_OK)
        return llvm::createStringError(
            "decode at B = " + llvm::Twine(batch) + ", Lk = " + llvm::Twine(length) +
            ": " + libs.dense.lastError() + libs.quest.lastError() +
            libs.denseBf16.lastError() + libs.questBf16.lastError());
      double bytes = 2.0 * batch * kKVHeads * length * kHeadDim * sizeof(float);
      double gbps = bytes / dense / 1e9;
      os << "| " << batch << " | " << length / 1024 << "K | "
         << llvm::format("%.2f | %.1f | %.0f%% | %.2f | %.2fx | %.2f | %.2fx | "
                         "%.2f | %.2fx | %.2f | %.2f | %.2f | %.2fx |\n",
                         dense * 1e3, gbps, 100 * gbps / bandwidth, quest * 1e3,
                         dense / quest, kept * 1e3, dense / kept, bf16 * 1e3,
                         dense / bf16, questBf16 * 1e3, keptBf16Float * 1e3,
                         keptBf16 * 1e3, bf16 / keptBf16);
      os.flush();
      if (length == capacity) {
        worstShare = std::min(worstShare, gbps / bandwidth);
        worstQuest = std::min(worstQuest, dense / kept);
        worstBf16 = std::min(worstBf16, dense / bf16);
        worstQuestBf16 = std::min(worstQuestBf16, bf16 / keptBf16);
      }
    }
  auto verdict = [&](bool met) { return met ? " (met)\n" : " (NOT met)\n"; };
  os << "\nDecode targets at Lk = " << capacity / 1024 << "K (worst batch):\n"
     << llvm::format("- dense >= 60%% of the triad bandwidth: %.0f%%", 100 * worstShare)
     << verdict(worstShare >= 0.6)
     << llvm::format("- Quest with kept bounds >= 4x faster than dense: %.2fx", worstQuest)
     << verdict(worstQuest >= 4)
     << llvm::format("- dense bf16 step vs float32 (half the bytes; no target, 2x "
                     "bounds it): %.2fx\n",
                     worstBf16)
     << llvm::format("- Quest bf16 with kept bf16 bounds vs dense bf16 (no target "
                     "of its own): %.2fx\n",
                     worstQuestBf16)
     << "\n";
  return llvm::Error::success();
}

} // namespace spattn::bench
