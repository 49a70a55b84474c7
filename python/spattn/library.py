"""Library: one compiled spec (lib<name>.so) loaded with ctypes, called on
numpy arrays or torch tensors."""
import ctypes
import glob
import os
from dataclasses import dataclass

import numpy as np

from . import _capi
from ._capi import SpattnError
from ._arrays import describe, is_torch, new_outputs
from .page_bounds import PageBounds


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
    causal, scale), buckets (the largest Lk of each), targets, budget labels,
    selection stages and request parameters are read from the library
    itself.

    A spec with request parameters (`request_parameters`: {name: (min,
    max)}, in declaration order) needs their values in every call:
    `request={"quality": 3}` (or a sequence in declaration order)."""

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
        # stage -> page size, for the pages stages
        self.page_sizes = {s: entry.page_size(s) for s, kind in enumerate(self.stage_kinds)
                           if kind == "pages"}
        self.request_parameters = {
            info.request_names[k].decode(): (info.request_min[k], info.request_max[k])
            for k in range(info.num_request)}
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

    def request_values(self, request):
        """`request` ({name: value}, a sequence in declaration order, or None
        for a spec without request parameters) as a tuple in declaration
        order; the library checks the ranges."""
        if request is None and not self.request_parameters:
            return ()  # the common case, on every call: keep it cheap
        names = tuple(self.request_parameters)
        if request is None:
            request = ()
        if isinstance(request, dict):
            unknown = sorted(set(request) - set(names))
            missing = [n for n in names if n not in request]
            if unknown or missing:
                raise ValueError(
                    f"{self.name}: request parameters are {list(names)}"
                    + (f"; unknown {unknown}" if unknown else "")
                    + (f"; missing {missing}" if missing else ""))
            request = [request[n] for n in names]
        values = tuple(int(x) for x in request)
        if len(values) != len(names):
            raise ValueError(f"{self.name}: takes {len(names)} request values "
                             f"{list(names)}, got {len(values)}")
        return values

    def budgets(self, length, request=None):
        """Every budget of the spec at key length `length` (and `request`),
        as {label: value} (labels name the op and its position in the
        spec)."""
        values = (ctypes.c_int64 * max(1, len(self.budget_labels)))()
        options = _capi.argument_block().options(0, self.request_values(request))
        self._entry.check(self._entry.budgets(length, options, values,
                                              len(self.budget_labels)))
        return {label: values[b] for b, label in enumerate(self.budget_labels)}

    def page_bounds(self, k, capacity=None, dtype=None):
        """PageBounds for decode steps on the KV cache K ([B, Hkv, Lk, D] or
        [Hkv, Lk, D]), computed from K, in K's kind of array and memory,
        with room for `capacity` keys (default: the library's max_length;
        2 * D values per page, kv head and batch element). `dtype`: float32
        or K's own dtype, exact either way (the bounds are K's values); by
        default K's dtype on the host, where a 16-bit cache's bounds then
        take half the memory, and float32 on CUDA, whose kernels read only
        float32 bounds. Each step appends to the cache, calls
        bounds.update(k, first_new_key) and passes page_bounds=bounds to
        attention()."""
        if not self.page_sizes:
            raise ValueError(f"{self.name}: no pages stage, so no page bounds "
                             f"(stages: {list(self.stage_kinds) or 'none'})")
        kd = describe(k, "k")
        batch, heads, length = kd.array.shape[:3]
        capacity = self.max_length if capacity is None else int(capacity)
        if capacity < length:
            raise ValueError(f"{self.name}: capacity {capacity} is below K's length {length}")
        arrays = {}
        for stage, page in self.page_sizes.items():
            shape = (batch, heads, -(-capacity // page), 2 * self.head_dim)
            if isinstance(kd.array, np.ndarray):
                arrays[stage] = np.zeros(shape, kd.array.dtype if dtype is None else dtype)
            else:
                import torch
                if dtype is None:
                    dtype = torch.float32 if kd.array.is_cuda else kd.array.dtype
                arrays[stage] = torch.zeros(shape, dtype=dtype, device=kd.array.device)
        return PageBounds(self, arrays).update(k, 0)

    def attention(self, q, k, v, *, return_lse=False, num_threads=0, request=None,
                  page_bounds=None):
        """O = attention(Q, K, V) under the spec's pattern. Q is [B, Hq, Lq, D]
        (or [Hq, Lq, D]), K and V [B, Hkv, Lk, D]; queries are the last Lq
        of the Lk positions. numpy arrays give numpy results; torch tensors
        give tensors, and under torch.compile go through the operator
        torch.ops.spattn.attention; on CUDA the call runs on the current
        stream. With return_lse, also the float32 log-sum-exp [B, Hq, Lq] of
        each row's kept scores. num_threads: the most CPU worker threads
        this call uses, 0 for all (one per core). request: the request
        parameter values (see the class). page_bounds: the PageBounds the
        caller keeps for K (page_bounds()), current for K's keys: the pages
        stages read them instead of computing them from K (same results)."""
        values = self.request_values(request)
        self._check_page_bounds(page_bounds)
        if is_torch(q):
            from . import torch_ops
            o, lse = torch_ops.attention(q, k, v, self, num_threads, return_lse, values,
                                         page_bounds)
        else:
            o, lse = self._run(q, k, v, num_threads, return_lse, request=values,
                               page_bounds=page_bounds)
        return (o, lse) if return_lse else o

    def prepare(self, q, k, v, *, num_threads=0, request=None, page_bounds=None):
        """A call bound to these host inputs and one output buffer, for
        loops that time or repeat it: call() runs the C API only (nothing
        described or allocated again) and returns O, the same array every
        time. Host memory only."""
        inputs = [describe(x, role) for x, role in ((q, "q"), (k, "k"), (v, "v"))]
        if inputs[0].fields[-2] != _capi.MEMORY_HOST:
            raise ValueError("prepare() takes host arrays; call attention() on device tensors")
        o, _ = new_outputs(inputs[0], with_lse=False)
        block = _capi.ArgumentBlock()  # its own: the thread's is reused by other calls
        args = [block.pack(slot, d.fields) for slot, d in enumerate(inputs + [o])]
        args += [None, block.options(num_threads, self.request_values(request))]
        self._check_page_bounds(page_bounds, _capi.MEMORY_HOST)
        attention, args = self._host_function(args, page_bounds)
        check = self._entry.check
        result = o.array[0] if q.ndim == 3 else o.array

        def call():
            check(attention(*args))
            return result
        call.keep = (inputs, block, page_bounds)  # alive as long as the call
        return call

    def _check_page_bounds(self, page_bounds, memory=None):
        """page_bounds is None, or this library's PageBounds (in `memory`
        when given)."""
        if page_bounds is None:
            return
        if not isinstance(page_bounds, PageBounds) or page_bounds.library is not self:
            raise TypeError(f"{self.name}: page_bounds must be this library's PageBounds "
                            f"(Library.page_bounds); got {type(page_bounds).__name__}")
        if memory is not None and page_bounds.memory != memory:
            where = "host" if memory == _capi.MEMORY_HOST else "device"
            raise ValueError(f"{self.name}: the inputs are in {where} memory, "
                             "the page bounds are not")

    def _host_function(self, args, page_bounds):
        """The host entry point of a call with the arguments `args` of
        <name>_attention, and its arguments: <name>_attention_with_page_bounds
        when page bounds are given."""
        if page_bounds is None:
            return self._entry.attention, args
        return (self._entry.attention_with_page_bounds,
                args[:5] + [page_bounds._pointers] + args[5:])

    def _run(self, q, k, v, num_threads=0, with_lse=True, stream=None, request=(),
             page_bounds=None):
        """One call: (O, LSE or None) in the kind of q's array. Unbatched
        inputs get a batch of one, which the results drop again. `request`:
        the values in declaration order (request_values); `page_bounds`: a
        PageBounds (checked by the caller) or None."""
        qd, kd, vd = describe(q, "q"), describe(k, "k"), describe(v, "v")
        od, lsed = new_outputs(qd, with_lse)
        block = _capi.argument_block()
        args = [block.pack(0, qd.fields), block.pack(1, kd.fields),
                block.pack(2, vd.fields), block.pack(3, od.fields),
                block.pack(4, lsed.fields) if with_lse else None,
                block.options(num_threads, request)]
        self._check_page_bounds(page_bounds, qd.fields[-2])
        if qd.fields[-2] == _capi.MEMORY_CUDA:
            self._run_cuda(qd.array.device, args, stream, page_bounds)
        else:
            function, args = self._host_function(args, page_bounds)
            self._entry.check(function(*args))
        o, lse = od.array, (lsed.array if with_lse else None)
        if q.ndim == 3:
            return o[0], (lse[0] if with_lse else None)
        return o, lse

    def _run_cuda(self, device, args, stream, page_bounds=None):
        entry = self._entry
        if entry.attention_cuda is None:
            raise SpattnError(_capi.ERROR_ARGUMENT, f"{self.name}: built for {','.join(self.targets)}, "
                                 "not cuda; compile it with targets=('cpu', 'cuda')")
        import torch
        if stream is None:
            stream = torch.cuda.current_stream(device).cuda_stream
        size = ctypes.c_size_t(0)
        entry.check(entry.workspace_size(args[0], args[1], args[5], ctypes.byref(size)))
        # From torch's caching allocator, in stream order and graph-safe.
        workspace = (torch.empty(size.value, dtype=torch.uint8, device=device)
                     if size.value else None)
        space = (stream, workspace.data_ptr() if workspace is not None else None, size.value)
        if page_bounds is None:
            entry.check(entry.attention_cuda(*args, *space))
        else:
            entry.check(entry.attention_with_page_bounds_cuda(
                *args[:5], page_bounds._pointers, args[5], *space))

    def selections(self, q, k, request=None):
        """What every content-based stage kept, for every (batch element,
        query head) of this call (under `request`): result[stage][b][h] is a
        Selection, or None where the stage does not serve head h (per_head
        specs). Unbatched inputs give result[stage][h]."""
        qd, kd = describe(q, "q"), describe(k, "k")
        batch, heads = qd.array.shape[0], qd.array.shape[1]
        on_device = qd.fields[-2] == _capi.MEMORY_CUDA
        select = self._entry.selection_cuda if on_device else self._entry.selection
        if select is None:
            raise SpattnError(_capi.ERROR_ARGUMENT, f"{self.name}: built without the cuda target")
        block = _capi.argument_block()
        q_address, k_address = block.pack(0, qd.fields), block.pack(1, kd.fields)
        options = block.options(0, self.request_values(request))
        result = []
        for stage in range(len(self.stage_kinds)):
            per_batch = []
            for b in range(batch):
                row = []
                for h in range(heads):
                    out = _capi.Selection()
                    status = select(q_address, k_address, b, h, stage, options,
                                    ctypes.byref(out))
                    # The C API says "does not serve" only in its message.
                    if (status == _capi.ERROR_ARGUMENT
                            and b"does not serve" in self._entry.last_error()):
                        row.append(None)  # a per_head stage serving other heads
                        continue
                    self._entry.check(status)
                    row.append(_copy_selection(out, as_torch=not isinstance(q, np.ndarray)))
                per_batch.append(row)
            result.append(per_batch[0] if q.ndim == 3 else per_batch)
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
