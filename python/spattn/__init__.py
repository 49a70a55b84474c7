"""spattn from Python: compile a sparse attention spec, or load a compiled
library, and call it on numpy arrays or torch tensors.

    import spattn
    lib = spattn.compile("examples/specs/streaming_llm.mlir")
    out = lib.attention(q, k, v)              # or spattn.sdpa(q, k, v, lib)
"""
from ._capi import SpattnError
from .compiler import CompileError, compile  # noqa: A004
from .library import Library, Selection, load
from .page_bounds import PageBounds
from .sdpa import sdpa
from .tools import find_tool

__all__ = ["compile", "load", "sdpa", "find_tool", "Library", "PageBounds", "Selection",
           "SpattnError", "CompileError"]
