spattn.spec @longnet_dilated attributes {
    head_dim = 64 : i64, num_q_heads = 8 : i64, num_kv_heads = 2 : i64,
    dtype = f16, causal, buckets = array<i64: 64, 128>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %eighth = spattn.budget.fraction %L {fraction = 0.125}
  %w = spattn.budget.clamp %eighth {min = 256, max = 4096}
  %dilated = spattn.predicate (%w) {
  ^bb0(%h: index, %pos: index, %j: index, %len: index, %window: index):
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c0 = arith.constant 0 : index
    %hm = arith.remsi %h, %c4 : index
    %rate = arith.addi %hm, %c1 : index
    %d = arith.subi %pos, %j : index
    %tap = arith.remsi %d, %rate : index
    %on = arith.cmpi eq, %tap, %c0 : index
    %near = arith.cmpi slt, %d, %window : index
    %keep = arith.andi %on, %near : i1
    spattn.predicate.yield %keep
  }
  %sinks = spattn.sink %c16
  %p = spattn.union %sinks, %dilated
  spattn.yield %p
}
