"""The C types of spattn/runtime.h, as ctypes sees them, and the entry
points of one loaded library. Nothing here knows numpy or torch."""
import ctypes
import os
import struct
import threading

F32, F16, BF16 = 0, 1, 2
DTYPE_NAMES = {F32: "float32", F16: "float16", BF16: "bfloat16"}
MEMORY_HOST, MEMORY_CUDA = 0, 1
SELECTION_KINDS = {0: "blocks", 1: "pages", 2: "vertical_slash"}

ERROR_ARGUMENT = 6  # SPATTN_ERROR_ARGUMENT
STATUS_NAMES = {
    0: "ok", 1: "null pointer", 2: "shape", 3: "stride", 4: "dtype",
    5: "length", 6: "argument", 7: "memory", 8: "internal",
}


class Selection(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("first_group", ctypes.c_int64),
                ("num_groups", ctypes.c_int64),
                ("offsets", ctypes.POINTER(ctypes.c_int64)),
                ("indices", ctypes.POINTER(ctypes.c_int64))]


class LibraryInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("head_dim", ctypes.c_int64),
                ("num_q_heads", ctypes.c_int64), ("num_kv_heads", ctypes.c_int64),
                ("causal", ctypes.c_int32), ("scale", ctypes.c_double),
                ("num_buckets", ctypes.c_int32),
                ("bucket_upper_bounds", ctypes.POINTER(ctypes.c_int64)),
                ("num_targets", ctypes.c_int32),
                ("target_names", ctypes.POINTER(ctypes.c_char_p)),
                ("target_dtypes", ctypes.POINTER(ctypes.c_uint32)),
                ("target_memories", ctypes.POINTER(ctypes.c_int)),
                ("num_request", ctypes.c_int32),
                ("request_names", ctypes.POINTER(ctypes.c_char_p)),
                ("request_min", ctypes.POINTER(ctypes.c_int64)),
                ("request_max", ctypes.POINTER(ctypes.c_int64))]


# spattn_tensor, packed by struct (much faster than filling a ctypes
# Structure): data, dtype and rank (C enum/int32), shape[4], strides[4],
# memory and device; 88 bytes with the int64 arrays at offset 16, as the C
# compiler lays it out.
TENSOR = struct.Struct("<qii4q4qii")
assert TENSOR.size == 88
# spattn_options: num_threads, num_request (int32), then the request pointer.
OPTIONS = struct.Struct("<iiq")


class ArgumentBlock:
    """Memory the descriptors and options of one call are packed into: one
    per thread (calls on a thread never overlap), reused call after call."""
    SLOTS = 5

    def __init__(self):
        self.buffer = ctypes.create_string_buffer(TENSOR.size * self.SLOTS + OPTIONS.size)
        base = ctypes.addressof(self.buffer)
        self.addresses = [base + slot * TENSOR.size for slot in range(self.SLOTS)]
        self.options_address = base + TENSOR.size * self.SLOTS
        self.request = (ctypes.c_int64 * 8)()

    def pack(self, slot, fields):
        """Packs descriptor fields (Described.fields) into `slot`; returns
        its address."""
        TENSOR.pack_into(self.buffer, slot * TENSOR.size, *fields)
        return self.addresses[slot]

    def options(self, num_threads, request=()):
        """The address of a spattn_options holding num_threads and the
        request values (a sequence of ints, in declaration order)."""
        if not request:
            OPTIONS.pack_into(self.buffer, TENSOR.size * self.SLOTS, num_threads, 0, 0)
            return self.options_address
        if len(request) > len(self.request):
            self.request = (ctypes.c_int64 * len(request))()
        for index, value in enumerate(request):
            self.request[index] = value
        OPTIONS.pack_into(self.buffer, TENSOR.size * self.SLOTS, num_threads,
                          len(request), ctypes.addressof(self.request))
        return self.options_address


_blocks = threading.local()


def argument_block():
    """This thread's ArgumentBlock."""
    block = getattr(_blocks, "block", None)
    if block is None:
        block = _blocks.block = ArgumentBlock()
    return block


class SpattnError(RuntimeError):
    """A call into a spattn library failed: `status` is the spattn_status,
    the message the library's <name>_last_error()."""

    def __init__(self, status, message):
        super().__init__(f"{message} (spattn status {status}: "
                         f"{STATUS_NAMES.get(status, 'unknown')})")
        self.status = status


