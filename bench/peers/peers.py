#!/usr/bin/env python3
"""Our CPU libraries against PyTorch's attention on the CPU, in one process
and on the same inputs: SDPA (causal, and with the library's own mask) and
torch.compile(flex_attention) with a BlockMask of that mask (tiles of 64 and
128). Every peer's output is checked against ours before it is timed.

    .venv-bench/bin/python bench/peers/peers.py [--quick] [--json FILE]

See README.md beside this file for the columns.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

import effective_mask
import spattn
import torch_peers

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPECS = ["dense", "sinks_window", "bigbird", "block_topk"]
LENGTHS = [4096, 16384]
HEAD_DIM = 128
TOLERANCE = 1e-4  # max abs error of an fp32 peer's O against ours
FLEX_BLOCKS = (64, 128)
PEERS = ["sdpa_causal", "sdpa_mask"] + [f"flex{b}" for b in FLEX_BLOCKS]
EXTENSIONS = ["avx2", "fma", "avx512f", "avx512_bf16", "amx_tile",
              "amx_bf16"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--specs", nargs="+", default=SPECS,
                   help="names in bench/specs (default: %(default)s)")
    p.add_argument("--lengths", nargs="+", type=int, default=LENGTHS)
    p.add_argument("--quick", action="store_true", help="only L = 4096")
    p.add_argument("--threads", type=int, default=2,
                   help="torch.set_num_threads and our num_threads")
    p.add_argument("--repeat", type=int, default=5,
                   help="timed calls per measurement; the median is reported")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"),
                   help="where spattn-compile and spattn-run are built")
    p.add_argument("--lib-dir",
                   help="use lib<name>.so from DIR/<name>/ (or DIR) instead "
                        "of compiling the specs")
    p.add_argument("--mask-source", choices=["auto", "spattn-run", "stand-in"],
                   default="auto",
                   help="auto: spattn-run --mask when it has the flag")
    p.add_argument("--json", metavar="FILE", help="also write the rows here")
    args = p.parse_args()
    if args.quick:
        args.lengths = [4096]
    return args


# ---------------------------------------------------------------- machine


def cpu_description():
    """The CPU model (lscpu, else /proc/cpuinfo) and which vector
    extensions its flags list."""
    model, flags = "unknown", set()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True,
                                   text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            if key.strip() == "flags":
                flags = set(value.split())
    return {"model": model, "cores": os.cpu_count(),
            "extensions": {e: e in flags for e in EXTENSIONS}}


# ------------------------------------------------------------------ timing


def median_ms(call, warmup, repeat):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def short_reason(error):
    first = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {first[:80]}"


def run_peer(make, ours, args):
    """Prepares, checks and (only when it agrees with ours) times a peer.
    Returns {status: ok | wrong | n/a, ms, err, compile_s, note}."""
    result = {"status": "n/a", "ms": None, "err": None, "compile_s": None,
              "note": ""}
    try:
        call, result["compile_s"] = make()
        err = float((call() - ours).abs().max())
        result["err"] = err
        if not err <= TOLERANCE:  # NaN is wrong too
            result["status"] = "wrong"
            return result
        result["ms"] = median_ms(call, args.warmup, args.repeat)
        result["status"] = "ok"
    except Exception as e:  # a peer that cannot run here is reported
        result["note"] = short_reason(e)
    return result


# --------------------------------------------------------------- libraries


def prepare_libraries(args, scratch):
    """{name: (spec path, causal, Library)}; each spec compiled once, into
    scratch unless --lib-dir has the libraries."""
    compiler = os.path.join(args.build_dir, "compiler", "spattn-compile",
                            "spattn-compile")
    out_root = args.lib_dir or os.path.join(scratch, "libs")
    libs = {}
    for name in args.specs:
        spec = os.path.join(ROOT, "bench", "specs", f"{name}.mlir")
        spec_name = name  # bench specs are named as their files
        folder = os.path.join(out_root, spec_name)
        if args.lib_dir:
            if not os.path.exists(os.path.join(folder, f"lib{spec_name}.so")):
                folder = args.lib_dir
            lib = spattn.load(folder, spec_name)
        else:
            start = time.perf_counter()
            lib = spattn.compile(spec, out_dir=folder, compiler=compiler)
            print(f"compiled {spec_name} in {time.perf_counter() - start:.0f} s"
                  f" -> {folder}", flush=True)
        libs[name] = (spec, lib.causal, lib)
    return libs


def make_inputs(length, seed):
    """q, k, v: N(0, 1) float32 [1, 1, L, D], the same for every spec."""
    rng = np.random.default_rng(seed + length)
    return [rng.standard_normal((1, 1, length, HEAD_DIM), dtype=np.float32)
            for _ in range(3)]


# --------------------------------------------------------------- the bench


def effective(args, spec, causal, lib, q, k, v, work_dir, use_run):
    """(bool mask [L, L] or None, source, O of spattn-run or None, pairs
    where spattn-run's mask and the stand-in differ or None, note)."""
    stand_in = effective_mask.stand_in(lib.name, causal, q.shape[-2])
    if use_run:
        spattn_run = os.path.join(args.build_dir, "compiler", "spattn-run",
                                  "spattn-run")
        mask, o = effective_mask.from_spattn_run(
            spattn_run, spec, os.path.dirname(lib.path), q, k, v, args.threads, work_dir)
        # A second opinion on the static specs, written independently.
        differ = None if stand_in is None else int((mask != stand_in).sum())
        return mask, "spattn-run --mask", o, differ, ""
    if stand_in is None:
        return (None, "none", None, None,
                "no stand-in (content-based): needs spattn-run --mask")
    return stand_in, "stand-in", None, None, ""


def bench_spec(args, name, libs, inputs, causal_peer, work_dir, use_run):
    spec, causal, lib = libs[name]
    q, k, v = inputs
    length = q.shape[-2]
    row = {"spec": name, "L": length, "causal": causal}
    call = lib.prepare(q, k, v, num_threads=args.threads)
    o = call()
    row["ours_ms"] = median_ms(call, args.warmup, args.repeat)
    ours = torch.from_numpy(o.copy())

    mask, row["mask_source"], o_run, row["mask_vs_stand_in"], note = effective(
        args, spec, causal, lib, q, k, v, work_dir, use_run)
    row["run_vs_ours"] = (None if o_run is None
                          else float(np.abs(o_run - o).max()))
    pairs = length * (length + 1) // 2 if causal else length * length
    row["density"] = None if mask is None else int(mask.sum()) / pairs

    row["sdpa_causal"] = causal_row(causal_peer, ours,
                                    causal and row["density"] == 1.0)
    qt, kt, vt = (torch.from_numpy(a) for a in inputs)
    if mask is None:
        for peer in PEERS[1:]:
            row[peer] = {"status": "n/a", "ms": None, "err": None,
                         "compile_s": None, "note": note}
        return row
    mask_t = torch.from_numpy(mask)
    row["sdpa_mask"] = run_peer(lambda: torch_peers.sdpa_mask(qt, kt, vt, mask_t),
                                ours, args)
    for block in FLEX_BLOCKS:
        row[f"flex{block}"] = run_peer(
            lambda: torch_peers.flex(qt, kt, vt, mask_t, block), ours, args)
    return row


def causal_row(causal_peer, ours, comparable):
    """SDPA causal is the same computation for every spec of a length, timed
    once; its output is checked where our mask is the whole causal one."""
    result = {key: value for key, value in causal_peer.items() if key != "out"}
    if comparable:
        result["err"] = float((causal_peer["out"] - ours).abs().max())
        if not result["err"] <= TOLERANCE:
            result["status"] = "wrong"
    return result


def causal_baseline(args, inputs):
    qt, kt, vt = (torch.from_numpy(a) for a in inputs)
    call, _ = torch_peers.sdpa_causal(qt, kt, vt)
    out = call()
    return {"status": "ok", "ms": median_ms(call, args.warmup, args.repeat),
            "err": None, "compile_s": None, "note": "", "out": out}


# ------------------------------------------------------------------ report


def cell(peer):
    if peer["status"] == "ok":
        return f"{peer['ms']:.1f}"
    if peer["status"] == "wrong":
        return f"WRONG (err {peer['err']:.1e})"
    return f"n/a ({peer['note']})"


def ratio(peer_ms, ours_ms):
    return "n/a" if peer_ms is None else f"{peer_ms / ours_ms:.2f}x"


def best_flex_ms(row):
    times = [row[f"flex{b}"]["ms"] for b in FLEX_BLOCKS
             if row[f"flex{b}"]["status"] == "ok"]
    return min(times) if times else None


def fmt(x, spec="{:.1e}"):
    return "n/a" if x is None else spec.format(x)


def print_tables(rows):
    print("\n| spec | L | density | ours ms | SDPA causal ms | SDPA mask ms | "
          + " | ".join(f"flex{b} ms" for b in FLEX_BLOCKS)
          + " | best flex / ours | SDPA causal / ours |")
    print("|---" * (8 + len(FLEX_BLOCKS)) + "|")
    for r in rows:
        causal = r["sdpa_causal"]
        cells = [r["spec"], str(r["L"]), fmt(r["density"], "{:.3f}"),
                 f"{r['ours_ms']:.1f}"] + [cell(r[p]) for p in PEERS] + [
            ratio(best_flex_ms(r), r["ours_ms"]),
            ratio(causal["ms"] if causal["status"] == "ok" else None,
                  r["ours_ms"])]
        print("| " + " | ".join(cells) + " |")

    print("\nChecks (max abs error of O against ours; tolerance "
          f"{TOLERANCE:g}) and flex preparation (block mask + compile + "
          "first call, s):\n")
    print("| spec | L | mask | pairs unlike stand-in | spattn-run O | "
          + " | ".join(PEERS) + " | "
          + " | ".join(f"flex{b} prep s" for b in FLEX_BLOCKS) + " |")
    print("|---" * (5 + len(PEERS) + len(FLEX_BLOCKS)) + "|")
    for r in rows:
        cells = [r["spec"], str(r["L"]), r["mask_source"],
                 fmt(r["mask_vs_stand_in"], "{:d}"),
                 fmt(r["run_vs_ours"])] + [fmt(r[p]["err"]) for p in PEERS] + [
            fmt(r[f"flex{b}"]["compile_s"], "{:.1f}") for b in FLEX_BLOCKS]
        print("| " + " | ".join(cells) + " |")


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    spattn_run = os.path.join(args.build_dir, "compiler", "spattn-run",
                              "spattn-run")
    use_run = (args.mask_source == "spattn-run" or
               (args.mask_source == "auto"
                and effective_mask.spattn_run_has_mask(spattn_run)))
    with tempfile.TemporaryDirectory(prefix="spattn-peers-") as scratch:
        rows, machine = run_all(args, use_run, scratch)
    print_tables(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "rows": rows}, f, indent=1)
    return 0


