//===- CallOptions.cpp - Random spattn_options for a call -----------------===//
#include "CallOptions.h"

#include <limits>

namespace spattn::capifuzz {

namespace {

constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();

int32_t randomThreads(Random &random, bool faults, Expected &expected) {
  if (faults && random.chance(0.15)) {
    int32_t n = random.pick<int32_t>({-1, -2, -64, kInt32Min});
    expected.add(SPATTN_ERROR_ARGUMENT, "num_threads " + std::to_string(n));
    return n;
  }
  if (random.chance(0.01))
    return random.pick<int32_t>({1000, kInt32Max}); // Halide caps its pool
  return random.pick<int32_t>({0, 0, 1, 2, 3, 4, 8, 16, 64});
}

/// A value just outside [lo, hi], or far outside it.
int64_t outOfRange(int64_t lo, int64_t hi, Random &random) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (random.chance(0.5))
    return hi == kMax ? lo - 1 : random.chance(0.7) ? hi + 1 : kMax;
  return lo == kMin ? hi + 1 : random.chance(0.7) ? lo - 1 : kMin;
}

} // namespace

void randomOptions(const FuzzedLibrary &lib, Random &random, bool faults,
                   CallOptions &out) {
  const mlir::spattn::SpecConfig &config = lib.config();
  const int32_t declared = static_cast<int32_t>(config.requestNames.size());
  for (int32_t k = 0; k < declared; ++k)
    out.request.push_back(random.between(config.requestMin[k], config.requestMax[k]));
  out.options.num_threads = randomThreads(random, faults, out.threadFaults);
  out.options.num_request = declared;
  out.options.request = declared ? out.request.data() : nullptr;
  out.arg = &out.options;
  if (declared == 0 && random.chance(0.3)) {
    out.arg = nullptr; // a library without request parameters takes none
    out.threadFaults = {};
  }
  if (!faults || !random.chance(0.2))
    return;
  Expected &expected = out.requestFaults;
  switch (random.between(0, 3)) {
  case 0: // a count that is not the declared one (the values exist)
    out.options.num_request = random.pick<int32_t>(
        {declared + 1, declared + 3, -1, kInt32Min, declared ? declared - 1 : 2});
    out.request.resize(declared + 3, 0); // a count read as given stays in bounds
    out.options.request = out.request.data();
    out.arg = &out.options;
    expected.add(SPATTN_ERROR_ARGUMENT,
                 "num_request " + std::to_string(out.options.num_request));
    break;
  case 1: // no options at all
    if (declared == 0)
      return;
    out.arg = nullptr;
    out.threadFaults = {};
    expected.add(SPATTN_ERROR_ARGUMENT, "options null with request parameters");
    break;
  case 2: // the right count, no array
    if (declared == 0)
      return;
    out.options.request = nullptr;
    expected.add(SPATTN_ERROR_NULL, "options->request null");
    break;
  default: { // one value outside its range
    if (declared == 0)
      return;
    int32_t k = static_cast<int32_t>(random.between(0, declared - 1));
    out.request[k] = outOfRange(config.requestMin[k], config.requestMax[k], random);
    out.arg = &out.options;
    expected.add(SPATTN_ERROR_ARGUMENT, "request value " + std::to_string(out.request[k]));
  }
  }
}

} // namespace spattn::capifuzz
