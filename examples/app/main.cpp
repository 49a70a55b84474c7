// An app that links the library spattn_add_library(window_sinks ...) builds
// from window_sinks.mlir, runs it on generated inputs at lengths served by
// each of its buckets (prefill, decode, chunked prefill) and checks every
// output against a naive fp64 reference it computes itself. Exits non-zero
// when a call fails or an error exceeds the tolerance.
#include "window_sinks.h" // C API window_sinks_*, C++ namespace window_sinks

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

// The spec's shape (window_sinks.mlir).
constexpr int64_t kHeadDim = 64, kQHeads = 4, kKVHeads = 2, kSinks = 4;
constexpr double kTolerance = 1e-4;

// The window budget at key length L, as the spec computes it:
// align(clamp(floor(4 * L^0.5), 32, 256), 32).
int64_t windowAt(int64_t length) {
  int64_t w = int64_t(std::floor(4.0 * std::pow(double(length), 0.5)));
  w = std::min<int64_t>(std::max<int64_t>(w, 32), 256);
  return (w + 31) / 32 * 32;
}

// Naive attention in double: query row i sits at p = Lk - Lq + i (bottom
// right aligned) and keeps key j iff j <= p and (j < sinks or p - j < w);
// query head h reads kv head h / (Hq / Hkv).
void reference(const std::vector<float> &q, const std::vector<float> &k,
               const std::vector<float> &v, int64_t batch, int64_t lq,
               int64_t lk, std::vector<double> &o, std::vector<double> &lse) {
  const double scale = 1.0 / std::sqrt(double(kHeadDim));
  const int64_t w = windowAt(lk), group = kQHeads / kKVHeads;
  o.assign(batch * kQHeads * lq * kHeadDim, 0.0);
  lse.assign(batch * kQHeads * lq, -std::numeric_limits<double>::infinity());
  std::vector<double> scores(lk);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < kQHeads; ++h) {
      const int64_t kvh = h / group;
      for (int64_t i = 0; i < lq; ++i) {
        const int64_t p = lk - lq + i;
        const float *qi = &q[((b * kQHeads + h) * lq + i) * kHeadDim];
        double top = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < lk; ++j) {
          bool kept = j <= p && (j < kSinks || p - j < w);
          scores[j] = -std::numeric_limits<double>::infinity();
          if (!kept)
            continue;
          const float *kj = &k[((b * kKVHeads + kvh) * lk + j) * kHeadDim];
          double dot = 0;
          for (int64_t d = 0; d < kHeadDim; ++d)
            dot += double(qi[d]) * double(kj[d]);
          scores[j] = scale * dot;
          top = std::max(top, scores[j]);
        }
        if (top == -std::numeric_limits<double>::infinity())
          continue; // no key: O = 0, LSE = -inf
        double sum = 0;
        for (int64_t j = 0; j < lk; ++j)
          sum += std::exp(scores[j] - top); // exp(-inf) = 0
        const double rowLse = top + std::log(sum);
        lse[(b * kQHeads + h) * lq + i] = rowLse;
        double *oi = &o[((b * kQHeads + h) * lq + i) * kHeadDim];
        for (int64_t j = 0; j < lk; ++j) {
          if (scores[j] == -std::numeric_limits<double>::infinity())
            continue;
          const double weight = std::exp(scores[j] - rowLse);
          const float *vj = &v[((b * kKVHeads + kvh) * lk + j) * kHeadDim];
          for (int64_t d = 0; d < kHeadDim; ++d)
            oi[d] += weight * double(vj[d]);
        }
      }
    }
}

std::vector<float> randomTensor(size_t size, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> t(size);
  for (float &x : t)
    x = dist(rng);
  return t;
}

double maxAbsError(const std::vector<float> &got, const std::vector<double> &want) {
  double worst = 0;
  for (size_t n = 0; n < got.size(); ++n) {
    double e = std::fabs(double(got[n]) - want[n]);
    if (!(e <= worst)) // NaN counts as infinitely wrong
      worst = std::isnan(e) ? std::numeric_limits<double>::infinity() : e;
  }
  return worst;
}

struct Case {
  const char *what;
  int64_t batch, lq, lk;
};

