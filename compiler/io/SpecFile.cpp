//===- SpecFile.cpp - The one spec of a file, for a tool ------------------===//
#include "compiler/io/SpecFile.h"
#include "compiler/io/SpecSource.h"

#include "dialects/SpAttn/IR/SpAttnDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/FileUtilities.h"

namespace spattn {

static mlir::DialectRegistry specDialects() {
  mlir::DialectRegistry registry;
  mlir::spattn::registerSpecDialects(registry);
  return registry;
}

SpecFile::SpecFile() : context(specDialects()) {
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  diagnostics =
      std::make_unique<mlir::SourceMgrDiagnosticHandler>(sourceMgr, &context);
}

SpecFile::~SpecFile() = default;

std::unique_ptr<SpecFile> SpecFile::open(llvm::StringRef path,
                                         llvm::StringRef tool) {
  std::unique_ptr<SpecFile> file(new SpecFile());
  std::string error;
  auto buffer = mlir::openInputFile(path, &error);
  if (!buffer) {
    llvm::errs() << tool << ": " << error << "\n";
    return nullptr;
  }
  file->sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  file->module = parseSpecSource(file->sourceMgr, &file->context);
  if (!file->module)
    return nullptr;
  auto specs = llvm::to_vector(file->module->getOps<mlir::spattn::SpecOp>());
  if (specs.size() != 1) {
    llvm::errs() << tool << ": " << path << " holds " << specs.size()
                 << " spattn.spec ops; " << tool << " takes exactly one\n";
    return nullptr;
  }
  file->specOp = specs.front();
  return file;
}

} // namespace spattn
