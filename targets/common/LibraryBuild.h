//===- LibraryBuild.h - Build a library for one or more targets -*- C++ -*-===//
//
// `spattn-compile SPEC --target=cpu[,...] -o DIR`: make the plan, write the
// target-independent source and <name>.h, let each target build its part,
// compile, archive everything into lib<name>.a, link lib<name>.so, and only
// then write DIR. A failed step is a located error at the spec, with the
// command and its output; nothing is written to DIR then.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_COMMON_LIBRARYBUILD_H
#define SPATTN_TARGETS_COMMON_LIBRARYBUILD_H

#include "targets/common/Target.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::spattn {

/// Where the pieces a library is built from live: the build tree spattn-
/// compile was built in, or the install prefix it runs from.
struct Toolchain {
  std::string prefix;                   // the install prefix, or "" in a build tree
  std::vector<std::string> includeDirs; // runtime, core and target headers
  std::vector<std::string> archives;    // the common support archives (PIC)
  std::string compiler = "c++";
  std::string archiver = "ar";
  /// In a build tree, SPATTN_ARCHIVE_VARIANT=<v> links the twin archive
  /// lib<x>-<v>.a beside each support archive lib<x>.a (cmake/
  /// SpattnSanitizedTwins.cmake: "asan", sanitized, for the CI subset of the
  /// sanitizer lane); empty: the archives themselves.
  std::string archiveVariant;
  /// An archive or program of the toolchain: <prefix>/<installed> when
  /// installed, `buildTree` otherwise.
  std::string locate(StringRef installed, StringRef buildTree) const;
  /// A support archive: locate(), then its archiveVariant twin if one is set.
  std::string locateArchive(StringRef installed, StringRef buildTree) const;
};

/// The toolchain next to the running executable (argv0).
Toolchain findToolchain(const char *argv0);

/// The state of one library build: its spec (for diagnostics), toolchain,
/// work folder and extra compiler flags (SPATTN_CXXFLAGS).
class BuildContext {
public:
  BuildContext(SpecOp spec, const Toolchain &toolchain, StringRef workDir);

  const Toolchain &toolchain() const { return tools; }
  /// The spec being built (where build errors are reported).
  SpecOp spec() const { return specOp; }
  /// <work>/<file>.
  std::string path(StringRef file) const;
  /// Writes `text` to <work>/<file>; returns the path or fails.
  FailureOr<std::string> writeFile(StringRef file, StringRef text);
  /// Runs `program` (absolute, or found on PATH); on failure reports the
  /// command and the tail of its output at the spec.
  LogicalResult run(StringRef program, ArrayRef<std::string> args);
  /// One step of runAll: its output (stdout and stderr) goes to `log`.
  struct Command {
    std::string program;
    std::vector<std::string> args;
    std::string log;
  };
  /// Runs `commands`, up to `jobs` at once (0: one per core); fails as run()
  /// does for the first that fails, once every started one has ended.
  LogicalResult runAll(ArrayRef<Command> commands, unsigned jobs = 0);
  /// Compiles C++ `source` into `object` with the toolchain's includes, the
  /// work folder and `includeDirs`, position independent.
  LogicalResult compileCxx(StringRef source, StringRef object,
                           ArrayRef<std::string> includeDirs = {});
  /// Flags added to every compile and to the link (e.g. sanitizers).
  ArrayRef<std::string> extraFlags() const { return flags; }

private:
  SpecOp specOp;
  Toolchain tools;
  std::string work;
  std::vector<std::string> flags;
};

/// Builds the library of `spec` (whose lowered variants are in `lowered`)
/// for `targets` into `outputDir`.
LogicalResult emitLibrary(ModuleOp lowered, SpecOp spec,
                          ArrayRef<const Target *> targets,
                          const Toolchain &toolchain, StringRef outputDir);

/// The whole generated source (target-independent part, then each
/// target's), as one text: `--emit=source`.
FailureOr<std::string> generateSource(ModuleOp lowered, SpecOp spec,
                                      ArrayRef<const Target *> targets);

/// Parses "cpu,cuda" into registered targets; reports unknown names.
FailureOr<std::vector<const Target *>> parseTargetList(StringRef list,
                                                       std::string &error);

} // namespace mlir::spattn

#endif
