//===- spattn-calibrate.cpp - Fit tunable budgets to attention tensors ----===//
//
//   spattn-calibrate SPEC.mlir --data DIR --recall R [--match S[,S...]]
//                    [-o FITTED.mlir] [--table TABLE.md] [--plot PLOT.png]
//                    [--propose-groups N] [--grid N] [--refine N] [--jobs N]
//                    [--request name=value[,...]]
//   spattn-calibrate --make-planted DIR --planted-laws c:a[,c:a...]
//                    --planted-lengths L[,L...] [--planted-head-dim D]
//                    [--planted-samples N] [--seed S]
//
// Fits the budget coefficients a spec marks with `tune` so that the mean
// kept softmax mass (recall) reaches R at every length of the data, with
// the fewest kept FLOPs; reports per group and length the fitted and the
// best fixed budget (markdown on stdout, --table, --plot) and writes the
// fitted spec (-o). --make-planted writes synthetic data with a known
// length law (Planted.h) for tests and demos. docs/calibrate.md is the
// manual.
//
//===----------------------------------------------------------------------===//
#include "Calibrate.h"
#include "Planted.h"
#include "Rewrite.h"
#include "Tunables.h"

#include "compiler/io/SpecFile.h"
#include "dialects/SpAttn/IR/SpAttnDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

#include <thread>

namespace cl = llvm::cl;
using namespace spattn::calibrate;

namespace {

cl::OptionCategory category("spattn-calibrate options");
cl::OptionCategory plantedCategory("synthetic data (--make-planted)");

cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                              cl::cat(category));
cl::opt<std::string> dataDir(
    "data",
    cl::desc("folder of L<len>_<tag>_q.npy / _k.npy files, [heads, L, D]"),
    cl::value_desc("DIR"), cl::cat(category));
cl::list<std::string>
    matches("match",
            cl::desc("use only files whose name contains one of these"),
            cl::CommaSeparated, cl::value_desc("substring"), cl::cat(category));
