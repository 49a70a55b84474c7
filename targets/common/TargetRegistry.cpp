//===- TargetRegistry.cpp - Targets of spattn-compile, by name ------------===//
#include "targets/common/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

namespace mlir::spattn {

static llvm::StringMap<std::unique_ptr<Target>> &registry() {
  static llvm::StringMap<std::unique_ptr<Target>> targets;
  return targets;
}

void registerTarget(std::unique_ptr<Target> target) {
  StringRef name = target->name();
  if (!registry().try_emplace(name, std::move(target)).second)
    llvm::report_fatal_error("spattn target '" + name + "' registered twice");
}

const Target *lookupTarget(StringRef name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

std::vector<std::string> registeredTargetNames() {
  std::vector<std::string> names;
  for (const auto &entry : registry())
    names.push_back(entry.getKey().str());
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace mlir::spattn
