#!/usr/bin/env bash
# Creates .venv-bench (repo root): PyTorch running on the CPU plus numpy, for
# bench/peers/peers.py. Idempotent: does nothing when the venv already
# imports torch and runs a CPU op.
#
# PyPI's Linux torch wheel is the CUDA build and the CPU-only index is out
# of reach here, so torch goes in with --no-deps: its pure-Python
# dependencies plus the few NVIDIA libraries that libtorch links directly
# (the others are loaded lazily, only when CUDA is used). That keeps the
# venv at a fraction of the full CUDA stack.
#
#   bash scripts/setup-bench-peers.sh          # TORCH_VERSION=... to change
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bench"
PY="${PYTHON:-python3}"
TORCH_VERSION="${TORCH_VERSION:-2.15.0}"

# The NVIDIA libraries libtorch_cuda.so needs at load time, pinned as
# torch 2.15.0's metadata pins them (cufile comes via cuda-toolkit[cufile]).
NVIDIA_LIBS=(
  nvidia-cufile==1.17.1.22
  nvidia-cusparselt-cu13==0.8.1
  nvidia-nvshmem-cu13==3.7.2
  nvidia-nccl-cu13==2.30.7
)
PURE_DEPS=(
  numpy filelock "typing-extensions>=4.13.0" "sympy>=1.13.3" mpmath
  "networkx>=2.5.1" jinja2 MarkupSafe "fsspec>=0.8.5" "setuptools>=77.0.3"
)

works() {
  [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" - <<'EOF' >/dev/null 2>&1
import numpy, torch
assert float((torch.ones(4) * 2).sum()) == 8.0
EOF
}

if works; then
  echo "setup-bench-peers: $VENV already runs torch $("$VENV/bin/python" -c 'import torch; print(torch.__version__)')"
  exit 0
fi

# torch.compile on the CPU compiles C++ against Python.h.
"$PY" - <<'EOF' || echo "setup-bench-peers: warning: no Python.h; torch.compile will fail" >&2
import os, sysconfig
assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
EOF
command -v g++ >/dev/null || echo "setup-bench-peers: warning: no g++; torch.compile will fail" >&2

[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check)
"${PIP[@]}" "${PURE_DEPS[@]}"
"${PIP[@]}" --no-deps "${NVIDIA_LIBS[@]}"
"${PIP[@]}" --no-deps "torch==$TORCH_VERSION"

if ! works; then
  echo "setup-bench-peers: torch does not import in $VENV:" >&2
  "$VENV/bin/python" -c 'import torch' >&2 || true
  exit 1
fi
echo "setup-bench-peers: ready, torch $("$VENV/bin/python" -c 'import torch; print(torch.__version__)') in $VENV"
