//===- DeviceScheduleTest.cpp - CUDA schedules, run on the host == reference ===//
//
// The CUDA target compiles each variant's block schedule into scalar
// __host__ __device__ functions (targets/cuda/codegen/DeviceSchedule.cpp)
// that its kernels walk with core::forEachKeyTile. Without a GPU, the same
// generated text is compiled here by the host compiler, loaded, walked the
// way the kernel walks it (full tiles kept whole, partial tiles through the
// token predicate) and compared with the reference mask: random static specs
// (every static primitive, predicates with and without closed form, block
// layouts, unions, intersections, per_head; tiles unlike the pattern
// blocks), lengths from 1 up, prefill, decode and chunked prefill, every head.
//
//===----------------------------------------------------------------------===//
#include "RandomSpecs.h"
#include "ScheduleTestUtil.h"

#include "targets/common/LibraryPlan.h"
#include "targets/cuda/codegen/DeviceSchedule.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <memory>

namespace spattn::test {
namespace {

/// expand(head, Lq, Lk, row, params, out[Lk]): the kernel's walk of `row`.
using Expand = void (*)(int64_t, int64_t, int64_t, int64_t, const int64_t *, uint8_t *);

struct Case {
  std::string source;
  LoweredSpec lowered;
  ms::plan::Library plan;
  std::vector<std::string> symbols; // per variant
};

/// One variant's schedule and its expand function, as C++ text.
void writeCase(llvm::raw_ostream &os, const ms::plan::Variant &variant, bool causal,
               const std::string &symbol) {
  os << "namespace schedule_" << symbol << " {\n";
  ms::writeDeviceSchedule(variant, causal, "Schedule", os);
  os << "} // namespace schedule_" << symbol << "\n"
     << "extern \"C\" void " << symbol
     << "(int64_t head, int64_t lq, int64_t lk, int64_t row, const int64_t *params, "
        "uint8_t *out) {\n"
     << "  using S = schedule_" << symbol << "::Schedule;\n"
     << "  S::Call call;\n"
     << "  call.geometry.tileQ = S::kTileQ;\n  call.geometry.tileK = S::kTileK;\n"
     << "  call.geometry.queryLength = lq;\n  call.geometry.keyLength = lk;\n"
     << "  call.head = head;\n"
     << "  for (int k = 0; k < S::kNumParams; ++k) call.params[k] = params[k];\n"
     << "  const int64_t pos = lk - lq + row;\n"
     << "  for (int64_t j = 0; j < lk; ++j) out[j] = 0;\n"
     << "  const S::Query tile = S::query(call, pos / S::kTileQ);\n"
     << "  spattn::core::forEachKeyTile<S>(call, tile, [&](int64_t kt, "
        "spattn::core::TileKind kind) {\n"
     << "    for (int64_t j = kt * S::kTileK; j < (kt + 1) * S::kTileK && j < lk; ++j)\n"
     << "      out[j] = kind == spattn::core::TileKind::Full ? 1 : S::keep(call, tile, pos, j);\n"
     << "  });\n}\n";
}

/// Compiles `text` into a shared object and opens it; fails the test when
/// the generated code does not compile.
void *compileAndLoad(const std::string &text, const std::string &dir) {
  std::string source = dir + "/schedules.cpp", object = dir + "/schedules.so";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(source, ec);
    EXPECT_FALSE(ec) << ec.message();
    os << text;
  }
  llvm::ErrorOr<std::string> cxx = llvm::sys::findProgramByName("c++");
  EXPECT_TRUE(bool(cxx)) << "no c++ on PATH";
  if (!cxx)
    return nullptr;
  std::string log = dir + "/compile.log";
  llvm::SmallVector<llvm::StringRef> argv = {*cxx, "-std=c++17", "-O1", "-shared",
                                             "-fPIC", "-I", SPATTN_SOURCE_DIR, "-o",
                                             object, source};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  int rc = llvm::sys::ExecuteAndWait(*cxx, argv, std::nullopt, redirects);
  if (rc != 0) {
    auto output = llvm::MemoryBuffer::getFile(log);
    ADD_FAILURE() << "generated schedules do not compile:\n"
                  << (output ? (*output)->getBuffer().take_front(6000).str() : "");
    return nullptr;
  }
  void *handle = dlopen(object.c_str(), RTLD_NOW | RTLD_LOCAL);
  EXPECT_TRUE(handle) << dlerror();
  return handle;
}

int64_t valueAt(const ms::LengthRuns &runs, int64_t length) {
  int64_t value = runs.value.front();
  for (size_t r = 0; r < runs.start.size() && runs.start[r] <= length; ++r)
    value = runs.value[r];
  return value;
}

void runTrials(uint32_t seed, int trials, int64_t longest, int64_t *calls) {
  RandomSpecs random(seed);
  std::mt19937 rng(seed);
  mlir::MLIRContext context;
  loadSpAttn(context);
  const int64_t headCounts[][2] = {{1, 1}, {2, 1}, {4, 2}, {8, 2}};
  std::vector<std::unique_ptr<Case>> cases;
  int rejected = 0;
  std::string text = "#include \"core/ScheduleWalk.h\"\n";
  llvm::raw_string_ostream os(text);
  for (int trial = 0; trial < trials; ++trial) {
    random.usePredicates(trial % 3 == 0);
    const int64_t *heads = headCounts[trial % 4];
    auto c = std::make_unique<Case>();
    c->source = random.spec(random.buckets(random.uniform(1, longest)), heads[0],
                            heads[1], random.uniform(0, 1), random.powerOfTwo(3, 7),
                            random.powerOfTwo(3, 7), /*allowContent=*/false);
    c->lowered = lowerSpec(context, c->source);
    ASSERT_FALSE(c->lowered.variants.empty()) << c->source;
    mlir::FailureOr<ms::plan::Library> plan =
        ms::plan::buildLibraryPlan(*c->lowered.module, c->lowered.spec);
    ASSERT_TRUE(mlir::succeeded(plan)) << c->source;
    c->plan = std::move(*plan);
    // random_blocks with small blocks under tall tiles needs more slots than
    // the CUDA target holds; such specs are rejected with a diagnostic.
    if (llvm::any_of(c->plan.variants, [](const ms::plan::Variant &v) {
          return !ms::deviceScheduleUnsupported(v).empty();
        })) {
      ++rejected;
      continue;
    }
    for (const ms::plan::Variant &variant : c->plan.variants) {
      c->symbols.push_back("t" + std::to_string(trial) + "_b" +
                           std::to_string(variant.bucket));
      writeCase(os, variant, c->plan.causal, c->symbols.back());
    }
    cases.push_back(std::move(c));
  }
  EXPECT_LT(rejected, trials / 4);
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("spattn-device-schedule", dir));
  void *library = compileAndLoad(text, std::string(dir));
  ASSERT_TRUE(library);

