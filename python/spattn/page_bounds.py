"""PageBounds: the page bounds of a KV cache that a caller keeps between
decode steps of a library with `pages` stages (Quest), so that a step reads
the bounds and the K/V of the pages it selects instead of all of K
(docs/cpu-backend.md, "Decode with page bounds kept by the caller")."""
import ctypes
import sys

from . import _capi
from ._arrays import describe, is_torch


class PageBounds:
    """Per pages stage of `library`, bounds [B, Hkv, P, 2 * D] in K's
    memory (numpy arrays for numpy K, tensors on K's device for tensors),
    float32 or K's dtype (host only): row p of (b, kv head) holds the
    per-dimension minimum of keys [p * page, (p + 1) * page), then their
    maximum. P covers `capacity` keys. Made by Library.page_bounds; passed
    to Library.attention(..., page_bounds=...)."""

    def __init__(self, library, arrays):
        """`arrays`: {stage: array or tensor} for every pages stage."""
        self.library = library
        self.arrays = dict(arrays)
        num_stages = len(library.stage_kinds)
        # The descriptors and the C array of num_stages entries (null for
        # other stages) are packed once: a decode step passes them as they are.
        self._described = {s: _described_in_place(a) for s, a in self.arrays.items()}
        self._buffer = ctypes.create_string_buffer(_capi.TENSOR.size * max(1, num_stages))
        self._pointers = (ctypes.c_void_p * max(1, num_stages))()
        base = ctypes.addressof(self._buffer)
        for stage, d in self._described.items():
            _capi.TENSOR.pack_into(self._buffer, stage * _capi.TENSOR.size, *d.fields)
            self._pointers[stage] = base + stage * _capi.TENSOR.size

    @property
    def memory(self):
        """_capi.MEMORY_HOST or _capi.MEMORY_CUDA."""
        return next(iter(self._described.values())).fields[-2]

    @property
    def capacity(self):
        """The longest K these bounds hold pages for."""
        return min(a.shape[2] * self.library.page_sizes[s] for s, a in self.arrays.items())

    def update(self, k, first_key=0):
        """Recomputes, for every pages stage, the rows of the pages holding
        keys first_key .. Lk - 1 of K (Lk: K's length; K in the memory of
        the bounds, in a dtype the library takes). After appending keys to
        the cache, pass the first new one; 0 recomputes every page. On
        CUDA, runs on torch's current stream."""
        if _compiling(k):
            from . import torch_ops
            torch_ops.update_page_bounds(self, k, first_key)
            return self
        entry = self.library._entry
        kd = describe(k, "k")
        block = _capi.argument_block()
        k_address = block.pack(1, kd.fields)
        cuda = self.memory == _capi.MEMORY_CUDA
        if cuda:
            if entry.update_page_bounds_cuda is None:
                raise _capi.SpattnError(_capi.ERROR_ARGUMENT,
                                        f"{self.library.name}: built without the cuda target")
            import torch
            stream = torch.cuda.current_stream(kd.array.device).cuda_stream
        for stage in self.arrays:
            bounds = self._pointers[stage]
            if cuda:
                entry.check(entry.update_page_bounds_cuda(k_address, first_key, stage,
                                                          bounds, stream))
            else:
                entry.check(entry.update_page_bounds(k_address, first_key, stage, bounds))
        return self


def _described_in_place(bounds):
    """The Described of caller-given bounds, which the library must write in
    place: describe() would read a view it cannot take through a copy."""
    d = describe(bounds, "page bounds")
    address = bounds.ctypes.data if hasattr(bounds, "ctypes") else bounds.data_ptr()
    if bounds.ndim != 4 or d.fields[0] != address:
        raise ValueError("page bounds must be [B, Hkv, P, 2 * D] with the innermost "
                         f"stride 1; got shape {tuple(bounds.shape)}")
    return d


def _compiling(k):
    """Whether torch.compile is tracing this call (on tensors)."""
    return is_torch(k) and sys.modules["torch"].compiler.is_compiling()