cl::opt<double> recall("recall",
                       cl::desc("least mean kept softmax mass at every length"),
                       cl::init(0.0), cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("write the fitted spec here"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> tableFile("table",
                               cl::desc("write the markdown report here too"),
                               cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> plotFile("plot",
                              cl::desc("draw recall and budget vs L (PNG)"),
                              cl::value_desc("file"), cl::cat(category));
cl::opt<int64_t> proposeGroups(
    "propose-groups",
    cl::desc("split the heads into at most N contiguous groups, each with "
             "its own coefficients (spattn.per_head)"),
    cl::init(0), cl::value_desc("N"), cl::cat(category));
cl::list<std::string> requestValues(
    "request",
    cl::desc("fit for this request class: a value per request parameter of "
             "the spec, name=value (tunables its budgets do not read are "
             "kept)"),
    cl::CommaSeparated, cl::value_desc("name=value"), cl::cat(category));
cl::opt<int> gridPoints("grid", cl::desc("grid points per searched axis"),
                        cl::init(41), cl::cat(category));
cl::opt<int> refineRounds("refine",
                          cl::desc("grid refinements around the best point"),
                          cl::init(3), cl::cat(category));
cl::opt<unsigned> jobs("jobs", cl::desc("threads (0: one per core)"),
                       cl::init(0), cl::cat(category));

cl::opt<std::string> plantedDir(
    "make-planted", cl::desc("write synthetic data with a known law to DIR"),
    cl::value_desc("DIR"), cl::cat(plantedCategory));
cl::list<std::string> plantedLaws(
    "planted-laws",
    cl::desc("coeff:exponent of the window law, one per head"),
    cl::CommaSeparated, cl::cat(plantedCategory));
cl::list<int64_t> plantedLengths("planted-lengths", cl::desc("lengths"),
                                 cl::CommaSeparated, cl::cat(plantedCategory));
cl::opt<int64_t> plantedHeadDim("planted-head-dim",
                                cl::desc("head_dim (>= every length)"),
                                cl::init(256), cl::cat(plantedCategory));
cl::opt<int64_t> plantedSamples("planted-samples",
                                cl::desc("files per length"), cl::init(2),
                                cl::cat(plantedCategory));
cl::opt<uint32_t> seed("seed", cl::desc("random seed"), cl::init(0),
                       cl::cat(plantedCategory));

int fail(const llvm::Twine &message) {
  llvm::errs() << "spattn-calibrate: " << message << "\n";
  return 1;
}

int makePlanted() {
  PlantedOptions options;
  options.lengths.assign(plantedLengths.begin(), plantedLengths.end());
  options.headDim = plantedHeadDim;
  options.samples = plantedSamples;
  options.seed = seed;
  for (const std::string &law : plantedLaws) {
    auto [c, a] = llvm::StringRef(law).split(':');
    PlantedLaw planted;
    if (c.getAsDouble(planted.coeff) || a.getAsDouble(planted.exponent) ||
        !(planted.coeff > 0) || !(planted.exponent >= 0))
      return fail("--planted-laws: '" + law +
                  "' is not coeff:exponent (coeff > 0, exponent >= 0)");
    options.heads.push_back(planted);
  }
  if (options.heads.empty() || options.lengths.empty())
    return fail("--make-planted needs --planted-laws and --planted-lengths");
  if (llvm::Error error = writePlanted(plantedDir, options))
    return fail(llvm::toString(std::move(error)));
  return 0;
}

llvm::Error writeText(llvm::StringRef path,
                      llvm::function_ref<void(llvm::raw_ostream &)> write) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(path + ": cannot write: " + ec.message());
  write(file.os());
  file.keep();
  return llvm::Error::success();
}

int run() {
  if (!plantedDir.empty())
    return makePlanted();
  if (specFile.empty())
    return fail("no spec given (spattn-calibrate SPEC.mlir --data DIR "
                "--recall R)");
  if (dataDir.empty())
    return fail("--data DIR is required");
  if (!(recall > 0.0 && recall <= 1.0))
    return fail("--recall R is required, 0 < R <= 1");
  if (gridPoints < 2)
    return fail("--grid must be >= 2");
  if (proposeGroups < 0)
    return fail("--propose-groups must be >= 0");

  std::unique_ptr<::spattn::SpecFile> file =
      ::spattn::SpecFile::open(specFile, "spattn-calibrate");
  if (!file)
    return 1;
  mlir::spattn::SpecOp spec = file->spec();
  std::string error;
  mlir::spattn::SpecConfig config = mlir::spattn::SpecConfig::fromOp(spec);
  // The marks first: their errors need no data.
  mlir::FailureOr<std::vector<Tunable>> tunables = collectTunables(spec);
  if (mlir::failed(tunables) || mlir::failed(headGroupsOf(spec, *tunables)))
    return 1;
  llvm::Expected<std::vector<int64_t>> request =
      config.requestFromAssignments(requestValues);
  if (!request)
    return fail(llvm::toString(request.takeError()));

  llvm::Expected<Dataset> data =
      loadDataset(dataDir, {matches.begin(), matches.end()}, config);
  if (!data)
    return fail(llvm::toString(data.takeError()));
  if (data->lengths.back() > config.buckets.back())
    return fail("the data holds L = " + llvm::Twine(data->lengths.back()) +
                ", above the last bucket of @" + config.name + " (" +
                llvm::Twine(config.buckets.back()) + ")");

  CalibrateOptions options;
  options.recall = recall;
  options.gridPoints = gridPoints;
  options.refineRounds = refineRounds;
  options.proposeGroups = proposeGroups;
  options.request = std::move(*request);
  options.jobs = jobs ? jobs : std::max(1u, std::thread::hardware_concurrency());
  mlir::FailureOr<Report> report = calibrate(spec, *data, options, error);
  if (mlir::failed(report))
    return error.empty() ? 1 : fail(error);
  report->source = std::to_string(data->samples.size()) + " files from " +
                   dataDir.getValue() +
                   (matches.empty() ? std::string()
                                    : " matching " + llvm::join(matches, ","));

  writeTable(*report, llvm::outs());
  if (!tableFile.empty())
    if (llvm::Error e = writeText(tableFile, [&](llvm::raw_ostream &os) {
          writeTable(*report, os);
        }))
      return fail(llvm::toString(std::move(e)));
  if (!plotFile.empty())
    if (llvm::Error e = writePlot(*report, plotFile))
      return fail(llvm::toString(std::move(e)));
  if (!outputFile.empty())
    if (llvm::Error e = writeText(outputFile, [&](llvm::raw_ostream &os) {
          printSpec(spec, os);
        }))
      return fail(llvm::toString(std::move(e)));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &plantedCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "spattn-calibrate: fit a spec's tunable budgets to attention tensors\n");
  return run();
}
