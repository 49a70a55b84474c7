"""The mask a spec's library applies to one input: kept (query, key) pairs
with the causal cut and content-based selections included, as a bool
[Lq, Lk] numpy array (B = Hq = 1 here).

The source is `spattn-run --mask`, which runs the library itself, so a
content-based spec (block_topk) gets the blocks the library really chose.
The stand-in, written from the specs independently (bench/gpu/masks.py),
cross-checks spattn-run on the static specs and replaces it where a
spattn-run without --mask is all there is.
"""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STAND_IN_ROWS = 1024  # rows per chunk: keeps the int64 temporaries small


def spattn_run_has_mask(spattn_run):
    try:
        done = subprocess.run([spattn_run, "--help"], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--mask" in done.stdout + done.stderr


def from_spattn_run(spattn_run, spec, lib_dir, q, k, v, threads, work_dir):
    """(mask, o): the library's effective mask and its O, both from one
    spattn-run call on q, k, v written to work_dir."""
    paths = {n: os.path.join(work_dir, f"{n}.npy") for n in "qkvo"}
    for name, array in (("q", q), ("k", k), ("v", v)):
        np.save(paths[name], array)
    mask_path = os.path.join(work_dir, "mask.npy")
    cmd = [spattn_run, spec, f"--lib={lib_dir}", "-q", paths["q"],
           "-k", paths["k"], "-v", paths["v"], "-o", paths["o"],
           f"--mask={mask_path}", f"--threads={threads}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    mask = np.load(mask_path)
    o = np.load(paths["o"])
    for p in list(paths.values())[:3] + [paths["o"], mask_path]:
        os.remove(p)
    if mask.dtype != np.uint8 or mask.ndim != 4 or mask.shape[:2] != (1, 1):
        raise RuntimeError(f"unexpected mask {mask.dtype} {mask.shape}")
    # 0/1 bytes are valid numpy bools: a view, no copy of L*L bytes.
    return mask[0, 0].view(np.bool_), o


def stand_in(spec_name, causal, length):
    """The static mask written out in bench/gpu/masks.py, or None for a
    spec it does not cover (content-based ones)."""
    import torch
    sys.path.insert(0, os.path.join(HERE, "..", "gpu"))
    try:
        import masks
    finally:
        sys.path.pop(0)
    build = masks.builder(spec_name)
    if build is None:
        return None
    mask = np.empty((length, length), dtype=np.bool_)
    j = torch.arange(length).view(1, -1)
    for start in range(0, length, STAND_IN_ROWS):
        pos = torch.arange(start, min(start + STAND_IN_ROWS, length)).view(-1, 1)
        rows = build(0, pos, j, length)
        if causal:
            rows = rows & (j <= pos)
        mask[start:start + rows.shape[0]] = rows.numpy()
    return mask
