// Every spec in examples/specs compiles to a summary. The checks pin the
// per-bucket header lines and the length-dependent budget of each example;
// densities are pinned where the pattern is static (for content-based
// patterns they depend on the synthetic Q/K and are only checked for shape).
//
// RUN: spattn-compile %examples/specs/streaming_llm.mlir --emit=summary | FileCheck %s --check-prefix=STREAMING
// RUN: spattn-compile %examples/specs/longformer.mlir --emit=summary | FileCheck %s --check-prefix=LONGFORMER
// RUN: spattn-compile %examples/specs/bigbird.mlir --emit=summary | FileCheck %s --check-prefix=BIGBIRD
// RUN: spattn-compile %examples/specs/sparse_transformer.mlir --emit=summary | FileCheck %s --check-prefix=STRIDED
// RUN: spattn-compile %examples/specs/block_topk.mlir --emit=summary | FileCheck %s --check-prefix=TOPK
// RUN: spattn-compile %examples/specs/minference.mlir --emit=summary | FileCheck %s --check-prefix=MINFERENCE
// RUN: spattn-compile %examples/specs/flexprefill.mlir --emit=summary | FileCheck %s --check-prefix=FLEX
// RUN: spattn-compile %examples/specs/quest.mlir --emit=summary | FileCheck %s --check-prefix=QUEST
// RUN: spattn-compile %examples/specs/proportional_window.mlir --emit=summary | FileCheck %s --check-prefix=PROPORTIONAL
// RUN: spattn-compile %examples/specs/longnet_dilated.mlir --emit=summary | FileCheck %s --check-prefix=LONGNET

// STREAMING-LABEL: spec @streaming_llm: head_dim 128, heads 32q/8kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// STREAMING:        bucket 0: L in [1, 4096]
// STREAMING:          window.size  [256, 3072]
// STREAMING-NEXT:     density at L=4096: head 0 0.9379
// STREAMING:        bucket 1: L in [4097, 16384]
// STREAMING:          window.size  [3072, 6144]
// STREAMING-NEXT:     density at L=16384: head 0 0.6096
// STREAMING:        bucket 2: L in [16385, 65536]
// STREAMING:          window.size  [6144, 12288]
// STREAMING-NEXT:     density at L=65536: head 0 0.3399
// STREAMING:        bucket 3: L in [65537, 131072]
// STREAMING:          window.size  [12288, 16384]
// STREAMING-NEXT:     density at L=131072: head 0 0.2344
// STREAMING-NOT:    bucket

// LONGFORMER-LABEL: spec @longformer: head_dim 128, heads 32q/8kv, dtype bf16, scale 0.0883883, blocks 64x64
// LONGFORMER:        bucket 0: L in [1, 1024]
// LONGFORMER-NEXT:     window.size           [64, 128]
// LONGFORMER-NEXT:     global_queries.count  [64, 64]
// LONGFORMER-NEXT:     sink.count            [64, 64]
// LONGFORMER-NEXT:     density at L=1024: head 0 0.3391
// LONGFORMER:        bucket 1: L in [1025, 4096]
// LONGFORMER-NEXT:     window.size           [128, 256]
// LONGFORMER:          density at L=4096: head 0 0.1499
// LONGFORMER:        bucket 2: L in [4097, 16384]
// LONGFORMER-NEXT:     window.size           [256, 512]
// LONGFORMER:          density at L=16384: head 0 0.0690
// LONGFORMER-NOT:    bucket

