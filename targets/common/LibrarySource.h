//===- LibrarySource.h - The target-independent source of a library -*- C++ -*-===//
//
// Every library is made of one target-independent C++ file, written here
// from the plan, and one file per target (its kernels and its TargetEntry,
// written by the target). This file holds, per variant, the schedule
// parameters as length tables, the selection stages each head runs, and
// for every schedule node a `rangesN` (key-tile ranges of a query tile)
// and a `keepN` (token predicate) function; then the budget tables, the
// spattn::abi::Library, and the C entry points, which dispatch to the
// targets' entries.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_LIBRARYSOURCE_H
#define SPATTN_TARGETS_COMMON_LIBRARYSOURCE_H

#include "targets/common/Target.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::spattn {

/// The C++ of `library` that no target owns; `targets` are the registered
/// names whose `spattn_<name>_target_<target>` entries it dispatches to.
std::string generateLibrarySource(const plan::Library &library,
                                  ArrayRef<std::string> targets);

/// The symbol of a target's TargetEntry in a library.
std::string targetEntrySymbol(const plan::Library &library, StringRef target);

/// The C++ enumerator of a stage kind, as spattn::abi::StageKind (and
/// spattn::cuda::SelectionKind) spell it.
const char *stageKindEnumerator(plan::StageKind kind);

/// C++ for an index operand of the schedule (a constant, L, or a schedule
/// parameter), given how the parameter array and L are spelled.
std::string spellIndexOperand(const plan::IndexOperand &operand, StringRef params,
                              StringRef length);

/// A spattn.predicate's token program (`node.program`) as straight-line C++
/// statements ending in `return <kept>;`: one constant per register, each
/// instruction a spattn::core::evalToken call with constant operation (so
/// it folds to that operation). The other arguments spell h, p(i), j, L and
/// the node's symbols in the caller's code.
std::string tokenProgramSource(const plan::ScheduleNode &node,
                               ArrayRef<std::string> symbols, StringRef head,
                               StringRef position, StringRef key, StringRef length);

/// The symbol of the library's spattn::abi::Library, for targets whose
/// generated code defines entry points of their own.
std::string librarySymbol(const plan::Library &library);

/// The symbol of variant `variant`'s abi::Variant table row, for targets
/// that need to name it (C++ spelling: `<name>_variants[k]`).
std::string variantTableSymbol(const plan::Library &library);

/// Writes `static const int64_t name[] = {...};` (a 0 when empty: C++ has no
/// empty arrays; the length lives elsewhere).
void writeInt64Array(llvm::raw_ostream &os, StringRef name,
                     ArrayRef<int64_t> values);

/// Whether `library` has a pages selection stage: then it has the page
/// bounds entry points (<name>_page_size, <name>_update_page_bounds,
/// <name>_attention_with_page_bounds).
bool hasPagesStage(const plan::Library &library);

/// The public header <name>.h (C API, and a throwing C++ wrapper).
std::string generateLibraryHeader(const plan::Library &library,
                                  ArrayRef<const Target *> targets);

} // namespace mlir::spattn

#endif
