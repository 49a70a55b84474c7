#!/usr/bin/env bash
# Installs PyTorch, running on the CPU, into the venv given (created when
# missing). Idempotent: does nothing when the venv already imports torch
# and runs a CPU op. Used by setup-python.sh (the project venv) and
# setup-bench-peers.sh (the bench venv).
#
# PyPI's Linux torch wheel is the CUDA build and the CPU-only index is out
# of reach here, so torch goes in with --no-deps: its pure-Python
# dependencies plus the few NVIDIA libraries that libtorch links directly
# (the others are loaded lazily, only when CUDA is used). That keeps a venv
# at about 2 GB instead of the full CUDA stack.
#
#   bash scripts/install-torch.sh VENV        # TORCH_VERSION=... to change
set -euo pipefail

venv=${1:?usage: install-torch.sh VENV}
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
  [[ -x "$venv/bin/python" ]] && "$venv/bin/python" - <<'PYEOF' >/dev/null 2>&1
import numpy, torch
assert float((torch.ones(4) * 2).sum()) == 8.0
PYEOF
}

if works; then
  echo "install-torch: $venv already runs torch $("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
  exit 0
fi

# torch.compile on the CPU compiles C++ against Python.h.
"$PY" - <<'PYEOF' || echo "install-torch: warning: no Python.h; torch.compile will fail" >&2
import os, sysconfig
assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
PYEOF
command -v g++ >/dev/null || echo "install-torch: warning: no g++; torch.compile will fail" >&2

[[ -x "$venv/bin/python" ]] || "$PY" -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
"${pip[@]}" "${PURE_DEPS[@]}"
"${pip[@]}" --no-deps "${NVIDIA_LIBS[@]}"
"${pip[@]}" --no-deps "torch==$TORCH_VERSION"

if ! works; then
  echo "install-torch: torch does not import in $venv:" >&2
  "$venv/bin/python" -c 'import torch' >&2 || true
  exit 1
fi
echo "install-torch: torch $("$venv/bin/python" -c 'import torch; print(torch.__version__)') in $venv"