// BIGBIRD-LABEL: spec @bigbird: head_dim 128, heads 32q/8kv, dtype bf16, scale 0.0883883, blocks 64x64
// BIGBIRD:        bucket 0: L in [1, 1024]
// BIGBIRD:          random_blocks.count   [2, 2]
// BIGBIRD-NEXT:     density at L=1024: head 0 0.4662
// BIGBIRD:        bucket 1: L in [1025, 4096]
// BIGBIRD:          random_blocks.count   [2, 3]
// BIGBIRD-NEXT:     density at L=4096: head 0 0.1478
// BIGBIRD:        bucket 2: L in [4097, 8192]
// BIGBIRD:          random_blocks.count   [3, 4]
// BIGBIRD-NEXT:     density at L=8192: head 0 0.0836
// BIGBIRD:        bucket 3: L in [8193, 16384]
// BIGBIRD:          random_blocks.count   [4, 6]
// BIGBIRD-NEXT:     density at L=16384: head 0 0.0498
// BIGBIRD-NOT:    bucket

// STRIDED-LABEL: spec @sparse_transformer: head_dim 128, heads 32q/8kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// STRIDED:        bucket 0: L in [1, 4096]
// STRIDED-NEXT:     window.size     [1, 64]
// STRIDED-NEXT:     strided.stride  [1, 64]
// STRIDED-NEXT:     density at L=4096: head 0 0.0464
// STRIDED:        bucket 1: L in [4097, 16384]
// STRIDED-NEXT:     window.size     [64, 128]
// STRIDED-NEXT:     strided.stride  [64, 128]
// STRIDED-NEXT:     density at L=16384: head 0 0.0233
// STRIDED:        bucket 2: L in [16385, 65536]
// STRIDED-NEXT:     window.size     [128, 256]
// STRIDED-NEXT:     strided.stride  [128, 256]
// STRIDED-NEXT:     density at L=65536: head 0 0.0117
// STRIDED-NOT:    bucket

// TOPK-LABEL: spec @block_topk: head_dim 128, heads 32q/8kv, dtype bf16, causal, scale 0.0883883, blocks 64x64
// TOPK:        bucket 0: L in [1, 4096]
// TOPK-NEXT:     topk_blocks.count  [4, 16]
// TOPK:          density at L=4096: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// TOPK:        bucket 1: L in [4097, 32768]
// TOPK-NEXT:     topk_blocks.count  [16, 45]
// TOPK:          density at L=32768: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// TOPK:        bucket 2: L in [32769, 131072]
// TOPK-NEXT:     topk_blocks.count  [45, 90]
// TOPK:          density at L=131072: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// TOPK-NOT:    bucket

// MINFERENCE-LABEL: spec @minference: head_dim 128, heads 32q/8kv, dtype bf16, causal, scale 0.0883883, blocks 64x64
// MINFERENCE:        bucket 0: L in [1, 8192]
// MINFERENCE:          topk_blocks.count            [8, 22]
// MINFERENCE:          vertical_slash.verticals     [64, 64]
// MINFERENCE-NEXT:     vertical_slash.slashes       [256, 384]
// MINFERENCE:          density at L=8192: head 0 0.1501 head 4 {{[01]\.[0-9][0-9][0-9][0-9]}} head 8 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// MINFERENCE:        bucket 1: L in [8193, 16384]
// MINFERENCE:          topk_blocks.count            [22, 32]
// MINFERENCE:          vertical_slash.verticals     [64, 128]
// MINFERENCE-NEXT:     vertical_slash.slashes       [384, 768]
// MINFERENCE:          density at L=16384: head 0 0.1357 head 4 {{[01]\.[0-9][0-9][0-9][0-9]}} head 8 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// MINFERENCE:        bucket 2: L in [16385, 32768]
// MINFERENCE:          topk_blocks.count            [32, 45]
// MINFERENCE:          vertical_slash.verticals     [128, 256]
// MINFERENCE-NEXT:     vertical_slash.slashes       [768, 1536]
// MINFERENCE:          density at L=32768: head 0 0.1284 head 4 {{[01]\.[0-9][0-9][0-9][0-9]}} head 8 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// MINFERENCE:        bucket 3: L in [32769, 65536]
// MINFERENCE:          topk_blocks.count            [45, 64]
// MINFERENCE:          vertical_slash.verticals     [256, 512]
// MINFERENCE-NEXT:     vertical_slash.slashes       [1536, 3072]
// MINFERENCE:          density at L=65536: head 0 {{[01]\.[0-9][0-9][0-9][0-9]}} head 4 {{[01]\.[0-9][0-9][0-9][0-9]}} head 8 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// MINFERENCE:        bucket 4: L in [65537, 131072]
// MINFERENCE:          topk_blocks.count            [64, 90]
// MINFERENCE:          vertical_slash.verticals     [512, 1024]
// MINFERENCE-NEXT:     vertical_slash.slashes       [3072, 6144]
// MINFERENCE:          density at L=131072: head 0 {{[01]\.[0-9][0-9][0-9][0-9]}} head 4 {{[01]\.[0-9][0-9][0-9][0-9]}} head 8 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// MINFERENCE-NOT:    bucket

