//===- CallOptions.h - Random spattn_options for a call ---------*- C++ -*-===//
//
// Thread counts (0, 1, several, huge, negative) and request values (right,
// missing, extra, out of range, a null array) for a library's calls.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_CALLOPTIONS_H
#define SPATTN_TEST_CAPIFUZZ_CALLOPTIONS_H

#include "Expected.h"
#include "FuzzedLibrary.h"
#include "Random.h"

#include <cstdint>
#include <vector>

namespace spattn::capifuzz {

struct CallOptions {
  spattn_options options{};
  std::vector<int64_t> request; // the values options.request points to
  const spattn_options *arg = nullptr;
  /// Faults of the request values (every entry point reads them) and of
  /// the thread count (only attention reads it).
  Expected requestFaults, threadFaults;

  CallOptions() = default;
  CallOptions(const CallOptions &) = delete;
};

/// Valid options, with a fault now and then when `faults`.
void randomOptions(const FuzzedLibrary &lib, Random &random, bool faults,
                   CallOptions &out);

} // namespace spattn::capifuzz

#endif
