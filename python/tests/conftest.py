"""Shared fixtures: the test specs compiled once per session (through
spattn.compile, so its cache is exercised), and the fp64 reference and the
C tool's results through spattn-run on .npy files."""
import os
import subprocess

import numpy as np
import pytest

import spattn

SPECS = os.path.join(os.path.dirname(__file__), "specs")


def spec_path(name):
    return os.path.join(SPECS, name + ".mlir")


@pytest.fixture(scope="session")
def compiled():
    """compiled(name) -> Library of python/tests/specs/<name>.mlir (cpu)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = spattn.compile(spec_path(name))
        return cache[name]
    return get


def random_qkv(lib, length, queries=None, batch=1, seed=0, scale=1.0):
    """float32 Q [B, Hq, Lq, D], K and V [B, Hkv, L, D]."""
    rng = np.random.default_rng(seed)
    queries = length if queries is None else queries
    q = rng.standard_normal((batch, lib.num_q_heads, queries, lib.head_dim)) * scale
    k = rng.standard_normal((batch, lib.num_kv_heads, length, lib.head_dim)) * scale
    v = rng.standard_normal((batch, lib.num_kv_heads, length, lib.head_dim))
    return [x.astype(np.float32) for x in (q, k, v)]


def spattn_run(tmp_path, spec, q, k, v, *extra):
    """(O, LSE) written by spattn-run for contiguous q, k, v: with
    "--reference" the fp64 reference, with "--lib", DIR the C library."""
    for name, x in (("q", q), ("k", k), ("v", v)):
        np.save(tmp_path / f"{name}.npy", np.ascontiguousarray(x))
    command = [spattn.find_tool("spattn-run"), spec, "--q", str(tmp_path / "q.npy"),
               "--k", str(tmp_path / "k.npy"), "--v", str(tmp_path / "v.npy"),
               "-o", str(tmp_path / "o.npy"), "--lse", str(tmp_path / "lse.npy"), *extra]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return np.load(tmp_path / "o.npy"), np.load(tmp_path / "lse.npy")
