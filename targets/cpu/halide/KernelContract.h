//===- KernelContract.h - How the CPU attend kernels take Q -----*- C++ -*-===//
//
// Shared by the generator (AttendKernel.cpp) and the driver that calls the
// kernels (targets/cpu/libsupport/AttendRows.cpp); no Halide in here.
//
// A kernel of few query rows (decode) reads K rows as they lie and sums each
// key's products along d, with Q row-major ([rows][D]). A kernel of more rows
// keeps query rows in vector lanes: each key's value is broadcast against a
// column of Q, so it reads Q transposed ([D][rows], rows innermost) and
// never transposes K. The driver transposes a query tile once for all the
// spans it attends. The AMX kernels take Q row-major; the vdpbf16ps ones
// (Bf16DotProducts.h) transposed, as the float32 many-row kernels do.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_HALIDE_KERNELCONTRACT_H
#define SPATTN_TARGETS_CPU_HALIDE_KERNELCONTRACT_H

#include <cstdint>

namespace spattn::cpu {

/// Query rows up to which a kernel reads Q row-major and K untransposed.
constexpr int64_t kFewRowsKernel = 8;

/// Whether a float32 (not AMX) kernel of `rows` query rows reads Q
/// transposed.
constexpr bool readsTransposedQueries(int64_t rows) { return rows > kFewRowsKernel; }

} // namespace spattn::cpu

#endif
