#!/usr/bin/env python3
"""Writes a pathological spec to stdout for the lit tests of this folder.

  make_spec.py buckets N LAST   N buckets evenly up to LAST keys
  make_spec.py union N          unions nested N deep (2N + 1 pattern ops)
  make_spec.py intersect N      intersections nested N deep
  make_spec.py heads            1024 query and kv heads of head_dim 1024
  make_spec.py block B          topk_blocks over blocks of B keys
  make_spec.py tile T           block_q = block_k = T
  make_spec.py budget V         a window of V keys (a constant)
"""
import sys

HEADER = ("spattn.spec @{name} attributes {{head_dim = {dim} : i64, "
          "num_q_heads = {heads} : i64, num_kv_heads = {heads} : i64, "
          "dtype = f16, causal, buckets = array<i64: {buckets}>}} {{\n"
          "^bb0(%L: index):\n  %c64 = arith.constant 64 : index\n")


def spec(name, body, buckets="4096", dim=64, heads=4):
    return (HEADER.format(name=name, dim=dim, heads=heads, buckets=buckets) +
            body + "}\n")


def nested(combine, depth):
    lines = ["  %p0 = spattn.window %c64"]
    for i in range(1, depth + 1):
        lines.append(f"  %s{i} = spattn.sink %c64")
        lines.append(f"  %p{i} = spattn.{combine} %p{i - 1}, %s{i}")
    lines.append(f"  spattn.yield %p{depth}")
    return "\n".join(lines) + "\n"


def main(kind, value=None, last=None):
    window = "  %p = spattn.window %c64\n  spattn.yield %p\n"
    if kind == "buckets":
        n, longest = int(value), int(last)
        bounds = ", ".join(str(longest * (i + 1) // n) for i in range(n))
        return spec("buckets", window, bounds)
    if kind in ("union", "intersect"):
        return spec(kind, nested(kind, int(value)))
    if kind == "heads":
        return spec("heads", window, dim=1024, heads=1024)
    if kind == "block":
        return spec("block", f"  %c4 = arith.constant 4 : index\n"
                    f"  %p = spattn.topk_blocks %c4 block {value}\n"
                    "  spattn.yield %p\n")
    if kind == "tile":
        return spec("tile", window).replace(
            "causal,", f"causal, block_q = {value}, block_k = {value},")
    if kind == "budget":
        return spec("budget", f"  %w = arith.constant {value} : index\n"
                    "  %p = spattn.window %w\n  spattn.yield %p\n")
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.stdout.write(main(*sys.argv[1:]))
