//===- spattn-bench.cpp - Sparse attention libraries vs dense and sgemm ---===//
//
//   spattn-bench [--quick] [--threads N] [--specs a,b] [--lengths 4096,...]
//                [--sections prefill,decode]
//
// Measures the rooflines first, OpenBLAS sgemm (2048^3) for compute and a
// STREAM-triad-like loop for memory bandwidth, then, for L in {1K, 4K, 16K,
// 64K} ({1K, 4K} with --quick), the specs of bench/specs: prefill calls
// (Lq = Lk = L; quest decodes, Lq = 1), one query head over one kv head
// (minference: one per head kind), D = 128, float32 (dense_bf16: bfloat16).
// Prints a markdown table: the instruction set the kernels ran, median time
// per call, density, GFLOP/s over the kept FLOPs (4 * D per kept pair),
// that as a share of sgemm, the speedup over the dense variant at the same
// L (causal or bidirectional like the spec, its time scaled to the spec's
// query heads), and the selection stages' share of the call. Then the
// decode section (DecodeBench.h) and the targets of docs/cpu-backend.md.
// --specs, --lengths and --sections pick a part of it (to profile one
// case); the dense variants always run, every speedup needs them.
// Exit code 1 only when something fails to run, never for a missed target.
//
//===----------------------------------------------------------------------===//
#include "Bandwidth.h"
#include "BenchSpec.h"
#include "DecodeBench.h"
#include "Sgemm.h"

#include "dialects/SpAttn/IR/SpAttnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>
#include <map>
#include <thread>

namespace cl = llvm::cl;
using namespace spattn::bench;

namespace {

cl::OptionCategory benchCategory("spattn-bench options");
cl::opt<bool> quick("quick", cl::desc("only L = 1K and 4K (a smoke test)"),
                    cl::cat(benchCategory));
cl::list<std::string> onlySpecs("specs", cl::CommaSeparated,
                                cl::desc("only these bench specs (and dense)"),
                                cl::cat(benchCategory));
cl::list<int64_t> onlyLengths("lengths", cl::CommaSeparated,
                              cl::desc("only these prefill lengths"),
                              cl::cat(benchCategory));
cl::list<std::string> sections("sections", cl::CommaSeparated,
                               cl::desc("prefill, decode (default: both)"),
                               cl::cat(benchCategory));

struct Entry {
  const char *name;
  bool decode;
};

/// The dense variants come first: every later spec is compared with the
/// one of its kind (causal or not, prefill or decode) at the same length.
constexpr const char *kDenseCausal = "dense";
constexpr Entry kEntries[] = {
    {kDenseCausal, false},    {"dense_bidirectional", false},
    {kDenseCausal, true},     {"dense_bf16", false},
    {"sinks_window", false},
    {"streaming_llm", false}, {"longformer", false},
    {"bigbird", false},       {"sparse_transformer", false},
    {"block_topk", false},    {"minference", false},
    {"flexprefill", false},   {"quest", true},
};
constexpr int64_t kHeadDim = 128;
constexpr int64_t kSgemmSize = 2048;

struct Row {
  std::string name, isa;
  int64_t length, queryLength, heads;
  Measurement m;
  double speedup = 0;
};

double gflops(const Row &row) {
  return 4.0 * kHeadDim * row.m.keptPairs / row.m.seconds / 1e9;
}

std::string lengthText(int64_t length) {
  return length % 1024 ? std::to_string(length)
                       : std::to_string(length / 1024) + "K";
}

void printTable(llvm::raw_ostream &os, const std::vector<Row> &rows,
                double sgemm) {
  os << "| spec | isa | L | Lq | Hq | density | ms/call | GFLOP/s (kept) | "
        "% of sgemm | speedup vs dense | selection |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Row &row : rows) {
    os << "| " << row.name << " | " << row.isa << " | " << lengthText(row.length) << " | "
       << lengthText(row.queryLength) << " | " << row.heads << " | "
       << llvm::format("%.4f", row.m.keptPairs / row.m.densePairs) << " | "
       << llvm::format("%.3f", row.m.seconds * 1e3) << " | "
       << llvm::format("%.1f", gflops(row)) << " | "
       << llvm::format("%.0f%%", 100 * gflops(row) / sgemm) << " | ";
    os << llvm::format("%.2fx", row.speedup) << " | ";
    if (row.m.selectionSeconds > 0)
      os << llvm::format("%.1f%%",
                         100 * row.m.selectionSeconds / row.m.seconds);
    else
      os << "-";
    os << " |\n";
  }
}

