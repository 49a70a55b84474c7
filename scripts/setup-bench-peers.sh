#!/usr/bin/env bash
# Creates .venv-bench (repo root): PyTorch running on the CPU plus numpy, for
# bench/peers/peers.py, apart from the project venv so that the peers'
# torch version can differ from the one the spattn package is tested with.
# Idempotent.
#
#   bash scripts/setup-bench-peers.sh          # TORCH_VERSION=... to change
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/install-torch.sh" "$ROOT/.venv-bench"
# peers.py drives our libraries through the spattn package.
"$ROOT/.venv-bench/bin/python" -c 'import spattn' 2>/dev/null ||
  "$ROOT/.venv-bench/bin/python" -m pip install -q --disable-pip-version-check \
    --no-deps -e "$ROOT/python"
