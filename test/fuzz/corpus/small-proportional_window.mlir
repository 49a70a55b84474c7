spattn.spec @proportional_window attributes {
    head_dim = 128 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64,
    dtype = f16, causal, buckets = array<i64: 64, 128>} {
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
