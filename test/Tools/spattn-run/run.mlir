// spattn-run runs a spec's library on Q/K/V from .npy files, writes O and
// LSE, and prints one summary line; --check adds the max abs error against
// the fp64 reference (exit 1 above 1e-4) and the recall of the kept keys.
// --make-inputs writes random inputs of the right shapes, --mask the mask
// the library applied. Errors in the
// inputs get a message naming the file and exit 1.
//
// RUN: rm -rf %t && split-file --leading-lines %s %t
// RUN: spattn-run --make-inputs %t/in --spec %t/spec.mlir --length 300 --batch 2 | FileCheck %s --check-prefix=MAKE
// MAKE: wrote {{.*}}in/q.npy [2, 4, 300, 32]
// MAKE-NEXT: wrote {{.*}}in/k.npy [2, 2, 300, 32]
// MAKE-NEXT: wrote {{.*}}in/v.npy [2, 2, 300, 32]
//
// Compiled by spattn-run itself (spattn-compile beside it); every row
// checked. Errors are fp32 rounding, well under the tolerance.
// RUN: spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy -o %t/o.npy --lse %t/lse.npy --check --repeat 3 --threads 2 | FileCheck %s --check-prefix=CHECKED
// CHECKED: @window_topk: B 2, Hq 4, Hkv 2, Lq 300, Lk 300, D 32; bucket 1 (Lk 129..4096); {{[0-9.]+}} ms/call (median of 3); {{[0-9.]+}} GFLOP/s over kept FLOPs (density 0.{{[0-9]+}})
// CHECKED-NEXT: check: max abs error O {{(0|[0-9.]+e-(0[5-9]|[1-9][0-9]))}}, LSE {{(0|[0-9.]+e-(0[5-9]|[1-9][0-9]))}} (tolerance 1e-4): ok; all 300 rows of 8 heads
// CHECKED-NEXT: recall: mean 0.{{[0-9]+}}, min 0.{{[0-9]+}} (dense causal softmax mass on the kept keys)
// RUN: tail -c +11 %t/o.npy | head -c 80 | FileCheck %s --check-prefix=O
// O: 'shape': (2, 4, 300, 32)
// RUN: tail -c +11 %t/lse.npy | head -c 80 | FileCheck %s --check-prefix=LSE
// LSE: 'shape': (2, 4, 300)
//
// A compiled library (--lib takes the folder or the .so); a decode call.
// RUN: spattn-compile %t/spec.mlir --target=cpu -o %t/lib
// RUN: spattn-run --make-inputs %t/decode --spec %t/spec.mlir --length 1000 --queries 1 --seed 7 > /dev/null
// RUN: spattn-run %t/spec.mlir --q %t/decode/q.npy --k %t/decode/k.npy --v %t/decode/v.npy --lib %t/lib/libwindow_topk.so --check | FileCheck %s --check-prefix=DECODE
// DECODE: @window_topk: B 1, Hq 4, Hkv 2, Lq 1, Lk 1000, D 32; bucket 1 (Lk 129..4096);
// DECODE-NEXT: check: {{.*}}: ok; all 1 rows of 4 heads
// DECODE-NEXT: recall: mean
//
// Long enough that the check samples rows, and says so.
// RUN: spattn-run --make-inputs %t/long --spec %t/spec.mlir --length 4096 > /dev/null
// RUN: spattn-run %t/spec.mlir --q %t/long/q.npy --k %t/long/k.npy --v %t/long/v.npy --lib %t/lib --check | FileCheck %s --check-prefix=SAMPLED
// SAMPLED: bucket 1 (Lk 129..4096)
// SAMPLED-NEXT: check: {{.*}}: ok; 1024 sampled rows of 4096 in each of 4 heads (first, last, random)
//
// [H, L, D] files (B = 1; O and LSE come back without a batch dimension).
// All-zero inputs: every score ties, O = 0 and LSE = log(kept keys).
// RUN: printf '\223NUMPY\001\000\166\000%%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 64, 32), }" > %t/q3.npy
// RUN: head -c 32768 /dev/zero >> %t/q3.npy
// RUN: printf '\223NUMPY\001\000\166\000%%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 64, 32), }" > %t/k3.npy
// RUN: head -c 16384 /dev/zero >> %t/k3.npy
// RUN: spattn-run %t/spec.mlir --q %t/q3.npy --k %t/k3.npy --v %t/k3.npy --lib %t/lib -o %t/o3.npy --lse %t/lse3.npy --check | FileCheck %s --check-prefix=RANK3
// RANK3: @window_topk: B 1, Hq 4, Hkv 2, Lq 64, Lk 64, D 32; bucket 0 (Lk 1..128);
// RANK3-NEXT: check: max abs error O 0, LSE {{.*}}: ok; all 64 rows of 4 heads
// RUN: tail -c +11 %t/o3.npy | head -c 80 | FileCheck %s --check-prefix=O3
// O3: 'shape': (4, 64, 32)
// RUN: tail -c +11 %t/lse3.npy | head -c 80 | FileCheck %s --check-prefix=LSE3
// LSE3: 'shape': (4, 64)
//
// The check is real: a library built from another pattern under the same
// name runs, but does not match this spec's reference (exit 1).
// RUN: spattn-compile %t/other/spec.mlir --target=cpu -o %t/other-lib
// RUN: not spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/other-lib --check | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: check: max abs error {{.*}}: FAILED;
//
// --mask writes the mask the library applied, uint8 [B, Hq, Lq, Lk]: row 20
// of a causal window of 16 keeps keys 5..20 (header 128 bytes, 64 per row).
// RUN: spattn-run %t/other/spec.mlir --q %t/q3.npy --k %t/k3.npy --v %t/k3.npy --lib %t/other-lib --mask %t/mask.npy > /dev/null
// RUN: head -c 128 %t/mask.npy | tail -c +11 | FileCheck %s --check-prefix=MASK
// MASK: {'descr': '|u1', 'fortran_order': False, 'shape': (1, 4, 64, 64), }
// RUN: wc -c < %t/mask.npy | FileCheck %s --check-prefix=MASKSIZE
// MASKSIZE: 16512
// RUN: tail -c +1409 %t/mask.npy | head -c 64 | od -An -tu1 -w64 -v | FileCheck %s --check-prefix=ROW20
// ROW20: 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0{{$}}
//
// Errors.
// RUN: not spattn-run %t/spec.mlir --q %t/in/missing.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: spattn-run: {{.*}}in/missing.npy: cannot read:
// RUN: not spattn-run %t/spec.mlir --q %t/in/k.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=HEADS
// HEADS: spattn-run: {{.*}}in/k.npy: 2 query heads, @window_topk has num_q_heads = 4
// RUN: spattn-run --make-inputs %t/narrow --spec %t/narrow.mlir --length 300 > /dev/null
// RUN: not spattn-run %t/spec.mlir --q %t/narrow/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=DIM
// DIM: spattn-run: {{.*}}narrow/q.npy: head dimension 16, @window_topk has head_dim = 32
// RUN: not spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/in/k.npy --v %t/decode/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=V
// V: spattn-run: {{.*}}decode/v.npy: shape [1, 2, 1000, 32] differs from {{.*}}in/k.npy [2, 2, 300, 32]
// RUN: not spattn-run %t/spec.mlir --q %t/long/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: spattn-run: batch sizes differ: 1 in {{.*}}long/q.npy, 2 in {{.*}}in/k.npy
// RUN: spattn-run --make-inputs %t/short --spec %t/spec.mlir --length 100 --batch 2 > /dev/null
// RUN: not spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/short/k.npy --v %t/short/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=LQ
// LQ: spattn-run: Lq = 300 ({{.*}}in/q.npy) exceeds Lk = 100 ({{.*}}short/k.npy)
// RUN: spattn-run --make-inputs %t/too-long --spec %t/spec.mlir --length 4097 --queries 1 > /dev/null
// RUN: not spattn-run %t/spec.mlir --q %t/too-long/q.npy --k %t/too-long/k.npy --v %t/too-long/v.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=BUCKET
// BUCKET: spattn-run: Lk = 4097 ({{.*}}too-long/k.npy) is above the last bucket of @window_topk (4096); add a larger bucket to the spec
// RUN: printf '\223NUMPY\001\000\166\000%%-117s\n' "{'descr': '<f4', 'fortran_order': False, 'shape': (64, 32), }" > %t/rank2.npy
// RUN: head -c 8192 /dev/zero >> %t/rank2.npy
// RUN: not spattn-run %t/spec.mlir --q %t/rank2.npy --k %t/rank2.npy --v %t/rank2.npy --lib %t/lib 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: spattn-run: {{.*}}rank2.npy: expected float32 [B, H, L, D] or [H, L, D], got shape [64, 32]
// RUN: not spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy --lib %t/nowhere 2>&1 | FileCheck %s --check-prefix=NOLIB
// NOLIB: spattn-run: --lib {{.*}}nowhere does not exist
// RUN: not spattn-run %t/spec.mlir --q %t/in/q.npy --k %t/in/k.npy 2>&1 | FileCheck %s --check-prefix=NOV
// NOV: spattn-run: --q, --k and --v are required (or --make-inputs DIR)
// RUN: not spattn-run %t/two.mlir --q %t/in/q.npy --k %t/in/k.npy --v %t/in/v.npy 2>&1 | FileCheck %s --check-prefix=TWO
// TWO: spattn-run: {{.*}}two.mlir holds 2 spattn.spec ops; spattn-run takes exactly one
// RUN: not spattn-run --make-inputs %t/bad --spec %t/spec.mlir --length 10 --queries 20 2>&1 | FileCheck %s --check-prefix=QUERIES
// QUERIES: spattn-run: --queries 20 exceeds --length 10