  for (const std::unique_ptr<Case> &c : cases) {
    ms::SpecEvaluator evaluator(c->lowered.spec);
    for (size_t v = 0; v < c->plan.variants.size(); ++v) {
      const ms::plan::Variant &variant = c->plan.variants[v];
      auto expand = reinterpret_cast<Expand>(dlsym(library, c->symbols[v].c_str()));
      ASSERT_TRUE(expand) << c->symbols[v];
      std::vector<int64_t> lengths = {variant.lo, variant.hi,
                                      std::min(random.uniform(variant.lo, variant.hi) | 1,
                                               variant.hi)};
      for (int64_t lk : lengths) {
        mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk);
        ASSERT_TRUE(mlir::succeeded(pattern)) << c->source;
        std::vector<int64_t> params;
        for (const ms::LengthRuns &runs : variant.parameters)
          params.push_back(valueAt(runs, lk));
        params.push_back(0);
        for (int64_t lq : {lk, int64_t{1}, random.uniform(1, lk)}) {
          ref::AttentionProblem problem = evaluator.config().problem(lq, lk);
          ref::HeadContent none{nullptr, nullptr};
          for (int64_t head = 0; head < problem.numQHeads; ++head) {
            ref::MaskEvaluator reference(*pattern, problem, head, none);
            std::vector<uint8_t> want, got(lk);
            for (int64_t i : rowsToCheck(lq, rng)) {
              reference.row(i, want);
              expand(head, lq, lk, i, params.data(), got.data());
              if (want != got) {
                int64_t j = std::mismatch(want.begin(), want.end(), got.begin()).first -
                            want.begin();
                FAIL() << "Lq " << lq << " Lk " << lk << " head " << head << " row " << i
                       << ": first difference at key " << j << " (reference "
                       << int(want[j]) << ", device schedule " << int(got[j]) << ")\n"
                       << c->source;
              }
            }
          }
          ++*calls;
        }
      }
    }
  }
  dlclose(library);
  llvm::sys::fs::remove_directories(dir);
}

TEST(DeviceSchedule, MatchesReferenceShortLengths) {
  int64_t calls = 0;
  runTrials(20261201, 150, 600, &calls);
  EXPECT_GT(calls, 600);
}

TEST(DeviceSchedule, MatchesReferenceLongLengths) {
  int64_t calls = 0;
  runTrials(20261202, 40, 70000, &calls);
  EXPECT_GT(calls, 150);
}

} // namespace
} // namespace spattn::test
