// A bf16 spec whose prefill attends whole spans, both unmasked and masked,
// so that its bf16 calls run the kernels with bf16 products (AMX or
// vdpbf16ps, targets/cpu/halide/AttendKernel.cpp) where the CPU has them.
// The AMX ones take spans of at least half the kernel span, which the
// examples' calls have only here and there (bigbird's never); the vdpbf16ps
// ones take every many-row span. Head 0 keeps every
// earlier key (full spans); head 1 drops every fifth diagonal, so each of
// its tiles is partial and its spans run through the masked kernel.
// D = 128 (the pair products need D a multiple of 32); an odd length ends
// on a short span.
spattn.spec @bf16_long_spans attributes {head_dim = 128 : i64, num_q_heads = 2 : i64, num_kv_heads = 1 : i64, dtype = bf16, causal, buckets = array<i64: 700, 2048>} {
^bb0(%L: index):
  %dense = spattn.window %L
  %gapped = spattn.predicate () {
  ^bb0(%h: index, %pos: index, %j: index, %len: index):
    %c0 = arith.constant 0 : index
    %c5 = arith.constant 5 : index
    %d = arith.subi %pos, %j : index
    %tap = arith.remsi %d, %c5 : index
    %keep = arith.cmpi ne, %tap, %c0 : index
    spattn.predicate.yield %keep
  }
  %p = spattn.per_head %dense, %gapped heads [0, 1]
  spattn.yield %p
}
