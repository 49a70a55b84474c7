//===- Evaluation.cpp - Recall, density and kept FLOPs of a spec ----------===//
#include "Evaluation.h"

#include "reference/Mask.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <atomic>
#include <cmath>
#include <thread>

using namespace mlir;
using namespace mlir::spattn;

namespace spattn::calibrate {

void parallelFor(size_t n, unsigned jobs,
                 const std::function<void(size_t)> &fn) {
  unsigned workers = std::max(1u, std::min<unsigned>(jobs, n));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i)
      fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < workers; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < n;)
        fn(i);
    });
  for (std::thread &thread : threads)
    thread.join();
}

namespace {

/// Dense softmax probabilities of one (sample, head), row-major L x L,
/// zero outside the causal triangle when the spec is causal.
std::vector<float> denseProbabilities(const float *q, const float *k,
                                      int64_t length, int64_t dim,
                                      double scale, bool causal) {
  std::vector<float> probabilities(length * length, 0.0f);
  std::vector<double> scores(length);
  for (int64_t i = 0; i < length; ++i) {
    int64_t keys = causal ? i + 1 : length;
    double best = -INFINITY;
    for (int64_t j = 0; j < keys; ++j) {
      double dot = 0;
      for (int64_t d = 0; d < dim; ++d)
        dot += double(q[i * dim + d]) * double(k[j * dim + d]);
      scores[j] = scale * dot;
      best = std::max(best, scores[j]);
    }
    double sum = 0;
    for (int64_t j = 0; j < keys; ++j)
      sum += (scores[j] = std::exp(scores[j] - best));
    for (int64_t j = 0; j < keys; ++j)
      probabilities[i * length + j] = float(scores[j] / sum);
  }
  return probabilities;
}

} // namespace

Evaluator::Evaluator(SpecOp spec, const Dataset &data, unsigned jobs,
                     std::vector<int64_t> request)
    : specOp(spec), dataset(data), specConfig(SpecConfig::fromOp(spec)),
      specEvaluator(spec), jobs(std::max(1u, jobs)),
      requestValues(std::move(request)) {
  samplesAt.resize(data.lengths.size());
  for (size_t s = 0; s < data.samples.size(); ++s) {
    size_t l = std::lower_bound(data.lengths.begin(), data.lengths.end(),
                                data.samples[s].length) -
               data.lengths.begin();
    samplesAt[l].push_back(s);
  }
  const int64_t heads = specConfig.numQHeads, dim = specConfig.headDim;
  ::spattn::ref::AttentionProblem problem = specConfig.problem(1, 1);
  double scale = problem.effectiveScale();
  dense.resize(data.samples.size() * heads);
  parallelFor(dense.size(), this->jobs, [&](size_t item) {
    const Sample &sample = data.samples[item / heads];
    int64_t h = item % heads, length = sample.length;
    int64_t kvHead = h / (heads / specConfig.numKVHeads);
    dense[item] = denseProbabilities(
        sample.q.data.data() + h * length * dim,
        sample.k.data.data() + kvHead * length * dim, length, dim, scale,
        specConfig.causal);
  });
}

const float *Evaluator::probabilities(size_t sample, int64_t head) const {
  return dense[sample * specConfig.numQHeads + head].data();
}

FailureOr<std::vector<int64_t>> Evaluator::keyAt(int64_t length) {
  // Every index operand of a pattern op is a budget site (predicate
  // arguments included): equal budgets, equal masks.
  return specEvaluator.evaluateBudgets(length, requestValues);
}

FailureOr<std::vector<std::vector<int64_t>>> Evaluator::keys() {
  std::vector<std::vector<int64_t>> all;
  for (int64_t length : dataset.lengths) {
    FailureOr<std::vector<int64_t>> key = keyAt(length);
    if (failed(key))
      return failure();
    all.push_back(std::move(*key));
  }
  return all;
}

Totals Evaluator::maskTotals(const ::spattn::ref::Pattern &pattern,
                             size_t s, int64_t head) const {
  const Sample &sample = dataset.samples[s];
  const int64_t length = sample.length, dim = specConfig.headDim;
  ::spattn::ref::AttentionProblem problem =
      specConfig.problem(length, length);
  ::spattn::ref::HeadContent content{
      sample.q.data.data() + head * length * dim,
      sample.k.data.data() + problem.kvHeadOf(head) * length * dim};
  ::spattn::ref::MaskEvaluator mask(pattern, problem, head, content);
  const float *p = probabilities(s, head);
  Totals totals;
  std::vector<uint8_t> keep;
  for (int64_t i = 0; i < length; ++i) {
    mask.row(i, keep);
    int64_t denseKeys = specConfig.causal ? i + 1 : length;
    totals.densePairs += denseKeys;
    if (denseKeys == 0)
      continue;
    // Eight float partial sums (a row's mass is at most 1) vectorize.
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t kept = 0;
    const float *row = p + i * length;
    int64_t j = 0;
    for (; j + 8 <= length; j += 8)
      for (int k = 0; k < 8; ++k) {
        lanes[k] += keep[j + k] ? row[j + k] : 0.0f;
        kept += keep[j + k];
      }
    for (; j < length; ++j) {
      lanes[0] += keep[j] ? row[j] : 0.0f;
      kept += keep[j];
    }
    double mass = 0;
    for (float lane : lanes)
      mass += lane;
    totals.recallSum += mass;
    totals.keptPairs += kept;
    totals.rows += 1;
  }
  return totals;
}

