#!/usr/bin/env python3
"""Builds the device check pack (run by scripts/gpu-check.sh, needs numpy).

Compiles every spec for --target=cuda, writes small test cases with fp64
reference outputs (spattn-run --reference) and a manifest, and copies the
runner. The pack must stay under 60 MiB, so libraries are stored gzipped
and inputs as their exact 16-bit values.
"""
import argparse
import concurrent.futures
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

SIZE_LIMIT = 60 * 1024 * 1024
# Bytes of one group of shipped cases (one K/V pair and the cases on it).
GROUP_CAP = int(0.8 * 1024 * 1024)
# Buckets starting above this key length get no shipped case; the runner
# checks them against fp32 PyTorch math on the GPU instead.
SMALL_MAX = 2048
RUNNER_FILES = ["runner.py", "masks.py", "README.md"]


def parse_spec(path):
    """The attributes of a spec file that the pack needs."""
    text = open(path).read()
    head = re.search(r"spattn\.spec\s+@(\w+)\s+attributes\s*\{(.*?)\}\s*\{",
                     text, re.S)
    if not head:
        raise ValueError(f"{path}: no spattn.spec header")
    attrs = head.group(2)

    def integer(key):
        return int(re.search(rf"{key}\s*=\s*(\d+)", attrs).group(1))

    buckets = re.search(r"buckets\s*=\s*array<i64:\s*([\d,\s]+)>", attrs)
    return {
        "name": head.group(1),
        "head_dim": integer("head_dim"),
        "num_q_heads": integer("num_q_heads"),
        "num_kv_heads": integer("num_kv_heads"),
        "spec_dtype": re.search(r"dtype\s*=\s*(\w+)", attrs).group(1),
        "causal": re.search(r"(^|[\s,])causal([\s,]|$)", attrs) is not None,
        "buckets": [int(b) for b in buckets.group(1).split(",")],
        # Content-based selection runs on the device before attention.
        "content": re.search(r"spattn\.(topk_blocks|mass|pages|vertical_slash)\b",
                             text) is not None,
    }


def library_dtypes(spec_dtype):
    """What the CUDA library takes: the spec's 16-bit type, both for f32."""
    return {"bf16": ["bf16"], "f16": ["f16"]}.get(spec_dtype, ["bf16", "f16"])


def compile_spec(compiler, spec_path, out_dir):
    """(ok, first error line) of spattn-compile --target=cuda."""
    proc = subprocess.run([compiler, spec_path, "--target=cuda", "-o", out_dir],
                          capture_output=True, text=True)
    if proc.returncode == 0:
        return True, ""
    lines = [l for l in proc.stderr.splitlines() if "error" in l]
    return False, (lines[0] if lines else proc.stderr.strip()[:300])


# ----------------------------------------------------------------- cases


def case_bytes(info, lq, lk, new_kv):
    """Pack bytes of one case: 16-bit Q, float32 O and LSE, 16-bit K and V."""
    hq, hkv, d = info["num_q_heads"], info["num_kv_heads"], info["head_dim"]
    q_side = hq * lq * (2 * d + 4 * d + 4)
    return q_side + (2 * 2 * hkv * lk * d if new_kv else 0)


def odd_at_most(n):
    return n if n % 2 else n - 1


