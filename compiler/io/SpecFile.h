//===- SpecFile.h - The one spec of a file, for a tool ----------*- C++ -*-===//
//
// What every tool that takes SPEC.mlir does first: a context with the
// spec dialects, the file parsed with located diagnostics on stderr, and
// the one `spattn.spec` it must hold. The object owns everything the op
// lives in.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_IO_SPECFILE_H
#define SPATTN_COMPILER_IO_SPECFILE_H

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>

namespace spattn {

class SpecFile {
public:
  /// Parses `path`. On failure the located diagnostics, or "<tool>: why",
  /// are on stderr and the result is null.
  static std::unique_ptr<SpecFile> open(llvm::StringRef path,
                                        llvm::StringRef tool);
  ~SpecFile();

  mlir::spattn::SpecOp spec() const { return specOp; }

private:
  SpecFile();

  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::spattn::SpecOp specOp;
};

} // namespace spattn

#endif
