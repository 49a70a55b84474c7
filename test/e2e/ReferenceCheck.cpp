//===- ReferenceCheck.cpp - A library call against the fp64 reference -----===//
#include "ReferenceCheck.h"

#include <gtest/gtest.h>

#include <random>

namespace spattn::test {

CallResult runLibrary(LoadedLibrary &lib, const CallShape &shape, uint32_t seed) {
  mlir::spattn::SpecConfig config = mlir::spattn::SpecConfig::fromOp(lib.spec);
  int64_t B = shape.batch, D = config.headDim;
  CallResult r{Tensor({B, config.numQHeads, shape.queryLength, D}),
               Tensor({B, config.numKVHeads, shape.keyLength, D}),
               Tensor({B, config.numKVHeads, shape.keyLength, D}),
               Tensor({B, config.numQHeads, shape.queryLength, D}),
               Tensor({B, config.numQHeads, shape.queryLength}), 0};
  r.q.randomize(seed);
  r.k.randomize(seed + 1);
  r.v.randomize(seed + 2);
  r.status = lib.attention(&r.q.desc, &r.k.desc, &r.v.desc, &r.o.desc,
                           &r.lse.desc, nullptr);
  return r;
}

namespace {

std::vector<int64_t> sampledRows(int64_t lq, std::mt19937 &rng) {
  std::vector<int64_t> rows;
  if (lq <= 24) {
    for (int64_t i = 0; i < lq; ++i)
      rows.push_back(i);
    return rows;
  }
  for (int64_t i : {int64_t{0}, int64_t{1}, lq / 2, lq - 1})
    rows.push_back(i);
  std::uniform_int_distribution<int64_t> any(0, lq - 1);
  for (int k = 0; k < 6; ++k)
    rows.push_back(any(rng));
  return rows;
}

} // namespace

ErrorBound compareWithReference(LoadedLibrary &lib, const CallShape &shape,
                                const CallResult &r, uint32_t seed) {
  mlir::spattn::SpecEvaluator evaluator(lib.spec);
  mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(shape.keyLength);
  if (mlir::failed(pattern)) {
    ADD_FAILURE() << "the spec does not evaluate at L = " << shape.keyLength;
    return {};
  }
  ref::AttentionProblem problem = evaluator.config().problem(
      shape.queryLength, shape.keyLength, shape.batch);
  std::mt19937 rng(seed);
  CallData call{r.q.data.data(), r.k.data.data(), r.v.data.data(),
                r.o.data.data(), r.lse.data.data()};
  // Long calls check every fourth head (and the last): each per_head group
  // of the examples starts at a multiple of 4, so every group is covered.
  auto checked = [&](int64_t h) {
    return shape.keyLength <= 8192 || h % 4 == 0 || h == problem.numQHeads - 1;
  };
  return checkAgainstReference(
      lib, *pattern, problem, call,
      [&](int64_t, int64_t h) {
        return checked(h) ? sampledRows(shape.queryLength, rng)
                          : std::vector<int64_t>{};
      },
      /*recall=*/false);
}

} // namespace spattn::test
