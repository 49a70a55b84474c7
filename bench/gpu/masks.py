"""Masks of the packed specs, written out by hand in torch.

Each builder follows the spec file and docs/semantics.md independently of
the compiler, so that fp32 PyTorch math on the same mask is a second
opinion on long inputs. `builder(spec_name)` returns None for a spec not
written out here; the runner then skips its long cases with a note.

A builder is called as build(h, pos, j, L) with the query head h, the
absolute query positions pos ([n, 1] int64), the keys j ([1, Lk] int64) and
L = Lk; it returns a bool [n, Lk] mask before the causal cut.
"""
import math

import numpy as np


# ---- budgets (docs/semantics.md, "Budgets"; doubles as in the spec)

def power(x, coeff, exponent):
    return 0 if x == 0 else math.floor(coeff * math.pow(x, exponent))


def fraction(x, f):
    return math.floor(f * x)


def clamp(x, lo, hi):
    return min(max(x, lo), hi)


def align(x, multiple):
    return -(-x // multiple) * multiple


def streaming_window(L):
    return align(clamp(power(L, 48.0, 0.5), 256, 16384), 64)


# ---- the counter-based hash of random_blocks

MASK64 = (1 << 64) - 1


def _mix(z):
    """mix() of semantics.md on a numpy uint64 array (wraps mod 2^64)."""
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def random_blocks(seed, h, query_blocks, num_key_blocks, r, causal):
    """{query block: kept key blocks}: the r candidates with the smallest
    hash, ties to the lower block."""
    chosen = {}
    keys = np.arange(num_key_blocks, dtype=np.uint64)
    base = _mix(_mix(np.uint64(seed)) ^ np.uint64(h))
    for q in query_blocks:
        candidates = keys[: q + 1] if causal else keys
        hashes = _mix(_mix(base ^ np.uint64(q)) ^ candidates)
        order = np.argsort(hashes, kind="stable")[:r]
        chosen[q] = candidates[order].astype(np.int64)
    return chosen


# ---- the specs

def _dense(h, pos, j, L):
    return (pos - j >= 0) | (j >= 0)  # every key; the causal cut is separate


def _streaming(window):
    def build(h, pos, j, L):
        d = pos - j
        w = window(L)
        return (j < 4) | ((d >= 0) & (d < w))
    return build


def _longformer(h, pos, j, L):
    w = align(clamp(power(L, 4.0, 0.5), 64, 1024), 64)
    d = pos - j
    return (d.abs() < w) | (pos < 64) | (j < 64)


def _sparse_transformer(h, pos, j, L):
    l = max(1, math.floor(math.sqrt(L)))
    d = pos - j
    return ((d >= 0) & (d < l)) | (d.remainder(l) == 0)


def _bigbird(h, pos, j, L):
    import torch
    r = clamp(power(L, 0.05, 0.5), 2, 8)
    d = pos - j
    mask = (d.abs() < 96) | (pos < 128) | (j < 128)
    qb = (pos // 64).flatten()
    first, last = int(qb.min()), int(qb.max())
    chosen = random_blocks(42, h, range(first, last + 1), -(-L // 64), r,
                           causal=False)
    # table[q - first, k] says whether key block k is kept for query block q.
    table = torch.zeros(last - first + 1, -(-L // 64), dtype=torch.bool)
    for q, blocks in chosen.items():
        table[q - first, torch.from_numpy(blocks)] = True
    table = table.to(pos.device)
    return mask | table[(pos // 64 - first).expand(-1, j.shape[1]),
                        (j // 64).expand(pos.shape[0], -1)]


def _longnet_dilated(h, pos, j, L):
    import torch
    w = clamp(fraction(L, 0.125), 256, 4096)
    rate = h % 4 + 1
    d = pos - j
    tap = torch.fmod(d, rate) == 0  # remsi: truncating remainder
    return (j < 16) | (tap & (d < w))


def _proportional_window(h, pos, j, L):
    least = align(power(L, 2.0, 0.5), 64)
    d = pos - j
    return (j < 4) | (2 * j >= pos) | (d < least)


BUILDERS = {
    "dense": _dense,
    "dense_gqa": _dense,
    "dense_bidirectional": _dense,
    "streaming_llm": _streaming(streaming_window),
    "streaming_gqa": _streaming(streaming_window),
    "sinks_window": _streaming(lambda L: 1024),
    "longformer": _longformer,
    "sparse_transformer": _sparse_transformer,
    "bigbird": _bigbird,
    "longnet_dilated": _longnet_dilated,
    "proportional_window": _proportional_window,
}

# Builders that depend on the head (the others are built once per call).
PER_HEAD = {"bigbird", "longnet_dilated"}


def builder(spec_name):
    return BUILDERS.get(spec_name)
