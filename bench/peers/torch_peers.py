"""PyTorch peers on the CPU: each returns (call, compile_s), where call()
computes O [1, 1, L, D] and compile_s is the time spent before the first
timed call could run (block mask and torch.compile), None when there is
nothing to prepare."""
import time

import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def sdpa_causal(q, k, v):
    return (lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)), None


def sdpa_mask(q, k, v, mask):
    # A bool mask: SDPA's float -inf mask at 16K would be 1 GiB up front.
    return (lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)), None


def flex(q, k, v, mask, block):
    """torch.compile(flex_attention) with a BlockMask of `block` x `block`
    tiles from the same bool mask; its mask_mod reads that mask, so partial
    tiles are masked exactly as ours."""
    length = q.shape[-2]

    def mask_mod(b, h, q_idx, kv_idx):
        return mask[q_idx, kv_idx]

    start = time.perf_counter()
    # A fresh compile per configuration: each mask_mod closes over another
    # tensor, and a shared cache could hit dynamo's recompile limit and
    # fall back to eager flex (which materializes L x L scores).
    torch._dynamo.reset()
    block_mask = create_block_mask(mask_mod, 1, 1, length, length,
                                   device="cpu", BLOCK_SIZE=block)
    compiled = torch.compile(flex_attention, dynamic=False, fullgraph=True)

    def call():
        return compiled(q, k, v, block_mask=block_mask)

    call()  # compiles
    return call, time.perf_counter() - start
