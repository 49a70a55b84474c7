//===- ReferenceCheck.h - A library call against the fp64 reference -------===//
//
// Runs a loaded library on random Q/K/V and compares sampled rows of every
// (batch element, query head) with fp64 attention over the reference mask
// (compiler/library/LibraryReference.h). For content-based patterns the mask is
// built from the library's own selections (read back through
// <name>_selection), so attention is checked "given the same selected
// indices"; the selections themselves are checked against the reference in
// test/unit/cpu.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_E2E_REFERENCECHECK_H
#define SPATTN_TEST_E2E_REFERENCECHECK_H

#include "LoadedLibrary.h"

#include "compiler/library/LibraryReference.h"

#include <cstdint>

namespace spattn::test {

struct CallShape {
  int64_t batch = 1, queryLength = 1, keyLength = 1;
};

/// The library's outputs for one call on inputs from `seed`.
struct CallResult {
  Tensor q, k, v, o, lse;
  int status = 0;
};

CallResult runLibrary(LoadedLibrary &lib, const CallShape &shape, uint32_t seed);

/// Max abs error of O and LSE over the sampled rows (LSE: -inf must match).
using ErrorBound = ReferenceCheck;
ErrorBound compareWithReference(LoadedLibrary &lib, const CallShape &shape,
                                const CallResult &result, uint32_t seed);

} // namespace spattn::test

#endif
