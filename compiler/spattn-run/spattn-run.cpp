//===- spattn-run.cpp - Run a spec's library on tensors from .npy files ---===//
//
//   spattn-run SPEC.mlir --q Q.npy --k K.npy --v V.npy [-o O.npy]
//              [--lse LSE.npy] [--check] [--lib DIR_OR_SO] [--threads N]
//              [--request name=value,...]
//              [--repeat N] [--mask MASK.npy]
//   spattn-run SPEC.mlir --reference --q Q.npy --k K.npy --v V.npy
//              -o O.npy --lse LSE.npy
//   spattn-run --make-inputs DIR --spec SPEC.mlir --length L [--queries Lq]
//              [--batch B] [--seed S]
//
// Compiles the spec with spattn-compile --target=cpu (or loads the library
// --lib names), runs it on float32 Q [B, Hq, Lq, D], K and V [B, Hkv, Lk, D]
// (or [H, L, D] for B = 1), writes O and LSE, and prints one summary line:
// shapes, bucket, median time per call and GFLOP/s over the kept FLOPs.
// --check compares with fp64 attention over the mask the library applied
// (its own selections for content-based patterns) and prints the max abs
// error of O and LSE and the recall: the softmax mass of dense attention
// (causal when the spec is) on the kept keys. Exit code 1 for any error,
// and for a check whose error exceeds 1e-4. --mask writes the mask the
// library applied, for peers that time the same pattern. --reference writes the fp64
// reference's O and LSE (rounded to float32) instead of running a library.
//
//===----------------------------------------------------------------------===//
#include "CompileSpec.h"
#include "RunCheck.h"
#include "RunInputs.h"

#include "compiler/io/Npy.h"
#include "compiler/io/SpecFile.h"
#include "compiler/library/LibraryMask.h"
#include "dialects/SpAttn/IR/SpAttnOps.h"
#include "reference/Attention.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <chrono>

namespace cl = llvm::cl;

