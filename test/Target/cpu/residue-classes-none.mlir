// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s

// A dilated window keeps a residue class only inside an interval, so the
// class is not dense within itself: the root unites no pure residue class
// and the variant has no split (targets/common/ResidueSplit.h).
// CHECK-NOT: kResidueClasses
// CHECK: extern const spattn::abi::Variant spattn_dilated_union_variants[] = {
// CHECK-NEXT: &b0::keepRow, nullptr},
spattn.spec @dilated_union attributes {head_dim = 64 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, buckets = array<i64: 256>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %local = spattn.window %c8
  %dilated = spattn.dilated_window %c8 dilation %c4
  %p = spattn.union %local, %dilated
  spattn.yield %p
}