def plan_groups(info):
    """Groups of cases sharing one K/V: per bucket reachable with small
    lengths, a decode case and the longest query chunk that fits the cap
    (a full prefill when it does); bucket 0 always gets a full prefill."""
    dtypes = library_dtypes(info["spec_dtype"])
    groups, lo = [], 1
    for b, hi in enumerate(info["buckets"]):
        if lo > SMALL_MAX:
            break
        lk = min(hi, 1023) if b == 0 else min(hi, lo + 36)
        while b == 0 and lk > 33 and case_bytes(info, 1, lk, True) > GROUP_CAP // 2:
            lk = odd_at_most(lk // 2)
        budget = GROUP_CAP - case_bytes(info, 1, lk, True)
        if budget > 0:
            cases = [{"lq": 1, "dtype": dtypes[-1], "kind": "decode"}]
            # Past bucket 0 a chunk of the last rows is enough: bucket 0
            # already has a full prefill.
            for lq in [lk, 512, 256, 128, 64, 32, 17]:
                if (lq <= lk and (b == 0 or lq <= 256)
                        and case_bytes(info, lq, 0, False) <= budget):
                    kind = "prefill" if lq == lk else "chunk"
                    cases.append({"lq": lq, "dtype": dtypes[0], "kind": kind})
                    break
            groups.append({"bucket": b, "lk": lk, "cases": cases})
        if b == 0 and not any(c["kind"] == "prefill"
                              for g in groups for c in g["cases"]):
            lp = odd_at_most(lk)
            while lp > 33 and case_bytes(info, lp, lp, True) > GROUP_CAP:
                lp = odd_at_most(lp - 16)
            groups.append({"bucket": 0, "lk": lp, "cases": [
                {"lq": lp, "dtype": dtypes[0], "kind": "prefill"}]})
        lo = hi + 1
    return groups


def round_bf16_bits(x):
    """float32 -> bfloat16 bit patterns (uint16), round to nearest even."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype(np.uint16)


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def make_tensor(rng, shape, dtype):
    """(stored 16-bit array, its exact float32 value) of N(0,1) samples."""
    x = rng.standard_normal(shape, dtype=np.float32)
    if dtype == "bf16":
        bits = round_bf16_bits(x)
        return bits, bf16_bits_to_f32(bits)
    half = x.astype(np.float16)
    return half, half.astype(np.float32)


def write_group(info, group, lib_dir, tmp_dir, seed, run_tool, spec_path):
    """Writes one group's inputs and references; returns its case entries."""
    rng = np.random.default_rng(seed)
    hq, hkv, d, lk = (info["num_q_heads"], info["num_kv_heads"],
                      info["head_dim"], group["lk"])
    kv_dtype = group["cases"][-1]["dtype"]
    tag = f"b{group['bucket']}_lk{lk}"
    kv32 = {}
    for name in ("k", "v"):
        # K and V are stored once per dtype used by the group's cases.
        for dtype in sorted({c["dtype"] for c in group["cases"]}):
            stored, exact = make_tensor(rng, (1, hkv, lk, d), dtype)
            np.save(os.path.join(lib_dir, f"{tag}_{name}_{dtype}.npy"), stored)
            kv32[(name, dtype)] = exact
    entries = []
    for case in group["cases"]:
        lq, dtype = case["lq"], case["dtype"]
        cid = f"{tag}_lq{lq}_{dtype}"
        stored, q32 = make_tensor(rng, (1, hq, lq, d), dtype)
        np.save(os.path.join(lib_dir, f"{cid}_q.npy"), stored)
        paths = {}
        for name, array in (("q", q32), ("k", kv32[("k", dtype)]),
                            ("v", kv32[("v", dtype)])):
            paths[name] = os.path.join(tmp_dir, f"{cid}_{name}32.npy")
            np.save(paths[name], array)
        o_file, lse_file = f"{cid}_o_ref.npy", f"{cid}_lse_ref.npy"
        proc = subprocess.run(
            [run_tool, spec_path, "--reference", "--q", paths["q"], "--k",
             paths["k"], "--v", paths["v"], "-o", os.path.join(lib_dir, o_file),
             "--lse", os.path.join(lib_dir, lse_file)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"spattn-run --reference failed for {cid}: "
                               f"{proc.stderr.strip()}")
        entries.append({
            "id": cid, "kind": case["kind"], "bucket": group["bucket"],
            "batch": 1, "lq": lq, "lk": lk, "dtype": dtype,
            "q": f"{cid}_q.npy", "k": f"{tag}_k_{dtype}.npy",
            "v": f"{tag}_v_{dtype}.npy", "o_ref": o_file, "lse_ref": lse_file,
        })
    return entries


# ------------------------------------------------------------------ pack


def library_id(spec_path):
    # examples/specs/x.mlir -> examples-x, bench/gpu/specs/x.mlir -> gpu-x
    group = os.path.basename(os.path.dirname(os.path.dirname(spec_path)))
    return f"{group}-{os.path.splitext(os.path.basename(spec_path))[0]}"


def pack_library(spec_path, build_dir, pack, root, run_tool, seed, with_cases=True):
    """Copies one compiled library into the pack and writes its cases
    (none with with_cases False: the runner's long cases still check it)."""
    info = parse_spec(spec_path)
    lib_id = library_id(spec_path)
    lib_dir = os.path.join(pack, "libs", lib_id)
    os.makedirs(lib_dir, exist_ok=True)
    name = info["name"]
    with open(os.path.join(build_dir, f"lib{name}.so"), "rb") as src, \
            gzip.open(os.path.join(lib_dir, f"lib{name}.so.gz"), "wb") as dst:
        shutil.copyfileobj(src, dst)
    for extra in (f"{name}.h", f"{name}_cuda_kernels.txt"):
        shutil.copy(os.path.join(build_dir, extra), lib_dir)
    cases = []
    with tempfile.TemporaryDirectory(prefix="spattn-pack-") as tmp:
        for i, group in enumerate(plan_groups(info) if with_cases else []):
            cases += write_group(info, group, lib_dir, tmp, seed + 97 * i,
                                 run_tool, spec_path)
    return dict(info, id=lib_id, spec=os.path.relpath(spec_path, root),
                so_gz=f"libs/{lib_id}/lib{name}.so.gz",
                dtypes=library_dtypes(info["spec_dtype"]), cases=cases)


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, files in os.walk(path) for f in files)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--compiler", required=True)
    ap.add_argument("--run-tool", required=True, help="spattn-run")
    ap.add_argument("--root", required=True, help="repository root")
    ap.add_argument("--out", required=True, help="pack folder (recreated)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("specs", nargs="+")
    args = ap.parse_args()

    pack = os.path.abspath(args.out)
    shutil.rmtree(pack, ignore_errors=True)
    os.makedirs(os.path.join(pack, "libs"))
    build_root = tempfile.mkdtemp(prefix="spattn-gpu-build-")
    try:
        builds = {s: os.path.join(build_root, library_id(s)) for s in args.specs}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = dict(zip(args.specs, pool.map(
                lambda s: compile_spec(args.compiler, s, builds[s]), args.specs)))
        libraries, refused, names = [], [], set()
        for i, spec in enumerate(args.specs):
            ok, message = results[spec]
            rel = os.path.relpath(spec, args.root)
            if not ok:
                print(f"  skipped {rel}: {message}")
                refused.append({"spec": rel, "message": message})
                continue
            # A spec name seen before (bench/specs repeats examples/specs with
            # other buckets) ships no cases of its own: the pack stays small.
            name = parse_spec(spec)["name"]
            lib = pack_library(spec, builds[spec], pack, args.root,
                               args.run_tool, seed=1000 * (i + 1),
                               with_cases=name not in names)
            names.add(name)
            print(f"  packed  {rel} as {lib['id']}: {len(lib['cases'])} cases")
            libraries.append(lib)
    finally:
        shutil.rmtree(build_root, ignore_errors=True)

    here = os.path.dirname(os.path.abspath(__file__))
    for f in RUNNER_FILES:
        shutil.copy(os.path.join(here, f), pack)
    # The runner calls the libraries through the package's C bindings.
    shutil.copytree(os.path.join(args.root, "python", "spattn"),
                    os.path.join(pack, "spattn"), dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    manifest = {"format": 1, "small_max": SMALL_MAX, "libraries": libraries,
                "refused": refused}
    with open(os.path.join(pack, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    size = dir_bytes(pack)
    print(f"pack {pack}: {len(libraries)} libraries, "
          f"{sum(len(l['cases']) for l in libraries)} shipped cases, "
          f"{size / 2**20:.1f} MiB")
    if size >= SIZE_LIMIT:
        print(f"error: the pack is {size / 2**20:.1f} MiB, the limit is "
              f"{SIZE_LIMIT / 2**20:.0f} MiB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
