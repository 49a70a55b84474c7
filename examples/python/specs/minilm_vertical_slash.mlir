// MInference's vertical-slash for all-MiniLM-L6-v2 (bidirectional: offsets
// on both sides of the diagonal): the last 64 rows estimate which key
// columns and which diagonals carry the attention mass; keep the top
// 3·sqrt(L) of each (every column and diagonal near L = 64, 67 columns
// and 67 of 1023 diagonals at L = 512).
spattn.spec @minilm_vertical_slash attributes {head_dim = 32 : i64, num_q_heads = 12 : i64, num_kv_heads = 12 : i64, dtype = f32, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 128, 256, 512>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %n = spattn.budget.power %L {coeff = 3.0, exponent = 0.5}
  %p = spattn.vertical_slash %n, %n last %c64
  spattn.yield %p
}
