// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s

// A root that unites a strided class with other patterns, under the causal
// mask (targets/common/ResidueSplit.h): the library describes the split, so
// the CPU driver attends the class as dense attention over every t-th row
// and key. The rest's ranges unite the other children and intersect them
// with the causal leaf; its rows clear the class's keys; the modulus is the
// strided leaf's symbol.
// CHECK-LABEL: namespace b0 {
// CHECK: static int64_t residueModulus(const spattn::abi::HeadState &s) {
// CHECK-NEXT:   return s.params[[[T:[0-9]+]]];
// CHECK: static spattn::core::TileRanges residueRestRanges(
// CHECK-NEXT:   return spattn::core::intersectRanges(spattn::core::uniteRanges(ranges[[W:[0-9]+]](s, q), ranges[[S:[0-9]+]](s, q)), ranges[[C:[0-9]+]](s, q));
// CHECK: static void residueRestFill(
// CHECK-NEXT:   fill[[S]](s, row, pos, key0, n, out);
// CHECK-NEXT:   orFill[[W]](s, row, pos, key0, n, out);
// CHECK-NEXT:   clipFill[[C]](s, row, pos, key0, n, out);
// CHECK:   if (const int64_t m = s.params[[[T]]]; m > 0)
// CHECK-NEXT:     for (int64_t j = key0 + spattn::core::modulo(pos - key0, m); j < key0 + n; j += m)
// CHECK-NEXT:       out[j - key0] = 0;
// CHECK: static const spattn::abi::ResidueClasses kResidueClasses = {&residueModulus, &residueRestRanges, &residueRestKeepRow, true};
// CHECK: extern const spattn::abi::Variant spattn_strided_union_variants[] = {
// CHECK-NEXT: &b0::keepRow, &b0::kResidueClasses},
spattn.spec @strided_union attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c9 = arith.constant 9 : index
  %raw = spattn.budget.fraction %L {fraction = 0.125}
  %t = spattn.budget.clamp %raw {min = 1, max = 256}
  %local = spattn.window %c9
  %strided = spattn.strided %t
  %sinks = spattn.sink %c4
  %p = spattn.union %local, %strided, %sinks
  spattn.yield %p
}
