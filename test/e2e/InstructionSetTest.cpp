//===- InstructionSetTest.cpp - Which kernel version a CPU library runs ---===//
//
// CPU libraries carry one kernel version per instruction set (AVX-512,
// AVX2 + FMA, SSE4.1 by default) and run the best the CPU has. <name>_cpu_isa
// says which; SPATTN_CPU_ISA caps it, which is how ctest runs the examples'
// end-to-end tests on the SSE4.1 and AVX2 versions on any machine
// (cpu-e2e-sse41, cpu-e2e-avx2).
//
//===----------------------------------------------------------------------===//
#include "LoadedLibrary.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace spattn::test {
namespace {

/// What Halide's wrapper should pick here for a library built for
/// avx512,avx2,sse41.
std::string expectedInstructionSet() {
  __builtin_cpu_init();
  bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                __builtin_cpu_supports("avx512vl");
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
              __builtin_cpu_supports("avx");
  std::string best = avx512 ? "avx512" : avx2 ? "avx2" : "sse41";
  const char *cap = std::getenv("SPATTN_CPU_ISA");
  if (cap && std::string(cap) == "sse41")
    return "sse41";
  if (cap && std::string(cap) == "avx2" && best == "avx512")
    return "avx2";
  return best;
}

TEST(InstructionSet, LibraryRunsTheBestVersionUnderTheCap) {
  std::unique_ptr<LoadedLibrary> lib =
      loadLibrary("streaming_llm", SPATTN_EXAMPLES_DIR "/streaming_llm.mlir");
  ASSERT_TRUE(lib);
  using Query = const char *(*)();
  auto isa = reinterpret_cast<Query>(dlsym(lib->handle, "streaming_llm_cpu_isa"));
  ASSERT_TRUE(isa) << "no streaming_llm_cpu_isa";
  EXPECT_EQ(std::string(isa()), expectedInstructionSet());
}

} // namespace
} // namespace spattn::test
