//===- CpuLibrary.h - spattn-compile --target=cpu ---------------*- C++ -*-===//
//
// Turns the lowered variants of one spec into an AOT library: generated C++
// (schedule parameters as length tables, tile ranges and token predicates
// from the affine maps and integer sets, the selection stages each head
// runs), Halide attend kernels per bucket from spattn-cpu-gen, all compiled
// and archived into DIR/lib<name>.a, DIR/lib<name>.so and DIR/<name>.h.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_EMIT_CPULIBRARY_H
#define SPATTN_TARGETS_CPU_EMIT_CPULIBRARY_H

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::spattn {

/// Where the pieces a library is built from live (build tree or install).
struct CpuToolchain {
  std::string generator;                // spattn-cpu-gen
  std::vector<std::string> includeDirs; // support, runtime, Halide headers
  std::vector<std::string> archives;    // support, runtime, schedule (PIC)
  std::string compiler = "c++";
  std::string archiver = "ar";
};

/// The toolchain next to the running spattn-compile: the install layout
/// when `<bin>/../libexec/spattn/spattn-cpu-gen` exists, else the build tree
/// it was built in.
CpuToolchain findCpuToolchain(const char *argv0);

/// Writes the library of `spec` into `outputDir` (created if missing). The
/// module must hold its lowered variants. Emits a diagnostic and fails when
/// a step fails; nothing is left in outputDir then.
LogicalResult emitCpuLibrary(ModuleOp lowered, SpecOp spec,
                             const CpuToolchain &toolchain,
                             const std::string &outputDir);

/// The C++ source of the library (its variants, tables and API entry
/// points); exposed for the emitter's lit tests.
FailureOr<std::string> generateCpuLibrarySource(ModuleOp lowered, SpecOp spec);

/// Keys per attend-kernel call of a variant: long enough to amortize a
/// call, at most the bucket's longest length (in whole key tiles).
int64_t spanOf(VariantOp variant);

/// Query rows of the small kernels a variant adds for tiles with few present
/// rows (decode); only when block_q is larger.
constexpr int64_t kFewRows = 8;
bool hasFewRowKernels(VariantOp variant);
/// The Halide kernels of a variant: full and masked (and their few-row
/// forms), named <library>_b<bucket>_<kind>.
std::vector<std::string> kernelNames(StringRef library, VariantOp variant);

/// The public header <name>.h (C API, and a throwing C++ wrapper).
std::string generateCpuLibraryHeader(SpecOp spec);

} // namespace mlir::spattn

#endif
