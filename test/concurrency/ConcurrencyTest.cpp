//===- ConcurrencyTest.cpp - Many threads on one library, serial results --===//
//
// A serving process calls one library from many threads at once. A fixed
// list of calls (lengths in every bucket and on both sides of each bound,
// prefill, chunks and decode, num_threads 0 to 3) runs once serially, then
// from kThreads threads at once, each in its own order: every output, LSE,
// budget and selection must be bit-identical to the serial call's. Nothing
// a call leaves behind (thread-local workspaces, selection results, the
// predicate tile cache, Halide's thread pool and its thread count) may
// change another call's result. num_threads caps one call: it never
// resizes the pool that every call shares. scripts/sanitize.sh runs it under
// ThreadSanitizer, and ctest under ASan+UBSan (concurrency-asan).
//
//===----------------------------------------------------------------------===//
#include "compiler/library/LibraryApi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <random>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

namespace spattn {
namespace {

#if defined(__SANITIZE_THREAD__)
#define SPATTN_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SPATTN_UNDER_TSAN 1
#endif
#endif

constexpr int kThreads = 8;
constexpr int kRounds = 2;
constexpr int64_t kHeadDim = 32, kQHeads = 4, kKVHeads = 2;

/// One call and what it returned when made alone.
struct Job {
  int64_t batch, queryLength, keyLength;
  int32_t numThreads;
  std::vector<float> q, k, v;
  std::vector<float> o, lse;          // serial results
  std::vector<int64_t> budgets;       // at keyLength
  std::vector<int64_t> selection;     // offsets and indices of both stages
};

struct Outputs {
  std::vector<float> o, lse;
  std::vector<int64_t> budgets, selection;
  int status = SPATTN_OK;
  std::string error;
};

std::vector<float> normal(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist;
  std::vector<float> x(n);
  for (float &e : x)
    e = dist(rng);
  return x;
}

/// Runs `job` through `lib`: attention, budgets and both stages' selections
/// of the last batch element, copied out before the next call.
Outputs run(const LibraryApi &lib, const Job &job) {
  Outputs out;
  const int64_t qShape[] = {job.batch, kQHeads, job.queryLength, kHeadDim};
  const int64_t kShape[] = {job.batch, kKVHeads, job.keyLength, kHeadDim};
  const int64_t lseShape[] = {job.batch, kQHeads, job.queryLength};
  out.o.assign(job.q.size(), 0.0f);
  out.lse.assign(job.batch * kQHeads * job.queryLength, 0.0f);
  spattn_tensor q = contiguousTensor(job.q.data(), qShape);
  spattn_tensor k = contiguousTensor(job.k.data(), kShape);
  spattn_tensor v = contiguousTensor(job.v.data(), kShape);
  spattn_tensor o = contiguousTensor(out.o.data(), qShape);
  spattn_tensor lse = contiguousTensor(out.lse.data(), lseShape);
  spattn_options options{job.numThreads, 0, nullptr};
  auto failed = [&](int status) {
    out.status = status;
    out.error = lib.lastError();
    return status != SPATTN_OK;
  };
  if (failed(lib.attention(&q, &k, &v, &o, &lse, &options)))
    return out;
  out.budgets.assign(lib.numBudgets(), 0);
  if (failed(lib.budgets(job.keyLength, &options, out.budgets.data(),
                         lib.numBudgets())))
    return out;
  // Stage 0 (top-k blocks) serves heads 0-1, stage 1 (vertical-slash) 2-3.
  for (auto [stage, head] : {std::pair<int32_t, int64_t>{0, 0}, {1, kQHeads - 1}}) {
    spattn_selection selection{};
    if (failed(lib.selection(&q, &k, job.batch - 1, head, stage, &options,
                             &selection)))
      return out;
    const int64_t *offsets = selection.offsets;
    out.selection.insert(out.selection.end(), offsets,
                         offsets + selection.num_groups + 1);
    out.selection.insert(out.selection.end(), selection.indices,
                         selection.indices + offsets[selection.num_groups]);
  }
  return out;
}

#ifdef SPATTN_UNDER_TSAN
// Under TSan, the tasks of a call run on threads of this (instrumented)
// program instead of Halide's pool: the pool's hand-off of a task is
// uninstrumented code, so TSan would see every task's reads of its call's
// state as a race with the caller. Races between tasks and between calls
// stay visible.
using HalideTask = int (*)(void *, int, uint8_t *);
using HalideParFor = int (*)(void *, HalideTask, int, int, uint8_t *);

int parForOnThreads(void *context, HalideTask task, int first, int count,
                    uint8_t *closure) {
  std::atomic<int> next{first}, status{0};
  auto work = [&] {
    for (int i = next++; i < first + count; i = next++)
      if (int s = task(context, i, closure))
        status = s;
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min(count, 3); ++t)
    threads.emplace_back(work);
  work();
  for (std::thread &t : threads)
    t.join();
  return status;
}

void runTasksOnInstrumentedThreads(const LibraryApi &lib) {
  auto set = reinterpret_cast<HalideParFor (*)(HalideParFor)>(
      dlsym(lib.handle, "halide_set_custom_do_par_for"));
  ASSERT_NE(set, nullptr) << "the library does not export Halide's runtime";
  set(parForOnThreads);
}
#endif

/// Calls in every bucket (64, 300, 1024, 4096), at and beside each bound.
std::vector<Job> makeJobs() {
  std::vector<Job> jobs;
  uint32_t seed = 1;
  int32_t threads = 0;
  for (int64_t lk : {1, 17, 64, 65, 299, 300, 301, 777, 1024, 1025, 2500, 4096}) {
    // Prefill, decode and a 40-row chunk, each once.
    std::vector<int64_t> lqs = {lk, 1, std::min<int64_t>(lk, 40)};
    std::sort(lqs.begin(), lqs.end());
    lqs.erase(std::unique(lqs.begin(), lqs.end()), lqs.end());
    for (int64_t lq : lqs) {
      Job job;
      job.batch = lk <= 300 ? 2 : 1;
      job.queryLength = lq;
      job.keyLength = lk;
      job.numThreads = threads++ % 4;
      job.q = normal(job.batch * kQHeads * lq * kHeadDim, seed++);
      job.k = normal(job.batch * kKVHeads * lk * kHeadDim, seed++);
      job.v = normal(job.batch * kKVHeads * lk * kHeadDim, seed++);
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

/// What differs between `got` and the serial results of `job`, or "".
std::string difference(const Job &job, const Outputs &got) {
  std::ostringstream why;
  if (got.status != SPATTN_OK)
    why << "status " << got.status << ": " << got.error;
  else if (got.o != job.o)
    why << "outputs differ";
  else if (std::memcmp(got.lse.data(), job.lse.data(),
                       job.lse.size() * sizeof(float)) != 0)
    why << "LSE differs";
  else if (got.budgets != job.budgets)
    why << "budgets differ";
  else if (got.selection != job.selection)
    why << "selections differ";
  else
    return "";
  why << " (Lq " << job.queryLength << ", Lk " << job.keyLength
      << ", num_threads " << job.numThreads << ")";
  return why.str();
}

/// The tests' library, loaded for each test.
class Concurrency : public ::testing::Test {
protected:
  void SetUp() override {
    std::string path = sharedObjectPath(
        SPATTN_CONCURRENCY_LIB_DIR "/concurrency_mixed", "concurrency_mixed");
    ASSERT_FALSE(static_cast<bool>(lib.load(path, "concurrency_mixed")))
        << "cannot load " << path;
#ifdef SPATTN_UNDER_TSAN
    runTasksOnInstrumentedThreads(lib);
#endif
  }
  LibraryApi lib;
};

TEST_F(Concurrency, ThreadsGiveTheSerialResults) {
  std::vector<Job> jobs = makeJobs();
  for (Job &job : jobs) {
    Outputs serial = run(lib, job);
    ASSERT_EQ(serial.status, SPATTN_OK) << serial.error;
    job.o = std::move(serial.o);
    job.lse = std::move(serial.lse);
    job.budgets = std::move(serial.budgets);
    job.selection = std::move(serial.selection);
  }

  std::atomic<int> calls{0};
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&, t] {
      // Each thread walks the list from its own start, in its own stride,
      // so that different buckets and thread options overlap in time.
      const size_t n = jobs.size(), stride = t % 2 ? n - 1 : 1;
      for (int round = 0; round < kRounds; ++round)
        for (size_t i = 0; i < n; ++i) {
          const Job &job = jobs[(t * 5 + i * stride) % n];
          std::string why = difference(job, run(lib, job));
          ++calls;
          if (!why.empty() && failures[t].empty())
            failures[t] = why;
        }
    });
  for (std::thread &w : workers)
    w.join();
  EXPECT_EQ(calls.load(), kThreads * kRounds * static_cast<int>(jobs.size()));
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
}

/// The threads of this process (entries of /proc/self/task).
int64_t processThreads() {
  DIR *tasks = opendir("/proc/self/task");
  if (!tasks)
    return -1;
  int64_t count = 0;
  while (const dirent *entry = readdir(tasks))
    count += entry->d_name[0] != '.';
  closedir(tasks);
  return count;
}

TEST_F(Concurrency, NumThreadsCapsTheCallNotThePool) {
  std::vector<Job> jobs = makeJobs();
  auto prefill = std::find_if(jobs.begin(), jobs.end(), [](const Job &job) {
    return job.queryLength == 1024 && job.keyLength == 1024;
  });
  ASSERT_NE(prefill, jobs.end());
  Job job = std::move(*prefill);
  // Prefill tiles do not depend on the thread count: every cap gives the
  // same bits.
  job.numThreads = 0;
  Outputs pool = run(lib, job);
  ASSERT_EQ(pool.status, SPATTN_OK) << pool.error;
  const int64_t threads = processThreads();
  ASSERT_GT(threads, 0);
  for (int32_t cap : {1, 64, 0}) {
    job.numThreads = cap;
    Outputs capped = run(lib, job);
    ASSERT_EQ(capped.status, SPATTN_OK) << capped.error;
    EXPECT_EQ(capped.o, pool.o) << "num_threads " << cap;
    EXPECT_EQ(capped.lse, pool.lse) << "num_threads " << cap;
    EXPECT_LE(processThreads(), threads) << "num_threads " << cap << " grew the pool";
  }
}

} // namespace
} // namespace spattn
