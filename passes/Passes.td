//===- Passes.td - spattn passes ---------------------------*- tablegen -*-===//
#ifndef SPATTN_PASSES_TD
#define SPATTN_PASSES_TD

include "mlir/Pass/PassBase.td"

def SpAttnSpecializeBucketsPass
    : Pass<"spattn-specialize-buckets", "::mlir::ModuleOp"> {
  let summary = "makes one spattn.variant per length bucket of every spec";
  let description = [{
    Input: verified `spattn.spec` ops. For every bucket `[lo, hi]` of a spec
    (`lo` is 1 or one past the previous bound) the pass evaluates every
    budget at every `L` in the bucket and records its exact minimum and
    maximum, computes the kept fraction at `L = lo`, chooses a strategy
    (`"dense"` when that fraction is at least `dense-threshold`, else
    `"sparse"`) and adds a `spattn.variant @<spec>_b<k>` after the spec whose
    body is the spec's body with every budget that is constant over the
    bucket replaced by an `arith.constant`. A budget that is out of range
    anywhere in a bucket is a located error. Specs that already have
    variants are left alone. Semantics never depend on buckets: variants
    still evaluate budgets at each call's `L`.

    ```mlir
    spattn.variant @streaming_llm_b0 attributes {block_k = 64 : i64,
        block_q = 64 : i64, bucket = 0 : i64, budget_labels = ["sink.count",
        "window.size"], budget_max = array<i64: 4, 3072>,
        budget_min = array<i64: 4, 256>, causal, density_low = 1.0,
        hi = 4096 : i64, lo = 1 : i64, spec = @streaming_llm,
        strategy = "dense"} {
    ^bb0(%L: index):
      ...
      spattn.yield %p
    }
    ```
  }];
  let options = [
    Option<"denseThreshold", "dense-threshold", "double", "0.5",
           "kept fraction at a bucket's low end from which the bucket "
           "computes every candidate tile (masked) instead of skipping">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SpAttnLowerToBlocksPass
    : Pass<"spattn-lower-to-blocks", "::mlir::ModuleOp"> {
  let summary = "lowers each variant's pattern to a block schedule";
  let description = [{
    Input: `spattn.variant` ops yielding a `!spattn.pattern`. Every pattern
    op becomes its block-schedule form over the variant's `block_q` x
    `block_k` tiles; under `causal` the root is intersected with the causal
    mask. Afterwards no backend needs a pattern's semantics:

    - `window`, `sink`, `global_queries`, `strided`, `dilated_window` and the
      causal mask become `spattn.blocks.affine`: key-tile bounds as affine
      maps of the query tile and the budgets, a full sub-range where every
      pair is kept, and the exact token predicate as an integer set;
    - `block_layout` becomes `spattn.blocks.layout`;
    - `random_blocks`, `topk_blocks`, `mass`, `pages` and `vertical_slash`
      become explicit stages, `spattn.estimate.*` then `spattn.select.*`
      (with a static `capacity` from the bucket's largest budget) then
      `spattn.blocks.selected` (attend);
    - `union`, `intersect`, `per_head` become `spattn.blocks.union`,
      `.intersect` and `.per_head`, which merge overlapping tile ranges and
      clip them to their overlap.

    ```mlir
    %s = spattn.blocks.affine [%c4] {keep = affine_set<(d0, d1)[s0] :
           (s0 - d1 - 1 >= 0)>, touch_lower = affine_map<(d0)[s0] -> (0)>,
           touch_upper = affine_map<(d0)[s0] -> (s0 ceildiv 64)>, ...}
    %e = spattn.estimate.pooled block 64
    %k = spattn.select.topk %e, %c8 capacity 8
    %t = spattn.blocks.selected %k
    %u = spattn.blocks.union %s, %t
    spattn.yield %u : !spattn.blocks
    ```
  }];
}

#endif // SPATTN_PASSES_TD