/// The prefill row of `name` at `length`.
const Row *find(const std::vector<Row> &rows, llvm::StringRef name,
                int64_t length) {
  for (const Row &row : rows)
    if (row.name == name && row.length == length && row.queryLength == length)
      return &row;
  return nullptr;
}

void printTargets(llvm::raw_ostream &os, const std::vector<Row> &rows,
                  double sgemm) {
  auto verdict = [&](bool met) { os << (met ? " (met)\n" : " (NOT met)\n"); };
  auto density = [](const Row &row) { return row.m.keptPairs / row.m.densePairs; };
  // The dense kernel at every length; the target asks for its best.
  os << "\nTargets:\n- dense fp32 prefill >= 75% of sgemm:";
  double best = 0;
  for (const Row &row : rows)
    if (row.name == kDenseCausal && row.queryLength == row.length) {
      os << " " << lengthText(row.length)
         << llvm::format(" %.0f%%", 100 * gflops(row) / sgemm);
      best = std::max(best, gflops(row));
    }
  if (rows.empty())
    os << " not measured\n";
  else
    verdict(best >= 0.75 * sgemm);
  os << "- dense_bf16 throughput >= 1.3x float32 with AVX-512 BF16 (no slower "
        "elsewhere):";
  double worst = 1e9;
  for (const Row &row : rows)
    if (row.name == "dense_bf16") {
      os << " " << lengthText(row.length) << llvm::format(" %.2fx", row.speedup);
      worst = std::min(worst, row.speedup);
    }
  if (rows.empty())
    os << " not measured\n";
  else
    verdict(worst >= 1.3);
  os << "- every sparse spec at L = 16K >= 0.6 / density faster than dense:";
  bool all = true, any = false;
  for (const Row &row : rows)
    if (row.length == 16384 && row.queryLength == row.length &&
        !llvm::StringRef(row.name).starts_with("dense")) {
      any = true;
      double wanted = 0.6 / density(row);
      if (row.speedup < wanted) {
        all = false;
        os << " " << row.name << llvm::format(" %.2fx < %.2fx;", row.speedup, wanted);
      }
    }
  if (!any)
    os << " not measured\n";
  else
    verdict(all);
  os << "- sparse_transformer >= 3x dense at L = 16K: ";
  if (const Row *row = find(rows, "sparse_transformer", 16384)) {
    os << llvm::format("%.2fx", row->speedup);
    verdict(row->speedup >= 3);
  } else {
    os << "not measured\n";
  }
  os << "- minference >= 50% of sgemm over kept FLOPs at L = 16K: ";
  if (const Row *row = find(rows, "minference", 16384)) {
    os << llvm::format("%.0f%%", 100 * gflops(*row) / sgemm);
    verdict(gflops(*row) >= 0.5 * sgemm);
  } else {
    os << "not measured\n";
  }
  os << "- sinks_window (>= 95% sparse) >= 12x faster than dense at L = 64K: ";
  if (const Row *row = find(rows, "sinks_window", 65536)) {
    os << llvm::format("%.1fx, density %.4f", row->speedup, density(*row));
    verdict(row->speedup >= 12 && density(*row) <= 0.05);
  } else {
    os << "not measured\n";
  }
  os << "- block_topk selection <= 15% of its time at L = 16K: ";
  if (const Row *row = find(rows, "block_topk", 16384)) {
    double share = row->m.selectionSeconds / row->m.seconds;
    os << llvm::format("%.1f%%", 100 * share);
    verdict(share <= 0.15);
  } else {
    os << "not measured\n";
  }
}

bool wantSection(llvm::StringRef name) {
  return sections.empty() || llvm::is_contained(sections, name);
}

bool wantSpec(llvm::StringRef name) {
  return name.starts_with("dense") || onlySpecs.empty() ||
         llvm::is_contained(onlySpecs, name);
}

