//===- FuzzedLibrary.cpp - A built library and its spec, under fuzz -------===//
#include "FuzzedLibrary.h"

#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

namespace spattn::capifuzz {

spattn_dtype FuzzedLibrary::specDtype() const {
  const std::string &dtype = config().dtype;
  return dtype == "f16" ? SPATTN_F16 : dtype == "bf16" ? SPATTN_BF16 : SPATTN_F32;
}

std::unique_ptr<FuzzedLibrary> openLibrary(const std::string &libDir,
                                           const std::string &specPath) {
  auto lib = std::make_unique<FuzzedLibrary>();
  lib->specFile = SpecFile::open(specPath, "spattn-capi-fuzzer");
  if (!lib->specFile)
    return nullptr;
  lib->evaluator = std::make_unique<mlir::spattn::SpecEvaluator>(lib->specFile->spec());
  const std::string name = lib->config().name;
  if (llvm::Error error = lib->api.load(
          sharedObjectPath(libDir + "/" + name, name), name)) {
    llvm::errs() << "spattn-capi-fuzzer: " << llvm::toString(std::move(error)) << "\n";
    return nullptr;
  }
  // Every library carries its own copy of the runtime's C functions.
  lib->statusString = reinterpret_cast<const char *(*)(int)>(
      dlsym(lib->api.handle, "spattn_status_string"));
  lib->contiguous = reinterpret_cast<decltype(lib->contiguous)>(
      dlsym(lib->api.handle, "spattn_contiguous"));
  if (!lib->statusString || !lib->contiguous) {
    llvm::errs() << "spattn-capi-fuzzer: " << name
                 << " does not export the runtime's C functions\n";
    return nullptr;
  }
  return lib;
}

} // namespace spattn::capifuzz
