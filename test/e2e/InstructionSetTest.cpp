//===- InstructionSetTest.cpp - Which kernel version a CPU library runs ---===//
//
// CPU libraries carry one kernel version per instruction set (AVX-512,
// AVX2 + FMA, SSE4.1 by default; bf16 specs AMX and AVX-512 BF16 first) and
// run the best the CPU has. <name>_cpu_isa says which; SPATTN_CPU_ISA caps it, which is
// how ctest runs the examples' end-to-end tests on the SSE4.1 and AVX2 versions on any
// machine (cpu-e2e-sse41, cpu-e2e-avx2).
//
//===----------------------------------------------------------------------===//
#include "LoadedLibrary.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/// Whether the AMX version should run here: the CPU has AMX and AVX-512
/// BF16 (Halide's Sapphire Rapids set), Linux grants the tile state, and no
/// cap.
bool expectAmx() {
  bool cpu = __builtin_cpu_supports("amx-tile") && __builtin_cpu_supports("amx-bf16") &&
             __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avxvnni");
  return cpu && expectedInstructionSet() == "avx512" && !std::getenv("SPATTN_CPU_ISA") &&
         syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* tile data */) == 0;
}

/// Whether the AVX-512 BF16 version should run here (when AMX does not):
/// the CPU has AVX-512 BF16 and VNNI (with Halide's Zen 4 set) and no cap.
bool expectBf16Dot() {
  return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512vnni") &&
         expectedInstructionSet() == "avx512" && !std::getenv("SPATTN_CPU_ISA");
}

std::string runningInstructionSet(const char *name) {
  std::unique_ptr<LoadedLibrary> lib =
      loadLibrary(name, std::string(SPATTN_EXAMPLES_DIR) + "/" + name + ".mlir");
  if (!lib)
    return "(no library)";
  using Query = const char *(*)();
  auto isa = reinterpret_cast<Query>(
      dlsym(lib->handle, (std::string(name) + "_cpu_isa").c_str()));
  return isa ? isa() : "(no _cpu_isa)";
}

TEST(InstructionSet, LibraryRunsTheBestVersionUnderTheCap) {
  EXPECT_EQ(runningInstructionSet("streaming_llm"), expectedInstructionSet()); // f16
}

TEST(InstructionSet, Bf16LibraryRunsBf16ProductsWhereTheCpuHasThem) {
  EXPECT_EQ(runningInstructionSet("bigbird"), expectAmx() ? "amx"
                                              : expectBf16Dot()
                                                  ? "avx512bf16"
                                                  : expectedInstructionSet());
}

} // namespace
} // namespace spattn::test