/// The CPU's model name from /proc/cpuinfo, or "unknown".
std::string cpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
      return line.substr(line.find(':') + 2);
  return "unknown";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM registers a hidden --threads; here it means worker threads.
  if (cl::Option *taken = cl::getRegisteredOptions().lookup("threads"))
    taken->removeArgument();
  cl::opt<int> threads("threads",
                       cl::desc("worker threads (default: one per core)"),
                       cl::cat(benchCategory),
                       cl::init(int(std::thread::hardware_concurrency())));
  cl::HideUnrelatedOptions(benchCategory);
  cl::ParseCommandLineOptions(argc, argv, "spattn benchmark\n");
  llvm::raw_ostream &os = llvm::outs();

  mlir::MLIRContext context;
  context.loadDialect<mlir::spattn::SpAttnDialect, mlir::arith::ArithDialect,
                      mlir::math::MathDialect>();
  std::map<std::string, std::unique_ptr<BenchSpec>> specs;
  int64_t maxHeads = 1;
  for (const Entry &entry : kEntries) {
    if (specs.count(entry.name) || !wantSpec(entry.name))
      continue;
    auto spec = BenchSpec::load(context, SPATTN_BENCH_SPECS_DIR,
                                SPATTN_BENCH_LIB_DIR, entry.name);
    if (!spec) {
      llvm::errs() << "spattn-bench: " << llvm::toString(spec.takeError())
                   << "\n";
      return 1;
    }
    maxHeads = std::max(maxHeads, (*spec)->config().numQHeads);
    specs[entry.name] = std::move(*spec);
  }

  double sgemm = sgemmGflops(kSgemmSize, threads, 5);
  os << "CPU: " << cpuModel() << "; the libraries' kernels run their "
     << specs.begin()->second->instructionSet()
     << " version for float32 calls (SPATTN_CPU_ISA=sse41|avx2|avx512 caps it;\n"
        "bf16 calls of bf16 specs run amx or avx512bf16 where the CPU has it)\n";
  double bandwidth = triadGBps(threads, 5);
  os << "OpenBLAS sgemm " << kSgemmSize << "^3 on " << threads
     << " threads: " << llvm::format("%.1f", sgemm)
     << " GFLOP/s (the compute roofline below); triad "
     << llvm::format("%.1f", bandwidth) << " GB/s (the memory roofline)\n\n";
  os.flush();

  std::vector<Row> rows;
  std::vector<int64_t> lengths = {1024, 4096};
  if (!quick)
    lengths.insert(lengths.end(), {16384, 65536});
  if (!onlyLengths.empty())
    lengths.assign(onlyLengths.begin(), onlyLengths.end());
  if (!wantSection("prefill"))
    lengths.clear();
  for (int64_t length : lengths) {
    Inputs inputs(length, maxHeads, kHeadDim);
    // Dense time per query head, by (causal, decode).
    std::map<std::pair<bool, bool>, double> densePerHead;
    for (const Entry &entry : kEntries) {
      if (!wantSpec(entry.name))
        continue;
      BenchSpec &spec = *specs[entry.name];
      llvm::Expected<Measurement> m =
          spec.measure(inputs, entry.decode, threads);
      if (!m) {
        llvm::errs() << "spattn-bench: " << llvm::toString(m.takeError())
                     << "\n";
        return 1;
      }
      const mlir::spattn::SpecConfig &config = spec.config();
      Row row{entry.name, spec.instructionSet(), length,
              entry.decode ? 1 : length, config.numQHeads, *m};
      std::pair<bool, bool> kind{config.causal, entry.decode};
      if (entry.name == llvm::StringRef(kDenseCausal) ||
          entry.name == llvm::StringRef("dense_bidirectional"))
        densePerHead[kind] = m->seconds / config.numQHeads;
      row.speedup = densePerHead.at(kind) * config.numQHeads / m->seconds;
      rows.push_back(std::move(row));
    }
  }
  if (!rows.empty())
    printTable(os, rows, sgemm);
  os << "\nDensity and kept FLOPs (4 * D per kept pair): the reference mask "
        "on the same inputs\n"
        "(content-based: the library's selections), <= 4096 evenly spaced "
        "rows per head.\n"
        "Selection: one <name>_selection call per query head on the same "
        "inputs, heads over the threads.\n"
        "Speedup: over @dense (causal; prefill or decode like the spec) or "
        "@dense_bidirectional at the\n"
        "same L, its time scaled to the spec's query heads; dense_bf16's is "
        "its throughput over float32's.\n";
  if (wantSection("decode"))
    if (llvm::Error error = runDecodeSection(threads, quick, bandwidth, os)) {
      llvm::errs() << "spattn-bench: " << llvm::toString(std::move(error)) << "\n";
      return 1;
    }
  printTargets(os, rows, sgemm);
  return 0;
}
