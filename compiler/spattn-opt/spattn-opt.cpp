//===- spattn-opt.cpp - mlir-opt for the spattn dialect -------------------===//
//
// MlirOptMain, with the input checked by refuseParserCrashers before MLIR's
// parser sees it (compiler/io/SpecSource.h): input the parser would crash on
// ends in a located error and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/SpecSource.h"
#include "dialects/SpAttn/IR/SpAttnDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"

namespace {
/// refuseParserCrashers on `input`, its error printed with the source line.
llvm::LogicalResult refuseParserCrashers(const llvm::MemoryBuffer &input) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(input.getMemBufferRef()), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  return spattn::refuseParserCrashers(sourceMgr, &context);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerTransformsPasses();
  mlir::spattn::registerSpAttnPasses();
  mlir::DialectRegistry registry;
  mlir::spattn::registerSpecDialects(registry);
  registry.insert<mlir::func::FuncDialect>(); // lit tests wrap IR in functions
  auto [inputFile, outputFile] = mlir::registerAndParseCLIOptions(
      argc, argv, "spattn optimizer driver\n", registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  // These print and return before any input is read.
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFile, outputFile, registry));

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      mlir::openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (failed(refuseParserCrashers(*input)))
    return 1;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (failed(mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
