//===- TeamSelections.h - The CUDA selection stages, run by host threads --===//
//
// The CUDA target's selection stages (targets/cuda/kernels/SelectionStages.h)
// are written for a team of threads; here a team is a few host threads with
// a barrier and atomic adds, so the very code the kernels run is
// checked on machines without a GPU, races and chunking included. Each
// function below runs one stage for one head with the signature of the CPU
// library's stage (spattn/host_selections.hpp), so the same property tests
// check both.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_UNIT_SELECTIONS_TEAMSELECTIONS_H
#define SPATTN_TEST_UNIT_SELECTIONS_TEAMSELECTIONS_H

#include "spattn/host_selections.hpp"
#include "targets/cuda/kernels/SelectionStages.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace spattn::test {

/// A reusable barrier for `n` threads: waiters spin a little, then sleep
/// (the tests share two cores with other tests; pure spinning would starve
/// the thread everyone waits for).
class TeamBarrier {
public:
  explicit TeamBarrier(int n) : n(n) {}
  void wait() {
    const int generation = passed.load();
    if (waiting.fetch_add(1) + 1 == n) {
      waiting.store(0);
      {
        std::lock_guard<std::mutex> lock(mutex);
        passed.fetch_add(1);
      }
      wake.notify_all();
      return;
    }
    for (int spin = 0; spin < 2000; ++spin)
      if (passed.load() != generation)
        return;
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait(lock, [&] { return passed.load() != generation; });
  }

private:
  const int n;
  std::atomic<int> waiting{0}, passed{0};
  std::mutex mutex;
  std::condition_variable wake;
};

/// One host thread of a team (the contract of targets/cuda/kernels/SelectTop.h).
class HostTeam {
public:
  HostTeam(int rank, int size, TeamBarrier &barrier) : r(rank), n(size), barrier(&barrier) {}
  int rank() const { return r; }
  int size() const { return n; }
  void sync() const { barrier->wait(); }
  int add(int32_t *at, int32_t value) const {
    return __atomic_fetch_add(at, value, __ATOMIC_RELAXED);
  }

private:
  int r, n;
  TeamBarrier *barrier;
};

/// Runs work(team, item, shared) for items [0, items) on `threads` host
/// threads forming one team, with `sharedBytes` of team-shared memory.
template <typename Work>
void runTeam(int threads, int64_t items, int64_t sharedBytes, Work &&work) {
  TeamBarrier barrier(threads);
  std::vector<unsigned char> shared(static_cast<size_t>(sharedBytes) + 16);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      HostTeam team(t, threads, barrier);
      for (int64_t item = 0; item < items; ++item) {
        work(team, item, shared.data());
        team.sync(); // the next item reuses the shared memory
      }
    });
  for (std::thread &thread : pool)
    thread.join();
}

/// The CUDA stages for one head of host float32 rows, as CPU-stage calls.
class TeamSelections {
public:
  explicit TeamSelections(int threads) : threads(threads) {}

  void topk(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
            int64_t block, int64_t count, host::Selection &out) const {
    blocks(cuda::SelectionKind::TopkBlocks, call, q, k, block, count, 0.0, out);
  }
  void mass(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
            int64_t block, int64_t maxBlocks, double gamma, host::Selection &out) const {
    blocks(cuda::SelectionKind::Mass, call, q, k, block, maxBlocks, gamma, out);
  }
  void pages(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
             int64_t page, int64_t count, host::Selection &out) const {
    withDim(q.dim, [&](auto dim) { pagesOf<decltype(dim)::value>(call, q, k, page, count, out); });
  }
  void verticalSlash(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
                     int64_t verticals, int64_t slashes, int64_t lastQueries,
                     host::Selection &out) const {
    withDim(q.dim, [&](auto dim) {
      slashOf<decltype(dim)::value>(call, q, k, verticals, slashes, lastQueries, out);
    });
  }

