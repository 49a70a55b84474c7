"""Library: one compiled spec (lib<name>.so) loaded with ctypes, called on
numpy arrays or torch tensors."""
import ctypes
import glob
import os
from dataclasses import dataclass

import numpy as np

from . import _capi
from ._capi import SpattnError
from ._arrays import Described, describe, is_torch, new_outputs


@dataclass(frozen=True)
class Selection:
    """What one content-based stage kept for one (batch element, query
    head): groups of sorted indices in CSR form, as spattn_selection.
    kind "blocks": one group of key blocks per query block, the first being
    query block `first_group`; "pages": one group of pages per query row;
    "vertical_slash": group 0 the key columns, group 1 the diagonal offsets
    p(i) - j. offsets and indices are int64 (numpy arrays, or CPU tensors
    when the inputs were tensors)."""
    kind: str
    first_group: int
    offsets: object
    indices: object

    def groups(self):
        """The groups as a list of index arrays."""
        return [self.indices[self.offsets[g]:self.offsets[g + 1]]
                for g in range(len(self.offsets) - 1)]


class Library:
    """A spattn library. Its shape (head_dim, num_q_heads, num_kv_heads,
    causal, scale), buckets (the largest Lk of each), targets, budget labels
    and selection stages are read from the library itself."""

    def __init__(self, path, name):
        self.path = os.path.abspath(path)
        self._entry = entry = _capi.Entry(self.path, name)
        info = entry.info().contents
        self.name = info.name.decode()
        self.head_dim = info.head_dim
        self.num_q_heads, self.num_kv_heads = info.num_q_heads, info.num_kv_heads
        self.causal, self.scale = bool(info.causal), info.scale
        self.buckets = tuple(info.bucket_upper_bounds[b] for b in range(info.num_buckets))
        self.targets = tuple(info.target_names[t].decode() for t in range(info.num_targets))
        # memory -> dtypes the target serving that memory takes
        self._dtypes = {}
        for t in range(info.num_targets):
            bits = info.target_dtypes[t]
            self._dtypes.setdefault(info.target_memories[t], tuple(
                name for code, name in _capi.DTYPE_NAMES.items() if bits >> code & 1))
        self.budget_labels = tuple(entry.budget_label(b).decode()
                                   for b in range(entry.num_budgets()))
        self.stage_kinds = tuple(entry.stage_kind(s).decode()
                                 for s in range(entry.num_stages()))
        self._id = _register(self)

    def __repr__(self):
        return (f"<spattn.Library {self.name}: head_dim {self.head_dim}, heads "
                f"{self.num_q_heads}q/{self.num_kv_heads}kv"
                f"{', causal' if self.causal else ''}, buckets {list(self.buckets)}, "
                f"targets {','.join(self.targets)}>")

    @property
    def max_length(self):
        """The longest key length served."""
        return self.buckets[-1]

    @property
    def cpu_isa(self):
        """The instruction set the CPU kernels run with ("avx512", ...), or
        None for a library without a cpu target."""
        return self._entry.cpu_isa().decode() if self._entry.cpu_isa else None

    def dtypes(self, device="cpu"):
        """The element types the target serving `device` ("cpu" or "cuda")
        takes, e.g. ("float32",)."""
        memory = _capi.MEMORY_CUDA if str(device).startswith("cuda") else _capi.MEMORY_HOST
        return self._dtypes.get(memory, ())

    def budgets(self, length):
        """Every budget of the spec at key length `length`, as {label: value}
        (labels name the op and its position in the spec)."""
        values = (ctypes.c_int64 * max(1, len(self.budget_labels)))()
        self._entry.check(self._entry.budgets(length, values, len(self.budget_labels)))
        return {label: values[b] for b, label in enumerate(self.budget_labels)}

    def attention(self, q, k, v, *, return_lse=False, num_threads=0):
        """O = attention(Q, K, V) under the spec's pattern. Q is [B, Hq, Lq, D]
        (or [Hq, Lq, D]), K and V [B, Hkv, Lk, D]; queries are the last Lq
        of the Lk positions. numpy arrays give numpy results; torch tensors
        go through the torch.ops.spattn.attention operator (torch.compile,
        CUDA streams and graphs). With return_lse, also the float32
        log-sum-exp [B, Hq, Lq] of each row's kept scores."""
        if is_torch(q):
            from . import torch_ops
            o, lse = torch_ops.attention(q, k, v, self, num_threads)
        else:
            o, lse = self._run(q, k, v, num_threads)
        return (o, lse) if return_lse else o

    def _run(self, q, k, v, num_threads=0, stream=None):
        """One call: (O, LSE) in the kind of q's array. Rank-3 inputs get a
        batch of one, which the results drop again."""
        inputs = [describe(x, role) for x, role in ((q, "q"), (k, "k"), (v, "v"))]
        unbatched = q.ndim == 3
        o, lse = new_outputs(inputs[0])
        outputs = [describe(o, "o"), describe(lse, "lse")]
        descriptors = [ctypes.byref(d.tensor) for d in inputs + outputs]
        options = _capi.Options(num_threads)
        if inputs[0].tensor.memory == _capi.MEMORY_CUDA:
            self._run_cuda(inputs, descriptors, options, stream)
        else:
            self._entry.check(self._entry.attention(*descriptors, ctypes.byref(options)))
        o, lse = outputs[0].array, outputs[1].array
        return (o[0], lse[0]) if unbatched else (o, lse)

    def _run_cuda(self, inputs, descriptors, options, stream):
        entry = self._entry
        if entry.attention_cuda is None:
            raise SpattnError(6, f"{self.name}: built for {','.join(self.targets)}, "
                                 "not cuda; compile it with targets=('cpu', 'cuda')")
        import torch
        device = inputs[0].array.device
        if stream is None:
            stream = torch.cuda.current_stream(device).cuda_stream
        size = ctypes.c_size_t(0)
        entry.check(entry.workspace_size(descriptors[0], descriptors[1], ctypes.byref(size)))
        # From torch's caching allocator, in stream order and graph-safe.
        workspace = (torch.empty(size.value, dtype=torch.uint8, device=device)
                     if size.value else None)
        entry.check(entry.attention_cuda(
            *descriptors, ctypes.byref(options), stream,
            workspace.data_ptr() if workspace is not None else None, size.value))

    def selections(self, q, k):
        """What every content-based stage kept, for every (batch element,
        query head) of this call: result[stage][b][h] is a Selection, or
        None where the stage does not serve head h (per_head specs)."""
        qd, kd = describe(q, "q"), describe(k, "k")
        unbatched = q.ndim == 3
        batch, heads = (1, q.shape[0]) if unbatched else (q.shape[0], q.shape[1])
        on_device = qd.tensor.memory == _capi.MEMORY_CUDA
        select = self._entry.selection_cuda if on_device else self._entry.selection
        if select is None:
            raise SpattnError(6, f"{self.name}: built without the cuda target")
        result = []
        for stage in range(len(self.stage_kinds)):
            per_batch = []
            for b in range(batch):
                row = []
                for h in range(heads):
                    out = _capi.Selection()
                    status = select(ctypes.byref(qd.tensor), ctypes.byref(kd.tensor),
                                    b, h, stage, ctypes.byref(out))
                    if status == 6 and b"does not serve" in self._entry.last_error():
                        row.append(None)
                        continue
                    self._entry.check(status)
                    row.append(_copy_selection(out, as_torch=is_torch(q)))
                per_batch.append(row)
            result.append(per_batch[0] if unbatched else per_batch)
        return result


