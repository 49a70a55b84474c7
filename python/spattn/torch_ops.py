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
    return q.new_empty(q.shape), q.new_empty(q.shape[:-1], dtype=torch.float32)


def attention(q, k, v, library, num_threads=0, with_lse=True, request=()):
    """(O, LSE) of `library` on torch tensors (LSE None without with_lse,
    in eager calls) under the request values `request` (declaration order).
    Eager calls skip the dispatcher, which costs ~20 us and changes nothing
    in the call; traced ones record the operator."""
    if torch.compiler.is_compiling():
        return _attention(q, k, v, library._id, num_threads, list(request))
    return library._run(q, k, v, num_threads, with_lse, request=tuple(request))
