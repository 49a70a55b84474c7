//===- EntryPoints.h - One fuzzed call per C entry point --------*- C++ -*-===//
//
// Each makes one random call (valid, or with faults) of a library's entry
// point, checks what it returned and counts the outcome.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_TEST_CAPIFUZZ_ENTRYPOINTS_H
#define SPATTN_TEST_CAPIFUZZ_ENTRYPOINTS_H

#include "FuzzedLibrary.h"
#include "Outcomes.h"
#include "Random.h"

namespace spattn::capifuzz {

/// <name>_attention, or _attention_with_page_bounds.
void fuzzAttention(FuzzedLibrary &lib, Random &random, Outcomes &outcomes,
                   bool pageBounds);
/// <name>_selection.
void fuzzSelection(FuzzedLibrary &lib, Random &random, Outcomes &outcomes);
/// <name>_budgets.
void fuzzBudgets(FuzzedLibrary &lib, Random &random, Outcomes &outcomes);
/// <name>_update_page_bounds (libraries with a pages stage).
void fuzzPageBoundsUpdate(FuzzedLibrary &lib, Random &random, Outcomes &outcomes);
/// The queries that cannot fail: _info, _max_length, _budget_label,
/// _stage_kind, _page_size, _cpu_isa, _last_error, spattn_status_string,
/// spattn_contiguous.
void fuzzQueries(FuzzedLibrary &lib, Random &random, Outcomes &outcomes);

} // namespace spattn::capifuzz

#endif
