//===- AttentionCheck.h - A fuzzed attention call's results -----*- C++ -*-===//
//
// After <name>_attention(_with_page_bounds): the status its faults call
// for; no input written; an output written only in its own elements, and
// not at all by a refused call; a successful call's O and LSE against fp64
// attention (compiler/library/LibraryReference.h) on sampled rows.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_ATTENTIONCHECK_H
#define SPATTN_TEST_CAPIFUZZ_ATTENTIONCHECK_H

#include "AttentionCall.h"
#include "Outcomes.h"

namespace spattn::capifuzz {

/// Checks `call`, which returned `status`, and counts its outcome.
void checkAttentionCall(FuzzedLibrary &lib, const AttentionCall &call, int status,
                        Random &random, Outcomes &outcomes);

/// Reports (as mismatches) any input of `call` the library wrote.
void checkInputsUnchanged(const AttentionCall &call, Outcomes &outcomes);

} // namespace spattn::capifuzz

#endif
