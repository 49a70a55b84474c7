//===- ResidueClasses.h - A strided pattern's classes as dense attention -*- C++ -*-===//
//
// A variant whose schedule unites a residue class (p(i) - j) mod t == 0
// with other patterns (spattn::abi::ResidueClasses) is attended in two
// parts. The rest of the schedule goes through the row blocks as usual,
// with the class's keys cleared from its masks (its full tiles that hold a
// class pair run as partial ones), and writes O and LSE.
// Then each class c runs as its own dense (causal) attention: the rows at
// positions c, c + t, c + 2t, ... against the keys c, c + t, ..., seen as
// tensors whose row stride is t times the caller's, through the same
// kernels, and each row's result is merged into the O and LSE the rest
// wrote. The class's pairs then cost what dense pairs cost, instead of a
// pairs-form visit each.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_RESIDUECLASSES_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_RESIDUECLASSES_H

#include "targets/cpu/libsupport/AttendRows.h"

#include <cstdint>

namespace spattn::cpu {

/// The modulus t when `call` (a prefill-shaped call) runs its variant's
/// residue class apart; 0 when it attends the schedule whole (no class, or
/// class views whose strides Halide's 32-bit indexing cannot hold).
int64_t residueModulus(const Call &call);

/// The rest's `ranges` for `block` of a call split by modulus t, with each
/// full tile that holds a pair of the class (a row and a key t apart, or a
/// multiple of t) made partial, so that its token rows clear that pair.
core::TileRanges restTiles(const Call &call, const RowBlock &block,
                           const core::TileRanges &ranges, int64_t t);

/// Attends every class of modulus t of `call` (whose O and LSE hold the
/// rest's rows; LSE must be given) and merges the results into them, on at
/// most `workers` threads. Returns 0 or a kernel's / SPATTN_ERROR_MEMORY
/// status.
int attendResidueClasses(const Call &call, int64_t modulus, int64_t workers);

} // namespace spattn::cpu

#endif