//--- spec.mlir
// Sinks, a window of 4 sqrt(L) and the top 2 key blocks, GQA 2:1.
spattn.spec @window_topk attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 128, 4096>} {
^bb0(%L: index):
  %c4 = arith.constant 4 : index
  %c2 = arith.constant 2 : index
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %s = spattn.sink %c4
  %l = spattn.window %w
  %t = spattn.topk_blocks %c2 block 32
  %p = spattn.union %s, %l, %t
  spattn.yield %p
}

//--- other/spec.mlir
// The same name and shapes, a window only.
spattn.spec @window_topk attributes {head_dim = 32 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, block_q = 32 : i64, block_k = 32 : i64, buckets = array<i64: 128, 4096>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %l = spattn.window %c16
  spattn.yield %l
}

//--- narrow.mlir
spattn.spec @narrow attributes {head_dim = 16 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, causal, buckets = array<i64: 4096>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %l = spattn.window %c16
  spattn.yield %l
}

//--- two.mlir
spattn.spec @first attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %l = spattn.window %c16
  spattn.yield %l
}
spattn.spec @second attributes {head_dim = 16 : i64, num_q_heads = 1 : i64, num_kv_heads = 1 : i64, dtype = f32, buckets = array<i64: 64>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %l = spattn.window %c16
  spattn.yield %l
}
