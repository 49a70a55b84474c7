#!/usr/bin/env python3
"""Quest decode from Python: a float16 KV cache that grows by one key per
step, with the page bounds kept between steps (Library.page_bounds,
PageBounds.update; float16 like K, by default), against the same steps computing the bounds from K
(what a call without page_bounds does) and against PyTorch's dense SDPA on
the same cache in float32 (its fastest dtype on the CPU: float16 and
bfloat16 take 1.6-2.5x longer). Each step's output with kept bounds must equal, bit for
bit, the one computed from K.

    .venv/bin/python examples/python/quest_decode.py [--length 16384] [--steps 32]

The cache holds random keys and values (the timing does not depend on
them); the spec is examples/specs/quest.mlir (32 query heads over 8 kv
heads, D = 128, pages of 16 keys, a budget of L / 16 tokens)."""
import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F

import spattn

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "..", "specs", "quest.mlir")


class Cache:
    """K and V [1, Hkv, capacity, D] filled up to `length` keys."""

    def __init__(self, lib, capacity, length, dtype, generator):
        shape = (1, lib.num_kv_heads, capacity, lib.head_dim)
        self.k = torch.randn(shape, generator=generator).to(dtype)
        self.v = torch.randn(shape, generator=generator).to(dtype)
        self.length = length

    def views(self):
        return self.k[:, :, :self.length], self.v[:, :, :self.length]

    def append(self, generator):
        """Writes one new key and value at the end; returns its position."""
        position = self.length
        for x in (self.k, self.v):
            x[:, :, position] = torch.randn(x.shape[1], x.shape[3], generator=generator)
        self.length += 1
        return position


def decode(lib, cache, steps, mode, seed=0):
    """Runs `steps` decode steps, each appending a key; mode "kept" (page
    bounds updated for the new key), "per call" (bounds from K) or "sdpa"
    (torch's dense attention). Returns (ms per step, outputs)."""
    generator = torch.Generator().manual_seed(seed)
    bounds = lib.page_bounds(cache.views()[0], capacity=cache.k.shape[2]) if mode == "kept" else None
    times, outputs = [], []
    for _ in range(steps):
        q = torch.randn(1, lib.num_q_heads, 1, lib.head_dim, generator=generator).to(cache.k.dtype)
        start = time.perf_counter()
        position = cache.append(generator)
        k, v = cache.views()
        if mode == "kept":
            bounds.update(k, position)
            o = lib.attention(q, k, v, page_bounds=bounds)
        elif mode == "per call":
            o = lib.attention(q, k, v)
        else:
            o = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
        times.append(time.perf_counter() - start)
        outputs.append(o)
    return statistics.median(times) * 1e3, outputs


def run(length, steps, dtype=torch.float16, lib=None):
    """{mode: ms per step} for `steps` steps from a cache of `length` keys,
    after checking that kept bounds give the per-call outputs bit for bit."""
    lib = lib or spattn.compile(SPEC)
    result, outputs = {}, {}
    for mode in ("kept", "per call", "sdpa"):
        cache = Cache(lib, length + steps, length, torch.float32 if mode == "sdpa" else dtype,
                      torch.Generator().manual_seed(1))
        result[mode], outputs[mode] = decode(lib, cache, steps, mode)
    for kept, per_call in zip(outputs["kept"], outputs["per call"]):
        if not torch.equal(kept, per_call):
            raise AssertionError("kept page bounds changed a step's output")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, action="append",
                        help="cache length before the steps (repeatable; "
                             "default 4096, 16384, 65536)")
    parser.add_argument("--steps", type=int, default=32)
    args = parser.parse_args()
    lib = spattn.compile(SPEC)
    print(f"{lib}, cpu kernels {lib.cpu_isa}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} torch threads; float16 cache, B = 1")
    print("| Lk | kept bounds ms/step | bounds per call | torch SDPA (dense, float32) | "
          "kept vs per call | kept vs SDPA |")
    print("|---|---|---|---|---|---|")
    for length in args.length or (4096, 16384, 65536):
        ms = run(length, args.steps, lib=lib)
        print(f"| {length} | {ms['kept']:.3f} | {ms['per call']:.3f} | {ms['sdpa']:.3f} | "
              f"{ms['per call'] / ms['kept']:.2f}x | {ms['sdpa'] / ms['kept']:.2f}x |",
              flush=True)


if __name__ == "__main__":
    main()
