"""numpy arrays and torch tensors as spattn_tensor descriptors. torch is
imported only when a tensor is seen, so the package works without it."""
import sys

import numpy as np

from . import _capi

_NUMPY_DTYPES = {np.dtype(np.float32): _capi.F32, np.dtype(np.float16): _capi.F16}


def is_torch(x):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


class Described:
    """A descriptor and the array it points into (kept alive with it)."""
    __slots__ = ("tensor", "array")

    def __init__(self, tensor, array):
        self.tensor, self.array = tensor, array


def _torch_dtypes():
    import torch
    return {torch.float32: _capi.F32, torch.float16: _capi.F16,
            torch.bfloat16: _capi.BF16}


def _batched(x, role):
    """[B, H, L, D] as is, [H, L, D] as a batch of one (LSE: [B, H, L] and
    [H, L])."""
    rank = 3 if role == "lse" else 4
    if x.ndim == rank - 1:
        return x[None]
    if x.ndim != rank:
        shape = "[B, H, L]" if role == "lse" else "[B, H, L, D] or [H, L, D]"
        raise ValueError(f"{role} must be {shape}; got shape {tuple(x.shape)}")
    return x


def describe(x, role):
    """The descriptor of `x` (role: "q", "k", "v", "o", "lse" for messages).
    Inputs whose strides the C API cannot read (innermost stride not 1,
    negative or byte-misaligned strides) are copied to contiguous memory;
    outputs are always made here, contiguous."""
    if is_torch(x):
        return _describe_torch(_batched(x, role), role)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{role} must be a numpy array or a torch tensor; got "
                        f"{type(x).__name__}")
    return _describe_numpy(_batched(x, role), role)


def _describe_numpy(a, role):
    code = _NUMPY_DTYPES.get(a.dtype)
    if code is None:
        raise TypeError(f"{role}: numpy dtype {a.dtype} is not one spattn takes "
                        "(float32, float16)")
    size = a.itemsize
    if any(s < 0 or s % size for s in a.strides) or (a.shape[-1] > 1 and a.strides[-1] != size):
        a = np.ascontiguousarray(a)
    strides = [s // size for s in a.strides]
    return Described(_capi.tensor(a.ctypes.data, code, a.shape, strides), a)


def _describe_torch(t, role):
    code = _torch_dtypes().get(t.dtype)
    if code is None:
        raise TypeError(f"{role}: torch dtype {t.dtype} is not one spattn takes "
                        "(float32, float16, bfloat16)")
    if t.stride(-1) != 1 and t.shape[-1] > 1:
        t = t.contiguous()
    if t.is_cuda:
        memory, device = _capi.MEMORY_CUDA, t.device.index
    elif t.device.type == "cpu":
        memory, device = _capi.MEMORY_HOST, 0
    else:
        raise ValueError(f"{role}: tensors on {t.device} are not served (cpu, cuda)")
    return Described(_capi.tensor(t.data_ptr(), code, t.shape, t.stride(), memory,
                                  device), t)


def new_outputs(q):
    """O shaped and typed like the (batched) Q, and float32 LSE [B, H, Lq],
    of the same kind and device."""
    a = q.array
    if is_torch(a):
        import torch
        return (torch.empty(a.shape, dtype=a.dtype, device=a.device),
                torch.empty(a.shape[:-1], dtype=torch.float32, device=a.device))
    return np.empty(a.shape, a.dtype), np.empty(a.shape[:-1], np.float32)