// FLEX-LABEL: spec @flexprefill: head_dim 128, heads 32q/8kv, dtype bf16, causal, scale 0.0883883, blocks 128x128
// FLEX:        bucket 0: L in [1, 8192]
// FLEX-NEXT:     mass.max_blocks  [4, 8]
// FLEX:          density at L=8192: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// FLEX:        bucket 1: L in [8193, 32768]
// FLEX-NEXT:     mass.max_blocks  [8, 32]
// FLEX:          density at L=32768: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// FLEX:        bucket 2: L in [32769, 131072]
// FLEX-NEXT:     mass.max_blocks  [32, 128]
// FLEX:          density at L=131072: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// FLEX-NOT:    bucket

// QUEST-LABEL: spec @quest: head_dim 128, heads 32q/8kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// QUEST:        bucket 0: L in [1, 4096]
// QUEST-NEXT:     pages.count  [8, 16]
// QUEST-NEXT:     window.size  [16, 16]
// QUEST-NEXT:     density at L=4096: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// QUEST:        bucket 1: L in [4097, 16384]
// QUEST-NEXT:     pages.count  [16, 64]
// QUEST-NEXT:     window.size  [16, 16]
// QUEST-NEXT:     density at L=16384: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// QUEST:        bucket 2: L in [16385, 65536]
// QUEST-NEXT:     pages.count  [64, 256]
// QUEST-NEXT:     window.size  [16, 16]
// QUEST-NEXT:     density at L=65536: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// QUEST:        bucket 3: L in [65537, 131072]
// QUEST-NEXT:     pages.count  [256, 256]
// QUEST-NEXT:     window.size  [16, 16]
// QUEST-NEXT:     density at L=131072: head 0 {{[01]\.[0-9][0-9][0-9][0-9]$}}
// QUEST-NOT:    bucket

// The affine predicate: about half of each prefix, and the tile schedule's
// FLOPs close to that density (tiles classified in closed form).
// PROPORTIONAL-LABEL: spec @proportional_window: head_dim 128, heads 8q/2kv, dtype f16, causal, scale 0.0883883, blocks 64x64
// PROPORTIONAL:        bucket 0: L in [1, 2048]
// PROPORTIONAL-NEXT:     predicate.arg  [64, 128]
// PROPORTIONAL-NEXT:     sink.count     [4, 4]
// PROPORTIONAL-NEXT:     density at L=2048: head 0 0.5078
// PROPORTIONAL:        bucket 2: L in [8193, 32768]
// PROPORTIONAL-NEXT:     predicate.arg  [192, 384]
// PROPORTIONAL:          density at L=32768: head 0 0.5004
// PROPORTIONAL-NEXT:     tiles at L=32768: head 0 kept 66568/131328 partial 1523 flops 0.5069

// The head-dependent predicate (classified by evaluation).
// LONGNET-LABEL: spec @longnet_dilated: head_dim 64, heads 8q/2kv, dtype f16, causal, scale 0.125, blocks 64x64
// LONGNET:        bucket 1: L in [1025, 4096]
// LONGNET-NEXT:     predicate.arg  [256, 512]
// LONGNET-NEXT:     sink.count     [16, 16]
// LONGNET-NEXT:     density at L=4096: head 0 0.2412