  /// <name>_update_page_bounds_cuda's step: rewrites the rows of the pages
  /// holding keys firstKey .. k.rows - 1 in `bounds` (rows of 2 * dim floats).
  void updatePageBounds(host::HeadRows k, int64_t page, int64_t firstKey,
                        std::vector<float> &bounds) const {
    withDim(k.dim, [&](auto dim) {
      constexpr int D = decltype(dim)::value;
      host::SelectionCall call;
      call.keyLength = k.rows;
      cuda::SelectionLaunch s = launchOf(cuda::SelectionKind::Pages, call, k, k);
      s.block = page;
      s.computedBounds = bounds.data();
      s.boundsStride[2] = 2 * D;
      s.callerBounds = s.boundsOnly = true;
      s.firstPage = firstKey / page;
      const int64_t pages = core::ceilDiv(k.rows, page);
      runTeam(threads, pages - s.firstPage, 0,
              [&](const HostTeam &team, int64_t p, unsigned char *) {
                cuda::pageBounds<D, float>(team, s, s.firstPage + p, 0, 0);
              });
    });
  }

private:
  template <int D> struct Dim { static constexpr int value = D; };

  /// The kernels take the head dim as a template argument.
  template <typename F> static void withDim(int64_t dim, F &&f) {
    switch (dim) {
    case 8: return f(Dim<8>{});
    case 9: return f(Dim<9>{});
    case 16: return f(Dim<16>{});
    case 24: return f(Dim<24>{});
    case 36: return f(Dim<36>{});
    case 64: return f(Dim<64>{});
    case 96: return f(Dim<96>{});
    case 128: return f(Dim<128>{});
    default: throw std::invalid_argument("TeamSelections: no instance for this head dim");
    }
  }

  /// A launch for one head of one batch element over rows of q and k.
  static cuda::SelectionLaunch launchOf(cuda::SelectionKind kind,
                                        const host::SelectionCall &call, host::HeadRows q,
                                        host::HeadRows k) {
    cuda::SelectionLaunch s;
    s.kind = kind;
    s.q = q.data;
    s.k = k.data;
    s.qStride[2] = q.rowStride;
    s.kStride[2] = k.rowStride;
    s.batch = s.numQHeads = s.numKVHeads = 1;
    s.queryLength = call.queryLength;
    s.keyLength = call.keyLength;
    s.scale = call.scale;
    s.causal = call.causal;
    s.servesHead[0] = 1;
    return s;
  }

  /// The stage's slots, and the host selection they hold.
  struct Slots {
    std::vector<int32_t> count, index;
    void bind(cuda::SelectionLaunch &s, int64_t groups, int64_t capacity) {
      count.assign(groups, -1);
      index.assign(groups * capacity, -1);
      s.out = {count.data(), index.data(), capacity, groups};
    }
    void read(const cuda::SelectionLaunch &s, int64_t firstGroup, host::Selection &out) const {
      out.firstGroup = firstGroup;
      out.offsets.assign(1, 0);
      out.indices.clear();
      for (int64_t g = 0; g < s.out.groups; ++g) {
        out.indices.insert(out.indices.end(), index.begin() + g * s.out.capacity,
                           index.begin() + g * s.out.capacity + count[g]);
        out.offsets.push_back(static_cast<int64_t>(out.indices.size()));
      }
    }
  };

  void blocks(cuda::SelectionKind kind, const host::SelectionCall &call, host::HeadRows q,
              host::HeadRows k, int64_t block, int64_t count, double gamma,
              host::Selection &out) const {
    withDim(q.dim, [&](auto dim) {
      constexpr int D = decltype(dim)::value;
      cuda::SelectionLaunch s = launchOf(kind, call, q, k);
      s.block = block;
      s.count = count;
      s.gamma = gamma;
      const int64_t shift = call.keyLength - call.queryLength;
      s.firstQueryBlock = core::floorDiv(shift, block);
      s.queryBlocks = call.queryLength > 0
                          ? core::floorDiv(shift + call.queryLength - 1, block) -
                                s.firstQueryBlock + 1
                          : 0;
      s.keyBlocks = core::ceilDiv(call.keyLength, block);
      std::vector<float> pooledQ(s.queryBlocks * D), pooledK(s.keyBlocks * D);
      s.pooledQ = pooledQ.data();
      s.pooledK = pooledK.data();
      Slots slots;
      slots.bind(s, s.queryBlocks, std::max<int64_t>(count, 1));
      runTeam(threads, s.queryBlocks, 0, [&](const HostTeam &team, int64_t g, unsigned char *) {
        cuda::poolRows<D, float>(team, s, false, g, 0, 0);
      });
      runTeam(threads, s.keyBlocks, 0, [&](const HostTeam &team, int64_t c, unsigned char *) {
        cuda::poolRows<D, float>(team, s, true, c, 0, 0);
      });
      runTeam(threads, s.queryBlocks, cuda::selectBlocksShared(D, s.keyBlocks, s.out.capacity),
              [&](const HostTeam &team, int64_t g, unsigned char *shared) {
                cuda::selectBlocks<D>(team, s, g, 0, 0, shared);
              });
      slots.read(s, s.firstQueryBlock, out);
    });
  }

