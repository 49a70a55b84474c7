#!/usr/bin/env python3
"""Runs the device check pack on a GPU machine (torch, numpy, stdlib only).

  python3 runner.py --out results.json     correctness, memcheck, CUDA graph,
                                           benchmark; one table, one JSON
  python3 runner.py --dry-run              no GPU: load every library with
                                           ctypes and expect clean errors
                                           from host-memory calls

Libraries are called through their C API on torch tensors, on torch's
current stream, with a workspace of <name>_workspace_size() bytes.
"""
import argparse
import ctypes
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import masks

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 2e-2       # max abs error, bf16/f16 on N(0,1) inputs
TIME_BUDGET_S = 280    # the whole run must fit in 5 minutes
LONG_PREFILL_MAX = 16384


# ------------------------------------------------------------ the C API
# The spattn package's bindings (python/spattn/_capi.py, _arrays.py), which
# the pack ships beside this file: one description of the C types.

sys.path.insert(0, HERE)
from spattn import _arrays, _capi  # noqa: E402

DTYPE_CODES = {"f32": _capi.F32, "f16": _capi.F16, "bf16": _capi.BF16}


class Tensor:
    """A spattn_tensor packed once and kept across calls (timed closures,
    graph captures), with the array or tensor it points into."""

    def __init__(self, fields, keep):
        self.keep = keep
        self.buffer = ctypes.create_string_buffer(_capi.TENSOR.size)
        _capi.TENSOR.pack_into(self.buffer, 0, *fields)
        self.address = ctypes.addressof(self.buffer)


def describe_torch(x, role="q"):
    described = _arrays.describe(x, role)
    return Tensor(described.fields, described.array)


