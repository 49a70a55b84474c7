// spattn-run passes request parameter values (--request name=value) to the
// library and to the reference; the check holds at each request, the kept
// density follows the request's budget, and a missing, unknown or
// out-of-range value is an error naming it.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: spattn-run --make-inputs %t/in --spec %s --length 200 > /dev/null
// RUN: spattn-compile %s --target=cpu -o %t/lib
// RUN: spattn-run %s --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib --check --request quality=0 | FileCheck %s --check-prefix=LOW
// LOW: @requested: B 1, Hq 2, Hkv 1, Lq 200, Lk 200, D 16; bucket 1 (Lk 65..256); {{.*}} (density 0.1{{[0-9]+}})
// LOW-NEXT: check: {{.*}}: ok; all 200 rows of 2 heads
// RUN: spattn-run %s --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib --check --request=quality=3 | FileCheck %s --check-prefix=HIGH
// HIGH: (density 0.5{{[0-9]+}})
// HIGH-NEXT: check: {{.*}}: ok; all 200 rows of 2 heads
//
// RUN: not spattn-run %s --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: spattn-run: @requested needs a value for request parameter quality in [0, 3]
// RUN: not spattn-run %s --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib --request quality=4 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: spattn-run: request parameter quality = 4 is outside its declared range [0, 3]
// RUN: not spattn-run %s --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib --request quality=1,speed=2 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: spattn-run: @requested has no request parameter 'speed'
//
// The summary gives budget bounds over every request and the density at
// the lowest and highest request values.
// RUN: spattn-compile %s --emit=summary | FileCheck %s --check-prefix=SUMMARY
// SUMMARY: request quality in [0, 3]
// SUMMARY: bucket 1: L in [65, 256]
// SUMMARY-NEXT: window.size  [16, 64]
// SUMMARY-NEXT: request quality=0
// SUMMARY-NEXT: density at L=256
// SUMMARY: request quality=3
// SUMMARY-NEXT: density at L=256
spattn.spec @requested attributes {head_dim = 16 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = f32, causal, block_q = 16 : i64, block_k = 16 : i64, buckets = array<i64: 64, 256>, request = [{name = "quality", min = 0, max = 3}]} {
^bb0(%L: index, %quality: index):
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %steps = arith.addi %quality, %c1 : index
  %w = arith.muli %c16, %steps : index
  %p = spattn.window %w
  spattn.yield %p
}
