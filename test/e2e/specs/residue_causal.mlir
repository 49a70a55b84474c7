// A strided class united with other kinds of pattern (a window, sinks and a
// content-based stage), causal: the class runs apart as dense attention
// over every t-th row and key (targets/cpu/libsupport/ResidueClasses.h).
// t is L / 30 (at least 1), so each class holds about 30 rows, enough for
// the classes to run apart in a prefill; t is below and above the 32-row
// tiles, and divides few of the tested lengths evenly.
spattn.spec @residue_causal attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 100, 257, 1024, 3000>} {
^bb0(%L: index):
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %raw = spattn.budget.fraction %L {fraction = 0.0333}
  %t = spattn.budget.clamp %raw {min = 1, max = 4096}
  %local = spattn.window %c5
  %strided = spattn.strided %t
  %sinks = spattn.sink %c3
  %top = spattn.topk_blocks %c2 block 32
  %p = spattn.union %local, %strided, %sinks, %top
  spattn.yield %p
}
