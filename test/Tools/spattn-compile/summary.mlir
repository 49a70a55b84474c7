// RUN: spattn-compile %s --emit=summary | FileCheck %s
// RUN: spattn-compile %s | FileCheck %s
// RUN: spattn-compile %s --emit=summary -o %t && FileCheck %s < %t

// Every number below is worked out by hand. Budget ranges: each budget here
// is non-decreasing in L, so its range over a bucket is its value at the
// bucket's two ends (the first bucket starts at L = 1, every other one just
// above the previous bound). Density: with L <= 4096 every row is counted,
// so the kept fraction is exact. Strategy: dense when the density at the
// bucket's low end (mean over heads) is at least 0.5; at L = 1 the one row
// keeps its one key, so first buckets start dense. Tiles: query tile t holds
// positions [64t, 64t + 63] (block_q = 64), key tile c keys [64c, 64c + 63];
// "kept K/D" counts visited tiles against every candidate tile (causal: up to
// the diagonal), "flops" the ratio of their pairs.

// Causal window w(L) = floor(4 * L^0.5).
//   bucket [1, 64]:     w(1) = 4,             w(64) = 4 * 8 = 32
//   bucket [65, 256]:   w(65) = floor(32.25) = 32,  w(256) = 4 * 16 = 64
//   bucket [257, 1024]: w(257) = floor(64.12) = 64, w(1024) = 4 * 32 = 128
// Kept pairs of a causal window at length L: row p keeps min(p + 1, w) keys,
// sum = w(w+1)/2 + (L - w) w, out of the causal triangle L(L+1)/2:
//   L = 64,   w = 32:  (528 + 1024) / 2080            = 0.746154
//   L = 256,  w = 64:  (2080 + 12288) / 32896         = 0.436770
//   L = 1024, w = 128: (8256 + 114688) / 524800       = 0.234268
// Low ends: L = 65, w = 32: (528 + 33 * 32) / 2145 = 0.738462 (dense);
// L = 257, w = 64: (2080 + 193 * 64) / 33153 = 0.435315 (sparse).
// Tiles. L = 64: one tile, partial (the window of 32 ends inside it).
// L = 256, w = 64: tile t touches key tiles t - 1 and t; neither is full
// (the window's full range [t, t) is empty), so 1 + 3 * 2 = 7 partial tiles
// of 1 + 2 + 3 + 4 = 10. L = 1024, w = 128: key tiles t - 2 (partial), t - 1
// (full: inside every window and below the diagonal) and t (diagonal,
// partial): 1 + 2 + 14 * 3 = 45 kept, 1 + 1 + 14 * 2 = 30 partial, of 136;
// 45 / 136 = 0.330882.
// CHECK-LABEL: spec @causal_power_window: head_dim 128, heads 32q/8kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// CHECK-NEXT:   bucket 0: L in [1, 64], strategy dense (density 1.0000 at L=1)
// CHECK-NEXT:     window.size  [4, 32]
// CHECK-NEXT:     density at L=64: head 0 0.7462
// CHECK-NEXT:     tiles at L=64: head 0 kept 1/1 partial 1 flops 1.0000
// CHECK-NEXT:   bucket 1: L in [65, 256], strategy dense (density 0.7385 at L=65)
// CHECK-NEXT:     window.size  [32, 64]
// CHECK-NEXT:     density at L=256: head 0 0.4368
// CHECK-NEXT:     tiles at L=256: head 0 kept 7/10 partial 7 flops 0.7000
// CHECK-NEXT:   bucket 2: L in [257, 1024], strategy sparse (density 0.4353 at L=257)
// CHECK-NEXT:     window.size  [64, 128]
// CHECK-NEXT:     density at L=1024: head 0 0.2343
// CHECK-NEXT:     tiles at L=1024: head 0 kept 45/136 partial 30 flops 0.3309
spattn.spec @causal_power_window attributes {head_dim = 128 : i64, num_q_heads = 32 : i64, num_kv_heads = 8 : i64, dtype = f16, causal, buckets = array<i64: 64, 256, 1024>} {
^bb0(%L: index):
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %p = spattn.window %w
  spattn.yield %p
}

// Non-causal sinks s(L) = floor(2 * L^0.75); every row keeps s keys of L,
// so the density is s / L.
//   bucket [1, 16]:     s(1) = 2,   s(16) = 2 * 8 = 16         density 16/16
//   bucket [17, 256]:   s(17) = floor(16.74) = 16, s(256) = 2 * 64 = 128
//                                                           density 128/256
//   bucket [257, 4096]: s(257) = floor(128.37) = 128, s(4096) = 2 * 512 = 1024
//                                                          density 1024/4096
// Low ends: 16/17 = 0.941176 (dense), 128/257 = 0.498054 (sparse).
// Tiles are 32 query rows by 128 keys, no diagonal: at L = 16 one partial
// tile; at L = 256 (8 x 2 tiles) key tile 0 holds exactly the 128 sinks, so
// it is full in every query tile: 8 of 16; at L = 4096 (128 x 32 tiles) key
// tiles 0-7 are full: 1024 of 4096.
// The header shows the non-default blocks and no `causal`.
// CHECK-LABEL: spec @sink_power: head_dim 64, heads 4q/4kv, dtype bf16, scale 0.5, blocks 32x128
// CHECK-NEXT:   bucket 0: L in [1, 16], strategy dense (density 1.0000 at L=1)
// CHECK-NEXT:     sink.count  [2, 16]
// CHECK-NEXT:     density at L=16: head 0 1.0000
// CHECK-NEXT:     tiles at L=16: head 0 kept 1/1 partial 1 flops 1.0000
// CHECK-NEXT:   bucket 1: L in [17, 256], strategy dense (density 0.9412 at L=17)
// CHECK-NEXT:     sink.count  [16, 128]
// CHECK-NEXT:     density at L=256: head 0 0.5000
// CHECK-NEXT:     tiles at L=256: head 0 kept 8/16 partial 0 flops 0.5000
// CHECK-NEXT:   bucket 2: L in [257, 4096], strategy sparse (density 0.4981 at L=257)
// CHECK-NEXT:     sink.count  [128, 1024]
// CHECK-NEXT:     density at L=4096: head 0 0.2500
// CHECK-NEXT:     tiles at L=4096: head 0 kept 1024/4096 partial 0 flops 0.2500
spattn.spec @sink_power attributes {head_dim = 64 : i64, num_q_heads = 4 : i64, num_kv_heads = 4 : i64, dtype = bf16, scale = 0.5, buckets = array<i64: 16, 256, 4096>, block_q = 32 : i64, block_k = 128 : i64} {
^bb0(%L: index):
  %s = spattn.budget.power %L {coeff = 2.0, exponent = 0.75}
  %p = spattn.sink %s
  spattn.yield %p
}

