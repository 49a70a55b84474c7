#!/usr/bin/env python3
"""What calling a spattn library from Python costs on top of the C API, for
small decode calls (Lq = 1), measured in one run on the same inputs:

  C API        spattn-run --repeat N: <name>_attention called from C++, median
  prepared     Library.prepare(q, k, v)(): the ctypes call alone, bound once
  numpy        Library.attention(q, k, v) on numpy arrays
  torch        Library.attention on CPU tensors (eager: no dispatcher)
  torch.ops    torch.ops.spattn.attention (the custom operator, dispatcher)
  sdpa         spattn.sdpa(q, k, v, lib, enable_gqa=True)
  py work      Library.attention on numpy with the C call replaced by a
               no-op: the Python side of a call alone

Each Python variant runs in rounds of `--calls` back-to-back calls, the
variants interleaved round by round; a variant's figure is the median over
rounds of the mean time per call. "extra" is that minus the C API's median.

Halide's worker threads spin for a while after each call; where the two
vCPUs share a core (as on the project's VMs) that spinning slows the
Python code between calls. HL_NUM_THREADS=1 (no workers) takes that out:

    .venv/bin/python bench/python/call_overhead.py [--rounds 30] [--calls 200]
    HL_NUM_THREADS=1 .venv/bin/python bench/python/call_overhead.py
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

import spattn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CASES = [  # (spec, Lk): GQA decode steps of two sizes
    ("python/tests/specs/py_window_gqa.mlir", 256),
    ("examples/specs/streaming_llm.mlir", 1024),
]


def c_api_us(lib, spec, q, k, v, calls, folder):
    """Median time per call of spattn-run --repeat on the same inputs."""
    for name, x in (("q", q), ("k", k), ("v", v)):
        np.save(os.path.join(folder, f"{name}.npy"), x)
    done = subprocess.run(
        [spattn.find_tool("spattn-run"), spec, "--lib", lib.path, "--repeat", str(calls),
         *(arg for n in "qkv" for arg in (f"--{n}", os.path.join(folder, f"{n}.npy")))],
        capture_output=True, text=True, check=True)
    found = re.search(r"([\d.]+) ms/call", done.stdout + done.stderr)
    if not found:
        raise RuntimeError("no time in spattn-run's output:\n" + done.stdout + done.stderr)
    return float(found.group(1)) * 1000.0


def measure(variants, rounds, calls):
    """{name: median over rounds of the mean µs per call}."""
    samples = {name: [] for name in variants}
    for _ in range(rounds):
        for name, call in variants.items():
            start = time.perf_counter()
            for _ in range(calls):
                call()
            samples[name].append((time.perf_counter() - start) / calls * 1e6)
    return {name: statistics.median(s) for name, s in samples.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, Python {sys.version.split()[0]}, "
          f"HL_NUM_THREADS={os.environ.get('HL_NUM_THREADS', '(unset)')}")
    print("| spec | Lk | C API µs | prepared | numpy | torch | torch.ops | sdpa | py work | "
          "extra µs: numpy / torch / torch.ops / sdpa |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for spec, length in CASES:
            spec = os.path.join(ROOT, spec)
            lib = spattn.compile(spec)
            rng = np.random.default_rng(length)
            shapes = [(1, lib.num_q_heads, 1, lib.head_dim),
                      (1, lib.num_kv_heads, length, lib.head_dim),
                      (1, lib.num_kv_heads, length, lib.head_dim)]
            q, k, v = (rng.standard_normal(s, dtype=np.float32) for s in shapes)
            tq, tk, tv = map(torch.from_numpy, (q, k, v))
            variants = {
                "prepared": lib.prepare(q, k, v),
                "numpy": lambda: lib.attention(q, k, v),
                "torch": lambda: lib.attention(tq, tk, tv),
                "torch.ops": lambda: torch.ops.spattn.attention(tq, tk, tv, lib._id, 0)[0],
                "sdpa": lambda: spattn.sdpa(tq, tk, tv, lib, enable_gqa=True),
            }
            for call in variants.values():  # warm up, and check they agree
                np.testing.assert_array_equal(np.asarray(call()), lib.attention(q, k, v))
            stub = spattn.load(lib.path)
            stub._entry.attention = lambda *args: 0  # the Python side alone
            variants["py work"] = lambda: stub.attention(q, k, v)
            c_us = c_api_us(lib, spec, q, k, v, args.rounds * args.calls, folder)
            us = measure(variants, args.rounds, args.calls)
            extra = " / ".join(f"{us[n] - c_us:+.1f}" for n in ("numpy", "torch", "torch.ops", "sdpa"))
            print(f"| {lib.name} | {length} | {c_us:.1f} | "
                  + " | ".join(f"{us[n]:.1f}" for n in variants) + f" | {extra} |", flush=True)


if __name__ == "__main__":
    main()
