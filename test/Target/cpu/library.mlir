// RUN: rm -rf %t && spattn-compile %s --target=cpu -o %t
// RUN: ls %t | FileCheck %s --check-prefix=FILES
// RUN: FileCheck %s --check-prefix=HEADER < %t/small.h
// RUN: not spattn-compile %s --target=gpu -o %t.x 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not spattn-compile %s --target=cpu 2>&1 | FileCheck %s --check-prefix=NOOUT
// RUN: not ls %t.x

// A whole library: archive, shared object, header and the runtime headers.
// FILES: libsmall.a
// FILES-NEXT: libsmall.so
// FILES-NEXT: small.h
// FILES-NEXT: spattn

// HEADER: head_dim 16, 2 query heads, 1 kv heads, causal; lengths (Lk) up to 256 in 2 buckets.
// HEADER: int small_attention(const spattn_tensor *q, const spattn_tensor *k,
// HEADER: const spattn_library_info *small_info(void);
// HEADER: int small_budgets(int64_t length, const spattn_options *options,
// HEADER-NEXT: int64_t *values, int32_t capacity);
// HEADER: namespace small {
// HEADER: inline void attention(

// TARGET: spattn-compile: unknown --target 'gpu' (known: cpu, cuda)
// NOOUT: spattn-compile: --target=cpu needs -o DIR
spattn.spec @small attributes {head_dim = 16 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>} {
^bb0(%L: index):
  %c8 = arith.constant 8 : index
  %p = spattn.window %c8
  spattn.yield %p
}
