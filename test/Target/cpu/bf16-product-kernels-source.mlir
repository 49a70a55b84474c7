// RUN: spattn-compile %s --emit=source --target=cpu | FileCheck %s
// RUN: spattn-compile %s --emit=source --target=cpu --cpu-isa=avx512,sse41 | FileCheck %s --check-prefix=NONE
// RUN: spattn-compile %s --emit=source --target=cpu --cpu-isa=avx512bf16,avx512,sse41 | FileCheck %s --check-prefix=DOT

// A bf16 spec's library also carries versions of its full and masked
// kernels with bf16 products, which its bf16 calls run: AMX tiles (_amx)
// where the CPU has AMX, vdpbf16ps (_bf16dot) where it has AVX-512 BF16.
// The few-row (decode) kernels have none, and come in a version reading K
// and V in bf16 instead (_kv16). Without those sets in --cpu-isa there are
// none of their kernels.
// CHECK: #include "bf16_test_b0_full.h"
// CHECK-NEXT: #include "bf16_test_b0_full_amx.h"
// CHECK-NEXT: #include "bf16_test_b0_full_bf16dot.h"
// CHECK: #include "bf16_test_b0_full_few_kv16.h"
// CHECK: {512, &bf16_test_b0_full, &bf16_test_b0_masked, 4, &bf16_test_b0_full_few, &bf16_test_b0_masked_few, &bf16_test_b0_full_amx, &bf16_test_b0_masked_amx, &bf16_test_b0_full_bf16dot, &bf16_test_b0_masked_bf16dot, &bf16_test_b0_full_few_kv16, &bf16_test_b0_masked_few_kv16},
// CHECK: static const char *const kSets[] = {"amx", "avx512bf16", "avx512", "avx2", "sse41", };
// NONE-NOT: _amx.h
// NONE-NOT: _bf16dot.h
// NONE: &bf16_test_b0_masked_few, nullptr, nullptr, nullptr, nullptr, &bf16_test_b0_full_few_kv16, &bf16_test_b0_masked_few_kv16},
// NONE: static const char *const kSets[] = {"avx512", "sse41", };
// DOT-NOT: _amx.h
// DOT: &bf16_test_b0_masked_few, nullptr, nullptr, &bf16_test_b0_full_bf16dot, &bf16_test_b0_masked_bf16dot, &bf16_test_b0_full_few_kv16, &bf16_test_b0_masked_few_kv16},
// DOT: static const char *const kSets[] = {"avx512bf16", "avx512", "sse41", };
spattn.spec @bf16_test attributes {head_dim = 128 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = bf16, causal, buckets = array<i64: 512>} {
^bb0(%L: index):
  %c64 = arith.constant 64 : index
  %p = spattn.window %c64
  spattn.yield %p
}
