//===- CompileSpec.cpp - spattn-run builds a spec's library ---------------===//
#include "CompileSpec.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace spattn::run {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

llvm::Expected<std::string> findSpattnCompile(const char *argv0) {
  static int anchor;
  std::string exe = fs::getMainExecutable(argv0, &anchor);
  llvm::StringRef bin = path::parent_path(exe);
  llvm::SmallString<256> installed(bin), buildTree(path::parent_path(bin));
  path::append(installed, "spattn-compile");
  path::append(buildTree, "spattn-compile", "spattn-compile");
  for (const llvm::SmallString<256> &candidate : {installed, buildTree})
    if (fs::can_execute(candidate))
      return std::string(candidate);
  return llvm::createStringError(
      llvm::Twine("cannot find spattn-compile next to ") + exe +
      " (looked for " + installed + " and " + buildTree +
      "); compile the spec yourself and pass --lib");
}

llvm::Error compileSpec(llvm::StringRef compiler, llvm::StringRef specFile,
                        llvm::StringRef outputDir) {
  llvm::StringRef argv[] = {compiler, specFile, "--target=cpu", "-o",
                            outputDir};
  std::string error;
  int rc =
      llvm::sys::ExecuteAndWait(compiler, argv, std::nullopt, {}, 0, 0, &error);
  if (rc == 0)
    return llvm::Error::success();
  return llvm::createStringError(llvm::Twine("compiling ") + specFile +
                                 " with " + compiler + " failed" +
                                 (error.empty() ? "" : ": " + error));
}

} // namespace spattn::run