# Descriptors and options are passed as addresses (ArgumentBlock).
_TENSOR_P = ctypes.c_void_p
_OPTIONS_P = ctypes.c_void_p
_STREAM = ctypes.c_void_p


class Entry:
    """The C API of lib<name>.so the package calls: required symbols, and
    the optional ones of cpu and cuda targets (None when absent)."""

    def __init__(self, path, name):
        # RTLD_LOCAL: every library carries its own runtime and thread pool.
        self.dll = ctypes.CDLL(os.path.abspath(path), mode=os.RTLD_NOW | os.RTLD_LOCAL)
        self.name = name
        c = ctypes
        self.attention = self._fn("attention", c.c_int, [_TENSOR_P] * 5 + [_OPTIONS_P])
        self.last_error = self._fn("last_error", c.c_char_p, [])
        self.info = self._fn("info", c.POINTER(LibraryInfo), [])
        self.num_budgets = self._fn("num_budgets", c.c_int32, [])
        self.budget_label = self._fn("budget_label", c.c_char_p, [c.c_int32])
        self.budgets = self._fn("budgets", c.c_int,
                                [c.c_int64, _OPTIONS_P, c.POINTER(c.c_int64), c.c_int32])
        self.num_stages = self._fn("num_stages", c.c_int32, [])
        self.stage_kind = self._fn("stage_kind", c.c_char_p, [c.c_int32])
        selection = [_TENSOR_P, _TENSOR_P, c.c_int64, c.c_int64, c.c_int32,
                     _OPTIONS_P, c.POINTER(Selection)]
        self.selection = self._fn("selection", c.c_int, selection)
        self.cpu_isa = self._fn("cpu_isa", c.c_char_p, [], optional=True)
        self.attention_cuda = self._fn(
            "attention_cuda", c.c_int,
            [_TENSOR_P] * 5 + [_OPTIONS_P, _STREAM, c.c_void_p, c.c_size_t],
            optional=True)
        self.workspace_size = self._fn(
            "workspace_size", c.c_int,
            [_TENSOR_P, _TENSOR_P, _OPTIONS_P, c.POINTER(c.c_size_t)],
            optional=True)
        self.selection_cuda = self._fn("selection_cuda", c.c_int, selection,
                                       optional=True)
        # Decode with page bounds kept by the caller (libraries with a pages
        # stage): on the host, and on the device with the cuda target.
        self.page_size = self._fn("page_size", c.c_int64, [c.c_int32], optional=True)
        self.update_page_bounds = self._fn(
            "update_page_bounds", c.c_int, [_TENSOR_P, c.c_int64, c.c_int32, _TENSOR_P],
            optional=True)
        self.attention_with_page_bounds = self._fn(
            "attention_with_page_bounds", c.c_int,
            [_TENSOR_P] * 5 + [c.POINTER(c.c_void_p), _OPTIONS_P], optional=True)
        self.update_page_bounds_cuda = self._fn(
            "update_page_bounds_cuda", c.c_int,
            [_TENSOR_P, c.c_int64, c.c_int32, _TENSOR_P, _STREAM], optional=True)
        self.attention_with_page_bounds_cuda = self._fn(
            "attention_with_page_bounds_cuda", c.c_int,
            [_TENSOR_P] * 5 + [c.POINTER(c.c_void_p), _OPTIONS_P, _STREAM,
                               c.c_void_p, c.c_size_t], optional=True)

    def _fn(self, suffix, restype, argtypes, optional=False):
        symbol = f"{self.name}_{suffix}"
        try:
            fn = getattr(self.dll, symbol)
        except AttributeError:
            if optional:
                return None
            raise SpattnError(ERROR_ARGUMENT, f"{self.dll._name} does not export {symbol} "
                                 f"(is it the library of spec @{self.name}, built by "
                                 "this version of spattn-compile?)") from None
        fn.restype, fn.argtypes = restype, argtypes
        return fn

    def check(self, status):
        """Raises SpattnError with the library's message for a failed status."""
        if status != 0:
            message = self.last_error().decode(errors="replace")
            raise SpattnError(status, f"{self.name}: {message}")
