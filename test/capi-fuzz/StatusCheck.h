//===- StatusCheck.h - A call's status against its faults -------*- C++ -*-===//
#ifndef SPATTN_TEST_CAPIFUZZ_STATUSCHECK_H
#define SPATTN_TEST_CAPIFUZZ_STATUSCHECK_H

#include "Expected.h"
#include "FuzzedLibrary.h"
#include "Outcomes.h"

namespace spattn::capifuzz {

/// A call without faults must succeed with no message; one with faults must
/// return one of their statuses with a message. Counts an error status as
/// its outcome. Returns whether the call succeeded (as it had to).
bool checkStatus(const FuzzedLibrary &lib, const Expected &expected, int status,
                 Outcomes &outcomes);

} // namespace spattn::capifuzz

#endif