// Runs one case through the C++ wrapper; returns false when it fails.
bool runCase(const Case &c, std::mt19937 &rng) {
  std::vector<float> q = randomTensor(c.batch * kQHeads * c.lq * kHeadDim, rng);
  std::vector<float> k = randomTensor(c.batch * kKVHeads * c.lk * kHeadDim, rng);
  std::vector<float> v = randomTensor(c.batch * kKVHeads * c.lk * kHeadDim, rng);
  std::vector<float> o(q.size()), lse(c.batch * kQHeads * c.lq);
  spattn_tensor tq = spattn::tensor(q.data(), c.batch, kQHeads, c.lq, kHeadDim);
  spattn_tensor tk = spattn::tensor(k.data(), c.batch, kKVHeads, c.lk, kHeadDim);
  spattn_tensor tv = spattn::tensor(v.data(), c.batch, kKVHeads, c.lk, kHeadDim);
  spattn_tensor to = spattn::tensor(o.data(), c.batch, kQHeads, c.lq, kHeadDim);
  spattn_tensor tlse = spattn::tensor(lse.data(), c.batch, kQHeads, c.lq);

  // The library's budgets at this length must be the ones the reference uses.
  std::vector<int64_t> budgets(window_sinks_num_budgets());
  if (window_sinks_budgets(c.lk, nullptr, budgets.data(), int32_t(budgets.size())) != SPATTN_OK) {
    std::printf("FAIL %s: window_sinks_budgets: %s\n", c.what, window_sinks_last_error());
    return false;
  }
  bool budgetsAgree = true;
  for (size_t n = 0; n < budgets.size(); ++n) {
    std::string label = window_sinks_budget_label(int32_t(n));
    int64_t expected = label.find("window") != std::string::npos ? windowAt(c.lk)
                       : label.find("sink") != std::string::npos ? kSinks
                                                                 : budgets[n];
    budgetsAgree &= budgets[n] == expected;
  }

  double seconds = 0;
  try {
    auto start = std::chrono::steady_clock::now();
    window_sinks::attention(tq, tk, tv, to, &tlse); // throws spattn::Error
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } catch (const spattn::Error &e) {
    std::printf("FAIL %s: %s\n", c.what, e.what());
    return false;
  }

  std::vector<double> refO, refLse;
  reference(q, k, v, c.batch, c.lq, c.lk, refO, refLse);
  double errO = maxAbsError(o, refO), errLse = maxAbsError(lse, refLse);
  bool ok = budgetsAgree && errO <= kTolerance && errLse <= kTolerance;
  std::printf("%s %-15s B=%lld Lq=%-4lld Lk=%-4lld window=%-3lld max|O-ref|=%.2e "
              "max|LSE-ref|=%.2e %.3f ms%s\n",
              ok ? "ok  " : "FAIL", c.what, (long long)c.batch, (long long)c.lq,
              (long long)c.lk, (long long)windowAt(c.lk), errO, errLse,
              seconds * 1e3, budgetsAgree ? "" : " (budgets disagree)");
  return ok;
}

// A length above the last bucket is refused: a status from the C API, an
// exception from the C++ wrapper.
bool refusesTooLong() {
  const int64_t lk = window_sinks_max_length() + 1;
  std::vector<float> q(kQHeads * kHeadDim), kv(kKVHeads * lk * kHeadDim);
  std::vector<float> o(q.size());
  spattn_tensor tq = spattn::tensor(q.data(), 1, kQHeads, 1, kHeadDim);
  spattn_tensor tk = spattn::tensor(kv.data(), 1, kKVHeads, lk, kHeadDim);
  spattn_tensor to = spattn::tensor(o.data(), 1, kQHeads, 1, kHeadDim);
  int status = window_sinks_attention(&tq, &tk, &tk, &to, nullptr, nullptr);
  bool thrown = false;
  try {
    window_sinks::attention(tq, tk, tk, to);
  } catch (const spattn::Error &e) {
    thrown = e.status() == SPATTN_ERROR_LENGTH;
  }
  bool ok = status == SPATTN_ERROR_LENGTH && thrown;
  std::printf("%s Lk=%lld refused: %s (%s)\n", ok ? "ok  " : "FAIL",
              (long long)lk, spattn_status_string(status), window_sinks_last_error());
  return ok;
}

} // namespace

int main() {
  std::mt19937 rng(2024);
  const Case cases[] = {
      {"prefill", 1, 100, 100},         // bucket 0
      {"prefill", 2, 700, 700},         // bucket 1
      {"decode", 1, 1, 1800},           // bucket 1, one query row
      {"chunked-prefill", 1, 48, 3000}, // bucket 2, last 48 rows
  };
  bool ok = true;
  for (const Case &c : cases)
    ok &= runCase(c, rng);
  ok &= refusesTooLong();
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