def describe_host(array, dtype):
    """A host numpy array described as `dtype` ("f32", "f16", "bf16": the
    dry run's zeros stand for any 16-bit type)."""
    strides = [s // array.itemsize for s in array.strides]
    return Tensor(_arrays.tensor_fields(array.ctypes.data, DTYPE_CODES[dtype],
                                        array.shape, strides, _capi.MEMORY_HOST, 0),
                  array)


class Library:
    """One lib<name>.so's cuda entry points (options: NULL, the defaults)."""

    def __init__(self, path, name):
        self.name = name
        self.entry = _capi.Entry(path, name)
        if self.entry.attention_cuda is None or self.entry.workspace_size is None:
            raise _capi.SpattnError(_capi.ERROR_ARGUMENT,
                                    f"{path} was built without the cuda target")
        info = self.entry.info().contents
        self.max_length = info.bucket_upper_bounds[info.num_buckets - 1]

    def last_error(self):
        return (self.entry.last_error() or b"").decode(errors="replace")

    def workspace_size(self, q, k):
        size = ctypes.c_size_t(0)
        status = self.entry.workspace_size(q.address, k.address, None,
                                           ctypes.byref(size))
        return status, size.value

    def attention(self, q, k, v, o, lse, stream, workspace, workspace_bytes):
        return self.entry.attention_cuda(q.address, k.address, v.address,
                                         o.address, lse.address, None, stream,
                                         workspace, workspace_bytes)

    def update_page_bounds(self, k, first_key, stage, bounds, stream):
        return self.entry.update_page_bounds_cuda(k.address, first_key, stage,
                                                  bounds.address, stream)

    def attention_with_page_bounds(self, q, k, v, o, lse, bounds, stream,
                                   workspace, workspace_bytes):
        """`bounds`: one Tensor per pages stage."""
        entries = (ctypes.c_void_p * len(bounds))(*(b.address for b in bounds))
        return self.entry.attention_with_page_bounds_cuda(
            q.address, k.address, v.address, o.address, lse.address, entries,
            None, stream, workspace, workspace_bytes)

    def budget(self, length, label):
        """A budget's value at `length` (the library's own table)."""
        count = self.entry.num_budgets()
        values = (ctypes.c_int64 * max(count, 1))()
        if self.entry.budgets(length, None, values, count):
            raise CallError(self.last_error())
        for i in range(count):
            if (self.entry.budget_label(i) or b"").decode() == label:
                return values[i]
        raise CallError(f"{self.name} has no budget {label}")


class CallError(RuntimeError):
    pass


def unpack_libraries(pack, manifest, libs_dir):
    """Gunzips every library into libs_dir; returns {id: .so path}."""
    paths = {}
    for lib in manifest["libraries"]:
        dst = os.path.join(libs_dir, lib["id"], f"lib{lib['name']}.so")
        if not os.path.exists(dst):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with gzip.open(os.path.join(pack, lib["so_gz"]), "rb") as src, \
                    open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
        paths[lib["id"]] = dst
    return paths


# --------------------------------------------------------------- dry run


def dry_run(manifest, so_paths):
    """Host-memory calls need no GPU: each must fail cleanly with a message,
    which proves the symbols, the struct layout and the error path."""
    rows, ok = [], True
    for lib in manifest["libraries"]:
        try:
            api = Library(so_paths[lib["id"]], lib["name"])
        except (OSError, _capi.SpattnError) as e:
            ok = False
            rows.append(f"{lib['id']:32s} does not load: {e}  [UNEXPECTED]")
            continue
        hq, hkv, d = lib["num_q_heads"], lib["num_kv_heads"], lib["head_dim"]
        lq = lk = 64
        arrays = {n: np.zeros(s, np.uint16) for n, s in
                  (("q", (1, hq, lq, d)), ("k", (1, hkv, lk, d)),
                   ("v", (1, hkv, lk, d)), ("o", (1, hq, lq, d)))}
        lse_host = np.zeros((1, hq, lq), np.float32)
        desc = {n: describe_host(a, lib["dtypes"][0]) for n, a in arrays.items()}
        lse = describe_host(lse_host, "f32")
        ws_status, ws_bytes = api.workspace_size(desc["q"], desc["k"])
        status = api.attention(desc["q"], desc["k"], desc["v"], desc["o"],
                               lse, None, None, 0)
        message = api.last_error()
        good = (api.max_length == lib["buckets"][-1] and status != 0
                and bool(message))
        pages = ""
        if api.entry.update_page_bounds_cuda is not None:  # a pages stage
            bounds = describe_host(np.zeros((1, hkv, 4, 2 * d), np.float32), "f32")
            update = api.update_page_bounds(desc["k"], 0, 0, bounds, None)
            attend = api.attention_with_page_bounds(
                desc["q"], desc["k"], desc["v"], desc["o"], lse, [bounds], None, None, 0)
            good &= update != 0 and attend != 0
            pages = f"page bounds update -> {update}, attention -> {attend}  "
        ok &= good
        rows.append(f"{lib['id']:32s} max_length {api.max_length:7d}  "
                    f"workspace_size -> {ws_status} ({ws_bytes} B)  "
                    f"host call -> {status}: {message}  {pages}"
                    f"[{'ok' if good else 'UNEXPECTED'}]")
    print("\n".join(rows))
    print("dry run:", "ok" if ok else "FAILED")
    return 0 if ok else 1


# ----------------------------------------------------- calls and checks


def torch_dtype(torch, name):
    return {"bf16": torch.bfloat16, "f16": torch.float16}[name]


def load_input(torch, path, dtype):
    """A 16-bit .npy of the pack as a CUDA tensor (bf16 is stored as bits)."""
    array = np.load(path)
    if dtype == "bf16":
        t = torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    else:
        t = torch.from_numpy(array)
    return t.cuda().contiguous()


def call_library(torch, api, q, k, v, stream=None, out=None):
    """O and LSE of one call; raises CallError with the library's message."""
    b, hq, lq, _ = q.shape
    o = out[0] if out else torch.empty_like(q)
    lse = out[1] if out else torch.empty(b, hq, lq, dtype=torch.float32,
                                         device=q.device)
    dq, dk, dv = describe_torch(q), describe_torch(k), describe_torch(v)
    do, dl = describe_torch(o), describe_torch(lse, "lse")
    status, nbytes = api.workspace_size(dq, dk)
    if status != 0:
        raise CallError(f"workspace_size -> {status}: {api.last_error()}")
    workspace = torch.empty(max(nbytes, 1), dtype=torch.uint8, device=q.device)
    if stream is None:
        stream = torch.cuda.current_stream().cuda_stream
    status = api.attention(dq, dk, dv, do, dl, stream, workspace.data_ptr(),
                           nbytes)
    if status != 0:
        raise CallError(f"attention_cuda -> {status}: {api.last_error()}")
    return o, lse, workspace


def torch_reference(torch, lib, q, k, v, build):
    """fp32 PyTorch attention of lib's spec over the mask `build` gives;
    rows that keep no key: O = 0, LSE = -inf."""
    b, hq, lq, d = q.shape
    lk, group = k.shape[2], hq // k.shape[1]
    scale = 1.0 / d ** 0.5
    o = torch.zeros(b, hq, lq, d, dtype=torch.float32, device=q.device)
    lse = torch.full((b, hq, lq), float("-inf"), device=q.device)
    j = torch.arange(lk, device=q.device).view(1, lk)
    rows = max(1, (1 << 26) // lk)  # bounds the score tile to 256 MiB
    for start in range(0, lq, rows):
        pos = torch.arange(start, min(lq, start + rows),
                           device=q.device).view(-1, 1) + (lk - lq)
        shared = None
        for h in range(hq):
            if lib["name"] in masks.PER_HEAD or shared is None:
                mask = build(h, pos, j, lk)
                if lib["causal"]:
                    mask = mask & (j <= pos)
                shared = mask
            qs = q[:, h, start:start + pos.shape[0]].float()
            ks, vs = k[:, h // group].float(), v[:, h // group].float()
            s = (qs @ ks.transpose(-1, -2)) * scale
            s = s.masked_fill(~shared, float("-inf"))
            row_lse = torch.logsumexp(s, dim=-1)
            p = torch.exp(s - row_lse.unsqueeze(-1)).nan_to_num(0.0)
            o[:, h, start:start + pos.shape[0]] = p @ vs
            lse[:, h, start:start + pos.shape[0]] = row_lse
    return o, lse


def errors(torch, o, lse, o_ref, lse_ref):
    """Max abs errors of O and LSE; an LSE that should be -inf and is not
    (or the other way round) is an infinite error."""
    e_o = (o.float() - o_ref.float()).abs().max().item()
    finite = torch.isfinite(lse_ref)
    if not torch.equal(finite, torch.isfinite(lse)):
        return e_o, float("inf")
    e_l = ((lse - lse_ref).abs()[finite].max().item()
           if finite.any() else 0.0)
    return e_o, e_l


def passed(e_o, e_l):
    return e_o <= TOLERANCE and e_l <= TOLERANCE


class Results:
    """Rows of the table and the JSON, plus the time budget."""

    def __init__(self, budget_s):
        self.start, self.budget_s = time.monotonic(), budget_s
        self.rows = []

    def left(self):
        return self.budget_s - (time.monotonic() - self.start)

    def add(self, section, name, status, detail, **data):
        self.rows.append(dict(section=section, name=name, status=status,
                              detail=detail, **data))
        print(f"  [{status:4s}] {section:9s} {name:44s} {detail}", flush=True)


def small_case(torch, pack, lib, api, case):
    """One shipped case: the library against the fp64 reference, and fp32
    PyTorch math (when the mask is written out) beside it."""
    folder = os.path.join(pack, "libs", lib["id"])
    dtype = case["dtype"]
    q = load_input(torch, os.path.join(folder, case["q"]), dtype)
    k = load_input(torch, os.path.join(folder, case["k"]), dtype)
    v = load_input(torch, os.path.join(folder, case["v"]), dtype)
    o_ref = torch.from_numpy(np.load(os.path.join(folder, case["o_ref"]))).cuda()
    lse_ref = torch.from_numpy(
        np.load(os.path.join(folder, case["lse_ref"]))).cuda()
    o, lse, _ = call_library(torch, api, q, k, v)
    torch.cuda.synchronize()
    e_o, e_l = errors(torch, o, lse, o_ref, lse_ref)
    result = {"err_o": e_o, "err_lse": e_l}
    build = masks.builder(lib["name"])
    if build:
        t_o, t_l = torch_reference(torch, lib, q, k, v, build)
        result["torch_err_o"], result["torch_err_lse"] = errors(
            torch, t_o, t_l, o_ref, lse_ref)
    return result


def long_cases(lib, small_buckets):
    """(bucket, B, Lq, Lk) for the buckets no shipped case covers: a full
    prefill up to 16K keys (else the last 128 rows) and a decode."""
    cases, lo = [], 1
    for b, hi in enumerate(lib["buckets"]):
        if b not in small_buckets:
            lk = hi - (b % 2)  # the bucket's top, or one below
            lq = lk if lk <= LONG_PREFILL_MAX else 128
            cases += [(b, 1, lq, lk), (b, 2, 1, max(lo, lk - 77))]
        lo = hi + 1
    return cases


def long_case(torch, lib, api, bucket, batch, lq, lk, seed):
    build = masks.builder(lib["name"])
    dtype = torch_dtype(torch, lib["dtypes"][0])
    g = torch.Generator(device="cuda").manual_seed(seed)
    hq, hkv, d = lib["num_q_heads"], lib["num_kv_heads"], lib["head_dim"]

    def randn(*shape):
        return torch.randn(*shape, generator=g, device="cuda").to(dtype)

    q, k, v = randn(batch, hq, lq, d), randn(batch, hkv, lk, d), \
        randn(batch, hkv, lk, d)
    o, lse, _ = call_library(torch, api, q, k, v)
    t_o, t_l = torch_reference(torch, lib, q, k, v, build)
    e_o, e_l = errors(torch, o, lse, t_o, t_l)
    return {"torch_err_o": e_o, "torch_err_lse": e_l}


def fmt_err(result):
    parts = []
    if "err_o" in result:
        parts.append(f"vs fp64: O {result['err_o']:.2e} LSE "
                     f"{result['err_lse']:.2e}")
    if "torch_err_o" in result:
        parts.append(f"torch fp32: O {result['torch_err_o']:.2e} LSE "
                     f"{result['torch_err_lse']:.2e}")
    return "; ".join(parts)


def check_correctness(torch, pack, manifest, apis, res):
    for n, lib in enumerate(manifest["libraries"]):
        api = apis[lib["id"]]
        small_buckets = {c["bucket"] for c in lib["cases"]}
        for case in lib["cases"]:
            name = f"{lib['id']} {case['kind']} Lq{case['lq']} Lk{case['lk']} {case['dtype']}"
            try:
                r = small_case(torch, pack, lib, api, case)
                ok = passed(r["err_o"], r["err_lse"])
                res.add("small", name, "ok" if ok else "FAIL", fmt_err(r),
                        bucket=case["bucket"], **r)
            except CallError as e:
                res.add("small", name, "FAIL", str(e), bucket=case["bucket"])
        for i, (bucket, batch, lq, lk) in enumerate(long_cases(lib, small_buckets)):
            name = f"{lib['id']} B{batch} Lq{lq} Lk{lk} {lib['dtypes'][0]}"
            if masks.builder(lib["name"]) is None:
                res.add("long", name, "skip", "mask not written out in masks.py",
                        bucket=bucket)
            elif res.left() < 120:
                res.add("long", name, "skip", "time budget", bucket=bucket)
            else:
                try:
                    r = long_case(torch, lib, api, bucket, batch, lq, lk,
                                  seed=1000 * n + i)
                    ok = passed(r["torch_err_o"], r["torch_err_lse"])
                    res.add("long", name, "ok" if ok else "FAIL", fmt_err(r),
                            bucket=bucket, **r)
                except CallError as e:
                    res.add("long", name, "FAIL", str(e), bucket=bucket)
            torch.cuda.empty_cache()


# ------------------------------------------- memcheck and CUDA graphs


def smallest_case(manifest, content=False):
    """The smallest shipped prefill, of a content-based library or not."""
    cases = [(c["lq"] * c["lk"] * lib["num_q_heads"], lib, c)
             for lib in manifest["libraries"] for c in lib["cases"]
             if c["kind"] != "decode" and lib.get("content", False) == content]
    return min(cases, key=lambda x: x[0])[1:] if cases else (None, None)


def checked_cases(manifest):
    """The cases memcheck and the graph check run: the smallest static
    prefill and the smallest content-based one (selection kernels too)."""
    return [lc for lc in (smallest_case(manifest), smallest_case(manifest, True))
            if lc[0] is not None]


def memcheck_child(torch, pack, manifest, apis):
    """The run under compute-sanitizer: small cases, exit 0 if they pass."""
    ok = True
    for lib, case in checked_cases(manifest):
        r = small_case(torch, pack, lib, apis[lib["id"]], case)
        print(f"memcheck case {lib['id']} {case['id']}: {fmt_err(r)}")
        ok = ok and passed(r["err_o"], r["err_lse"])
    return 0 if ok else 1


def start_memcheck(args, libs_dir):
    tool = shutil.which("compute-sanitizer")
    if not tool:
        return None
    cmd = [tool, "--tool", "memcheck", "--error-exitcode", "97",
           sys.executable, os.path.abspath(__file__), "--pack", args.pack,
           "--libs-dir", libs_dir, "--memcheck-case"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish_memcheck(proc, res):
    lib_case = "smallest shipped prefills (static, content-based)"
    if proc is None:
        res.add("memcheck", lib_case, "skip", "compute-sanitizer not on PATH")
        return
    try:
        out, _ = proc.communicate(timeout=max(10, res.left() - 100))
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        res.add("memcheck", lib_case, "FAIL", "timed out", log=out[-4000:])
        return
    summary = [l for l in out.splitlines() if "ERROR SUMMARY" in l]
    ok = proc.returncode == 0 and summary and " 0 errors" in summary[-1]
    res.add("memcheck", lib_case, "ok" if ok else "FAIL",
            f"rc {proc.returncode}; {summary[-1] if summary else 'no summary'}",
            log=out[-4000:])


def check_graph(torch, pack, manifest, apis, res):
    """Captures one call in a CUDA graph, replays it, compares with eager:
    a static library and a content-based one (selection in the graph)."""
    for lib, case in checked_cases(manifest):
        check_graph_case(torch, pack, lib, case, apis, res)


def check_graph_case(torch, pack, lib, case, apis, res):
    name = f"{lib['id']} {case['id']}"
    folder = os.path.join(pack, "libs", lib["id"])
    q, k, v = (load_input(torch, os.path.join(folder, case[n]), case["dtype"])
               for n in ("q", "k", "v"))
    api = apis[lib["id"]]
    try:
        eager_o, eager_lse, _ = call_library(torch, api, q, k, v)
        o, lse = torch.full_like(eager_o, 7.0), torch.full_like(eager_lse, 7.0)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):  # warm up off the default stream
            call_library(torch, api, q, k, v, out=(o, lse))
        torch.cuda.current_stream().wait_stream(side)
        o.fill_(7.0)
        lse.fill_(7.0)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            _, _, workspace = call_library(torch, api, q, k, v, out=(o, lse))
        torch.cuda.synchronize()
        captured_untouched = bool((o == 7.0).all())
        graph.replay()
        torch.cuda.synchronize()
        same = torch.equal(o, eager_o) and torch.equal(lse, eager_lse)
        ok = same and captured_untouched
        res.add("graph", name, "ok" if ok else "FAIL",
                f"replay {'==' if same else '!='} eager; capture "
                f"{'did not run' if captured_untouched else 'RAN'} the kernels")
    except Exception as e:  # a capture error must not end the run
        res.add("graph", name, "FAIL", f"{type(e).__name__}: {e}")


def check_package(torch, pack, manifest, apis, so_paths, res):
    """The spattn Python package on CUDA tensors (python/spattn), on the
    same two calls: the C call's bits from Library.attention, on a side
    stream, replayed from a CUDA graph, and from spattn.sdpa under
    torch.compile(fullgraph=True) (its custom operator), and for a library
    with pages stages from Library.attention with page bounds kept on the
    device (PageBounds)."""
    import spattn
    for lib, case in checked_cases(manifest):
        name = f"{lib['id']} {case['id']}"
        if res.left() < 150:
            res.add("python", name, "skip", "time budget")
            continue
        folder = os.path.join(pack, "libs", lib["id"])
        try:
            q, k, v = (load_input(torch, os.path.join(folder, case[n]), case["dtype"])
                       for n in ("q", "k", "v"))
            c_o, c_lse, _ = call_library(torch, apis[lib["id"]], q, k, v)
            library = spattn.load(so_paths[lib["id"]])
            o, lse = library.attention(q, k, v, return_lse=True)
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):  # also the graph's warm-up
                on_side = library.attention(q, k, v)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                replayed = library.attention(q, k, v)
            graph.replay()
            compiled = torch.compile(
                lambda q, k, v: spattn.sdpa(q, k, v, library, enable_gqa=True) * 2,
                fullgraph=True)
            traced = compiled(q, k, v)
            torch.cuda.synchronize()
            checks = {"attention": torch.equal(o, c_o) and torch.equal(lse, c_lse),
                      "side stream": torch.equal(on_side, c_o),
                      "graph replay": torch.equal(replayed, c_o),
                      "torch.compile": torch.equal(traced, c_o * 2)}
            if library.page_sizes:
                bounds = library.page_bounds(k)
                checks["page bounds"] = torch.equal(
                    library.attention(q, k, v, page_bounds=bounds), c_o)
            bad = [what for what, same in checks.items() if not same]
            res.add("python", name, "FAIL" if bad else "ok",
                    f"!= the C call: {', '.join(bad)}" if bad else
                    f"{', '.join(checks)} == the C call's bits")
        except Exception as e:  # a failing check must not end the run
            res.add("python", name, "FAIL", f"{type(e).__name__}: {e}")


# ------------------------------------------------------------ benchmark


def time_cuda(torch, fn, warmup=3, reps=10, max_s=15.0):
    """Median milliseconds of fn() by CUDA events, after warmup."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times, begin = [], time.monotonic()
    for _ in range(reps):
        start, end = (torch.cuda.Event(enable_timing=True) for _ in range(2))
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
        if time.monotonic() - begin > max_s:
            break
    return statistics.median(times)


def bench_inputs(torch, batch, lq, lk, seed=7):
    g = torch.Generator(device="cuda").manual_seed(seed)
    shape = lambda h, l: (batch, h, l, 128)
    return tuple(torch.randn(*shape(h, l), generator=g, device="cuda",
                             dtype=torch.bfloat16)
                 for h, l in ((32, lq), (8, lk), (8, lk)))


def ours(torch, api, q, k, v):
    """A timed closure over one library call (workspace made once)."""
    o = torch.empty_like(q)
    lse = torch.empty(q.shape[:3], dtype=torch.float32, device="cuda")
    dq, dk, dv = describe_torch(q), describe_torch(k), describe_torch(v)
    do, dl = describe_torch(o), describe_torch(lse, "lse")
    status, nbytes = api.workspace_size(dq, dk)
    if status:
        raise CallError(api.last_error())
    ws = torch.empty(max(nbytes, 1), dtype=torch.uint8, device="cuda")

    def run():
        status = api.attention(dq, dk, dv, do, dl,
                               torch.cuda.current_stream().cuda_stream,
                               ws.data_ptr(), nbytes)
        if status:
            raise CallError(api.last_error())
    return run


def sdpa_flash(torch, q, k, v):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    import torch.nn.functional as F

    def run():
        with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                  enable_gqa=True)
    try:
        run()
        return run, "enable_gqa"
    except RuntimeError:  # flash without GQA support: expand K/V untimed
        ke, ve = (x.repeat_interleave(q.shape[1] // k.shape[1], dim=1)
                  for x in (k, v))

        def expanded():
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                return F.scaled_dot_product_attention(q, ke, ve, is_causal=True)
        return expanded, "K/V expanded to 32 heads"


def flex_streaming(torch, q, k, v, window):
    from torch.nn.attention.flex_attention import (create_block_mask,
                                                   flex_attention)

    def mask_mod(b, h, q_idx, kv_idx):
        d = q_idx - kv_idx
        return (d >= 0) & ((kv_idx < 4) | (d < window))
    lq, lk = q.shape[2], k.shape[2]
    block_mask = create_block_mask(mask_mod, None, None, lq, lk,
                                   device="cuda", BLOCK_SIZE=128)
    compiled = torch.compile(flex_attention)

    def run():
        return compiled(q, k, v, block_mask=block_mask, enable_gqa=True)
    return run


def copy_bandwidth(torch, nbytes=1 << 30):
    """Device-to-device copy GB/s, counting bytes read plus written."""
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    ms = time_cuda(torch, lambda: dst.copy_(src), warmup=2, reps=10)
    return 2 * nbytes / ms / 1e6


def bench_entry(res, name, ms_ours, ms_other, other, note=""):
    ratio = ms_other / ms_ours
    res.add("bench", name, "ok",
            f"ours {ms_ours:.3f} ms, {other} {ms_other:.3f} ms: "
            f"{ratio:.2f}x {note}".strip(),
            ms_ours=ms_ours, ms_other=ms_other, speedup=ratio, baseline=other)


def run_benchmark(torch, apis, res):
    dense, stream = apis.get("gpu-dense_gqa"), apis.get("gpu-streaming_gqa")
    if not dense or not stream:
        res.add("bench", "benchmark", "skip", "gpu-dense_gqa/streaming_gqa missing")
        return
    try:
        q, k, v = bench_inputs(torch, 1, 16384, 16384)
        run_sdpa, how = sdpa_flash(torch, q, k, v)
        bench_entry(res, "dense causal prefill 16K vs SDPA flash",
                    time_cuda(torch, ours(torch, dense, q, k, v)),
                    time_cuda(torch, run_sdpa), "SDPA flash", f"({how})")
        del q, k, v
        q, k, v = bench_inputs(torch, 1, 65536, 65536)
        t_stream = time_cuda(torch, ours(torch, stream, q, k, v), reps=5)
        t_dense = time_cuda(torch, ours(torch, dense, q, k, v), warmup=1, reps=3)
        bench_entry(res, "streaming_llm prefill 64K vs our dense", t_stream,
                    t_dense, "our dense")
        if res.left() > 90:
            run_flex = flex_streaming(torch, q, k, v,
                                      masks.streaming_window(65536))
            bench_entry(res, "streaming_llm prefill 64K vs flex_attention",
                        t_stream, time_cuda(torch, run_flex, reps=5),
                        "flex (compiled, block 128)")
        else:
            res.add("bench", "streaming_llm prefill 64K vs flex_attention",
                    "skip", "time budget")
        del q, k, v
        bench_decode(torch, dense, stream, res)
    except Exception as e:
        res.add("bench", "benchmark", "FAIL", f"{type(e).__name__}: {e}")
    bench_content(torch, apis, res)


def flex_topk_blocks(torch, q, k, v, count, block=64):
    """What a user would write today for block_topk (top-k key blocks by
    pooled scores, plus a sink block and a 64-key window): PyTorch ops for
    the selection, BlockMask.from_kv_blocks, compiled flex_attention."""
    from torch.nn.attention.flex_attention import BlockMask, flex_attention
    b, hq, lq, d = q.shape
    group, nb = hq // k.shape[1], lq // block
    compiled = torch.compile(flex_attention)
    causal = torch.ones(nb, nb, dtype=torch.bool, device="cuda").tril()
    near = causal & ~torch.ones(nb, nb, dtype=torch.bool, device="cuda").tril(-2)

    def run():
        qp = q.view(b, hq, nb, block, d).float().mean(3)
        kp = k.view(b, k.shape[1], nb, block, d).float().mean(3)
        scores = qp @ kp.repeat_interleave(group, 1).transpose(-1, -2) * d ** -0.5
        top = scores.masked_fill(~causal, float("-inf")).topk(min(count, nb), -1)
        chosen = torch.zeros(b, hq, nb, nb, dtype=torch.bool, device="cuda")
        chosen.scatter_(-1, top.indices, True)
        chosen &= causal

        def mask_mod(bi, hi, q_idx, kv_idx):
            picked = chosen[bi, hi, q_idx // block, kv_idx // block]
            return (kv_idx <= q_idx) & (picked | (kv_idx < 64) | (q_idx - kv_idx < 64))
        blocks = chosen | near
        blocks[..., 0] = True
        blocks &= causal
        num = blocks.sum(-1, dtype=torch.int32)
        order = blocks.to(torch.int8).argsort(-1, descending=True, stable=True)
        mask = BlockMask.from_kv_blocks(num, order.to(torch.int32), BLOCK_SIZE=block,
                                        mask_mod=mask_mod)
        return compiled(q, k, v, block_mask=mask, enable_gqa=True)
    return run


def selection_share(torch, run):
    """The share of one call's device time spent in selection kernels (all
    but the attend kernel and the split combine), by the CUDA profiler."""
    from torch.profiler import ProfilerActivity, profile
    run()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        run()
        torch.cuda.synchronize()
    total = select = 0.0
    for event in prof.key_averages():
        spent = getattr(event, "device_time_total", None)
        if spent is None:
            spent = getattr(event, "cuda_time_total", 0.0)
        if "attentionKernel" in event.key or "combineSplits" in event.key:
            total += spent
        elif "Kernel" in event.key:  # poolKernel, selectBlocksKernel, ...
            total += spent
            select += spent
    return select / total if total else float("nan")


def bench_content(torch, apis, res):
    """Content-based selection on the device (issue targets): block_topk
    end to end against PyTorch-ops selection + FlexAttention, and against our
    dense; Quest decode with device page bounds against our dense decode."""
    dense = apis.get("gpu-dense_gqa")
    topk = apis.get("examples-block_topk")
    for lk in (16384, 65536):
        if not (dense and topk) or res.left() < 120:
            res.add("bench", f"block_topk prefill {lk // 1024}K", "skip",
                    "library missing or time budget")
            continue
        try:
            q, k, v = bench_inputs(torch, 1, lk, lk)
            run_ours = ours(torch, topk, q, k, v)
            t_ours = time_cuda(torch, run_ours, reps=5)
            share = selection_share(torch, run_ours)
            res.add("bench", f"block_topk prefill {lk // 1024}K selection share", "ok",
                    f"{100 * share:.1f}% of the call's device time in selection kernels",
                    selection_share=share)
            t_dense = time_cuda(torch, ours(torch, dense, q, k, v), warmup=1, reps=3)
            bench_entry(res, f"block_topk prefill {lk // 1024}K vs our dense",
                        t_ours, t_dense, "our dense")
            count = topk.budget(lk, "topk_blocks.count")
            t_flex = time_cuda(torch, flex_topk_blocks(torch, q, k, v, count),
                               warmup=2, reps=5)
            bench_entry(res, f"block_topk prefill {lk // 1024}K vs torch select + flex",
                        t_ours, t_flex, "torch topk + from_kv_blocks + flex",
                        f"(k = {count} blocks, selection included on both sides)")
            del q, k, v
        except Exception as e:
            res.add("bench", f"block_topk prefill {lk // 1024}K", "FAIL",
                    f"{type(e).__name__}: {e}")
    bench_quest_decode(torch, apis, res)


def bench_quest_decode(torch, apis, res):
    """Quest decode (B = 1, Lq = 1) with page bounds kept on the device,
    against our dense decode on the same K/V."""
    quest, dense = apis.get("examples-quest"), apis.get("gpu-dense_gqa")
    if not quest or not dense:
        res.add("bench", "quest decode", "skip", "library missing")
        return
    for lk in (65536, 131072):
        try:
            q, k, v = bench_inputs(torch, 1, 1, lk)
            qh, kh, vh = (x.to(torch.float16) for x in (q, k, v))
            pages = -(-lk // 16)
            bounds = torch.empty(1, 8, pages, 256, dtype=torch.float32, device="cuda")
            dk, db = describe_torch(kh, "k"), describe_torch(bounds, "k")
            stream = torch.cuda.current_stream().cuda_stream
            if quest.update_page_bounds(dk, 0, 0, db, stream):
                raise CallError(quest.last_error())
            o = torch.empty_like(qh)
            lse = torch.empty(qh.shape[:3], dtype=torch.float32, device="cuda")
            dq, dv, do = (describe_torch(x) for x in (qh, vh, o))
            dl = describe_torch(lse, "lse")
            status, nbytes = quest.workspace_size(dq, dk)
            if status:
                raise CallError(quest.last_error())
            ws = torch.empty(max(nbytes, 1), dtype=torch.uint8, device="cuda")

            def step():  # a decode step: the new key's page, then attention
                if quest.update_page_bounds(dk, lk - 1, 0, db, stream):
                    raise CallError(quest.last_error())
                if quest.attention_with_page_bounds(dq, dk, dv, do, dl, [db], stream,
                                                    ws.data_ptr(), nbytes):
                    raise CallError(quest.last_error())
            t_quest = time_cuda(torch, step, warmup=5, reps=30)
            t_dense = time_cuda(torch, ours(torch, dense, q, k, v), warmup=5, reps=30)
            bench_entry(res, f"quest decode {lk // 1024}K (device page bounds) vs our dense",
                        t_quest, t_dense, "our dense decode")
            del q, k, v, qh, kh, vh, bounds
        except Exception as e:
            res.add("bench", f"quest decode {lk // 1024}K", "FAIL",
                    f"{type(e).__name__}: {e}")


def bench_decode(torch, dense, stream, res):
    """Decode against the copy bandwidth: bytes of K and V the call must read
    (the kept keys only, for streaming_llm) per second."""
    lk = 32768
    gbps_copy = copy_bandwidth(torch)
    q, k, v = bench_inputs(torch, 8, 1, lk)
    per_key = 2 * 8 * 8 * 128 * 2  # K and V, B = 8, 8 kv heads, bf16
    kept = min(lk, 4 + masks.streaming_window(lk))
    for name, api, keys in (("dense", dense, lk), ("streaming_llm", stream, kept)):
        ms = time_cuda(torch, ours(torch, api, q, k, v), warmup=5, reps=30)
        gbps = per_key * keys / ms / 1e6
        res.add("bench", f"{name} decode B8 Lk32K vs copy bandwidth", "ok",
                f"{ms:.3f} ms, {gbps:.0f} GB/s over {keys} keys' K+V = "
                f"{gbps / gbps_copy:.2f} of copy {gbps_copy:.0f} GB/s",
                ms_ours=ms, gbps=gbps, gbps_copy=gbps_copy,
                fraction_of_copy=gbps / gbps_copy)


# ----------------------------------------------------------------- main


def print_table(res):
    print("\n" + "=" * 100)
    print(f"{'section':9s} {'check':46s} {'status':6s} detail")
    print("-" * 100)
    for r in res.rows:
        print(f"{r['section']:9s} {r['name'][:46]:46s} {r['status']:6s} "
              f"{r['detail']}")
    counts = {s: sum(r["status"] == s for r in res.rows)
              for s in ("ok", "FAIL", "skip")}
    print("-" * 100)
    print(f"{counts['ok']} ok, {counts['FAIL']} failed, {counts['skip']} skipped "
          f"in {time.monotonic() - res.start:.0f} s")
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pack", default=HERE, help="the pack folder")
    ap.add_argument("--out", default=None, help="results JSON")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--memcheck-case", action="store_true",
                    help=argparse.SUPPRESS)
    ap.add_argument("--libs-dir", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--budget", type=float, default=TIME_BUDGET_S,
                    help="seconds the whole run may take")
    args = ap.parse_args()
    args.pack = os.path.abspath(args.pack)
    with open(os.path.join(args.pack, "manifest.json")) as f:
        manifest = json.load(f)
    libs_dir = args.libs_dir or tempfile.mkdtemp(prefix="spattn-libs-")
    try:
        so_paths = unpack_libraries(args.pack, manifest, libs_dir)
        if args.dry_run:
            return dry_run(manifest, so_paths)
        return run_on_gpu(args, manifest, so_paths, libs_dir)
    finally:
        if not args.libs_dir:
            shutil.rmtree(libs_dir, ignore_errors=True)


def load_libraries(manifest, so_paths):
    """({id: Library}, {id: why it did not load})."""
    apis, failed = {}, {}
    for lib in manifest["libraries"]:
        try:
            apis[lib["id"]] = Library(so_paths[lib["id"]], lib["name"])
        except (OSError, _capi.SpattnError) as e:
            failed[lib["id"]] = str(e)
    return apis, failed


def run_on_gpu(args, manifest, so_paths, libs_dir):
    try:
        import torch
    except ImportError:
        print("runner: torch is not installed; nothing to run "
              "(--dry-run checks the libraries without it)")
        return 0
    if not torch.cuda.is_available():
        print("runner: no CUDA device visible; nothing to run")
        return 0
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 math stays fp32
    apis, load_errors = load_libraries(manifest, so_paths)
    # Libraries that do not load are reported once and left out.
    manifest = dict(manifest, libraries=[l for l in manifest["libraries"]
                                         if l["id"] in apis])
    if args.memcheck_case:
        return memcheck_child(torch, args.pack, manifest, apis)

    res = Results(args.budget)
    print(f"device: {torch.cuda.get_device_name()}, torch {torch.__version__}, "
          f"CUDA {torch.version.cuda}; {len(apis)} libraries")
    for lib_id, message in load_errors.items():
        res.add("load", lib_id, "FAIL", message)
    for r in manifest["refused"]:
        res.add("build", r["spec"], "skip", "refused by spattn-compile --target=cuda")
    memcheck = start_memcheck(args, libs_dir)  # runs beside the checks
    check_correctness(torch, args.pack, manifest, apis, res)
    check_graph(torch, args.pack, manifest, apis, res)
    check_package(torch, args.pack, manifest, apis, so_paths, res)
    finish_memcheck(memcheck, res)
    if not args.no_bench:
        run_benchmark(torch, apis, res)
    counts = print_table(res)
    if args.out:
        info = {"device": torch.cuda.get_device_name(),
                "torch": torch.__version__, "cuda": torch.version.cuda,
                "seconds": time.monotonic() - res.start,
                "counts": counts, "results": res.rows}
        with open(args.out, "w") as f:
            json.dump(info, f, indent=1)
        print(f"wrote {args.out}")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
