//===- Expected.h - The statuses a fuzzed call may return -------*- C++ -*-===//
//
// Each fault put into a call names the status it must be refused with; a
// call with several faults may return any of theirs (which one depends on
// the order the library checks in). No fault: the call must succeed.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_EXPECTED_H
#define SPATTN_TEST_CAPIFUZZ_EXPECTED_H

#include "spattn/runtime.h"

#include <string>

namespace spattn::capifuzz {

struct Expected {
  unsigned statuses = 0; // bit (1 << status) per acceptable error
  std::string faults;    // what was made wrong, for messages

  void add(int status, const std::string &fault) {
    statuses |= 1u << status;
    faults += (faults.empty() ? "" : "; ") + fault;
  }
  void add(const Expected &other) {
    statuses |= other.statuses;
    if (!other.faults.empty())
      faults += (faults.empty() ? "" : "; ") + other.faults;
  }
  bool mustSucceed() const { return statuses == 0; }
  bool allows(int status) const {
    return status > 0 && status < 32 && (statuses >> status & 1u);
  }
};

} // namespace spattn::capifuzz

#endif