FailureOr<Totals> Evaluator::totalsAt(size_t l,
                                      const std::vector<int64_t> &key,
                                      int64_t begin, int64_t end) {
  const int64_t length = dataset.lengths[l];
  std::vector<int64_t> cacheKey;
  cacheKey.reserve(key.size() + 2);
  auto keyOf = [&](int64_t head) {
    cacheKey.assign({head, int64_t(l)});
    cacheKey.insert(cacheKey.end(), key.begin(), key.end());
    return cacheKey;
  };
  Totals totals;
  std::vector<int64_t> missing;
  for (int64_t h = begin; h < end; ++h) {
    auto it = cache.find(keyOf(h));
    if (it == cache.end())
      missing.push_back(h);
    else
      totals.add(it->second);
  }
  if (missing.empty())
    return totals;

  FailureOr<::spattn::ref::Pattern> pattern =
      specEvaluator.evaluatePattern(length, requestValues);
  if (failed(pattern))
    return failure();
  const std::vector<size_t> &samples = samplesAt[l];
  std::vector<Totals> items(missing.size() * samples.size());
  parallelFor(items.size(), jobs, [&](size_t item) {
    items[item] = maskTotals(*pattern, samples[item % samples.size()],
                             missing[item / samples.size()]);
  });
  maskCount += items.size();
  for (size_t m = 0; m < missing.size(); ++m) {
    Totals head;
    for (size_t s = 0; s < samples.size(); ++s)
      head.add(items[m * samples.size() + s]);
    cache[keyOf(missing[m])] = head;
    totals.add(head);
  }
  return totals;
}

FailureOr<std::vector<LengthStats>> Evaluator::evaluate(int64_t begin,
                                                        int64_t end) {
  FailureOr<std::vector<std::vector<int64_t>>> all = keys();
  if (failed(all))
    return failure();
  std::vector<LengthStats> stats;
  for (size_t l = 0; l < dataset.lengths.size(); ++l) {
    LengthStats at;
    at.length = dataset.lengths[l];
    FailureOr<Totals> totals = totalsAt(l, (*all)[l], begin, end);
    if (failed(totals))
      return failure();
    at.totals = *totals;
    at.budgets = (*all)[l];
    stats.push_back(std::move(at));
  }
  return stats;
}

FailureOr<int> Evaluator::firstMiss(int64_t begin, int64_t end, double target,
                                    std::vector<size_t> &order,
                                    double *missRecall) {
  if (order.size() != dataset.lengths.size()) {
    order.clear();
    // The longest lengths first: they are the likeliest to miss.
    for (size_t l = dataset.lengths.size(); l-- > 0;)
      order.push_back(l);
  }
  for (size_t n = 0; n < order.size(); ++n) {
    size_t l = order[n];
    FailureOr<std::vector<int64_t>> key = keyAt(dataset.lengths[l]);
    if (failed(key))
      return failure();
    // Budgets never keep fewer keys as they grow: a key at or above one
    // that met the target meets it too, one at or below a miss misses.
    Frontier &frontier = frontiers[{begin, end, int64_t(l), target}];
    auto dominates = [](const std::vector<int64_t> &a,
                        const std::vector<int64_t> &b) {
      for (size_t i = 0; i < a.size(); ++i)
        if (a[i] < b[i])
          return false;
      return true;
    };
    bool met = llvm::any_of(frontier.met, [&](const std::vector<int64_t> &f) {
      return dominates(*key, f);
    });
    bool missed =
        !met && llvm::any_of(frontier.missed, [&](const std::vector<int64_t> &g) {
          return dominates(g, *key);
        });
    double recall = 0;
    if (!met && !missed) {
      FailureOr<Totals> totals = totalsAt(l, *key, begin, end);
      if (failed(totals))
        return failure();
      recall = totals->recall();
      missed = recall < target;
      (missed ? frontier.missed : frontier.met).push_back(*key);
    } else if (missed && missRecall) {
      FailureOr<Totals> totals = totalsAt(l, *key, begin, end);
      if (failed(totals))
        return failure();
      recall = totals->recall();
    }
    if (missed) {
      if (missRecall)
        *missRecall = recall;
      std::rotate(order.begin(), order.begin() + n, order.begin() + n + 1);
      return int(l);
    }
  }
  return -1;
}

} // namespace spattn::calibrate
