//===- InstructionSets.h - Which kernel version a CPU library runs -*- C++ -*-===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_INSTRUCTIONSETS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_INSTRUCTIONSETS_H

namespace spattn::cpu {

/// Applies SPATTN_CPU_ISA (sse41, avx2, avx512; unset or anything else: no
/// cap) and the process's AMX permission (requested here) to the choice
/// among a kernel's instruction-set versions. Idempotent.
void applyInstructionSetCap();

/// Whether AMX kernels may run here: the CPU has Halide's Sapphire Rapids
/// features, Linux granted the tile state, and SPATTN_CPU_ISA does not cap
/// below it.
bool amxKernelsUsable();

/// Whether the vdpbf16ps kernels may run here: the CPU has Halide's Zen 4
/// features (AVX-512 BF16 among them) and SPATTN_CPU_ISA does not cap below
/// them.
bool bf16DotKernelsUsable();

/// Which of a library's instruction sets (`names`, most capable first:
/// "amx", "avx512bf16", "avx512", "avx2", "sse41", or "host") its kernels run with on
/// this CPU under the cap: the first whose features the CPU has, as Halide's wrapper
/// chooses.
const char *runningInstructionSet(const char *const *names, int count);

/// The widest x86 vectors the driver's own loops (SparsePairs.cpp) may use
/// here under the cap; Baseline on other architectures.
enum class HostVectors { Baseline, Avx2, Avx512 };
HostVectors hostVectors();

} // namespace spattn::cpu

#endif
