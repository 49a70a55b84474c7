// No `causal` attribute, but the root intersects the strided union with a
// predicate keeping j <= p(i), which lowers to the same leaf as the causal
// mask: the classes must be causal too, though the library is not
// (spattn::abi::ResidueClasses::causal). t grows like 0.5 sqrt(L).
spattn.spec @residue_predicate_causal attributes {head_dim = 32 : i64, num_q_heads = 2 : i64, num_kv_heads = 2 : i64, dtype = f32, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 300, 2048>} {
^bb0(%L: index):
  %c7 = arith.constant 7 : index
  %raw = spattn.budget.power %L {coeff = 0.5, exponent = 0.5}
  %t = spattn.budget.clamp %raw {min = 1, max = 4096}
  %local = spattn.window %c7 symmetric
  %strided = spattn.strided %t
  %u = spattn.union %local, %strided
  %earlier = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    %keep = arith.cmpi sle, %j, %pos : index
    spattn.predicate.yield %keep
  }
  %p = spattn.intersect %u, %earlier
  spattn.yield %p
}
