//===- AttentionCalls.cpp - Fuzzed <name>_attention and _selection --------===//
#include "AttentionCheck.h"
#include "EntryPoints.h"
#include "StatusCheck.h"

#include <cstdint>

namespace spattn::capifuzz {

void fuzzAttention(FuzzedLibrary &lib, Random &random, Outcomes &outcomes,
                   bool pageBounds) {
  std::unique_ptr<AttentionCall> call =
      randomCall(lib, random, /*faults=*/true, pageBounds, CallTensors::Attention);
  int status = runAttention(lib, *call);
  checkAttentionCall(lib, *call, status, random, outcomes);
}

namespace {

/// Groups in CSR form, each sorted: block, page and column indices in
/// [0, Lk), diagonal offsets in (-Lk, Lk).
std::string malformedSelection(const spattn_selection &sel, int64_t keyLength) {
  if (sel.num_groups < 0 || !sel.offsets || sel.offsets[0] != 0)
    return "bad group count or offsets";
  for (int64_t g = 0; g < sel.num_groups; ++g) {
    if (sel.offsets[g + 1] < sel.offsets[g])
      return "offsets decrease at group " + std::to_string(g);
    const bool diagonal = sel.kind == SPATTN_SELECTION_VERTICAL_SLASH && g == 1;
    for (int64_t i = sel.offsets[g]; i < sel.offsets[g + 1]; ++i) {
      if (sel.indices[i] >= keyLength || sel.indices[i] < (diagonal ? -keyLength + 1 : 0))
        return "index " + std::to_string(sel.indices[i]) + " out of range";
      if (i > sel.offsets[g] && sel.indices[i] <= sel.indices[i - 1])
        return "indices not sorted in group " + std::to_string(g);
    }
  }
  return "";
}

} // namespace

void fuzzSelection(FuzzedLibrary &lib, Random &random, Outcomes &outcomes) {
  std::unique_ptr<AttentionCall> call =
      randomCall(lib, random, /*faults=*/true, false, CallTensors::QueryKey);
  const int32_t stages = lib.api.numStages();
  int64_t batch = random.between(0, call->batch - 1);
  int64_t head = random.between(0, lib.config().numQHeads - 1);
  int32_t stage = stages ? static_cast<int32_t>(random.between(0, stages - 1)) : 0;
  if (stages == 0)
    call->expected.add(SPATTN_ERROR_ARGUMENT, "no selection stage");
  if (random.chance(0.1)) {
    batch = random.pick<int64_t>({-1, call->batch, INT64_MIN});
    call->expected.add(SPATTN_ERROR_ARGUMENT, "batch " + std::to_string(batch));
  }
  if (random.chance(0.1)) {
    head = random.pick<int64_t>({-1, lib.config().numQHeads, INT64_MAX});
    call->expected.add(SPATTN_ERROR_ARGUMENT, "head " + std::to_string(head));
  }
  if (random.chance(0.1)) {
    stage = random.pick<int32_t>({-1, stages, INT32_MAX});
    call->expected.add(SPATTN_ERROR_ARGUMENT, "stage " + std::to_string(stage));
  }
  spattn_selection out{}, *outArg = &out;
  if (random.chance(0.05)) {
    outArg = nullptr;
    call->expected.add(SPATTN_ERROR_NULL, "out null");
  }
  traceCall(*call);
  int status = lib.api.selection(call->qArg, call->kArg, batch, head, stage,
                                 call->options.arg, outArg);
  // Whether a stage serves a head is the pattern's business (per_head):
  // a valid call may be told it does not.
  if (call->expected.mustSucceed() && status == SPATTN_ERROR_ARGUMENT &&
      std::string(lib.api.lastError()).find("does not serve head") != std::string::npos) {
    outcomes.count("bad argument (stage does not serve the head)");
    checkInputsUnchanged(*call, outcomes);
    return;
  }
  if (checkStatus(lib, call->expected, status, outcomes)) {
    if (std::string why = malformedSelection(out, call->keyLength); !why.empty())
      outcomes.mismatch("selection: " + why);
    outcomes.count("ok");
  }
  checkInputsUnchanged(*call, outcomes);
}

} // namespace spattn::capifuzz
