//===- PageBoundsCalls.cpp - Fuzzed <name>_update_page_bounds -------------===//
#include "AttentionCheck.h"
#include "EntryPoints.h"
#include "FaultInjection.h"
#include "StatusCheck.h"

#include <cstdint>

namespace spattn::capifuzz {

namespace {

/// An update from `firstKey` on bounds current up to it equals computing
/// every page: recompute into a fresh copy of the view from key 0.
void checkIncremental(FuzzedLibrary &lib, const AttentionCall &call,
                      int64_t firstKey, int32_t stage, Outcomes &outcomes) {
  if (firstKey == 0)
    return;
  const GuardedTensor &updated = *call.pageBounds[0];
  GuardedTensor full({updated.view().shape[0], updated.view().shape[1],
                      updated.view().shape[2], updated.view().shape[3]},
                     {updated.view().strides[0], updated.view().strides[1],
                      updated.view().strides[2], 1},
                     updated.view().dtype, 0);
  full.fillPattern();
  if (lib.api.updatePageBounds(call.kArg, 0, stage, &full.desc) != SPATTN_OK) {
    outcomes.mismatch(std::string("update_page_bounds from key 0 failed: ") +
                      lib.api.lastError());
    return;
  }
  const int64_t page = lib.api.pageSize(stage);
  const int64_t pages = (call.keyLength + page - 1) / page;
  std::vector<float> a = updated.contiguous(), b = full.contiguous();
  const int64_t width = updated.view().shape[3], rows = updated.view().shape[2];
  for (size_t i = 0; i < a.size(); ++i)
    if (static_cast<int64_t>(i) / width % rows < pages && a[i] != b[i]) {
      outcomes.mismatch("bounds updated from key " + std::to_string(firstKey) +
                        " differ from bounds computed from key 0");
      return;
    }
}

} // namespace

void fuzzPageBoundsUpdate(FuzzedLibrary &lib, Random &random, Outcomes &outcomes) {
  std::unique_ptr<AttentionCall> call =
      randomCall(lib, random, /*faults=*/false, false, CallTensors::Key);
  const int32_t stages = lib.api.numStages();
  std::vector<int32_t> pagesStages;
  for (int32_t s = 0; s < stages; ++s)
    if (lib.api.pageSize(s) > 0)
      pagesStages.push_back(s);
  int32_t stage = random.pick(pagesStages);
  const int64_t page = lib.api.pageSize(stage), lk = call->keyLength;
  const mlir::spattn::SpecConfig &config = lib.config();
  int64_t pages = (lk + page - 1) / page + (random.chance(0.2) ? random.between(1, 3) : 0);
  std::vector<int64_t> shape = {call->batch, config.numKVHeads, pages, 2 * config.headDim};
  // float32 bounds, or (for 16-bit K) bounds in K's dtype.
  const spattn_dtype dtype = random.chance(0.5) ? call->dtype : SPATTN_F32;
  call->pageBounds.push_back(std::make_unique<GuardedTensor>(
      shape, randomStrides(shape, false, random), dtype, 64));
  GuardedTensor &bounds = *call->pageBounds[0];
  call->pageBoundsArray = {&bounds.desc};
  // Keys appended from first_key on: bounds current for the pages before
  // its page (computed from a shorter K), the rest never written.
  int64_t firstKey = random.chance(0.4) ? 0 : random.between(0, lk);
  bounds.fillPattern();
  spattn_tensor before = *call->kArg;
  before.shape[2] = firstKey / page * page;
  if (before.shape[2] > 0 && call->expected.mustSucceed() &&
      lib.api.updatePageBounds(&before, 0, stage, &bounds.desc) != SPATTN_OK)
    call->setupError = std::string("update_page_bounds of a valid K failed: ") +
                       lib.api.lastError();
  bounds.takeSnapshot();
  if (random.chance(0.55))
    injectFaults(lib, random, *call);
  if (random.chance(0.1)) {
    firstKey = random.pick<int64_t>({-1, lk + 1, INT64_MAX, INT64_MIN});
    call->expected.add(SPATTN_ERROR_ARGUMENT, "first_key " + std::to_string(firstKey));
  }
  if (random.chance(0.1)) {
    stage = random.pick<int32_t>({-1, stages, INT32_MAX, INT32_MIN});
    for (int32_t s = 0; s < stages; ++s)
      if (lib.api.pageSize(s) == 0 && random.chance(0.5))
        stage = s; // not a pages stage
    call->expected.add(SPATTN_ERROR_ARGUMENT, "stage " + std::to_string(stage));
  }
  traceCall(*call);
  int status = lib.api.updatePageBounds(
      call->kArg, firstKey, stage, const_cast<spattn_tensor *>(call->pageBoundsArray[0]));
  if (!call->setupError.empty())
    outcomes.mismatch(call->setupError);
  const bool succeeded = checkStatus(lib, call->expected, status, outcomes);
  checkInputsUnchanged(*call, outcomes); // K (the bounds are the output)
  if (std::string where = bounds.changedBytes(succeeded); !where.empty())
    outcomes.mismatch((succeeded ? "wrote outside bounds: " : "refused, yet wrote bounds: ") +
                      where);
  if (succeeded) {
    checkIncremental(lib, *call, firstKey, stage, outcomes);
    outcomes.count("ok");
  }
}

} // namespace spattn::capifuzz
