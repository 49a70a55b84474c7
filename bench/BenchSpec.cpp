//===- BenchSpec.cpp - One benchmark spec and its library -----------------===//
//
// Kept pairs come from the reference mask on the benchmark's own inputs,
// content-based nodes with the library's selections (LibraryMask), over at
// most 4096 evenly spaced rows per head: the work a pattern asks for, not
// the tiles a library happens to visit.
//
// Selection time: <name>_selection runs every stage that serves a head, as
// the selection task of an attention call does, so one call per query head
// measures the head's whole selection. Heads are spread over `threads`
// threads, as the library spreads them over its thread pool.
//
//===----------------------------------------------------------------------===//
#include "BenchSpec.h"
#include "Measure.h"

#include "compiler/library/LibraryMask.h"
#include "reference/Density.h"
#include "spattn/half_precision.hpp"

#include "mlir/Parser/Parser.h"
#include "llvm/Support/Path.h"

#include <thread>

namespace spattn::bench {

namespace {

constexpr int64_t kKeptPairRows = 4096;


/// Seconds of one selection pass over every query head.
double selectionSeconds(const LibraryApi &lib, const spattn_tensor &q,
                        const spattn_tensor &k, int64_t heads, int threads) {
  auto selectHeads = [&](int64_t first, int64_t step) {
    for (int64_t h = first; h < heads; h += step) {
      spattn_selection sel;
      lib.selection(&q, &k, 0, h, 0, nullptr, &sel); // fails for heads no stage serves
    }
  };
  int64_t workers = std::min<int64_t>(std::max(threads, 1), heads);
  return medianSeconds([&] {
    std::vector<std::thread> pool;
    for (int64_t t = 1; t < workers; ++t)
      pool.emplace_back(selectHeads, t, workers);
    selectHeads(0, workers);
    for (std::thread &worker : pool)
      worker.join();
  });
}

/// Points `t` (contiguous float32) at a bf16 copy of its data in `storage`.
void narrowTensor(spattn_tensor &t, std::vector<uint16_t> &storage) {
  int64_t count = 1;
  for (int32_t d = 0; d < t.rank; ++d)
    count *= t.shape[d];
  const float *data = static_cast<const float *>(t.data);
  storage.resize(count);
  for (int64_t i = 0; i < count; ++i)
    storage[i] = floatToBfloat16(data[i]);
  t.data = storage.data();
  t.dtype = SPATTN_BF16;
}

} // namespace

Inputs::Inputs(int64_t length, int64_t heads, int64_t headDim)
    : length(length), heads(heads), headDim(headDim),
      q(ref::normalRows(heads * length * headDim, 1)),
      qDecode(ref::normalRows(heads * headDim, 2)),
      k(ref::normalRows(length * headDim, 3)),
      v(ref::normalRows(length * headDim, 4)) {}

llvm::Expected<std::unique_ptr<BenchSpec>>
BenchSpec::load(mlir::MLIRContext &context, llvm::StringRef specDir,
                llvm::StringRef libDir, llvm::StringRef name) {
  auto bench = std::make_unique<BenchSpec>();
  llvm::SmallString<256> specFile(specDir), libFile(libDir);
  llvm::sys::path::append(specFile, name + ".mlir");
  llvm::sys::path::append(libFile, name, "lib" + name + ".so");
  bench->module = mlir::parseSourceFile<mlir::ModuleOp>(specFile, &context);
  if (!bench->module)
    return llvm::createStringError("cannot parse " + specFile);
  auto specs = bench->module->getOps<mlir::spattn::SpecOp>();
  if (specs.empty())
    return llvm::createStringError(specFile + " holds no spattn.spec");
  bench->spec = *specs.begin();
  bench->specConfig = mlir::spattn::SpecConfig::fromOp(bench->spec);
  if (llvm::Error error = bench->lib.load(libFile, name))
    return error;
  return bench;
}

llvm::Expected<Measurement> BenchSpec::measure(const Inputs &in, bool decode,
                                               int threads) {
  const mlir::spattn::SpecConfig &c = specConfig;
  const int64_t lk = in.length, lq = decode ? 1 : lk, D = c.headDim;
  if (c.numKVHeads != 1 || c.numQHeads > in.heads || D != in.headDim)
    return llvm::createStringError(
        "@" + c.name + ": the benchmark inputs have one kv head, " +
        llvm::Twine(in.heads) +
        " query heads and D = " + llvm::Twine(in.headDim));
  const float *queries = decode ? in.qDecode.data() : in.q.data();
  std::vector<float> out(c.numQHeads * lq * D), lse(c.numQHeads * lq);
  spattn_tensor q = contiguousTensor(queries, {1, c.numQHeads, lq, D});
  spattn_tensor k = contiguousTensor(in.k.data(), {1, 1, lk, D});
  spattn_tensor v = contiguousTensor(in.v.data(), {1, 1, lk, D});
  spattn_tensor o = contiguousTensor(out.data(), {1, c.numQHeads, lq, D});
  spattn_tensor l = contiguousTensor(lse.data(), {1, c.numQHeads, lq});
  // A bf16 spec gets the same inputs rounded to bf16.
  std::vector<uint16_t> narrowed[4];
  if (c.dtype == "bf16") {
    spattn_tensor *tensors[4] = {&q, &k, &v, &o};
    for (int t = 0; t < 4; ++t)
      narrowTensor(*tensors[t], narrowed[t]);
  }
  spattn_options options{threads};
  int status = SPATTN_OK;
  Measurement m;
  m.seconds = medianSeconds([&] {
    if (status == SPATTN_OK)
      status = lib.attention(&q, &k, &v, &o, &l, &options);
  });
  if (status != SPATTN_OK)
    return llvm::createStringError("@" + c.name + " at L = " + llvm::Twine(lk) +
                                   ": " + lib.lastError());
  if (lib.numStages() > 0)
    m.selectionSeconds = selectionSeconds(lib, q, k, c.numQHeads, threads);

  mlir::spattn::SpecEvaluator evaluator(spec);
  mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk);
  if (mlir::failed(pattern))
    return llvm::createStringError(
        "@" + c.name + " does not evaluate at L = " + llvm::Twine(lk));
  ref::AttentionProblem problem = c.problem(lq, lk);
  m.keptPairs =
      keptPairs(lib, *pattern, problem, queries, in.k.data(), kKeptPairRows);
  m.densePairs = densePairs(problem);
  return m;
}

} // namespace spattn::bench
