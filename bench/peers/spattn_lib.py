"""A spattn CPU library (lib<name>.so) compiled from a spec and called
through its C API with ctypes, on contiguous float32 numpy arrays."""
import ctypes
import os
import re
import subprocess

import numpy as np

SPATTN_F32 = 0
SPATTN_MEMORY_HOST = 0


class Tensor(ctypes.Structure):
    """spattn_tensor of runtime.h. The enums are C ints (4 bytes); ctypes
    lays the fields out as the C compiler does: 8 + 4 + 4 + 32 + 32 + 4 + 4
    = 88 bytes with no padding (the int64 arrays start at offset 16)."""
    _fields_ = [("data", ctypes.c_void_p), ("dtype", ctypes.c_int),
                ("rank", ctypes.c_int32), ("shape", ctypes.c_int64 * 4),
                ("strides", ctypes.c_int64 * 4), ("memory", ctypes.c_int),
                ("device", ctypes.c_int32)]


class Options(ctypes.Structure):
    _fields_ = [("num_threads", ctypes.c_int32)]


assert ctypes.sizeof(Tensor) == 88 and Tensor.shape.offset == 16


def describe(array):
    """A host-memory descriptor of a float32 numpy array; strides are in
    elements, as the C API wants, not numpy's bytes."""
    if array.dtype != np.float32 or array.ndim > 4:
        raise ValueError("expected a float32 array of rank <= 4")
    t = Tensor()
    t.data, t.dtype, t.rank = array.ctypes.data, SPATTN_F32, array.ndim
    for i, (n, s) in enumerate(zip(array.shape, array.strides)):
        t.shape[i], t.strides[i] = n, s // array.itemsize
    t.memory, t.device = SPATTN_MEMORY_HOST, 0
    return t


class SpattnError(RuntimeError):
    pass


class Library:
    """The entry points of one lib<name>.so."""

    def __init__(self, folder, name):
        self.name, self.folder = name, folder
        self.dll = ctypes.CDLL(os.path.join(folder, f"lib{name}.so"))
        tp = ctypes.POINTER(Tensor)
        self._attention = getattr(self.dll, f"{name}_attention")
        self._attention.argtypes = [tp, tp, tp, tp, tp,
                                    ctypes.POINTER(Options)]
        self._attention.restype = ctypes.c_int
        self._last_error = getattr(self.dll, f"{name}_last_error")
        self._last_error.restype = ctypes.c_char_p
        # Optional: libraries before the multi-ISA kernels lack it.
        self._cpu_isa = getattr(self.dll, f"{name}_cpu_isa", None)
        if self._cpu_isa is not None:
            self._cpu_isa.restype = ctypes.c_char_p

    def cpu_isa(self):
        return self._cpu_isa().decode() if self._cpu_isa else "unknown"

    def bind(self, q, k, v, threads):
        """(call, o): call() runs one attention into o and raises
        SpattnError on a failed status. The descriptors are built here so
        that a timed call() is only the C call."""
        o = np.zeros_like(q)
        descs = [describe(a) for a in (q, k, v, o)]
        options = Options(threads)
        refs = [ctypes.byref(d) for d in descs]
        # Keep the arrays and descriptors alive as long as call is.
        keep = (q, k, v, o, descs, options)

        def call():
            status = self._attention(*refs, None, ctypes.byref(options))
            if status != 0:
                raise SpattnError(f"{self.name}_attention -> {status}: "
                                  f"{self._last_error().decode(errors='replace')}")
            return keep[3]

        return call, o


def spec_info(spec_path):
    """(name, causal) read from the spec's `spattn.spec @name attributes
    {...}` line."""
    text = open(spec_path).read()
    m = re.search(r"spattn\.spec\s+@(\w+)\s+attributes\s*\{([^}]*)\}", text)
    if not m:
        raise ValueError(f"{spec_path}: no `spattn.spec @name attributes`")
    return m.group(1), re.search(r"(^|,)\s*causal\s*(,|$)", m.group(2)) is not None


def compile_spec(compiler, spec_path, out_dir):
    """Builds lib<name>.so of the spec for the CPU into out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    cmd = [compiler, spec_path, "--target=cpu", "-o", out_dir]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return out_dir
