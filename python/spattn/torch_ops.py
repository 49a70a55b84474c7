"""torch.ops.spattn.attention: a spattn library call as a PyTorch custom
operator, so that torch.compile(fullgraph=True) traces models calling it
(its fake implementation gives the output shapes), and on CUDA it runs on
the current stream, inside CUDA graphs too. Inference only: no backward."""
from typing import List, Tuple

import torch

from .library import registered


@torch.library.custom_op("spattn::attention", mutates_args=())
def _attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, library: int,
               num_threads: int, request: List[int]) -> Tuple[torch.Tensor, torch.Tensor]:
    return registered(library)._run(q, k, v, num_threads, request=tuple(request))


@_attention.register_fake
def _(q, k, v, library, num_threads, request):
    return _outputs_like(q)


# Decode with page bounds kept by the caller: `bounds` holds the PageBounds
# arrays of the library's pages stages, in stage order.
@torch.library.custom_op("spattn::attention_with_page_bounds", mutates_args=())
def _attention_with_page_bounds(
        q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bounds: List[torch.Tensor],
        library: int, num_threads: int,
        request: List[int]) -> Tuple[torch.Tensor, torch.Tensor]:
    lib = registered(library)
    return lib._run(q, k, v, num_threads, request=tuple(request),
                    page_bounds=_page_bounds(lib, bounds))


@_attention_with_page_bounds.register_fake
def _(q, k, v, bounds, library, num_threads, request):
    return _outputs_like(q)


@torch.library.custom_op("spattn::update_page_bounds", mutates_args=("bounds",))
def _update_page_bounds(k: torch.Tensor, first_key: int, bounds: List[torch.Tensor],
                        library: int) -> None:
    _page_bounds(registered(library), bounds).update(k, first_key)


@_update_page_bounds.register_fake
def _(k, first_key, bounds, library):
    return None


def _outputs_like(q):
    return q.new_empty(q.shape), q.new_empty(q.shape[:-1], dtype=torch.float32)


def _page_bounds(library, bounds):
    from .page_bounds import PageBounds
    return PageBounds(library, dict(zip(library.page_sizes, bounds)))


def attention(q, k, v, library, num_threads=0, with_lse=True, request=(), page_bounds=None):
    """(O, LSE) of `library` on torch tensors (LSE None without with_lse,
    in eager calls) under the request values `request` (declaration order)
    and the caller's PageBounds (or None). Eager calls skip the dispatcher,
    which costs ~20 us and changes nothing in the call; traced ones record
    the operator."""
    if torch.compiler.is_compiling():
        if page_bounds is None:
            return _attention(q, k, v, library._id, num_threads, list(request))
        return _attention_with_page_bounds(q, k, v, list(page_bounds.arrays.values()),
                                           library._id, num_threads, list(request))
    return library._run(q, k, v, num_threads, with_lse, request=tuple(request),
                        page_bounds=page_bounds)


def update_page_bounds(page_bounds, k, first_key):
    """PageBounds.update under torch.compile: the mutating operator."""
    _update_page_bounds(k, first_key, list(page_bounds.arrays.values()),
                        page_bounds.library._id)
