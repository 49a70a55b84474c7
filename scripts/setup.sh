#!/usr/bin/env bash
# Installs what a fresh machine lacks, then configures and builds spattn.
# Idempotent: a second run only rebuilds what changed.
#   scripts/setup.sh            set up and build (build/ in the repo)
# Environment: SPATTN_BUILD_DIR (default build), SPATTN_BUILD_TYPE (Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SPATTN_BUILD_DIR:-$root/build}
venv=$root/.venv

debian_packages=(llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
                 clang-22 lld-22 libgtest-dev libbenchmark-dev libpng-dev
                 libopenblas-dev python3-venv)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Project venv: CMake >= 3.28 and Halide (C++ library + CMake package) from PyPI.
if [[ ! -x $venv/bin/cmake || ! -d $venv/share/cmake/Halide ]]; then
  echo "setup: creating the project venv in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q "cmake>=3.28" "halide==21.*" ninja
fi
# cuobjdump + nvdisasm (CUDA 13) read the SASS of nvcc 13 objects for the
# tensor-core checks of CUDA libraries; the toolkit here lacks them.
if ! compgen -G "$venv/lib/python3*/site-packages/nvidia/cu13/bin/nvdisasm" >/dev/null; then
  echo "setup: installing cuobjdump and nvdisasm into the project venv"
  "$venv/bin/pip" install -q "nvidia-cuda-cuobjdump==13.*" "nvidia-cuda-nvdisasm==13.*"
fi

if [[ ! -f $build/build.ninja ]]; then
  "$venv/bin/cmake" -S "$root" -B "$build" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$venv/bin/ninja" \
    -DCMAKE_BUILD_TYPE="${SPATTN_BUILD_TYPE:-Release}" \
    -DCMAKE_PREFIX_PATH="$venv" \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
    ${CUDA_HOME:+-DCUDAToolkit_ROOT=$CUDA_HOME} \
    $([[ -z ${CUDA_HOME:-} && -x /usr/local/cuda/bin/nvcc ]] && echo -DCUDAToolkit_ROOT=/usr/local/cuda)
fi
"$venv/bin/cmake" --build "$build" -j "$(nproc)"
# PyTorch, the spattn Python package and the MiniLM example's model.
bash "$root/scripts/setup-python.sh"
