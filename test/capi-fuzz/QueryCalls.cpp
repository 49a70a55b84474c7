//===- QueryCalls.cpp - Fuzzed queries that cannot fail -------------------===//
#include "EntryPoints.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace spattn::capifuzz {

namespace {

bool isKnownStageKind(const char *kind) {
  for (const char *known : {"topk_blocks", "random_blocks", "mass", "pages", "vertical_slash"})
    if (std::strcmp(kind, known) == 0)
      return true;
  return false;
}

/// _info against the spec it was compiled from.
std::string infoMismatch(const FuzzedLibrary &lib) {
  const spattn_library_info *info = lib.api.info();
  const mlir::spattn::SpecConfig &config = lib.config();
  if (!info)
    return "info is null";
  const double scale = config.scale ? config.scale : 1.0 / std::sqrt(double(config.headDim));
  if (config.name != info->name || info->head_dim != config.headDim ||
      info->num_q_heads != config.numQHeads || info->num_kv_heads != config.numKVHeads ||
      info->causal != int32_t(config.causal) || std::fabs(info->scale - scale) > 1e-12)
    return "info's shape differs from the spec's";
  if (info->num_buckets != int32_t(config.buckets.size()))
    return "info's bucket count differs from the spec's";
  for (int32_t b = 0; b < info->num_buckets; ++b)
    if (info->bucket_upper_bounds[b] != config.buckets[b])
      return "info's bucket bounds differ from the spec's";
  if (info->num_targets < 1 || std::strcmp(info->target_names[0], "cpu") != 0 ||
      info->target_memories[0] != SPATTN_MEMORY_HOST ||
      !(info->target_dtypes[0] & (1u << SPATTN_F32)))
    return "info's targets are not the cpu target's";
  if (info->num_request != int32_t(config.requestNames.size()))
    return "info's request parameters differ from the spec's";
  for (int32_t k = 0; k < info->num_request; ++k)
    if (config.requestNames[k] != info->request_names[k] ||
        info->request_min[k] != config.requestMin[k] ||
        info->request_max[k] != config.requestMax[k])
      return "info's request parameter " + config.requestNames[k] + " differs";
  return "";
}

/// spattn_contiguous over any rank: row-major strides of the shape given
/// (dimensions past 4 are not read; a rank below 1 has none).
std::string contiguousMismatch(const FuzzedLibrary &lib, Random &random) {
  int32_t rank = random.pick<int32_t>({-2, 0, 1, 2, 3, 4, 4, 5, 6});
  int64_t shape[6];
  for (int64_t &s : shape)
    s = random.chance(0.1) ? random.pick<int64_t>({0, -1}) : random.between(1, 4096);
  spattn_dtype dtype = static_cast<spattn_dtype>(random.between(0, 2));
  float anything;
  spattn_tensor t = lib.contiguous(&anything, dtype, rank, shape);
  if (t.data != &anything || t.dtype != dtype || t.rank != rank ||
      t.memory != SPATTN_MEMORY_HOST || t.device != 0)
    return "contiguous changed data, dtype, rank or memory";
  int64_t stride = 1;
  for (int32_t d = std::min(rank, 4) - 1; d >= 0; --d) {
    if (t.shape[d] != shape[d] || t.strides[d] != stride)
      return "contiguous dimension " + std::to_string(d) + " is not row-major";
    stride *= shape[d];
  }
  return "";
}

} // namespace

void fuzzQueries(FuzzedLibrary &lib, Random &random, Outcomes &outcomes) {
  const int32_t numBudgets = lib.api.numBudgets(), stages = lib.api.numStages();
  std::string why;
  switch (random.between(0, 7)) {
  case 0:
    why = infoMismatch(lib);
    break;
  case 1:
    if (lib.api.maxLength() != lib.config().buckets.back())
      why = "max_length is not the last bucket";
    break;
  case 2: {
    int32_t index = random.pick<int32_t>({-1, 0, 1, numBudgets - 1, numBudgets,
                                          INT32_MIN, INT32_MAX});
    const char *label = lib.api.budgetLabel(index);
    if ((index >= 0 && index < numBudgets) != (label != nullptr))
      why = "budget_label(" + std::to_string(index) + ") of " +
            std::to_string(numBudgets) + " budgets";
    break;
  }
  case 3: {
    int32_t stage = random.pick<int32_t>({-1, 0, 1, stages - 1, stages, INT32_MIN, INT32_MAX});
    const char *kind = lib.api.stageKind(stage);
    const bool valid = stage >= 0 && stage < stages;
    if (valid != (kind != nullptr) || (kind && !isKnownStageKind(kind)))
      why = "stage_kind(" + std::to_string(stage) + ") of " + std::to_string(stages) + " stages";
    if (lib.api.pageSize) {
      int64_t page = lib.api.pageSize(stage);
      bool pages = valid && std::strcmp(kind, "pages") == 0;
      if (pages ? page <= 0 : page != 0)
        why = "page_size(" + std::to_string(stage) + ") is " + std::to_string(page);
    }
    break;
  }
  case 4: {
    const char *isa = lib.api.cpuIsa ? lib.api.cpuIsa() : nullptr;
    bool known = false;
    for (const char *name : {"amx", "avx512bf16", "avx512", "avx2", "sse41", "host"})
      known = known || (isa && std::strcmp(isa, name) == 0);
    if (!known)
      why = "cpu_isa is not a known instruction set";
    break;
  }
  case 5:
    if (!lib.api.lastError())
      why = "last_error is null";
    break;
  case 6: {
    int status = static_cast<int>(random.pick<int64_t>(
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, INT32_MIN, INT32_MAX}));
    const char *text = lib.statusString(status);
    const bool known = status >= SPATTN_OK && status <= SPATTN_ERROR_INTERNAL;
    if (!text || !*text || known == (std::strcmp(text, "unknown status") == 0))
      why = "status_string(" + std::to_string(status) + ")";
    break;
  }
  default:
    why = contiguousMismatch(lib, random);
    break;
  }
  if (!why.empty())
    outcomes.mismatch(why);
  outcomes.count("ok");
}

} // namespace spattn::capifuzz
