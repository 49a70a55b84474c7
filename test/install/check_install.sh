#!/usr/bin/env bash
# Installs the build tree into a fresh prefix, builds examples/app against
# it as a user would (find_package(spattn), spattn_add_library with TARGETS
# cpu cuda) and runs the app, statically and dynamically linked, and its
# CUDA program (which skips itself without a GPU). Run by ctest as
# install-and-build-example-app; every path comes from CMake.
#
# usage: check_install.sh CMAKE GENERATOR MAKE_PROGRAM CXX BUILD_DIR APP_SOURCE_DIR WORK_DIR
set -euo pipefail
if [ $# -ne 7 ]; then
  echo "usage: $0 CMAKE GENERATOR MAKE_PROGRAM CXX BUILD_DIR APP_SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
cmake=$1 generator=$2 make_program=$3 cxx=$4 build=$5 app=$6 work=$7
prefix=$work/prefix
app_build=$work/app-build

step() { echo "== $*"; }
fail() { echo "FAILED: $* (files kept in $work)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
# Only this prefix: no staging directory or outside packages on the way.
unset DESTDIR CMAKE_PREFIX_PATH spattn_DIR spattn_ROOT

step "install $build into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
# The archives and programs a library is built from are checked by the
# installed spattnConfig.cmake itself (find_package fails without them).
for f in bin/spattn-compile bin/spattn-opt lib/cmake/spattn/spattnConfig.cmake \
         lib/cmake/spattn/spattnConfigVersion.cmake include/spattn/runtime.h \
         include/spattn/spattn.hpp include/spattn/runtime_internal.hpp \
         include/spattn/library_abi.hpp include/spattn/internal/HalideRuntime.h \
         include/spattn/internal/core/TileRangeAlgebra.h \
         include/spattn/internal/targets/cpu/libsupport/CpuKernels.hpp; do
  [ -e "$prefix/$f" ] || fail "the install lacks $f"
done

# spattn itself needs the CUDA toolkit, so the CUDA path must build here
# (WINDOW_SINKS_APP_CUDA=ON: an error rather than a quiet cpu-only app).
step "configure $app against it"
"$cmake" -S "$app" -B "$app_build" -G "$generator" -DCMAKE_MAKE_PROGRAM="$make_program" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DWINDOW_SINKS_APP_CUDA=ON ||
  fail "configuring the example app"
found=$(sed -n 's/^spattn_DIR:PATH=//p' "$app_build/CMakeCache.txt")
[ "$found" = "$prefix/lib/cmake/spattn" ] ||
  fail "find_package(spattn) found '$found', not $prefix/lib/cmake/spattn"

step "build (runs the installed spattn-compile --target=cpu,cuda)"
"$cmake" --build "$app_build" --verbose || fail "building the example app"

# lib<name>.a users get CUDA's static runtime from the package, and
# lib<name>.so holds its own: no program may need libcudart.so.
for exe in window_sinks_app window_sinks_app_shared window_sinks_app_cuda; do
  if readelf -d "$app_build/$exe" | grep -q 'NEEDED.*libcudart'; then
    fail "$exe needs libcudart.so"
  fi
done

for exe in window_sinks_app window_sinks_app_shared window_sinks_app_cuda; do
  step "run $exe"
  "$app_build/$exe" || fail "$exe"
done

rm -rf "$work"
echo "PASS"
