//===- AttentionCall.cpp - One fuzzed call of <name>_attention ------------===//
#include "AttentionCall.h"

#include "FaultInjection.h"

#include "spattn/runtime_internal.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace spattn::capifuzz {

namespace {

/// Size caps that keep a call (and its fp64 check) to milliseconds.
constexpr int64_t kMaxElements = int64_t{1} << 21; // per tensor
constexpr int64_t kMaxWork = int64_t{1} << 26;     // B * Hq * Lq * Lk * D

/// Lengths the kernels treat specially: 1, block edges, bucket edges.
std::vector<int64_t> edgeLengths(const mlir::spattn::SpecConfig &config) {
  std::vector<int64_t> lengths = {1, 2, 3};
  for (int64_t block : {config.blockQ, config.blockK})
    for (int64_t n : {1, 2, 3})
      for (int64_t delta : {-1, 0, 1})
        lengths.push_back(n * block + delta);
  for (int64_t upper : config.buckets)
    for (int64_t delta : {-1, 0, 1})
      lengths.push_back(upper + delta);
  return lengths;
}

void randomLengths(const FuzzedLibrary &lib, Random &random, bool faults,
                   AttentionCall &call) {
  const mlir::spattn::SpecConfig &config = lib.config();
  const int64_t maxLength = config.buckets.back();
  call.batch = random.pick<int64_t>({1, 1, 1, 1, 1, 1, 2, 2, 3});
  const int64_t perKey = call.batch * config.numKVHeads * config.headDim;
  const int64_t cap = std::min(maxLength, kMaxElements / perKey);
  int64_t lk;
  int64_t kind = random.between(0, 99);
  if (kind < 55)
    lk = random.between(1, std::min<int64_t>(cap, 64));
  else if (kind < 80)
    lk = random.between(1, std::min<int64_t>(cap, 400));
  else {
    std::vector<int64_t> edges;
    for (int64_t n : edgeLengths(config))
      if (n >= 1 && n <= cap)
        edges.push_back(n);
    lk = random.pick(edges);
  }
  if (faults && random.chance(0.05) && (maxLength + 64) * perKey <= kMaxElements) {
    lk = maxLength + random.between(1, 64);
    call.expected.add(SPATTN_ERROR_LENGTH, "Lk above the last bucket");
  }
  int64_t lq;
  kind = random.between(0, 99);
  if (kind < 35)
    lq = 1; // decode
  else if (kind < 45)
    lq = std::min<int64_t>(lk, random.between(2, 5)); // GQA heads in one block
  else if (kind < 70)
    lq = lk; // prefill
  else
    lq = random.between(1, lk); // a chunk at the end
  const int64_t perQuery = call.batch * config.numQHeads * config.headDim;
  lq = std::max<int64_t>(1, std::min({lq, kMaxWork / (perQuery * lk),
                                      kMaxElements / perQuery}));
  if (faults && random.chance(0.04) && (lk + 20) * perQuery <= kMaxElements) {
    lq = lk + random.between(1, 20);
    call.expected.add(SPATTN_ERROR_LENGTH, "Lq > Lk");
  }
  call.queryLength = lq;
  call.keyLength = lk;
}

/// A dtype the library takes (float32, or the spec's own).
spattn_dtype randomDtype(const FuzzedLibrary &lib, Random &random) {
  const spattn_library_info *info = lib.api.info();
  std::vector<spattn_dtype> taken;
  for (spattn_dtype d : {SPATTN_F32, SPATTN_F16, SPATTN_BF16})
    if (info->target_dtypes[0] >> d & 1u)
      taken.push_back(d);
  return random.chance(0.7) ? SPATTN_F32 : random.pick(taken);
}

std::unique_ptr<GuardedTensor> makeTensor(std::vector<int64_t> shape,
                                          spattn_dtype dtype, bool input,
                                          Random &random) {
  auto tensor = std::make_unique<GuardedTensor>(
      shape, randomStrides(shape, input, random), dtype, input ? 0 : 64);
  if (input)
    tensor->fillValues(random);
  else
    tensor->fillPattern();
  return tensor;
}

/// Page bounds for every pages stage, computed by the library from K: float32,
/// or K's dtype when it is 16-bit.
void makePageBounds(FuzzedLibrary &lib, Random &random, AttentionCall &call) {
  const mlir::spattn::SpecConfig &config = lib.config();
  const int32_t stages = lib.api.numStages();
  call.pageBoundsArray.assign(stages, nullptr);
  call.junk.resize(stages);
  // The call's own K, in its dtype and strides.
  const spattn_tensor kDesc = call.k->view();
  for (int32_t s = 0; s < stages; ++s) {
    const int64_t page = lib.api.pageSize(s);
    if (page == 0) { // not read: junk must not matter
      if (random.chance(0.5)) {
        std::fill_n(reinterpret_cast<unsigned char *>(&call.junk[s]),
                    sizeof(spattn_tensor), 0xEE);
        call.pageBoundsArray[s] = &call.junk[s];
      }
      continue;
    }
    if (random.chance(0.3))
      continue; // computed from K
    int64_t pages = (call.keyLength + page - 1) / page +
                    (random.chance(0.2) ? random.between(1, 3) : 0);
    const spattn_dtype dtype = random.chance(0.5) ? call.dtype : SPATTN_F32;
    call.pageBounds.push_back(
        makeTensor({call.batch, config.numKVHeads, pages, 2 * config.headDim}, dtype,
                   false, random));
    GuardedTensor &bounds = *call.pageBounds.back();
    if (lib.api.updatePageBounds(&kDesc, 0, s, &bounds.desc) != SPATTN_OK)
      call.setupError = std::string("update_page_bounds of a valid K failed: ") +
                        lib.api.lastError();
    bounds.takeSnapshot();
    call.pageBoundsArray[s] = &bounds.desc;
  }
}

} // namespace