namespace spattn::run {

using mlir::spattn::SpecConfig;
using mlir::spattn::SpecOp;

namespace {

cl::OptionCategory runCategory("spattn-run options");

cl::opt<std::string> specPositional(cl::Positional, cl::desc("<spec.mlir>"),
                                    cl::cat(runCategory));
cl::opt<std::string>
    specOption("spec", cl::desc("the spec (same as the positional argument)"),
               cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string>
    queryFile("q", cl::desc("Q as float32 .npy, [B, Hq, Lq, D] or [Hq, Lq, D]"),
              cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string>
    keyFile("k", cl::desc("K as float32 .npy, [B, Hkv, Lk, D] or [Hkv, Lk, D]"),
            cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string> valueFile("v", cl::desc("V, shaped like K"),
                               cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string> outputFile("o",
                                cl::desc("write O here (.npy, shaped like Q)"),
                                cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string> lseFile("lse",
                             cl::desc("write LSE here (.npy, [B, Hq, Lq])"),
                             cl::cat(runCategory), cl::value_desc("file"));
cl::opt<std::string> maskFile(
    "mask",
    cl::desc("write the mask the library applied here (uint8 .npy, "
             "[B, Hq, Lq, Lk], 1 = kept; its own selections included)"),
    cl::cat(runCategory), cl::value_desc("file"));
cl::opt<bool> check("check",
                    cl::desc("compare with the fp64 reference; print errors "
                             "and recall; exit 1 above 1e-4"),
                    cl::cat(runCategory));
cl::opt<std::string> libraryPath(
    "lib",
    cl::desc("use this compiled lib<name>.so (or the folder holding it) "
             "instead of compiling the spec"),
    cl::cat(runCategory), cl::value_desc("path"));
cl::opt<bool> reference("reference",
                        cl::desc("write the fp64 reference's O and LSE "
                                 "instead of running a library"),
                        cl::cat(runCategory));
cl::list<std::string> requestValues(
    "request",
    cl::desc("the call's request parameter values, name=value (one per "
             "parameter the spec declares; repeat or separate by commas)"),
    cl::CommaSeparated, cl::cat(runCategory), cl::value_desc("name=value"));
cl::opt<int> repeat("repeat", cl::desc("calls to time; the median is reported"),
                    cl::cat(runCategory), cl::init(1));

cl::opt<std::string> makeInputsDir(
    "make-inputs",
    cl::desc("write random q.npy, k.npy, v.npy for the spec into DIR"),
    cl::cat(runCategory), cl::value_desc("DIR"));
cl::opt<int64_t> length("length", cl::desc("--make-inputs: Lk"),
                        cl::cat(runCategory), cl::init(0));
cl::opt<int64_t> queries("queries", cl::desc("--make-inputs: Lq (default Lk)"),
                         cl::cat(runCategory), cl::init(0));
cl::opt<int64_t> batch("batch", cl::desc("--make-inputs: B"),
                       cl::cat(runCategory), cl::init(1));
cl::opt<uint32_t> seed("seed", cl::desc("--make-inputs: random seed"),
                       cl::cat(runCategory), cl::init(0));

/// Rows per (batch, head) the kept-pair count of the summary looks at.
constexpr int64_t kSummaryRows = 512;

int fail(const llvm::Twine &message) {
  llvm::errs() << "spattn-run: " << message << "\n";
  return 1;
}

int fail(llvm::Error error) { return fail(llvm::toString(std::move(error))); }

double medianOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// "bucket 1 (Lk 4097..16384)": the bucket serving Lk.
std::string bucketText(const SpecConfig &config, int64_t keyLength) {
  int64_t lo = 1;
  for (size_t b = 0; b < config.buckets.size(); ++b) {
    if (keyLength <= config.buckets[b])
      return "bucket " + std::to_string(b) + " (Lk " + std::to_string(lo) +
             ".." + std::to_string(config.buckets[b]) + ")";
    lo = config.buckets[b] + 1;
  }
  return "no bucket";
}

/// Opens --lib's library, or compiles the spec into a new temporary
/// `buildDir` (the caller removes it) and opens that.
llvm::Error openLibrary(LibraryApi &lib, const SpecConfig &config,
                        llvm::StringRef specFile, const char *argv0,
                        llvm::SmallString<128> &buildDir) {
  std::string file;
  if (!libraryPath.empty()) {
    if (!llvm::sys::fs::exists(libraryPath))
      return llvm::createStringError("--lib " + libraryPath +
                                     " does not exist");
    file = sharedObjectPath(libraryPath, config.name);
  } else {
    llvm::Expected<std::string> compiler = findSpattnCompile(argv0);
    if (!compiler)
      return compiler.takeError();
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("spattn-run", buildDir))
      return llvm::createStringError("cannot create a temporary folder: " +
                                     ec.message());
    if (llvm::Error error = compileSpec(*compiler, specFile, buildDir))
      return error;
    file = sharedObjectPath(buildDir, config.name);
  }
  if (llvm::Error error = lib.load(file, config.name))
    return error;
  if (lib.maxLength() != config.buckets.back())
    return llvm::createStringError(
        file + " serves lengths up to " + std::to_string(lib.maxLength()) +
        ", the spec's last bucket is " + std::to_string(config.buckets.back()) +
        ": was it compiled from " + specFile.str() + "?");
  return llvm::Error::success();
}

/// Calls the library `repeat` times into `out` and `lse`; returns the
/// median seconds of a call.
llvm::Expected<double> runCalls(const LibraryApi &lib, const SpecConfig &config,
                                const Inputs &in,
                                const spattn_options &options,
                                std::vector<float> &out,
                                std::vector<float> &lse) {
  const int64_t B = in.batch, lq = in.queryLength, lk = in.keyLength,
                D = config.headDim, hq = config.numQHeads,
                hkv = config.numKVHeads;
  out.resize(B * hq * lq * D);
  lse.resize(B * hq * lq);
  spattn_tensor q = contiguousTensor(in.q.data.data(), {B, hq, lq, D});
  spattn_tensor k = contiguousTensor(in.k.data.data(), {B, hkv, lk, D});
  spattn_tensor v = contiguousTensor(in.v.data.data(), {B, hkv, lk, D});
  spattn_tensor o = contiguousTensor(out.data(), {B, hq, lq, D});
  spattn_tensor l = contiguousTensor(lse.data(), {B, hq, lq});
  std::vector<double> seconds;
  for (int r = 0; r < repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    int status = lib.attention(&q, &k, &v, &o, &l, &options);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (status != SPATTN_OK)
      return llvm::createStringError(config.name + "_attention failed (" +
                                     spattn_status_string(status) +
                                     "): " + lib.lastError());
  }
  return medianOf(seconds);
}

/// --reference: writes fp64 reference attention (float32-rounded) to -o and
/// --lse; returns the exit code.
int writeReference(const ref::Pattern &pattern,
                   const ref::AttentionProblem &problem,
                   const mlir::spattn::SpecConfig &config, const Inputs &in) {
  if (outputFile.empty() || lseFile.empty())
    return fail("--reference needs -o O.npy and --lse LSE.npy");
  ref::ReferenceOutput result =
      ref::referenceAttention(pattern, problem, in.q.data.data(),
                              in.k.data.data(), in.v.data.data());
  std::vector<float> out(result.out.begin(), result.out.end());
  std::vector<float> lse(result.lse.begin(), result.lse.end());
  if (llvm::Error error = writeOutput(outputFile, in, config, out, false))
    return fail(std::move(error));
  if (llvm::Error error = writeOutput(lseFile, in, config, lse, true))
    return fail(std::move(error));
  return 0;
}

/// Largest --mask written, in bytes: a mask of Lq x Lk bytes per head is
/// meant for peers and plots, not for 128K-token calls.
constexpr int64_t kMaxMaskBytes = int64_t(4) << 30;

/// --mask: the effective mask of every (batch, head) as the library applied
/// it, written as uint8 [B, Hq, Lq, Lk].
llvm::Error writeAppliedMask(const LibraryApi &lib, const ref::Pattern &pattern,
                             const ref::AttentionProblem &problem,
                             const mlir::spattn::SpecConfig &config,
                             const Inputs &in, const spattn_options &options) {
  const int64_t B = in.batch, hq = config.numQHeads, lq = in.queryLength,
                lk = in.keyLength;
  if (double(B) * hq * lq * lk > double(kMaxMaskBytes))
    return llvm::createStringError(
        "--mask would need " + llvm::Twine(B * hq * lq * lk) +
        " bytes; it writes at most " + llvm::Twine(kMaxMaskBytes));
  std::vector<uint8_t> bytes(B * hq * lq * lk);
  std::vector<uint8_t> row;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < hq; ++h) {
      LibraryMask mask(lib, pattern, problem, in.q.data.data(),
                       in.k.data.data(), b, h, &options);
      for (int64_t i = 0; i < lq; ++i) {
        mask.row(i, row);
        std::copy(row.begin(), row.end(),
                  bytes.begin() + ((b * hq + h) * lq + i) * lk);
      }
    }
  return writeNpyBytes(maskFile, {B, hq, lq, lk}, bytes);
}

/// Runs (or makes inputs for) the spec; returns the exit code.
int runTool(const char *argv0, int threads) {
  if (!specPositional.empty() && !specOption.empty())
    return fail("give the spec once, as an argument or with --spec");
  std::string specFile = specPositional.empty() ? specOption : specPositional;
  if (specFile.empty())
    return fail("no spec given (spattn-run SPEC.mlir ...)");

  std::unique_ptr<SpecFile> file = SpecFile::open(specFile, "spattn-run");
  if (!file)
    return 1;
  SpecOp spec = file->spec();
  SpecConfig config = SpecConfig::fromOp(spec);

  if (!makeInputsDir.empty()) {
    if (length < 1)
      return fail("--make-inputs needs --length L (>= 1)");
    if (llvm::Error error =
            makeInputs(makeInputsDir, config, batch, queries ? queries : length,
                       length, seed, llvm::outs()))
      return fail(std::move(error));
    return 0;
  }

  if (queryFile.empty() || keyFile.empty() || valueFile.empty())
    return fail("--q, --k and --v are required (or --make-inputs DIR)");
  if (repeat < 1)
    return fail("--repeat must be >= 1");
  if (threads < 0)
    return fail("--threads must be >= 0");
  llvm::Expected<Inputs> inputs =
      readInputs(queryFile, keyFile, valueFile, config);
  if (!inputs)
    return fail(inputs.takeError());
  const int64_t lq = inputs->queryLength, lk = inputs->keyLength;
  llvm::Expected<std::vector<int64_t>> request =
      config.requestFromAssignments(requestValues);
  if (!request)
    return fail(request.takeError());
  spattn_options options{threads, static_cast<int32_t>(request->size()),
                         request->data()};
  mlir::spattn::SpecEvaluator evaluator(spec);
  mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk, *request);
  if (mlir::failed(pattern))
    return 1;
  ref::AttentionProblem problem = config.problem(lq, lk, inputs->batch);
  if (reference)
    return writeReference(*pattern, problem, config, *inputs);

  llvm::SmallString<128> buildDir;
  llvm::scope_exit removeBuild([&] {
    if (!buildDir.empty())
      llvm::sys::fs::remove_directories(buildDir);
  });
  LibraryApi lib;
  if (llvm::Error error = openLibrary(lib, config, specFile, argv0, buildDir))
    return fail(std::move(error));
  std::vector<float> out, lse;
  llvm::Expected<double> seconds =
      runCalls(lib, config, *inputs, options, out, lse);
  if (!seconds)
    return fail(seconds.takeError());
  if (!outputFile.empty())
    if (llvm::Error error =
            writeOutput(outputFile, *inputs, config, out, false))
      return fail(std::move(error));
  if (!lseFile.empty())
    if (llvm::Error error = writeOutput(lseFile, *inputs, config, lse, true))
      return fail(std::move(error));

  if (!maskFile.empty())
    if (llvm::Error error =
            writeAppliedMask(lib, *pattern, problem, config, *inputs, options))
      return fail(std::move(error));

  double kept = keptPairs(lib, *pattern, problem, inputs->q.data.data(),
                          inputs->k.data.data(), kSummaryRows, &options);
  llvm::outs() << "@" << config.name << ": B " << inputs->batch << ", Hq "
               << config.numQHeads << ", Hkv " << config.numKVHeads << ", Lq "
               << lq << ", Lk " << lk << ", D " << config.headDim << "; "
               << bucketText(config, lk) << "; "
               << llvm::format("%.3f", *seconds * 1e3) << " ms/call (median of "
               << repeat << "); "
               << llvm::format("%.2f",
                               4.0 * config.headDim * kept / *seconds / 1e9)
               << " GFLOP/s over kept FLOPs (density "
               << llvm::format("%.4f", kept / densePairs(problem)) << ")\n";
  if (!check)
    return 0;
  CallData call{inputs->q.data.data(), inputs->k.data.data(),
                inputs->v.data.data(), out.data(), lse.data(), &options};
  return checkAndReport(lib, *pattern, problem, call, llvm::outs());
}

} // namespace

} // namespace spattn::run

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers a hidden --threads of its own; here it means the
  // library's worker threads, so take the name over before parsing.
  if (cl::Option *taken = cl::getRegisteredOptions().lookup("threads"))
    taken->removeArgument();
  cl::opt<int> threads("threads", cl::desc("worker threads (0: one per core)"),
                       cl::cat(spattn::run::runCategory), cl::init(0));
  cl::HideUnrelatedOptions(spattn::run::runCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "spattn-run: run a spec on .npy tensors\n");
  return spattn::run::runTool(argv[0], threads);
}
