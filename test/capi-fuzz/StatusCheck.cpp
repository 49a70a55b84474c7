//===- StatusCheck.cpp - A call's status against its faults ---------------===//
#include "StatusCheck.h"

#include <string>

namespace spattn::capifuzz {

bool checkStatus(const FuzzedLibrary &lib, const Expected &expected, int status,
                 Outcomes &outcomes) {
  const std::string message = lib.api.lastError();
  const std::string got = std::to_string(status) + " (" + lib.statusString(status) + ")";
  if (status < SPATTN_OK || status > SPATTN_ERROR_INTERNAL) {
    outcomes.mismatch("status " + got + " is no spattn_status");
    return false;
  }
  if (expected.mustSucceed()) {
    if (status != SPATTN_OK) {
      outcomes.count(lib.statusString(status));
      outcomes.mismatch("refused a valid call with " + got + ": " + message);
      return false;
    }
    if (!message.empty())
      outcomes.mismatch("succeeded with a message: " + message);
    return true;
  }
  if (status == SPATTN_OK) {
    outcomes.mismatch("accepted a call with faults: " + expected.faults);
    return false;
  }
  outcomes.count(lib.statusString(status));
  if (!expected.allows(status))
    outcomes.mismatch("returned " + got + " \"" + message + "\" for faults: " +
                      expected.faults);
  if (message.empty())
    outcomes.mismatch("returned " + got + " without a message");
  return false;
}

} // namespace spattn::capifuzz
