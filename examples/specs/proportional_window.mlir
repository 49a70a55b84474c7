// A window proportional to the query's position, written with
// spattn.predicate: query i keeps the most recent half of its prefix
// (keys j with 2j >= p(i)), never fewer than a minimum that grows like
// 2·sqrt(L), plus 4 attention sinks. No fixed primitive expresses it: a
// window's width is a budget of L, the same for every query, while here it
// grows along the sequence. The predicate is affine in (p(i), j), so tiles
// are classified in closed form per bucket: full inside the band, partial
// on its two edges, skipped elsewhere.
spattn.spec @proportional_window attributes {
    head_dim = 128 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64,
    dtype = f16, causal, buckets = array<i64: 2048, 8192, 32768>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %raw = spattn.budget.power %L {coeff = 2.0, exponent = 0.5}
  %min = spattn.budget.align %raw {multiple = 64}
  %half = spattn.predicate (%min) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index, %least: index):
    %c2 = arith.constant 2 : index
    %twice = arith.muli %j, %c2 : index
    %recent_half = arith.cmpi sge, %twice, %pos : index
    %d = arith.subi %pos, %j : index
    %near = arith.cmpi slt, %d, %least : index
    %keep = arith.ori %recent_half, %near : i1
    spattn.predicate.yield %keep
  }
  %sinks = spattn.sink %c4
  %p = spattn.union %sinks, %half
  spattn.yield %p
}
