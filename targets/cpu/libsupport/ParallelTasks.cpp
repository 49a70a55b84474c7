//===- ParallelTasks.cpp - A call's tasks on Halide's shared pool ---------===//
#include "targets/cpu/libsupport/ParallelTasks.h"

#include <atomic>

namespace spattn::cpu {

namespace {

struct CappedTasks {
  halide_task_t task;
  uint8_t *closure;
  int count;
  std::atomic<int> next{0};
};

/// One of the capped workers: tasks from the shared counter until none is
/// left or one fails.
int cappedWorker(void *context, int, uint8_t *closure) {
  CappedTasks &work = *reinterpret_cast<CappedTasks *>(closure);
  for (int t; (t = work.next.fetch_add(1, std::memory_order_relaxed)) < work.count;)
    if (int status = work.task(context, t, work.closure)) {
      work.next.store(work.count, std::memory_order_relaxed);
      return status;
    }
  return 0;
}

} // namespace

int parallelTasks(int64_t workers, halide_task_t task, int count, uint8_t *closure) {
  if (workers <= 0 || workers >= count)
    return halide_do_par_for(nullptr, task, 0, count, closure);
  CappedTasks work{task, closure, count};
  return halide_do_par_for(nullptr, cappedWorker, 0, static_cast<int>(workers),
                           reinterpret_cast<uint8_t *>(&work));
}

} // namespace spattn::cpu
