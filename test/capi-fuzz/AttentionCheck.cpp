//===- AttentionCheck.cpp - A fuzzed attention call's results -------------===//
#include "AttentionCheck.h"

#include "StatusCheck.h"

#include "compiler/library/LibraryReference.h"

#include <algorithm>

namespace spattn::capifuzz {

namespace {

/// fp32 kernels against fp64 (as test/e2e); a half-precision O is also
/// rounded once to its dtype.
double outputTolerance(spattn_dtype dtype) {
  return dtype == SPATTN_F32 ? 1e-4 : dtype == SPATTN_F16 ? 2e-3 : 1.6e-2;
}
constexpr double kLseTolerance = 1e-4;

/// Four query heads (every one when there are few) and four rows of each.
struct SampledRows {
  std::vector<bool> heads;
  std::vector<int64_t> rows;

  SampledRows(int64_t numHeads, int64_t queryLength, Random &random)
      : heads(numHeads, numHeads <= 4) {
    for (int n = 0; n < 4; ++n)
      heads[random.between(0, numHeads - 1)] = true;
    if (queryLength <= 4) {
      for (int64_t i = 0; i < queryLength; ++i)
        rows.push_back(i);
      return;
    }
    rows = {0, queryLength - 1, random.between(1, queryLength - 2),
            random.between(1, queryLength - 2)};
  }
};

void checkAgainstFp64(FuzzedLibrary &lib, const AttentionCall &call,
                      Random &random, Outcomes &outcomes) {
  const mlir::spattn::SpecConfig &config = lib.config();
  std::vector<int64_t> request = call.options.request;
  request.resize(config.requestNames.size());
  mlir::FailureOr<ref::Pattern> pattern =
      lib.evaluator->evaluatePattern(call.keyLength, request);
  if (mlir::failed(pattern)) {
    outcomes.mismatch("the spec does not evaluate at Lk " +
                      std::to_string(call.keyLength));
    return;
  }
  ref::AttentionProblem problem =
      config.problem(call.queryLength, call.keyLength, call.batch);
  std::vector<float> q = call.q->contiguous(), k = call.k->contiguous(),
                     v = call.v->contiguous(), o = call.o->contiguous();
  std::vector<float> lse = call.lse ? call.lse->contiguous()
                                    : std::vector<float>(o.size() / config.headDim);
  SampledRows sampled(config.numQHeads, call.queryLength, random);
  ReferenceCheck error = checkAgainstReference(
      lib.api, *pattern, problem,
      CallData{q.data(), k.data(), v.data(), o.data(), lse.data(), call.options.arg},
      [&](int64_t, int64_t h) {
        return sampled.heads[h] ? sampled.rows : std::vector<int64_t>{};
      },
      /*recall=*/false);
  const std::string shape = "B " + std::to_string(call.batch) + " Lq " +
                            std::to_string(call.queryLength) + " Lk " +
                            std::to_string(call.keyLength);
  if (!(error.out <= outputTolerance(call.dtype)))
    outcomes.mismatch(shape + ": O differs from the reference by " +
                      std::to_string(error.out));
  if (call.lse && !(error.lse <= kLseTolerance))
    outcomes.mismatch(shape + ": LSE differs from the reference by " +
                      std::to_string(error.lse));
  outcomes.count("ok, checked against fp64");
}

} // namespace

void checkInputsUnchanged(const AttentionCall &call, Outcomes &outcomes) {
  for (const auto &[name, tensor] : call.inputs())
    if (std::string where = tensor->changedBytes(false); !where.empty())
      outcomes.mismatch("input " + name + " was written: " + where);
}

void checkAttentionCall(FuzzedLibrary &lib, const AttentionCall &call, int status,
                        Random &random, Outcomes &outcomes) {
  if (!call.setupError.empty())
    outcomes.mismatch(call.setupError);
  const bool succeeded = checkStatus(lib, call.expected, status, outcomes);
  checkInputsUnchanged(call, outcomes);
  for (const auto &[name, tensor] : call.outputs())
    if (std::string where = tensor->changedBytes(succeeded); !where.empty())
      outcomes.mismatch((succeeded ? "wrote outside " : "refused, yet wrote ") +
                        name + ": " + where);
  if (succeeded)
    checkAgainstFp64(lib, call, random, outcomes);
}

} // namespace spattn::capifuzz
