//===- FaultInjection.h - Faults put into a fuzzed call ---------*- C++ -*-===//
//
// Null pointers, wrong ranks, sizes and shapes, negative, non-unit or
// overlapping strides, dtypes (invalid enum values too), memory kinds and
// lengths outside every bucket, put into the descriptors of a valid call.
// Each is one the library must refuse before it reads any data (a
// descriptor may now claim more than its buffer holds), and adds the
// status it must be refused with.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_FAULTINJECTION_H
#define SPATTN_TEST_CAPIFUZZ_FAULTINJECTION_H

#include "AttentionCall.h"

namespace spattn::capifuzz {

/// Puts one to three faults into `call`.
void injectFaults(const FuzzedLibrary &lib, Random &random, AttentionCall &call);

} // namespace spattn::capifuzz

#endif
