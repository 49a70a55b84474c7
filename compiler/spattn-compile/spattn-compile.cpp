//===- spattn-compile.cpp - The spattn compiler driver --------------------===//
//
//   spattn-compile SPEC.mlir --emit=summary [-o FILE]
//   spattn-compile SPEC.mlir --emit=mask-png -o DIR [--length N] [--head H]
//                  [--q Q.npy --k K.npy]
//   spattn-compile SPEC.mlir --emit=source --target=T[,T...] [-o FILE]
//   spattn-compile SPEC.mlir --target=T[,T...] -o DIR
//       writes DIR/lib<name>.a, DIR/lib<name>.so, DIR/<name>.h (+ DIR/spattn/)
//       with the parts of every target listed (registered targets: cpu)
//
// Parses and verifies a spec file; a malformed spec gets a located diagnostic
// and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "compiler/io/SpecSource.h"
#include "compiler/spattn-compile/MaskPng.h"
#include "compiler/spattn-compile/Summary.h"
#include "targets/common/LibraryBuild.h"
#include "passes/Passes.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace {
enum class EmitKind { Summary, MaskPng, Source };

llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                     llvm::cl::desc("<spec.mlir>"),
                                     llvm::cl::init("-"));
llvm::cl::opt<std::string> outputFile("o",
                                      llvm::cl::desc("output file (the output "
                                                     "directory for mask-png)"),
                                      llvm::cl::value_desc("path"),
                                      llvm::cl::init("-"));
llvm::cl::opt<EmitKind> emitKind(
    "emit", llvm::cl::desc("what to produce"), llvm::cl::init(EmitKind::Summary),
    llvm::cl::values(clEnumValN(EmitKind::Summary, "summary",
                                "per-bucket budget ranges and density"),
                     clEnumValN(EmitKind::Source, "source",
                                "the C++ a library for --target is generated from"),
                     clEnumValN(EmitKind::MaskPng, "mask-png",
                                "one PNG of the tile mask per bucket")));

llvm::cl::opt<std::string> targetName(
    "target",
    llvm::cl::desc("build an AOT library for these targets (a comma-separated "
                   "list of registered targets) into -o DIR"),
    llvm::cl::value_desc("cpu[,...]"));

// --emit=mask-png options.
llvm::cl::opt<int64_t> maskLength(
    "length", llvm::cl::desc("draw only the bucket serving this L, at this L"),
    llvm::cl::value_desc("N"));
llvm::cl::opt<int64_t> maskHead("head", llvm::cl::desc("query head to draw"),
                                llvm::cl::value_desc("H"), llvm::cl::init(0));
llvm::cl::opt<std::string> maskQueries(
    "q", llvm::cl::desc("Q as .npy ([B,H,L,D], [H,L,D] or [L,D] float32)"),
    llvm::cl::value_desc("file"));
llvm::cl::opt<std::string> maskKeys(
    "k", llvm::cl::desc("K as .npy ([B,H,L,D], [H,L,D] or [L,D] float32)"),
    llvm::cl::value_desc("file"));
llvm::cl::list<std::string> maskRequest(
    "request",
    llvm::cl::desc("request parameter values to draw at, name=value (default: "
                   "each at its maximum)"),
    llvm::cl::CommaSeparated, llvm::cl::value_desc("name=value"));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::spattn::registerAllTargets();
  llvm::cl::ParseCommandLineOptions(argc, argv, "spattn compiler\n");
  if (emitKind == EmitKind::MaskPng && outputFile == "-") {
    llvm::errs() << "spattn-compile: --emit=mask-png needs -o DIR\n";
    return 1;
  }
  std::vector<const mlir::spattn::Target *> targets;
  if (targetName.getNumOccurrences()) {
    std::string error;
    auto parsed = mlir::spattn::parseTargetList(targetName, error);
    if (failed(parsed)) {
      llvm::errs() << "spattn-compile: " << error << "\n";
      return 1;
    }
    targets = std::move(*parsed);
  }
  bool buildLibrary = !targets.empty() && emitKind != EmitKind::Source;
  if (buildLibrary && outputFile == "-") {
    llvm::errs() << "spattn-compile: --target=" << targetName << " needs -o DIR\n";
    return 1;
  }
  if (emitKind == EmitKind::Source && targets.empty()) {
    llvm::errs() << "spattn-compile: --emit=source needs --target\n";
    return 1;
  }

  DialectRegistry registry;
  mlir::spattn::registerSpecDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false); // the located source line says enough

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "spattn-compile: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  OwningOpRef<ModuleOp> module = ::spattn::parseSpecSource(sourceMgr, &context);
  if (!module)
    return 1;
  auto specs = llvm::to_vector(module->getOps<mlir::spattn::SpecOp>());
  if (specs.empty()) {
    // An implicit module has no line of its own: point at the file's start.
    Location where = module->getLoc();
    auto fileLoc = dyn_cast<FileLineColLoc>(where);
    if (!fileLoc || fileLoc.getLine() == 0)
      where = FileLineColLoc::get(&context, inputFile, 1, 1);
    emitError(where) << "no spattn.spec in the input";
    return 1;
  }

  // Every emitter reads the variants and schedules the passes make.
  if (failed(mlir::spattn::lowerToSchedules(*module)))
    return 1;

  if (buildLibrary) {
    mlir::spattn::Toolchain toolchain = mlir::spattn::findToolchain(argv[0]);
    for (mlir::spattn::SpecOp spec : specs)
      if (failed(mlir::spattn::emitLibrary(*module, spec, targets, toolchain,
                                           outputFile)))
        return 1;
    return 0;
  }

  if (emitKind == EmitKind::MaskPng) {
    ::spattn::MaskPngOptions options;
    options.outputDir = outputFile;
    if (maskLength.getNumOccurrences())
      options.length = maskLength;
    options.head = maskHead;
    options.queryFile = maskQueries;
    options.keyFile = maskKeys;
    options.request.assign(maskRequest.begin(), maskRequest.end());
    return failed(
        ::spattn::writeMaskPngs(*module, specs, options, llvm::outs()));
  }

  // Nothing is written unless every spec evaluates: no partial output.
  std::string summary;
  llvm::raw_string_ostream summaryStream(summary);
  for (mlir::spattn::SpecOp spec : specs) {
    if (emitKind == EmitKind::Source) {
      FailureOr<std::string> source =
          mlir::spattn::generateSource(*module, spec, targets);
      if (failed(source))
        return 1;
      summaryStream << *source;
    } else if (failed(::spattn::printSummary(*module, spec, summaryStream))) {
      return 1;
    }
  }
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "spattn-compile: " << error << "\n";
    return 1;
  }
  output->os() << summary;
  output->keep();
  return 0;
}
