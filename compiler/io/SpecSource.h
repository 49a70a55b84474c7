//===- SpecSource.h - Spec text into a module, never a crash ----*- C++ -*-===//
//
// MLIR 22's generic parser crashes (SIGSEGV) on a few malformed inputs
// instead of diagnosing them. Every spattn tool that reads spec text, and the
// spec fuzzer, goes through refuseParserCrashers first, so such input ends
// in a located error (file:line:col) and a non-zero exit like any other
// malformed spec.
//
// Refused, because the parser crashes on it:
//   - a dense array whose element type is `index` (`array<index: 1>`), or
//     a type alias or dialect type (`array<!t: 1>` with `!t = index`): the
//     parser asks `index` for its bit width. Only builtin integer and float
//     types are valid there, so aliases of them are the only valid input
//     refused; write the type out.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_COMPILER_IO_SPECSOURCE_H
#define SPATTN_COMPILER_IO_SPECSOURCE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

namespace spattn {

/// Emits an error through `context`'s diagnostics, located in the main
/// buffer of `sourceMgr`, at the first construct the parser would crash on,
/// and fails; succeeds when there is none.
llvm::LogicalResult refuseParserCrashers(const llvm::SourceMgr &sourceMgr,
                                         mlir::MLIRContext *context);

/// The main buffer of `sourceMgr` parsed as a module after
/// refuseParserCrashers; null, with diagnostics emitted, on failure.
mlir::OwningOpRef<mlir::ModuleOp> parseSpecSource(llvm::SourceMgr &sourceMgr,
                                                  mlir::MLIRContext *context);

} // namespace spattn

#endif
