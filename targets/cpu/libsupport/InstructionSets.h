//===- InstructionSets.h - Which kernel version a CPU library runs -*- C++ -*-===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_INSTRUCTIONSETS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_INSTRUCTIONSETS_H

namespace spattn::cpu {

/// Applies SPATTN_CPU_ISA (sse41, avx2; unset or anything else: no cap) to
/// the choice among a kernel's instruction-set versions. Idempotent.
void applyInstructionSetCap();

/// Which of a library's instruction sets (`names`, most capable first:
/// "avx512", "avx2", "sse41", or "host") its kernels run with on this CPU
/// under the cap: the first whose features the CPU has, as Halide's
/// wrapper chooses.
const char *runningInstructionSet(const char *const *names, int count);

} // namespace spattn::cpu

#endif