def describe_machine(args, libs, use_run):
    """Prints and returns what the timings depend on."""
    cpu = cpu_description()
    machine = {"cpu": cpu, "torch": torch.__version__,
               "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
               "ours_isa": next(iter(libs.values()))[2].cpu_isa,
               "threads": args.threads, "repeat": args.repeat,
               "warmup": args.warmup,
               "mask": "spattn-run --mask" if use_run else "stand-in"}
    ext = ", ".join(f"{e} {'yes' if v else 'no'}"
                    for e, v in cpu["extensions"].items())
    print(f"CPU: {cpu['model']} ({cpu['cores']} cores); {ext}")
    print(f"torch {machine['torch']} (CPU capability "
          f"{machine['torch_cpu_capability']}); our kernels: "
          f"{machine['ours_isa']}; threads {args.threads}; median of "
          f"{args.repeat} after {args.warmup} warmup; masks: {machine['mask']}",
          flush=True)
    return machine


def run_all(args, use_run, scratch):
    libs = prepare_libraries(args, scratch)
    machine = describe_machine(args, libs, use_run)
    rows = []
    for length in args.lengths:
        inputs = make_inputs(length, args.seed)
        causal_peer = causal_baseline(args, inputs)
        for name in args.specs:
            start = time.perf_counter()
            rows.append(bench_spec(args, name, libs, inputs, causal_peer,
                                   scratch, use_run))
            print(f"{name} L={length}: {time.perf_counter() - start:.0f} s",
                  flush=True)
    return rows, machine


if __name__ == "__main__":
    sys.exit(main())
