// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s
// RUN: spattn-compile %s --emit=source --target=cpu --cpu-isa=avx512,sse41 | FileCheck %s --check-prefix=NOAMX

// A bf16 spec's library also carries AMX versions of its full and masked
// kernels, which its bf16 calls run where the CPU has AMX; the few-row
// (decode) kernels have none, and come in a version reading K and V in
// bf16 instead (_kv16). Without `amx` in --cpu-isa there are no AMX ones.
// CHECK: #include "amx_test_b0_full.h"
// CHECK-NEXT: #include "amx_test_b0_full_amx.h"
// CHECK: #include "amx_test_b0_full_few_kv16.h"
// CHECK: {512, &amx_test_b0_full, &amx_test_b0_masked, 4, &amx_test_b0_full_few, &amx_test_b0_masked_few, &amx_test_b0_full_amx, &amx_test_b0_masked_amx, &amx_test_b0_full_few_kv16, &amx_test_b0_masked_few_kv16},
// CHECK: static const char *const kSets[] = {"amx", "avx512", "avx2", "sse41", };
// NOAMX-NOT: _amx.h
// NOAMX: &amx_test_b0_masked_few, nullptr, nullptr, &amx_test_b0_full_few_kv16, &amx_test_b0_masked_few_kv16},
// NOAMX: static const char *const kSets[] = {"avx512", "sse41", };
spattn.spec @amx_test attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = bf16, causal, buckets = array<i64: 512>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %p = spattn.window %c64
  spattn.yield %p
}
