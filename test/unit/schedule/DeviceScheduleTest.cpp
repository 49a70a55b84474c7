//===- DeviceScheduleTest.cpp - CUDA schedules, run on the host == reference ===//
//
// The CUDA target compiles each variant's block schedule into scalar
// __host__ __device__ functions (targets/cuda/codegen/DeviceSchedule.cpp)
// that its kernels walk with core::forEachKeyTile. Without a GPU, the same
// generated text is compiled here by the host compiler, loaded, walked the
// way the kernel walks it (full tiles kept whole, partial tiles through the
// token predicate), also in 8 x 8 sub-tiles as core::SubTiles walks it,
// and compared with the reference mask: random static specs
// (every static primitive, predicates with and without closed form, block
// layouts, unions, intersections, per_head; tiles unlike the pattern
// blocks), lengths from 1 up, prefill, decode and chunked prefill, every head.
//
//===----------------------------------------------------------------------===//
#include "RandomSpecs.h"
#include "ScheduleTestUtil.h"

#include "targets/common/LibraryPlan.h"
#include "targets/cuda/codegen/DeviceSchedule.h"

#include "core/IntegerMath.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

#include <memory>

namespace spattn::test {
namespace {

/// Per selection stage, its chosen indices in the device layout
/// (core/SelectedIndices.h) for one (batch element, head).
struct StageBuffers {
  std::vector<std::vector<int32_t>> counts, indices;
  std::vector<int64_t> capacity, groups;
  std::vector<const int32_t *> countData, indexData;
};

/// expand(head, Lq, Lk, row, params, stages, out[Lk]): the kernel's walk of
/// `row`.
using Expand = void (*)(int64_t, int64_t, int64_t, int64_t, const int64_t *,
                        const StageBuffers *, uint8_t *);

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
        "const StageBuffers *stages, uint8_t *out) {\n"
     << "  using S = schedule_" << symbol << "::Schedule;\n"
     << "  S::Call call;\n"
     << "  call.geometry.tileQ = S::kTileQ;\n  call.geometry.tileK = S::kTileK;\n"
     << "  call.geometry.queryLength = lq;\n  call.geometry.keyLength = lk;\n"
     << "  call.head = head;\n"
     << "  for (int k = 0; k < S::kNumParams; ++k) call.params[k] = params[k];\n"
     << "  for (int s = 0; stages && s < S::kNumStages; ++s)\n"
     << "    call.stages[s] = {stages->countData[s], stages->indexData[s],\n"
     << "                      stages->capacity[s], stages->groups[s]};\n"
     << "  const int64_t pos = lk - lq + row;\n"
     << "  for (int64_t j = 0; j < lk; ++j) out[j] = 0;\n"
     << "  const S::Query tile = S::query(call, pos / S::kTileQ);\n"
     << "  spattn::core::forEachKeyTile<S>(call, tile, [&](int64_t kt, "
        "spattn::core::TileKind kind) {\n"
     << "    for (int64_t j = kt * S::kTileK; j < (kt + 1) * S::kTileK && j < lk; ++j)\n"
     << "      out[j] = kind == spattn::core::TileKind::Full ? 1 : S::keep(call, tile, pos, j);\n"
     << "  });\n"
     // The same walk in 8 x 8 sub-tiles (as the kernel walks 128-tile
     // schedules in 64-tiles) must keep the same pairs: 2 marks a pair.
     << "  using W = spattn::core::SubTiles<S, 8, 8>;\n"
     << "  const W::Query sub = W::query(call, pos / 8);\n"
     << "  spattn::core::forEachKeyTile<W>(call, sub, [&](int64_t kt, "
        "spattn::core::TileKind kind) {\n"
     << "    for (int64_t j = kt * 8; j < (kt + 1) * 8 && j < lk; ++j)\n"
     << "      if (kind == spattn::core::TileKind::Full || W::keep(call, sub, pos, j)) "
        "out[j] |= 2;\n"
     << "  });\n"
     << "  for (int64_t j = 0; j < lk; ++j) out[j] = out[j] == 3 ? 1 : out[j] == 0 ? 0 : 9;\n"
     << "}\n";
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

/// The generated file's head: the walk, and the stage buffers' layout.
const char *const kPreamble =
    "#include \"core/ScheduleWalk.h\"\n#include <vector>\n"
    "struct StageBuffers {\n"
    "  std::vector<std::vector<int32_t>> counts, indices;\n"
    "  std::vector<int64_t> capacity, groups;\n"
    "  std::vector<const int32_t *> countData, indexData;\n};\n";

/// The content-based stages query head `head` reaches, in the reference's
/// order (preorder, per_head resolved), as stage ids of the plan.
void contentStagesOf(const ms::plan::Variant &variant, int node, int64_t head,
                     std::vector<int> &out) {
  const ms::plan::ScheduleNode &n = variant.nodes[node];
  using Kind = ms::plan::ScheduleNode::Kind;
  if (n.kind == Kind::Selected) {
    if (variant.stages[n.stage].kind != ms::plan::StageKind::RandomBlocks)
      out.push_back(n.stage);
  } else if (n.kind == Kind::PerHead) {
    for (size_t k = n.headStarts.size(); k-- > 0;)
      if (n.headStarts[k] <= head)
        return contentStagesOf(variant, n.children[k], head, out);
  } else {
    for (int child : n.children)
      contentStagesOf(variant, child, head, out);
  }
}

/// A random sorted subset of [lo, hi]: empty, everything, or a few.
std::vector<int64_t> randomSubset(int64_t lo, int64_t hi, std::mt19937 &rng) {
  std::vector<int64_t> out;
  if (hi < lo)
    return out;
  const int shape = std::uniform_int_distribution<int>(0, 5)(rng);
  if (shape == 0)
    return out;
  if (shape == 1 || hi - lo < 3) {
    for (int64_t x = lo; x <= hi; ++x)
      out.push_back(x);
    return out;
  }
  std::uniform_int_distribution<int64_t> pick(lo, hi);
  for (int k = 0, n = std::uniform_int_distribution<int>(1, 8)(rng); k < n; ++k)
    out.push_back(pick(rng));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// Random valid choices of one stage at these lengths: per present query
/// block (blocks), per row (pages), or {columns, offsets}.
ref::GivenSelection randomChoices(const ms::plan::Stage &stage,
                                  const ref::AttentionProblem &problem, std::mt19937 &rng) {
  using ms::plan::StageKind;
  const int64_t lk = problem.keyLength, lq = problem.queryLength;
  ref::GivenSelection groups;
  if (stage.kind == StageKind::VerticalSlash) {
    groups.push_back(randomSubset(0, lk - 1, rng));
    groups.push_back(randomSubset(problem.causal ? 0 : 1 - lk, lk - 1, rng));
    return groups;
  }
  const int64_t b = stage.block, keyBlocks = ref::numKeyBlocks(problem, b);
  if (stage.kind == StageKind::Pages) {
    for (int64_t i = 0; i < lq; ++i)
      groups.push_back(randomSubset(
          0, problem.causal ? core::floorDiv(problem.queryPosition(i), b) : keyBlocks - 1,
          rng));
    return groups;
  }
  const int64_t first = ref::firstQueryBlock(problem, b);
  for (int64_t g = 0; g < ref::numQueryBlocks(problem, b); ++g)
    groups.push_back(randomSubset(0, problem.causal ? first + g : keyBlocks - 1, rng));
  return groups;
}

/// `choices` of every stage in the device layout.
StageBuffers deviceLayout(const std::vector<ref::GivenSelection> &choices) {
  StageBuffers out;
  for (const ref::GivenSelection &groups : choices) {
    int64_t capacity = 1;
    for (const std::vector<int64_t> &g : groups)
      capacity = std::max<int64_t>(capacity, g.size());
    std::vector<int32_t> counts, indices(groups.size() * capacity, -1);
    for (size_t g = 0; g < groups.size(); ++g) {
      counts.push_back(static_cast<int32_t>(groups[g].size()));
      for (size_t k = 0; k < groups[g].size(); ++k)
        indices[g * capacity + k] = static_cast<int32_t>(groups[g][k]);
    }
    out.counts.push_back(std::move(counts));
    out.indices.push_back(std::move(indices));
    out.capacity.push_back(capacity);
    out.groups.push_back(static_cast<int64_t>(groups.size()));
  }
  for (size_t s = 0; s < choices.size(); ++s) {
    out.countData.push_back(out.counts[s].data());
    out.indexData.push_back(out.indices[s].data());
  }
  return out;
}

/// Random specs, static or (with `content`) with content-based selections:
/// every stage then gets random choices, written in the device layout for
/// the generated schedule and given to the reference, so the walk is checked
/// against the mask of the same choices.
void runTrials(uint32_t seed, int trials, int64_t longest, bool content, int64_t *calls) {
  RandomSpecs random(seed);
  std::mt19937 rng(seed);
  mlir::MLIRContext context;
  loadSpAttn(context);
  const int64_t headCounts[][2] = {{1, 1}, {2, 1}, {4, 2}, {8, 2}};
  std::vector<std::unique_ptr<Case>> cases;
  int rejected = 0;
  std::string text = kPreamble;
  llvm::raw_string_ostream os(text);
  for (int trial = 0; trial < trials; ++trial) {
    random.usePredicates(!content && trial % 3 == 0);
    const int64_t *heads = headCounts[trial % 4];
    auto c = std::make_unique<Case>();
    c->source = random.spec(random.buckets(random.uniform(1, longest)), heads[0], heads[1],
                            random.uniform(0, 1), random.powerOfTwo(3, 7),
                            random.powerOfTwo(3, 7), /*allowContent=*/content);
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
      for (int64_t lk : {variant.lo, variant.hi,
                         std::min(random.uniform(variant.lo, variant.hi) | 1, variant.hi)}) {
        mlir::FailureOr<ref::Pattern> pattern = evaluator.evaluatePattern(lk);
        ASSERT_TRUE(mlir::succeeded(pattern)) << c->source;
        std::vector<int64_t> params;
        for (const ms::LengthRuns &runs : variant.parameters)
          params.push_back(valueAt(runs, lk));
        params.push_back(0);
        for (int64_t lq : {lk, int64_t{1}, random.uniform(1, lk)}) {
          ref::AttentionProblem problem = evaluator.config().problem(lq, lk);
          for (int64_t head = 0; head < problem.numQHeads; ++head) {
            std::vector<ref::GivenSelection> perStage, given;
            if (content) {
              for (const ms::plan::Stage &stage : variant.stages)
                perStage.push_back(randomChoices(stage, problem, rng));
              std::vector<int> order;
              contentStagesOf(variant, variant.root, head, order);
              for (int stage : order)
                given.push_back(perStage[stage]);
            }
            StageBuffers buffers = deviceLayout(perStage);
            ref::MaskEvaluator reference(*pattern, problem, head, {nullptr, nullptr});
            if (!given.empty())
              reference.useSelections(given);
            std::vector<uint8_t> want, got(lk);
            for (int64_t i : rowsToCheck(lq, rng)) {
              reference.row(i, want);
              expand(head, lq, lk, i, params.data(), content ? &buffers : nullptr,
                     got.data());
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

TEST(DeviceSchedule, ContentSelectionsShortLengths) {
  int64_t calls = 0;
  runTrials(20261203, 120, 600, /*content=*/true, &calls);
  EXPECT_GT(calls, 400);
}

TEST(DeviceSchedule, ContentSelectionsLongLengths) {
  int64_t calls = 0;
  runTrials(20261204, 30, 20000, /*content=*/true, &calls);
  EXPECT_GT(calls, 100);
}

TEST(DeviceSchedule, MatchesReferenceShortLengths) {
  int64_t calls = 0;
  runTrials(20261201, 150, 600, /*content=*/false, &calls);
  EXPECT_GT(calls, 600);
}

TEST(DeviceSchedule, MatchesReferenceLongLengths) {
  int64_t calls = 0;
  runTrials(20261202, 40, 70000, /*content=*/false, &calls);
  EXPECT_GT(calls, 150);
}

} // namespace
} // namespace spattn::test
