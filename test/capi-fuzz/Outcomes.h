//===- Outcomes.h - What the fuzzed calls returned --------------*- C++ -*-===//
//
// Counts per outcome (a call checked against the reference, another
// successful call, each error status) and the mismatches found, each
// named by the call that replays it.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_OUTCOMES_H
#define SPATTN_TEST_CAPIFUZZ_OUTCOMES_H

#include <cstdint>
#include <map>
#include <string>

namespace spattn::capifuzz {

class Outcomes {
public:
  /// The call being made, for the mismatches it reports.
  void startCall(int64_t index, const std::string &where) {
    call = index;
    entry = where;
  }
  void count(const std::string &outcome) { ++counts[outcome]; }
  /// Reports a mismatch of the current call.
  void mismatch(const std::string &what);

  int64_t mismatches() const { return failures; }
  int64_t calls() const;
  void print(double seconds) const;

private:
  std::map<std::string, int64_t> counts;
  int64_t failures = 0;
  int64_t call = 0;
  std::string entry;
};

} // namespace spattn::capifuzz

#endif
