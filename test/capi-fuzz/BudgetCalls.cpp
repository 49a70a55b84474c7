//===- BudgetCalls.cpp - Fuzzed <name>_budgets ----------------------------===//
#include "CallOptions.h"
#include "EntryPoints.h"
#include "StatusCheck.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace spattn::capifuzz {

namespace {

constexpr int64_t kUnwritten = 0x5A5A5A5A5A5A5A5A;
constexpr int64_t kGuard = 4;

/// Labels and values equal the spec's budgets folded at (L, request).
void checkValues(FuzzedLibrary &lib, int64_t length, const CallOptions &options,
                 const int64_t *values, Outcomes &outcomes) {
  std::vector<int64_t> request = options.request;
  request.resize(lib.config().requestNames.size());
  mlir::FailureOr<std::vector<int64_t>> expected =
      lib.evaluator->evaluateBudgets(length, request);
  if (mlir::failed(expected)) {
    outcomes.mismatch("the spec's budgets do not evaluate at L " + std::to_string(length));
    return;
  }
  const auto &sites = lib.evaluator->budgets();
  for (size_t b = 0; b < sites.size(); ++b) {
    const char *label = lib.api.budgetLabel(static_cast<int32_t>(b));
    if (!label || sites[b].label != label)
      outcomes.mismatch("budget " + std::to_string(b) + " is labelled " +
                        (label ? label : "(null)") + ", the spec says " + sites[b].label);
    if (values[b] != (*expected)[b])
      outcomes.mismatch("budget " + sites[b].label + " at L " + std::to_string(length) +
                        " is " + std::to_string(values[b]) + ", the spec says " +
                        std::to_string((*expected)[b]));
  }
}

} // namespace

void fuzzBudgets(FuzzedLibrary &lib, Random &random, Outcomes &outcomes) {
  const int32_t numBudgets = lib.api.numBudgets();
  const int64_t maxLength = lib.config().buckets.back();
  Expected expected;
  int64_t length = random.chance(0.5) ? random.between(1, std::min<int64_t>(maxLength, 512))
                                      : random.between(1, maxLength);
  if (random.chance(0.15)) {
    length = random.pick<int64_t>({0, -1, maxLength + 1, INT64_MAX, INT64_MIN});
    expected.add(SPATTN_ERROR_LENGTH, "L " + std::to_string(length));
  }
  CallOptions options;
  randomOptions(lib, random, /*faults=*/true, options);
  expected.add(options.requestFaults); // budgets do not read num_threads
  int32_t capacity = numBudgets + static_cast<int32_t>(random.between(0, 2));
  if (random.chance(0.1)) {
    capacity = random.pick<int32_t>({numBudgets - 1, -1, INT32_MIN});
    if (capacity < numBudgets)
      expected.add(SPATTN_ERROR_ARGUMENT, "capacity " + std::to_string(capacity));
  }
  std::vector<int64_t> storage(std::max<int32_t>(capacity, 0) + kGuard, kUnwritten);
  int64_t *values = storage.data();
  if (random.chance(0.05)) {
    values = nullptr;
    if (capacity > 0)
      expected.add(SPATTN_ERROR_NULL, "values null");
  }
  int status = lib.api.budgets(length, options.arg, values, capacity);
  const bool succeeded = checkStatus(lib, expected, status, outcomes);
  const size_t written = succeeded ? numBudgets : 0;
  for (size_t i = written; i < storage.size(); ++i)
    if (storage[i] != kUnwritten) {
      outcomes.mismatch("budgets wrote values[" + std::to_string(i) + "] of " +
                        std::to_string(numBudgets) + " budgets" +
                        (succeeded ? "" : " in a refused call"));
      break;
    }
  if (succeeded && values)
    checkValues(lib, length, options, values, outcomes);
  if (succeeded)
    outcomes.count("ok");
}

} // namespace spattn::capifuzz
