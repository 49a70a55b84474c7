//===- RunnableVectors.h - Loop versions the test machine runs -*- C++ -*-===//
//
// The support tests run every version of a vector loop (SparsePairs.cpp,
// HalfPrecision.cpp) this CPU can execute. They detect the features with
// __builtin_cpu_supports, not hostVectors(): the test binary links no
// Halide runtime.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_UNIT_CPU_RUNNABLEVECTORS_H
#define SPATTN_TEST_UNIT_CPU_RUNNABLEVECTORS_H

#include "targets/cpu/libsupport/InstructionSets.h"

#include <string>
#include <vector>

namespace spattn::cpu {

inline std::vector<HostVectors> runnableVectors() {
  std::vector<HostVectors> out = {HostVectors::Baseline};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    out.push_back(HostVectors::Avx2);
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
    out.push_back(HostVectors::Avx512);
#endif
  return out;
}

/// A gtest parameter name for `vectors`.
inline std::string vectorsName(HostVectors vectors) {
  return vectors == HostVectors::Avx512 ? "avx512"
         : vectors == HostVectors::Avx2 ? "avx2"
                                        : "baseline";
}

} // namespace spattn::cpu

#endif
