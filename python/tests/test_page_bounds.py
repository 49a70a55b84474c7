"""Decode with page bounds kept by the caller (Library.page_bounds,
PageBounds.update, attention(page_bounds=...)): bounds equal to the per-page
minima and maxima of K, and calls bit-equal to the same calls without them
(which compute the bounds from K), over a cache grown key by key."""
import numpy as np
import pytest
import torch

import spattn
from conftest import random_qkv, spattn_run, spec_path

PAGE = 8  # py_selections: pages stage 1, page 8


def expected_bounds(k, capacity):
    """[B, Hkv, ceil(capacity / page), 2 * D]: per page, minima then maxima;
    rows of pages past K stay zero."""
    b, h, length, d = k.shape
    out = np.zeros((b, h, -(-capacity // PAGE), 2 * d), np.float32)
    for p, start in enumerate(range(0, length, PAGE)):
        keys = k[:, :, start:start + PAGE]
        out[:, :, p, :d], out[:, :, p, d:] = keys.min(2), keys.max(2)
    return out


def test_a_growing_cache_gives_the_calls_without_bounds(compiled, tmp_path):
    lib = compiled("py_selections")
    assert lib.page_sizes == {1: PAGE}
    capacity = 256  # the last bucket's longest K
    q, k, v = random_qkv(lib, capacity, 1, batch=2, seed=3)
    bounds = lib.page_bounds(k[:, :, :1], capacity=capacity)
    assert bounds.capacity == capacity and bounds.arrays[1].shape == (2, 2, 32, 32)
    # Lengths 1 .. 256 key by key: odd, off the page grid, across the buckets.
    for length in range(1, capacity + 1):
        kk, vv = k[:, :, :length], v[:, :, :length]
        if length > 1:
            bounds.update(kk, length - 1)
        with_bounds = lib.attention(q, kk, vv, page_bounds=bounds)
        np.testing.assert_array_equal(with_bounds, lib.attention(q, kk, vv))
        if length in (1, 9, 64, 65, 129, 256):
            np.testing.assert_array_equal(bounds.arrays[1], expected_bounds(kk, capacity))
    reference, _ = spattn_run(tmp_path, spec_path("py_selections"), q, k, v, "--reference")
    np.testing.assert_allclose(with_bounds, reference, atol=2e-5)


@pytest.mark.parametrize("length,queries,first", [(200, 200, 0), (77, 5, 70), (64, 3, 61)])
def test_prefill_and_partial_updates(compiled, length, queries, first):
    lib = compiled("py_selections")
    q, k, v = random_qkv(lib, length, queries, batch=2, seed=length)
    bounds = lib.page_bounds(k[:, :, :first] if first else k[:, :, :1], capacity=length)
    bounds.update(k, first)  # the keys from `first` on appended at once
    np.testing.assert_array_equal(bounds.arrays[1], expected_bounds(k, length))
    o, lse = lib.attention(q, k, v, page_bounds=bounds, return_lse=True)
    o0, lse0 = lib.attention(q, k, v, return_lse=True)
    np.testing.assert_array_equal(o, o0)
    np.testing.assert_array_equal(lse, lse0)
    prepared = lib.prepare(q, k, v, page_bounds=bounds)
    np.testing.assert_array_equal(prepared(), o0)


def test_the_call_reads_the_bounds_it_is_given(compiled):
    lib = compiled("py_selections")
    q, k, v = random_qkv(lib, 120, 1, seed=5)
    bounds = lib.page_bounds(k, capacity=120)
    wrong = spattn.PageBounds(lib, {1: np.zeros_like(bounds.arrays[1])})
    # All-zero bounds score every page 0: the ties keep the first pages, not
    # the ones the query's bounds pick, so heads 2-3 attend to other keys.
    stale, fresh = lib.attention(q, k, v, page_bounds=wrong), lib.attention(q, k, v)
    np.testing.assert_array_equal(stale[:, :2], fresh[:, :2])  # top-k blocks heads
    assert not np.array_equal(stale[:, 2:], fresh[:, 2:])


def test_tensors_unbatched_and_torch_compile(compiled):
    lib = compiled("py_selections")
    q, k, v = map(torch.from_numpy, random_qkv(lib, 150, 1, batch=2, seed=7))
    bounds = lib.page_bounds(k[:, :, :140], capacity=160)
    assert isinstance(bounds.arrays[1], torch.Tensor)
    unbatched = lib.page_bounds(k[0, :, :140], capacity=160)
    np.testing.assert_array_equal(unbatched.arrays[1][0].numpy(), bounds.arrays[1][0].numpy())

    def step(q, k, v, bounds, first):
        bounds.update(k, first)
        return lib.attention(q, k, v, page_bounds=bounds)
    traced_bounds = lib.page_bounds(k[:, :, :140], capacity=160)
    with torch.no_grad():
        eager = step(q, k, v, bounds, 140)
        traced = torch.compile(step, fullgraph=True)(q, k, v, traced_bounds, 140)
    torch.testing.assert_close(traced_bounds.arrays[1], bounds.arrays[1], rtol=0, atol=0)
    torch.testing.assert_close(traced, eager, rtol=0, atol=0)
    torch.testing.assert_close(eager, lib.attention(q, k, v), rtol=0, atol=0)
    torch.testing.assert_close(step(q[0], k[0], v[0], unbatched, 140), eager[0],
                               rtol=0, atol=0)
    for op, args in ((torch.ops.spattn.update_page_bounds.default,
                      (k, 0, [bounds.arrays[1]], lib._id)),
                     (torch.ops.spattn.attention_with_page_bounds.default,
                      (q, k, v, [bounds.arrays[1]], lib._id, 0, []))):
        torch.library.opcheck(op, args, test_utils=("test_schema", "test_faketensor"))


def test_bad_page_bounds_are_refused(compiled):
    lib, other = compiled("py_selections"), compiled("py_window_gqa")
    q, k, v = random_qkv(lib, 100, 1, seed=9)
    with pytest.raises(ValueError, match="no pages stage"):
        other.page_bounds(k)
    with pytest.raises(ValueError, match="capacity 64 is below K's length 100"):
        lib.page_bounds(k, capacity=64)
    bounds = lib.page_bounds(k[:, :, :60], capacity=64)
    with pytest.raises(spattn.SpattnError) as error:
        bounds.update(k, 60)  # K has outgrown the bounds
    assert error.value.status == 2  # SPATTN_ERROR_SHAPE
    with pytest.raises(spattn.SpattnError):
        lib.attention(q, k, v, page_bounds=bounds)
    with pytest.raises(TypeError, match="this library's PageBounds"):
        lib.attention(q, k, v, page_bounds=bounds.arrays)
    with pytest.raises(TypeError, match="this library's PageBounds"):
        other.attention(*random_qkv(other, 10), page_bounds=bounds)
    with pytest.raises(ValueError, match=r"\[B, Hkv, P, 2 \* D\]"):
        spattn.PageBounds(lib, {1: np.zeros((2, 13, 32), np.float32)})
    with pytest.raises(spattn.SpattnError) as error:
        spattn.PageBounds(lib, {1: np.zeros((1, 2, 13, 32), np.float16)}).update(k)
    assert error.value.status == 4  # SPATTN_ERROR_DTYPE


@pytest.fixture(scope="module")
def bf16_selections():
    """py_selections compiled for bf16: a 16-bit KV cache."""
    with open(spec_path("py_selections")) as spec:
        text = spec.read()
    return spattn.compile(text.replace("@py_selections", "@py_selections_bf16")
                              .replace("dtype = f32", "dtype = bf16"))


def test_a_bf16_cache_keeps_bf16_bounds(bf16_selections):
    """Bounds in K's own dtype by default on the host: the float32 bounds'
    values exactly, in half the memory, and calls bit-equal to those without
    bounds over a growing cache."""
    lib = bf16_selections
    capacity = 200
    q, k, v = (torch.from_numpy(x).to(torch.bfloat16)
               for x in random_qkv(lib, capacity, 1, batch=2, seed=13))
    bounds = lib.page_bounds(k[:, :, :1], capacity=capacity)
    as_float = lib.page_bounds(k[:, :, :1], capacity=capacity, dtype=torch.float32)
    assert bounds.arrays[1].dtype == torch.bfloat16 and bounds.arrays[1].shape == (2, 2, 25, 32)
    assert as_float.arrays[1].dtype == torch.float32
    length = 1
    for added in (1, 6, 1, 9, 40, 1, 77, 64):
        first, length = length, length + added
        kk, vv = k[:, :, :length], v[:, :, :length]
        bounds.update(kk, first)
        as_float.update(kk, first)
        assert torch.equal(bounds.arrays[1].float(), as_float.arrays[1])
        expected = expected_bounds(kk.float().numpy(), capacity)
        np.testing.assert_array_equal(bounds.arrays[1].float().numpy(), expected)
        plain = lib.attention(q, kk, vv)
        assert torch.equal(lib.attention(q, kk, vv, page_bounds=bounds), plain)
        assert torch.equal(lib.attention(q, kk, vv, page_bounds=as_float), plain)
    assert length == capacity


def test_bounds_of_another_dtype_are_refused(bf16_selections, compiled):
    k = torch.from_numpy(random_qkv(bf16_selections, 40, 1, seed=14)[1]).to(torch.bfloat16)
    refused = r"must be float32, bfloat16 \(what the host reads for this K\)"
    with pytest.raises(spattn.SpattnError, match=refused) as error:
        bf16_selections.page_bounds(k, dtype=torch.float16)
    assert error.value.status == 4  # SPATTN_ERROR_DTYPE
    with pytest.raises(TypeError, match="not one spattn takes"):
        bf16_selections.page_bounds(k, dtype=torch.float64)
    # float32 K: float32 bounds only (16-bit ones would round K's values).
    lib = compiled("py_selections")
    k = torch.from_numpy(random_qkv(lib, 40, 1, seed=15)[1])
    with pytest.raises(spattn.SpattnError, match=r"must be float32 \(what the host reads"):
        lib.page_bounds(k, dtype=torch.bfloat16)
