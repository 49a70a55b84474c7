//===- MillionTokenTest.cpp - Lengths up to 2^20 keys, memory linear in L -===//
//
// Decode (Lq = 1) and a 256-query chunk at the end (Lq = 256) of a static
// and a content-based spec whose last bucket reaches 2^20 keys, at
// L = 2^14 ... 2^20, each call in its own process (spattn-scale-call):
// every row of every head matches the fp64 reference, and the peak resident
// memory grows linearly in L. Memory proportional to Lq x Lk anywhere (the
// library, its selection stages, the reference check) would show as the
// Lq = 256 call needing far more than the Lq = 1 call at the same L
// (256 MB for one byte per pair at 2^20), and as growth per key above what
// the inputs take. Prints the peak-memory table.
//
//===----------------------------------------------------------------------===//
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>

namespace {

constexpr double kTolerance = 1e-4;
constexpr int64_t kKiB = 1024, kMiB = 1024 * 1024;

/// The specs' shape (test/scale/specs): 4 query heads, 1 kv head, D = 64.
constexpr int64_t kQHeads = 4, kKVHeads = 1, kHeadDim = 64;

/// Bytes of the call's float32 tensors: Q, O, LSE and K, V.
int64_t inputBytes(int64_t lk, int64_t lq) {
  return 4 * (2 * kKVHeads * lk * kHeadDim + kQHeads * lq * (2 * kHeadDim + 1));
}

struct Measurement {
  int64_t lk = 0, lq = 0;
  std::map<std::string, double> figures; // spattn-scale-call's key=value
  double kib(const char *key) const { return figures.at(key); }
  /// Peak bytes above the process's memory before the inputs existed.
  double extraBytes(const char *peak) const {
    return (kib(peak) - kib("baseline_kib")) * kKiB;
  }
};

Measurement runCall(const std::string &spec, int64_t lk, int64_t lq) {
  Measurement m{lk, lq, {}};
  std::string command = std::string(SPATTN_SCALE_CALL) + " " + spec + " " +
                        SPATTN_SCALE_SPECS_DIR + "/" + spec + ".mlir " +
                        std::to_string(lk) + " " + std::to_string(lq);
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << command;
    return m;
  }
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  const int exitStatus = pclose(pipe);
  EXPECT_EQ(exitStatus, 0) << command << "\n" << output;
  std::istringstream fields(output);
  std::string field;
  while (fields >> field) {
    size_t eq = field.find('=');
    if (eq != std::string::npos)
      m.figures[field.substr(0, eq)] = std::atof(field.c_str() + eq + 1);
  }
  return m;
}

void printTable(const std::string &spec, const std::vector<Measurement> &rows) {
  std::printf("\n%s: peak resident memory per call (one process each)\n",
              spec.c_str());
  std::printf("%9s %5s %10s %12s %13s %10s %9s %8s\n", "L", "Lq", "inputs MB",
              "call peak MB", "check peak MB", "RSS/L B", "extra/L B",
              "call s");
  for (const Measurement &m : rows)
    std::printf("%9lld %5lld %10.1f %12.1f %13.1f %10.1f %9.1f %8.3f\n",
                static_cast<long long>(m.lk), static_cast<long long>(m.lq),
                double(inputBytes(m.lk, m.lq)) / kMiB,
                m.kib("call_peak_kib") / 1024, m.kib("check_peak_kib") / 1024,
                m.kib("check_peak_kib") * kKiB / m.lk,
                m.extraBytes("check_peak_kib") / m.lk, m.figures.at("seconds"));
  std::fflush(stdout);
}

class MillionTokens : public ::testing::TestWithParam<const char *> {};

TEST_P(MillionTokens, ChecksEveryRowWithMemoryLinearInL) {
  const std::string spec = GetParam();
  std::vector<Measurement> rows;
  for (int64_t lk = int64_t{1} << 14; lk <= int64_t{1} << 20; lk *= 2)
    for (int64_t lq : {int64_t{1}, int64_t{256}}) {
      Measurement m = runCall(spec, lk, lq);
      if (!m.figures.count("check_peak_kib"))
        return; // runCall reported the failure
      EXPECT_EQ(m.kib("rows"), kQHeads * lq) << spec << " L=" << lk;
      EXPECT_LE(m.figures["out_err"], kTolerance) << spec << " L=" << lk << " Lq=" << lq;
      EXPECT_LE(m.figures["lse_err"], kTolerance) << spec << " L=" << lk << " Lq=" << lq;
      rows.push_back(m);
    }
  printTable(spec, rows);
  // Linear in L: above the process's baseline, the peak is the inputs plus
  // workspaces that grow no faster than a quarter of them (the selection
  // stages' pooled keys and scores, the reference's row of Lk doubles), plus
  // a constant (thread stacks, per-thread scratch).
  for (const Measurement &m : rows)
    EXPECT_LE(m.extraBytes("check_peak_kib"),
              1.25 * double(inputBytes(m.lk, m.lq)) + 64.0 * kMiB)
        << spec << " L=" << m.lk << " Lq=" << m.lq;
  // No Lq x Lk term: 255 more query rows cost the same at every L.
  for (size_t i = 0; i + 1 < rows.size(); i += 2)
    EXPECT_LE(rows[i + 1].extraBytes("check_peak_kib") -
                  rows[i].extraBytes("check_peak_kib"),
              32.0 * kMiB)
        << spec << " L=" << rows[i].lk;
}

INSTANTIATE_TEST_SUITE_P(ScaleSpecs, MillionTokens,
                         ::testing::Values("scale_window", "scale_topk"),
                         [](const auto &info) { return std::string(info.param); });

} // namespace
