// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s

// A strided pattern keeps keys j == pos (mod stride): the generated mask
// row visits that residue class only, stepping by the stride, instead of
// testing a modulo at every key (targets/common/KeyCandidates.h).
// CHECK-LABEL: static void fill0(
// CHECK:   if (const int64_t m = int64_t(5); m > 0) {
// CHECK-NEXT:     step = m;
// CHECK-NEXT:     lo += spattn::core::modulo(pos - lo, m);
// CHECK:   for (int64_t j = lo; j < hi; j += step)
// CHECK-NEXT:     out[j - key0] = keep0(s, row, pos, j);
spattn.spec @strided_fill attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c5 = arith.constant 5 : index
  %p = spattn.strided %c5
  spattn.yield %p
}