  template <int D>
  void pagesOf(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
               int64_t page, int64_t count, host::Selection &out) const {
    cuda::SelectionLaunch s = launchOf(cuda::SelectionKind::Pages, call, q, k);
    s.block = page;
    s.count = count;
    const int64_t pages = core::ceilDiv(call.keyLength, page);
    std::vector<float> bounds(pages * 2 * D);
    s.computedBounds = bounds.data();
    s.bounds = bounds.data();
    s.boundsStride[2] = 2 * D;
    Slots slots;
    slots.bind(s, call.queryLength, std::max<int64_t>(count, 1));
    runTeam(threads, pages, 0, [&](const HostTeam &team, int64_t p, unsigned char *) {
      cuda::pageBounds<D, float>(team, s, p, 0, 0);
    });
    runTeam(threads, call.queryLength, cuda::selectPagesShared(D, pages),
            [&](const HostTeam &team, int64_t row, unsigned char *shared) {
              cuda::selectPages<D, float>(team, s, row, 0, 0, shared);
            });
    slots.read(s, 0, out);
  }

  template <int D>
  void slashOf(const host::SelectionCall &call, host::HeadRows q, host::HeadRows k,
               int64_t verticals, int64_t slashes, int64_t lastQueries,
               host::Selection &out) const {
    cuda::SelectionLaunch s = launchOf(cuda::SelectionKind::VerticalSlash, call, q, k);
    const int64_t lk = call.keyLength;
    s.count = verticals;
    s.count2 = slashes;
    s.lastQueries = std::clamp<int64_t>(lastQueries, 0, call.queryLength);
    s.keyChunks = core::ceilDiv(lk, cuda::kSlashChunk);
    std::vector<float> rowMax(s.lastQueries);
    std::vector<double> rowSum(s.lastQueries), columns(lk), offsets(2 * lk - 1),
        partials(s.keyChunks * cuda::slashPartialWidth(s));
    s.rowMax = rowMax.data();
    s.rowSum = rowSum.data();
    s.columns = columns.data();
    s.offsets = offsets.data();
    s.partials = partials.data();
    Slots slots;
    slots.bind(s, 2, std::max<int64_t>({verticals, slashes, 1}));
    runTeam(threads, s.lastQueries, cuda::slashRowStatsShared(D),
            [&](const HostTeam &team, int64_t r, unsigned char *shared) {
              cuda::slashRowStats<D, float>(team, s, r, 0, 0, shared);
            });
    runTeam(threads, s.keyChunks,
            cuda::slashColumnsShared(D, s.lastQueries),
            [&](const HostTeam &team, int64_t c, unsigned char *shared) {
              cuda::slashColumns<D, float>(team, s, c, 0, 0, shared);
            });
    runTeam(threads, core::ceilDiv(2 * lk - 1, threads), 0,
            [&](const HostTeam &team, int64_t item, unsigned char *) {
              cuda::slashOffsets(team, s, item, 0, 0);
            });
    runTeam(threads, 2, sizeof(cuda::TopScratch),
            [&](const HostTeam &team, int64_t part, unsigned char *shared) {
              cuda::selectSlash(team, s, part, 0, 0, shared);
            });
    slots.read(s, 0, out);
  }

  int threads;
};

} // namespace spattn::test

#endif
