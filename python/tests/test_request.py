"""Request parameters: every call passes them, budgets read them like L,
and a library with them matches the fp64 reference at each request, through
numpy, torch, torch.compile and the selection read-back."""
import math

import numpy as np
import pytest
import torch

import spattn
from conftest import random_qkv, spattn_run, spec_path

SPEC = "py_request"
REQUESTS = [(0, 0), (3, 0), (1, 1), (3, 1)]


def request_flags(quality, task):
    return ["--request", f"quality={quality},task={task}"]


def test_library_declares_its_request_parameters(compiled):
    lib = compiled(SPEC)
    assert lib.request_parameters == {"quality": (0, 3), "task": (0, 1)}
    for quality in range(4):
        for task in range(2):
            budgets = lib.budgets(100, {"quality": quality, "task": task})
            # window = floor(sqrt(L)) * (quality + 1), top-k = task + 1
            assert budgets == {"window.size": 10 * (quality + 1),
                               "topk_blocks.count": task + 1}
    assert lib.budgets(200, (2, 1)) == {"window.size": 14 * 3, "topk_blocks.count": 2}


@pytest.mark.parametrize("length,queries", [(1, 1), (17, 17), (64, 64), (65, 65),
                                            (201, 201), (256, 5), (130, 1)])
@pytest.mark.parametrize("quality,task", REQUESTS)
def test_matches_reference_at_each_request(compiled, tmp_path, length, queries,
                                           quality, task):
    lib = compiled(SPEC)
    q, k, v = random_qkv(lib, length, queries, seed=length + 31 * queries)
    o, lse = lib.attention(q, k, v, return_lse=True,
                           request={"quality": quality, "task": task})
    flags = request_flags(quality, task)
    ref_o, ref_lse = spattn_run(tmp_path, spec_path(SPEC), q, k, v, "--reference", *flags)
    np.testing.assert_allclose(o, ref_o, atol=2e-5, rtol=0)
    np.testing.assert_allclose(lse, ref_lse, atol=2e-5, rtol=0)
    c_o, c_lse = spattn_run(tmp_path, spec_path(SPEC), q, k, v, "--lib", lib.path, *flags)
    np.testing.assert_array_equal(o, c_o)
    np.testing.assert_array_equal(lse, c_lse)


def test_request_changes_results_as_the_budgets_say(compiled):
    lib = compiled(SPEC)
    q, k, v = random_qkv(lib, 200, seed=5)
    lses = {r: lib.attention(q, k, v, return_lse=True, request=r)[1] for r in REQUESTS}
    # A wider window or more blocks keeps a superset of keys: every row's
    # log-sum-exp can only grow, and some must.
    for low, high in [((0, 0), (3, 0)), ((0, 0), (1, 1)), ((1, 1), (3, 1))]:
        assert np.all(lses[high] >= lses[low] - 1e-5)
        assert np.any(lses[high] > lses[low] + 1e-3)


def test_selections_follow_the_request(compiled):
    lib = compiled(SPEC)
    q, k, _ = random_qkv(lib, 150, seed=9)
    for task in (0, 1):
        selection = lib.selections(q, k, request={"quality": 0, "task": task})[0][0][0]
        counts = np.diff(selection.offsets)
        # Query block b has b + 1 causal candidates; task + 1 are kept.
        expected = [min(task + 1, b + 1) for b in range(math.ceil(150 / 16))]
        assert counts.tolist() == expected


def test_torch_eager_prepare_and_compile_agree(compiled):
    lib = compiled(SPEC)
    q, k, v = random_qkv(lib, 90, seed=2)
    expected = lib.attention(q, k, v, request=(2, 1))
    tq, tk, tv = map(torch.from_numpy, (q, k, v))
    np.testing.assert_array_equal(lib.attention(tq, tk, tv, request=(2, 1)).numpy(), expected)
    call = lib.prepare(q, k, v, request={"quality": 2, "task": 1})
    np.testing.assert_array_equal(call(), expected)

    class Model(torch.nn.Module):
        def forward(self, q, k, v):
            return spattn.sdpa(q, k, v, lib, enable_gqa=True,
                               request={"quality": 2, "task": 1}) * 2

    compiled_model = torch.compile(Model(), fullgraph=True)
    np.testing.assert_array_equal(compiled_model(tq, tk, tv).numpy(), expected * 2)


@pytest.mark.parametrize("request_value,error,match", [
    (None, ValueError, "takes 2 request values"),
    ({"quality": 1}, ValueError, "missing"),
    ({"quality": 1, "task": 0, "speed": 2}, ValueError, "unknown"),
    ((1,), ValueError, "takes 2"),
    ({"quality": 4, "task": 0}, spattn.SpattnError, "quality = 4 is outside its range"),
    ((0, -1), spattn.SpattnError, "task = -1 is outside its range"),
])
def test_bad_requests_are_refused(compiled, request_value, error, match):
    lib = compiled(SPEC)
    q, k, v = random_qkv(lib, 40)
    with pytest.raises(error, match=match):
        lib.attention(q, k, v, request=request_value)
    with pytest.raises(error, match=match):
        lib.budgets(40, request_value)


def test_library_without_request_parameters_refuses_values(compiled):
    lib = compiled("py_window_gqa")
    assert lib.request_parameters == {}
    q, k, v = random_qkv(lib, 40)
    with pytest.raises(ValueError, match="takes 0 request values"):
        lib.attention(q, k, v, request=(1,))