def _copy_selection(out, as_torch):
    """A Selection owning copies of the library's arrays (which live only
    until this thread's next call)."""
    groups = out.num_groups
    offsets = np.ctypeslib.as_array(out.offsets, shape=(groups + 1,)).copy()
    count = int(offsets[-1])
    indices = (np.ctypeslib.as_array(out.indices, shape=(count,)).copy()
               if count else np.zeros(0, np.int64))
    if as_torch:
        import torch
        offsets, indices = torch.from_numpy(offsets), torch.from_numpy(indices)
    return Selection(_capi.SELECTION_KINDS[out.kind], out.first_group, offsets, indices)


_LIBRARIES = []


def _register(library):
    """An integer naming `library` for torch.ops.spattn.attention, whose
    schema takes no Python objects. Libraries stay loaded for the process
    (ctypes never unloads them either)."""
    _LIBRARIES.append(library)
    return len(_LIBRARIES) - 1


def registered(library_id):
    return _LIBRARIES[library_id]


def load(path, name=None):
    """Opens a compiled library: lib<name>.so, or the folder holding it
    (`name` picks one when the folder holds several)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        pattern = f"lib{name}.so" if name else "lib*.so"
        found = sorted(glob.glob(os.path.join(path, pattern)))
        if len(found) != 1:
            raise FileNotFoundError(
                f"{path}: {'no' if not found else len(found)} libraries matching "
                f"{pattern}" + ("; pass name=" if len(found) > 1 else ""))
        path = found[0]
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such library")
    base = os.path.basename(path)
    if name is None:
        if not (base.startswith("lib") and base.endswith(".so")):
            raise ValueError(f"{path}: expected lib<name>.so, or pass name=")
        name = base[3:-3]
    return Library(path, name)
