// BigBird: sliding window + global tokens + random blocks, all on 64-token
// blocks.
//
// Reproduces the BigBird-ITC encoder attention of Zaheer et al., "Big Bird:
// Transformers for Longer Sequences" (NeurIPS 2020): each query block sees
// its neighbouring blocks (window, here the symmetric token window
// |p(i) - j| < 96, about three 64-key blocks wide), 2 global blocks that see
// and are seen by everything (global_queries + sink), and r random key blocks
// per (head, query block). The random blocks use the documented
// counter-based hash (seed 42), so every target picks the same blocks.
// Bidirectional encoder, hence no `causal`.
//
// Budget: the window and the global blocks are local/structural and fixed;
// the random blocks are what give BigBird its short paths between distant
// tokens (the graph-expansion argument of the paper), and the number of
// blocks they must connect grows with L. r grows like 0.05 * sqrt(L), clamped
// to [2, 8]: 2 blocks for short inputs, r = 3 at L = 4096 (the paper's
// setting), 6 at L = 16384.
spattn.spec @bigbird attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = bf16, buckets = array<i64: 1024, 4096, 8192, 16384>} {
^bb0(%L: index):
  %w = arith.constant 96 : index
  %g = arith.constant 128 : index
  %raw = spattn.budget.power %L {coeff = 0.05, exponent = 0.5}
  %r = spattn.budget.clamp %raw {min = 2, max = 8}
  %local = spattn.window %w symmetric
  %global_rows = spattn.global_queries %g
  %global_cols = spattn.sink %g
  %random = spattn.random_blocks %r block 64 {seed = 42 : i64}
  %p = spattn.union %local, %global_rows, %global_cols, %random
  spattn.yield %p
}
