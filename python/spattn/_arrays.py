"""numpy arrays and torch tensors as spattn_tensor fields. torch is
imported only when a tensor is seen, so the package works without it.
This is the per-call path: it avoids building Python objects it can skip."""
import sys

import numpy as np

from . import _capi

_NUMPY_DTYPES = {np.dtype(np.float32): _capi.F32, np.dtype(np.float16): _capi.F16}
_TORCH_DTYPES = None  # {torch dtype: code}, filled when torch is first seen


def is_torch(x):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


class Described:
    """The fields of a spattn_tensor (_capi.TENSOR order) and the array they
    point into, kept alive with them. `array` is rank 4 (or 3 for LSE): a
    batch of one is added to unbatched inputs."""
    __slots__ = ("fields", "array")

    def __init__(self, fields, array):
        self.fields, self.array = fields, array


def _rank_checked(x, role):
    """x's rank is the role's, or one less (no batch): returns whether the
    batch of one must be added."""
    rank = 3 if role == "lse" else 4
    if x.ndim == rank:
        return False
    if x.ndim == rank - 1:
        return True
    shape = "[B, H, L]" if role == "lse" else "[B, H, L, D] or [H, L, D]"
    raise ValueError(f"{role} must be {shape}; got shape {tuple(x.shape)}")


def describe(x, role):
    """The Described of `x` (role: "q", "k", "v", "o", "lse" for messages).
    Inputs whose strides the C API cannot read (innermost stride not 1,
    negative or misaligned strides) are copied to contiguous memory."""
    if isinstance(x, np.ndarray):
        return _describe_numpy(x, role)
    if is_torch(x):
        return _describe_torch(x, role)
    raise TypeError(f"{role} must be a numpy array or a torch tensor; got "
                    f"{type(x).__name__}")


def tensor_fields(data, code, shape, strides, memory, device):
    """The _capi.TENSOR fields of a rank 4 or 3 tensor (element strides)."""
    if len(shape) == 3:  # rank 3 (LSE) pads the fourth entries
        return (data, code, 3, *shape, 0, *strides, 0, memory, device)
    return (data, code, 4, *shape, *strides, memory, device)


def _describe_numpy(a, role):
    code = _NUMPY_DTYPES.get(a.dtype)
    if code is None:
        raise TypeError(f"{role}: numpy dtype {a.dtype} is not one spattn takes "
                        "(float32, float16)")
    if a.ndim != 4 and _rank_checked(a, role):
        a = a[None]
    size, strides = a.itemsize, a.strides
    if (strides[-1] != size and a.shape[-1] > 1 or min(strides) < 0
            or any(s % size for s in strides)):
        a = np.ascontiguousarray(a)
        strides = a.strides
    return Described(tensor_fields(a.ctypes.data, code, a.shape, [s // size for s in strides],
                             _capi.MEMORY_HOST, 0), a)


def _describe_torch(t, role):
    global _TORCH_DTYPES
    if _TORCH_DTYPES is None:
        import torch
        _TORCH_DTYPES = {torch.float32: _capi.F32, torch.float16: _capi.F16,
                         torch.bfloat16: _capi.BF16}
    code = _TORCH_DTYPES.get(t.dtype)
    if code is None:
        raise TypeError(f"{role}: torch dtype {t.dtype} is not one spattn takes "
                        "(float32, float16, bfloat16)")
    if _rank_checked(t, role):
        t = t[None]
    if t.stride(-1) != 1 and t.shape[-1] > 1:
        t = t.contiguous()
    device = t.device
    if device.type == "cpu":
        memory, index = _capi.MEMORY_HOST, 0
    elif device.type == "cuda":
        memory, index = _capi.MEMORY_CUDA, device.index
    else:
        raise ValueError(f"{role}: tensors on {device} are not served (cpu, cuda)")
    return Described(tensor_fields(t.data_ptr(), code, t.shape, t.stride(), memory, index), t)


def _contiguous_strides(shape):
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return strides[::-1]


def new_outputs(q, with_lse=True):
    """Described O shaped and typed like the (batched) Q, and float32 LSE
    [B, H, Lq] (None without with_lse), fresh and contiguous, of the same
    kind and device."""
    a, fields = q.array, q.fields
    code, memory, device = fields[1], fields[-2], fields[-1]
    if isinstance(a, np.ndarray):
        o = np.empty(a.shape, a.dtype)
        lse = np.empty(a.shape[:-1], np.float32) if with_lse else None
        address = lambda x: x.ctypes.data  # noqa: E731
    else:
        import torch
        o = torch.empty(a.shape, dtype=a.dtype, device=a.device)
        lse = (torch.empty(a.shape[:-1], dtype=torch.float32, device=a.device)
               if with_lse else None)
        address = lambda x: x.data_ptr()  # noqa: E731
    described_o = Described(tensor_fields(address(o), code, o.shape,
                                    _contiguous_strides(o.shape), memory, device), o)
    if lse is None:
        return described_o, None
    return described_o, Described(tensor_fields(address(lse), _capi.F32, lse.shape,
                                          _contiguous_strides(lse.shape), memory, device), lse)
