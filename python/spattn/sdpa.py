"""spattn.sdpa: torch.nn.functional.scaled_dot_product_attention's
argument conventions over a spattn library, so swapping one for the other
is a one-line change. The pattern, causality and scale are the library's;
arguments that would ask for something else are refused, not ignored."""
import math


def sdpa(query, key, value, library, attn_mask=None, dropout_p=0.0,
         is_causal=None, scale=None, enable_gqa=False, request=None):
    """Like F.scaled_dot_product_attention(query, key, value, ...) with
    query [B, Hq, Lq, D] (or [Hq, Lq, D]) and key, value [B, Hkv, Lk, D];
    returns the attention output shaped like query.

    attn_mask must be None (the pattern is compiled into the library),
    dropout_p 0. is_causal, when given, and scale, when given, must agree
    with the library's. Hkv < Hq needs enable_gqa=True, as in PyTorch.
    request: the library's request parameter values, if it has any."""
    if attn_mask is not None:
        raise ValueError("spattn.sdpa: attn_mask must be None; the sparsity "
                         f"pattern is compiled into library {library.name}")
    if dropout_p != 0.0:
        raise ValueError("spattn.sdpa: dropout_p must be 0 (inference only)")
    if is_causal is not None and bool(is_causal) != library.causal:
        raise ValueError(f"spattn.sdpa: is_causal={is_causal}, but library "
                         f"{library.name} is {'' if library.causal else 'not '}causal")
    if scale is not None and not math.isclose(scale, library.scale, rel_tol=1e-6):
        raise ValueError(f"spattn.sdpa: scale={scale}, but library {library.name} "
                         f"was compiled with scale {library.scale}")
    q_heads, kv_heads = query.shape[-3], key.shape[-3]
    if kv_heads != q_heads and not enable_gqa:
        raise ValueError(f"spattn.sdpa: {q_heads} query heads and {kv_heads} key "
                         "heads need enable_gqa=True")
    return library.attention(query, key, value, request=request)
