//===- ParallelTasks.h - A call's tasks on Halide's shared pool -*- C++ -*-===//
//
// Every CPU library of a process shares Halide's thread pool, and its size
// is process-wide state: resizing it for one call's num_threads would
// change every later call (and race with calls on other threads). A call
// caps itself instead: at most `workers` pool tasks run at once, each
// taking the call's tasks from a shared counter.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TARGETS_CPU_LIBSUPPORT_PARALLELTASKS_H
#define SPATTN_TARGETS_CPU_LIBSUPPORT_PARALLELTASKS_H

#include "HalideRuntime.h"

#include <cstdint>

namespace spattn::cpu {

/// Runs task(nullptr, t, closure) for t < count on Halide's pool, at most
/// `workers` at once (0: as many as the pool runs). Returns 0, or the
/// first nonzero status a task returned (later tasks may then not run).
int parallelTasks(int64_t workers, halide_task_t task, int count, uint8_t *closure);

} // namespace spattn::cpu

#endif
