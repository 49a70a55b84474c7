//===- ReferenceCheck.cpp - A library call against the fp64 reference -----===//
#include "ReferenceCheck.h"

#include "dialects/SpAttn/Reference/Mask.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
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

/// The library's selections for one head, as the reference takes them.
std::vector<ref::GivenSelection> librarySelections(LoadedLibrary &lib,
                                                   const CallResult &r,
                                                   int64_t b, int64_t h) {
  std::vector<ref::GivenSelection> given;
  for (int32_t stage = 0; stage < lib.numStages(); ++stage) {
    spattn_selection sel;
    if (lib.selection(&r.q.desc, &r.k.desc, b, h, stage, &sel) != SPATTN_OK)
      continue; // this stage does not serve head h
    ref::GivenSelection groups(sel.num_groups);
    for (int64_t g = 0; g < sel.num_groups; ++g)
      groups[g].assign(sel.indices + sel.offsets[g], sel.indices + sel.offsets[g + 1]);
    given.push_back(std::move(groups));
  }
  return given;
}

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
  ErrorBound bound;
  if (mlir::failed(pattern)) {
    ADD_FAILURE() << "the spec does not evaluate at L = " << shape.keyLength;
    return bound;
  }
  const mlir::spattn::SpecConfig &config = evaluator.config();
  ref::AttentionProblem problem =
      config.problem(shape.queryLength, shape.keyLength, shape.batch);
  const int64_t D = config.headDim, lk = shape.keyLength;
  const double scale = problem.effectiveScale();
  std::mt19937 rng(seed);
  std::vector<uint8_t> keep;
  for (int64_t b = 0; b < shape.batch; ++b)
    for (int64_t h = 0; h < config.numQHeads; ++h) {
      ref::HeadContent content =
          ref::headContent(problem, r.q.data.data(), r.k.data.data(), b, h);
      ref::MaskEvaluator mask(*pattern, problem, h, content);
      if (pattern->needsContent())
        mask.useSelections(librarySelections(lib, r, b, h));
      int64_t kv = problem.kvHeadOf(h);
      for (int64_t i : sampledRows(shape.queryLength, rng)) {
        mask.row(i, keep);
        std::vector<double> scores;
        std::vector<int64_t> keys;
        double maxScore = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < lk; ++j)
          if (keep[j]) {
            double dot = 0;
            for (int64_t d = 0; d < D; ++d)
              dot += double(r.q.at(b, h, i, d)) * r.k.at(b, kv, j, d);
            scores.push_back(scale * dot);
            keys.push_back(j);
            maxScore = std::max(maxScore, scale * dot);
          }
        ++bound.rows;
        if (keys.empty()) {
          ++bound.emptyRows;
          for (int64_t d = 0; d < D; ++d)
            bound.out = std::max(bound.out, std::fabs(double(r.o.at(b, h, i, d))));
          if (r.lse.at(b, h, i) != -std::numeric_limits<float>::infinity())
            bound.lse = std::numeric_limits<double>::infinity();
          continue;
        }
        double sum = 0;
        std::vector<double> out(D, 0.0);
        for (size_t t = 0; t < keys.size(); ++t) {
          double p = std::exp(scores[t] - maxScore);
          sum += p;
          for (int64_t d = 0; d < D; ++d)
            out[d] += p * r.v.at(b, kv, keys[t], d);
        }
        for (int64_t d = 0; d < D; ++d)
          bound.out = std::max(bound.out,
                               std::fabs(out[d] / sum - r.o.at(b, h, i, d)));
        bound.lse = std::max(bound.lse, std::fabs(maxScore + std::log(sum) -
                                                  r.lse.at(b, h, i)));
      }
    }
  return bound;
}

} // namespace spattn::test
