//===- CompileSpec.h - spattn-run builds a spec's library -------*- C++ -*-===//
//
// Without --lib, spattn-run compiles the spec with the spattn-compile that
// came with it, as a separate process: the library is exactly what a user
// gets from `spattn-compile SPEC --target=cpu -o DIR`.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_SPATTN_RUN_COMPILESPEC_H
#define SPATTN_COMPILER_SPATTN_RUN_COMPILESPEC_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace spattn::run {

/// spattn-compile next to the running spattn-run: `<bin>/spattn-compile`
/// when installed, `compiler/spattn-compile/spattn-compile` in the build
/// tree.
llvm::Expected<std::string> findSpattnCompile(const char *argv0);

/// Runs `compiler specFile --target=cpu -o outputDir`; its diagnostics go
/// to this process's stderr.
llvm::Error compileSpec(llvm::StringRef compiler, llvm::StringRef specFile,
                        llvm::StringRef outputDir);

} // namespace spattn::run

#endif