// per_head, non-causal: heads 0-1 keep 16 sinks (density 16 / L), heads 2-3
// a window w(L) = floor(4 * L^0.5) (row p keeps min(p + 1, w) of L keys):
//   L = 64,  w = 32: 1552 / 4096   = 0.378906;  sinks 16/64  = 0.25
//   L = 256, w = 64: 14368 / 65536 = 0.219238;  sinks 16/256 = 0.0625
// Labels are padded to the longest one; the fixed sink reads [16, 16].
// Low end of bucket 1 (mean of the two head groups): sinks 16/65 = 0.246154,
// window w = 32: (528 + 33 * 32) / 4225 = 0.374911; mean 0.310533 (sparse).
// Tiles at L = 256 (4 x 4, no diagonal): the sinks are a partial key tile 0
// in every query tile (4 of 16); the window of 64 touches key tiles t - 1
// and t, none full: 1 + 3 * 2 = 7 of 16.
// CHECK-LABEL: spec @per_head_density: head_dim 128, heads 4q/2kv, dtype f32, scale 0.0883883, blocks 64x64
// CHECK-NEXT:   bucket 0: L in [1, 64], strategy dense (density 1.0000 at L=1)
// CHECK-NEXT:     sink.count   [16, 16]
// CHECK-NEXT:     window.size  [4, 32]
// CHECK-NEXT:     density at L=64: head 0 0.2500 head 2 0.3789
// CHECK-NEXT:     tiles at L=64: head 0 kept 1/1 partial 1 flops 1.0000 head 2 kept 1/1 partial 1 flops 1.0000
// CHECK-NEXT:   bucket 1: L in [65, 256], strategy sparse (density 0.3105 at L=65)
// CHECK-NEXT:     sink.count   [16, 16]
// CHECK-NEXT:     window.size  [32, 64]
// CHECK-NEXT:     density at L=256: head 0 0.0625 head 2 0.2192
// CHECK-NEXT:     tiles at L=256: head 0 kept 4/16 partial 4 flops 0.2500 head 2 kept 7/16 partial 7 flops 0.4375
spattn.spec @per_head_density attributes {head_dim = 128 : i64, num_q_heads = 4 : i64, num_kv_heads = 2 : i64, dtype = f32, buckets = array<i64: 64, 256>} {
^bb0(%L: index):
  %c16 = arith.constant 16 : index
  %sinks = spattn.sink %c16
  %w = spattn.budget.power %L {coeff = 4.0, exponent = 0.5}
  %local = spattn.window %w
  %p = spattn.per_head %sinks, %local heads [0, 2]
  spattn.yield %p
}

// A budget that is not monotone in L: the range is over every L of the
// bucket, not just its ends. w(L) = L mod 100 (a window of 0 keeps nothing).
//   bucket [1, 256]:   min 0 at L = 100 or 200, max 99 at L = 99 or 199
//                      (the ends give only 1 and 56)
//   bucket [257, 512]: min 0 at L = 300, max 99 at L = 299
// Causal density at L = 256, w = 56: (1596 + 200 * 56) / 32896 = 0.388983;
// at L = 512, w = 12: (78 + 500 * 12) / 131328 = 0.046281.
// Low end L = 257, w = 57: (1653 + 200 * 57) / 33153 = 0.393720 (sparse).
// Tiles: with 1 <= w <= 64 tile t touches key tiles t - 1 and t, none full:
// L = 256: 7 of 10; L = 512: 1 + 7 * 2 = 15 of 36 = 0.416667.
// CHECK-LABEL: spec @non_monotone: head_dim 128, heads 8q/1kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// CHECK-NEXT:   bucket 0: L in [1, 256], strategy dense (density 1.0000 at L=1)
// CHECK-NEXT:     window.size  [0, 99]
// CHECK-NEXT:     density at L=256: head 0 0.3890
// CHECK-NEXT:     tiles at L=256: head 0 kept 7/10 partial 7 flops 0.7000
// CHECK-NEXT:   bucket 1: L in [257, 512], strategy sparse (density 0.3937 at L=257)
// CHECK-NEXT:     window.size  [0, 99]
// CHECK-NEXT:     density at L=512: head 0 0.0463
// CHECK-NEXT:     tiles at L=512: head 0 kept 15/36 partial 15 flops 0.4167
// CHECK-NOT: {{.}}
spattn.spec @non_monotone attributes {head_dim = 128 : i64, num_q_heads = 8 : i64, num_kv_heads = 1 : i64, dtype = f16, causal, buckets = array<i64: 256, 512>} {
^bb0(%L: index):
  %c100 = arith.constant 100 : index
  %w = arith.remui %L, %c100 : index
  %p = spattn.window %w
  spattn.yield %p
}
