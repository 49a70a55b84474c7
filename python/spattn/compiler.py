"""spattn.compile: a spec (a file or MLIR text) to a loaded Library, through
spattn-compile. Compiled libraries are cached by the spec's text, the
targets and the toolchain's files (compiler, runtime and support archives),
so a second compile of the same spec is a load."""
import glob
import hashlib
import os
import re
import subprocess
import tempfile

from .library import Library, load
from .tools import find_tool


class CompileError(RuntimeError):
    """spattn-compile refused the spec; the message holds its located
    diagnostics."""


def _spec_text(spec):
    if "spattn.spec" in spec:
        return spec, None
    if not os.path.exists(spec):
        raise FileNotFoundError(f"{spec}: no such spec file (nor MLIR text "
                                "holding a spattn.spec)")
    with open(spec) as f:
        return f.read(), spec


def _spec_name(text):
    found = re.search(r"spattn\.spec\s+@([A-Za-z_][\w$.]*)", text)
    return found.group(1) if found else None


def _toolchain_files(compiler):
    """The compiler and what it links into every library (runtime and
    support archives, the CPU kernel generator), in a build tree
    (build/compiler/spattn-compile/spattn-compile) or an installed prefix
    (prefix/bin/spattn-compile): a library is stale once any changes."""
    files = [compiler]
    for root in (os.path.dirname(os.path.dirname(os.path.dirname(compiler))),
                 os.path.dirname(os.path.dirname(compiler))):
        for pattern in ("runtime/libspattn_*.a", "core/libspattn_*.a",
                        "targets/*/libsupport/libspattn_*.a", "targets/cpu/halide/spattn-cpu-gen",
                        "lib/spattn/libspattn_*.a", "libexec/spattn/*"):
            files += sorted(glob.glob(os.path.join(root, pattern)))
    return files


def _cache_dir(text, targets, compiler):
    key = hashlib.sha256()
    key.update(text.encode() + b"\0" + ",".join(targets).encode() + b"\0")
    for path in _toolchain_files(compiler):
        stat = os.stat(path)
        key.update(f"{path} {stat.st_mtime_ns} {stat.st_size}\0".encode())
    root = os.environ.get("SPATTN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "spattn")
    return os.path.join(root, key.hexdigest()[:24])


def compile(spec, targets=("cpu",), out_dir=None, *, compiler=None):  # noqa: A001
    """Compiles `spec` (a path, or MLIR text holding one spattn.spec) for
    `targets` ("cpu", "cuda") into out_dir (default: a cache folder under
    ~/.cache/spattn, SPATTN_CACHE_DIR to change) and loads the library.
    Raises CompileError with spattn-compile's diagnostics."""
    if isinstance(targets, str):
        targets = (targets,)
    compiler = compiler or find_tool("spattn-compile")
    text, path = _spec_text(os.fspath(spec))
    if out_dir is None:
        out_dir = _cache_dir(text, targets, compiler)
        if os.path.exists(os.path.join(out_dir, "done")):
            return load(out_dir, _spec_name(text))
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        if path is None:
            path = os.path.join(scratch, "spec.mlir")
            with open(path, "w") as f:
                f.write(text)
        command = [compiler, path, "--target=" + ",".join(targets), "-o", out_dir]
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise CompileError(f"spattn-compile failed (exit {done.returncode}):\n"
                           + done.stderr.strip())
    open(os.path.join(out_dir, "done"), "w").close()
    return load(out_dir, _spec_name(text))


__all__ = ["compile", "CompileError", "Library"]
