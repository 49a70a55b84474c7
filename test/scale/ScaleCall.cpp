//===- ScaleCall.cpp - One long call, its check and its peak memory -------===//
//
//   spattn-scale-call NAME SPEC.mlir LK LQ
//
// Runs library NAME (built from SPEC.mlir into the scale test's library
// folder) once on random Q [1, Hq, LQ, D], K and V [1, Hkv, LK, D], checks
// every row of every head against fp64 attention over the mask the library
// applied (compiler/library/LibraryReference.h: row by row, O(LK) memory),
// and prints one line of key=value figures: the process's resident memory
// before the inputs exist, its peak after the library call and its peak
// after the check (VmHWM), the status and the errors. One process per call,
// so that each peak is that call's alone (MillionTokenTest.cpp).
//
//===----------------------------------------------------------------------===//
#include "LoadedLibrary.h"

#include "compiler/library/LibraryReference.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using namespace spattn;
using namespace spattn::test;

namespace {

/// A "Name:   1234 kB" field of /proc/self/status, in KiB.
int64_t statusKiB(const char *field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t length = std::strlen(field);
  while (std::getline(status, line))
    if (line.compare(0, length, field) == 0 && line[length] == ':')
      return std::atoll(line.c_str() + length + 1);
  return -1;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: spattn-scale-call NAME SPEC.mlir LK LQ\n");
    return 2;
  }
  const std::string name = argv[1], specFile = argv[2];
  const int64_t lk = std::atoll(argv[3]), lq = std::atoll(argv[4]);
  std::unique_ptr<LoadedLibrary> lib = loadLibrary(name, specFile);
  if (!lib)
    return 2;
  mlir::spattn::SpecEvaluator evaluator(lib->spec);
  mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk);
  if (mlir::failed(pattern)) {
    std::fprintf(stderr, "%s does not evaluate at L = %lld\n", name.c_str(),
                 static_cast<long long>(lk));
    return 2;
  }
  const ref::AttentionProblem problem = evaluator.config().problem(lq, lk, 1);
  const int64_t baseline = statusKiB("VmRSS");

  const int64_t D = problem.headDim, hq = problem.numQHeads,
                hkv = problem.numKVHeads;
  Tensor q({1, hq, lq, D}), k({1, hkv, lk, D}), v({1, hkv, lk, D}),
      o({1, hq, lq, D}), lse({1, hq, lq});
  q.randomize(1);
  k.randomize(2);
  v.randomize(3);
  auto start = std::chrono::steady_clock::now();
  const int status =
      lib->attention(&q.desc, &k.desc, &v.desc, &o.desc, &lse.desc, nullptr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t callPeak = statusKiB("VmHWM");
  if (status != SPATTN_OK) {
    std::printf("status=%d error=%s\n", status, lib->lastError());
    return 1;
  }

  CallData call{q.data.data(), k.data.data(), v.data.data(), o.data.data(),
                lse.data.data()};
  ReferenceCheck check = checkAgainstReference(
      *lib, *pattern, problem, call,
      [&](int64_t, int64_t) {
        std::vector<int64_t> rows(lq);
        for (int64_t i = 0; i < lq; ++i)
          rows[i] = i;
        return rows;
      },
      /*recall=*/false);
  std::printf("status=0 baseline_kib=%lld call_peak_kib=%lld check_peak_kib=%lld "
              "rows=%lld empty_rows=%lld out_err=%.3g lse_err=%.3g seconds=%.3f\n",
              static_cast<long long>(baseline), static_cast<long long>(callPeak),
              static_cast<long long>(statusKiB("VmHWM")),
              static_cast<long long>(check.rows),
              static_cast<long long>(check.emptyRows), check.out, check.lse,
              seconds);
  return 0;
}
