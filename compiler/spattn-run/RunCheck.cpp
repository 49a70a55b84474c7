//===- RunCheck.cpp - spattn-run --check ----------------------------------===//
#include "RunCheck.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <random>
#include <set>

namespace spattn::run {

/// Query-key pairs the fp64 check covers in full; beyond, rows are sampled
/// so that about this many pairs are checked.
constexpr int64_t kCheckedPairs = int64_t{1} << 24;
/// Fewest rows sampled per (batch, head).
constexpr int64_t kMinSampledRows = 16;

int checkAndReport(const LibraryApi &lib, const ref::Pattern &pattern,
                   const ref::AttentionProblem &problem, const CallData &call,
                   llvm::raw_ostream &os) {
  const int64_t lq = problem.queryLength,
                heads = problem.batch * problem.numQHeads;
  const int64_t perHead =
      std::clamp(kCheckedPairs / (heads * problem.keyLength),
                 std::min(kMinSampledRows, lq), lq);
  const bool all = perHead == lq;
  auto rows = [&](int64_t b, int64_t h) {
    std::vector<int64_t> chosen;
    if (all) {
      for (int64_t i = 0; i < lq; ++i)
        chosen.push_back(i);
      return chosen;
    }
    std::set<int64_t> sample = {0, lq - 1};
    std::mt19937_64 rng((b * problem.numQHeads + h) * 7919 + 1);
    std::uniform_int_distribution<int64_t> any(0, lq - 1);
    while (int64_t(sample.size()) < perHead)
      sample.insert(any(rng));
    return std::vector<int64_t>(sample.begin(), sample.end());
  };
  ReferenceCheck result =
      checkAgainstReference(lib, pattern, problem, call, rows, /*recall=*/true);
  bool ok = result.out <= kTolerance && result.lse <= kTolerance;
  os << "check: max abs error O " << llvm::format("%.3g", result.out)
     << ", LSE " << llvm::format("%.3g", result.lse)
     << " (tolerance 1e-4): " << (ok ? "ok" : "FAILED") << "; ";
  if (all)
    os << "all " << lq << " rows of " << heads << " heads";
  else
    os << perHead << " sampled rows of " << lq << " in each of " << heads
       << " heads (first, last, random)";
  if (result.emptyRows)
    os << ", " << result.emptyRows << " rows keep no key";
  os << "\nrecall: mean " << llvm::format("%.4f", result.meanRecall())
     << ", min " << llvm::format("%.4f", result.recallMin) << " (dense "
     << (problem.causal ? "causal " : "") << "softmax mass on the kept keys)\n";
  return ok ? 0 : 1;
}

} // namespace spattn::run
