//===- AttentionCall.h - One fuzzed call of <name>_attention ----*- C++ -*-===//
//
// A call's lengths, tensors, options and page bounds, first valid (random
// layouts, dtypes and lengths that fit the size caps), then with faults
// put in (FaultInjection.h); what it must return follows from the faults.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_ATTENTIONCALL_H
#define SPATTN_TEST_CAPIFUZZ_ATTENTIONCALL_H

#include "CallOptions.h"
#include "GuardedTensor.h"

#include <memory>
#include <optional>

namespace spattn::capifuzz {

/// The tensors a fuzzed call passes.
enum class CallTensors {
  Attention, // Q, K, V, O (and LSE) in a dtype the library takes
  QueryKey,  // a selection's Q and K: float32, bf16 or fp16
  Key,       // a page bounds update's K: float32, bf16 or fp16
};

struct AttentionCall {
  int64_t batch = 1, queryLength = 1, keyLength = 1;
  spattn_dtype dtype = SPATTN_F32;
  std::unique_ptr<GuardedTensor> q, k, v, o, lse; // lse may be absent
  /// The pointers the call passes (a fault may null them).
  const spattn_tensor *qArg = nullptr, *kArg = nullptr, *vArg = nullptr;
  spattn_tensor *oArg = nullptr, *lseArg = nullptr;
  CallOptions options;
  /// Page bounds per stage (through <name>_attention_with_page_bounds):
  /// pages stages' own tensors, junk descriptors elsewhere (ignored).
  bool withPageBounds = false;
  std::vector<std::unique_ptr<GuardedTensor>> pageBounds;
  std::vector<spattn_tensor> junk;
  std::vector<const spattn_tensor *> pageBoundsArray;
  CallTensors tensors = CallTensors::Attention;
  /// A call of <name>_update_page_bounds: no Q, and the bounds are its
  /// output (pageBoundsArray[0] the pointer it passes).
  bool updatesBounds() const { return tensors == CallTensors::Key; }
  Expected expected;
  /// Set when making the call's page bounds failed (a mismatch itself).
  std::string setupError;

  using Named = std::vector<std::pair<std::string, const GuardedTensor *>>;
  /// The tensors the call must not write, and those it writes.
  Named inputs() const;
  Named outputs() const;
};

/// A random call of `lib` (faults too when `faults`) passing `tensors`:
/// `pageBounds` uses <name>_attention_with_page_bounds.
std::unique_ptr<AttentionCall> randomCall(FuzzedLibrary &lib, Random &random,
                                          bool faults, bool pageBounds,
                                          CallTensors tensors);

/// Prints the call's tensors and faults when SPATTN_CAPI_FUZZ_VERBOSE is
/// set, for replaying one call.
void traceCall(const AttentionCall &call);

/// Makes the call.
int runAttention(FuzzedLibrary &lib, AttentionCall &call);

} // namespace spattn::capifuzz

#endif
