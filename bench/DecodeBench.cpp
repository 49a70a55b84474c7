//===- DecodeBench.cpp - spattn-bench's decode section --------------------===//
#include "DecodeBench.h"
#include "Measure.h"

#include "compiler/library/LibraryApi.h"

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

/// A [batch, heads, length, dim] view into storage laid out for
/// [*, heads, capacity, dim].
spattn_tensor view(const std::vector<float> &storage, int64_t batch,
                   int64_t heads, int64_t length, int64_t capacity,
                   int64_t dim) {
  spattn_tensor t = contiguousTensor(storage.data(), {batch, heads, length, dim});
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
  LibraryApi dense, quest;
};

llvm::Error load(DecodeLibraries &libs) {
  for (auto [lib, name] : {std::pair{&libs.dense, "gqa_dense"},
                           std::pair{&libs.quest, "gqa_quest"}}) {
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

  const std::vector<int64_t> batches = quick ? std::vector<int64_t>{1}
                                             : std::vector<int64_t>{1, 8};
  const std::vector<int64_t> lengths = quick ? std::vector<int64_t>{16384}
                                             : std::vector<int64_t>{16384, 65536};
  const int64_t maxBatch = batches.back(), capacity = lengths.back();
  const int64_t maxPages = (capacity + page - 1) / page;
  std::vector<float> keys(maxBatch * kKVHeads * capacity * kHeadDim),
      values(keys.size()), queries(maxBatch * kQueryHeads * kHeadDim),
      out(queries.size()), bounds(maxBatch * kKVHeads * maxPages * 2 * kHeadDim);
  fillUniform(keys, 1);
  fillUniform(values, 2);
  fillUniform(queries, 3);
  spattn_options options{threads};

  os << "\nDecode: Lq = 1, Hq " << kQueryHeads << " / Hkv " << kKVHeads
     << ", D " << kHeadDim << ", float32. Dense reads all of K and V once per "
        "step (GB/s over those bytes, against the triad roofline); Quest keeps "
        "1/16 of the keys in pages of " << page << ", its bounds recomputed "
        "per call or kept by the caller (a step: update the new key's page, "
        "then attend).\n\n"
        "| B | Lk | dense ms | dense GB/s | % of triad | quest ms | vs dense | "
        "quest, kept bounds ms | vs dense |\n|---|---|---|---|---|---|---|---|---|\n";
  // The targets look at the longest Lk, every batch.
  double worstShare = 1e9, worstQuest = 1e9;
  for (int64_t batch : batches)
    for (int64_t length : lengths) {
      spattn_tensor q = contiguousTensor(queries.data(), {batch, kQueryHeads, 1, kHeadDim});
      spattn_tensor o = contiguousTensor(out.data(), {batch, kQueryHeads, 1, kHeadDim});
      spattn_tensor k = view(keys, batch, kKVHeads, length, capacity, kHeadDim);
      spattn_tensor v = view(values, batch, kKVHeads, length, capacity, kHeadDim);
      spattn_tensor pageBounds =
          view(bounds, batch, kKVHeads, maxPages, maxPages, 2 * kHeadDim);
      int status = SPATTN_OK;
      auto call = [&](const LibraryApi &lib) {
        if (status == SPATTN_OK)
          status = lib.attention(&q, &k, &v, &o, nullptr, &options);
      };
      double dense = medianSeconds([&] { call(libs.dense); });
      double quest = medianSeconds([&] { call(libs.quest); });
      std::vector<const spattn_tensor *> given(libs.quest.numStages(), nullptr);
      given[*stage] = &pageBounds;
      if (status == SPATTN_OK)
        status = libs.quest.updatePageBounds(&k, 0, *stage, &pageBounds);
      double kept = medianSeconds([&] {
        if (status == SPATTN_OK)
          status = libs.quest.updatePageBounds(&k, length - 1, *stage, &pageBounds);
        if (status == SPATTN_OK)
          status = libs.quest.attentionWithPageBounds(&q, &k, &v, &o, nullptr,
                                                      given.data(), &options);
      });
      if (status != SPATTN_OK)
        return llvm::createStringError(
            "decode at B = " + llvm::Twine(batch) + ", Lk = " + llvm::Twine(length) +
            ": " + libs.dense.lastError() + libs.quest.lastError());
      double bytes = 2.0 * batch * kKVHeads * length * kHeadDim * sizeof(float);
      double gbps = bytes / dense / 1e9;
      os << "| " << batch << " | " << length / 1024 << "K | "
         << llvm::format("%.2f | %.1f | %.0f%% | %.2f | %.2fx | %.2f | %.2fx |\n",
                         dense * 1e3, gbps, 100 * gbps / bandwidth, quest * 1e3,
                         dense / quest, kept * 1e3, dense / kept);
      os.flush();
      if (length == capacity) {
        worstShare = std::min(worstShare, gbps / bandwidth);
        worstQuest = std::min(worstQuest, dense / kept);
      }
    }
  auto verdict = [&](bool met) { return met ? " (met)\n" : " (NOT met)\n"; };
  os << "\nDecode targets at Lk = " << capacity / 1024 << "K (worst batch):\n"
     << llvm::format("- dense >= 60%% of the triad bandwidth: %.0f%%", 100 * worstShare)
     << verdict(worstShare >= 0.6)
     << llvm::format("- Quest with kept bounds >= 4x faster than dense: %.2fx", worstQuest)
     << verdict(worstQuest >= 4) << "\n";
  return llvm::Error::success();
}

} // namespace spattn::bench
