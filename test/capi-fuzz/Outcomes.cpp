//===- Outcomes.cpp - What the fuzzed calls returned ----------------------===//
#include "Outcomes.h"

#include <cstdio>

namespace spattn::capifuzz {

namespace {
/// Enough mismatches to see a pattern; the count says the rest.
constexpr int64_t kPrintedMismatches = 20;
} // namespace

void Outcomes::mismatch(const std::string &what) {
  if (++failures <= kPrintedMismatches)
    std::printf("MISMATCH call %lld (%s): %s\n", static_cast<long long>(call),
                entry.c_str(), what.c_str());
}

int64_t Outcomes::calls() const {
  int64_t total = 0;
  for (const auto &[outcome, n] : counts)
    total += n;
  return total;
}

void Outcomes::print(double seconds) const {
  std::printf("%lld calls in %.1f s (%.0f calls/s), %lld mismatches\n",
              static_cast<long long>(calls()), seconds, calls() / seconds,
              static_cast<long long>(failures));
  for (const auto &[outcome, n] : counts)
    std::printf("  %-28s %lld\n", outcome.c_str(), static_cast<long long>(n));
}

} // namespace spattn::capifuzz