AttentionCall::Named AttentionCall::inputs() const {
  Named all = {{"k", k.get()}};
  if (q)
    all.push_back({"q", q.get()});
  if (v)
    all.push_back({"v", v.get()});
  if (!updatesBounds())
    for (const auto &bounds : pageBounds)
      all.push_back({"page bounds", bounds.get()});
  return all;
}

AttentionCall::Named AttentionCall::outputs() const {
  Named all;
  if (o)
    all.push_back({"o", o.get()});
  if (lse)
    all.push_back({"lse", lse.get()});
  return all;
}

std::unique_ptr<AttentionCall> randomCall(FuzzedLibrary &lib, Random &random,
                                          bool faults, bool pageBounds,
                                          CallTensors tensors) {
  auto call = std::make_unique<AttentionCall>();
  const mlir::spattn::SpecConfig &config = lib.config();
  randomLengths(lib, random, faults, *call);
  // Selections and page bounds read any of the three dtypes.
  const bool queryKeyOnly = tensors != CallTensors::Attention;
  call->tensors = tensors;
  call->dtype = queryKeyOnly ? random.pick({SPATTN_F32, SPATTN_F16, SPATTN_BF16})
                             : randomDtype(lib, random);
  const int64_t B = call->batch, D = config.headDim;
  if (tensors != CallTensors::Key) {
    call->q = makeTensor({B, config.numQHeads, call->queryLength, D}, call->dtype,
                         true, random);
    call->qArg = &call->q->desc;
  }
  call->k = makeTensor({B, config.numKVHeads, call->keyLength, D}, call->dtype,
                       true, random);
  call->kArg = &call->k->desc;
  if (!queryKeyOnly) {
    call->v = makeTensor({B, config.numKVHeads, call->keyLength, D}, call->dtype,
                         true, random);
    call->o = makeTensor({B, config.numQHeads, call->queryLength, D},
                         call->dtype, false, random);
    call->vArg = &call->v->desc;
    call->oArg = &call->o->desc;
    if (random.chance(0.75)) {
      call->lse = makeTensor({B, config.numQHeads, call->queryLength},
                             SPATTN_F32, false, random);
      call->lseArg = &call->lse->desc;
    }
  }
  call->withPageBounds = pageBounds;
  if (pageBounds && call->expected.mustSucceed() && random.chance(0.8))
    makePageBounds(lib, random, *call);
  randomOptions(lib, random, faults, call->options);
  call->expected.add(call->options.requestFaults);
  if (!queryKeyOnly)
    call->expected.add(call->options.threadFaults);
  if (faults && random.chance(0.55))
    injectFaults(lib, random, *call);
  return call;
}

void traceCall(const AttentionCall &call) {
  if (!std::getenv("SPATTN_CAPI_FUZZ_VERBOSE"))
    return;
  std::string text = "B " + std::to_string(call.batch) + " Lq " +
                     std::to_string(call.queryLength) + " Lk " +
                     std::to_string(call.keyLength) + "; faults: " +
                     (call.expected.faults.empty() ? "none" : call.expected.faults);
  auto tensor = [&](const char *name, const spattn_tensor *t) {
    text += std::string("\n  ") + name;
    if (!t)
      return void(text += " null");
    text += " dtype " + std::to_string(rt::storedValue(t->dtype)) + " memory " +
            std::to_string(rt::storedValue(t->memory)) + " rank " + std::to_string(t->rank) + " shape";
    for (int64_t s : t->shape)
      text += " " + std::to_string(s);
    text += " strides";
    for (int64_t s : t->strides)
      text += " " + std::to_string(s);
  };
  tensor("q", call.qArg);
  tensor("k", call.kArg);
  tensor("v", call.vArg);
  tensor("o", call.oArg);
  tensor("lse", call.lseArg);
  for (const spattn_tensor *bounds : call.pageBoundsArray)
    tensor("page bounds", bounds);
  std::fprintf(stderr, "%s\n", text.c_str());
}

int runAttention(FuzzedLibrary &lib, AttentionCall &call) {
  traceCall(call);
  const CallOptions &options = call.options;
  if (!call.withPageBounds)
    return lib.api.attention(call.qArg, call.kArg, call.vArg, call.oArg,
                             call.lseArg, options.arg);
  return lib.api.attentionWithPageBounds(
      call.qArg, call.kArg, call.vArg, call.oArg, call.lseArg,
      call.pageBoundsArray.empty() ? nullptr : call.pageBoundsArray.data(),
      options.arg);
}

} // namespace spattn::capifuzz
