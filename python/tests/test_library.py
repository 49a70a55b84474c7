"""The Python package against the fp64 reference and the C library, on
numpy arrays and torch tensors, over many lengths."""
import numpy as np
import pytest
import torch

import spattn
from conftest import random_qkv, spattn_run, spec_path

# Lengths off the 16-token block grid, 1, both buckets, decode (Lq < Lk).
LENGTHS = [(1, 1), (2, 2), (7, 7), (16, 16), (17, 17), (63, 63), (64, 64),
           (65, 65), (100, 100), (201, 201), (256, 256), (97, 1), (200, 1),
           (130, 37), (256, 3)]


def test_library_describes_itself(compiled):
    lib = compiled("py_window_gqa")
    assert (lib.name, lib.head_dim, lib.num_q_heads, lib.num_kv_heads) == \
        ("py_window_gqa", 16, 4, 2)
    assert lib.causal and lib.scale == pytest.approx(0.25)
    assert lib.buckets == (64, 256) and lib.max_length == 256
    assert lib.targets == ("cpu",) and lib.dtypes("cpu") == ("float32",)
    assert lib.dtypes("cuda") == ()
    assert lib.cpu_isa in ("avx512", "avx2", "sse41")
    assert lib.stage_kinds == ()
    # window = clamp(floor(3·sqrt(L)), 4, 256)
    assert lib.budgets(100) == {"sink.count": 2, "window.size": 30}
    assert lib.budgets(1) == {"sink.count": 2, "window.size": 4}
    assert lib.budgets(256)["window.size"] == 48
    with pytest.raises(spattn.SpattnError, match="above") as error:
        lib.budgets(257)
    assert error.value.status == 5


@pytest.mark.parametrize("length,queries", LENGTHS)
def test_matches_reference_and_c_library(compiled, tmp_path, length, queries):
    lib = compiled("py_window_gqa")
    q, k, v = random_qkv(lib, length, queries, batch=2, seed=length * 7 + queries)
    o, lse = lib.attention(q, k, v, return_lse=True)
    assert o.shape == q.shape and o.dtype == np.float32 and lse.shape == q.shape[:-1]
    ref_o, ref_lse = spattn_run(tmp_path, spec_path("py_window_gqa"), q, k, v, "--reference")
    np.testing.assert_allclose(o, ref_o, atol=2e-5, rtol=0)
    np.testing.assert_allclose(lse, ref_lse, atol=2e-5, rtol=0)
    c_o, c_lse = spattn_run(tmp_path, spec_path("py_window_gqa"), q, k, v,
                            "--lib", lib.path)
    np.testing.assert_array_equal(o, c_o)
    np.testing.assert_array_equal(lse, c_lse)


@pytest.mark.parametrize("length,queries", [(1, 1), (65, 65), (200, 1), (256, 40)])
def test_torch_and_numpy_agree(compiled, length, queries):
    lib = compiled("py_window_gqa")
    q, k, v = random_qkv(lib, length, queries, seed=3)
    o, lse = lib.attention(q, k, v, return_lse=True)
    to, tlse = lib.attention(*map(torch.from_numpy, (q, k, v)), return_lse=True)
    assert isinstance(to, torch.Tensor) and to.dtype == torch.float32
    np.testing.assert_array_equal(to.numpy(), o)
    np.testing.assert_array_equal(tlse.numpy(), lse)
    assert isinstance(lib.attention(q, k, v), np.ndarray)


def test_strided_inputs(compiled):
    """[B, L, H, D] activations viewed as [B, H, L, D] go in without a copy;
    views the C API cannot read (innermost stride not 1, reversed) are
    copied; the results equal the contiguous call's."""
    lib = compiled("py_window_gqa")
    q, k, v = random_qkv(lib, 90, batch=2, seed=5)
    expected = lib.attention(q, k, v)
    tq, tk, tv = (torch.from_numpy(x).transpose(1, 2).contiguous().transpose(1, 2)
                  for x in (q, k, v))
    assert not tq.is_contiguous()
    np.testing.assert_array_equal(lib.attention(tq, tk, tv).numpy(), expected)
    nq = np.asfortranarray(q)  # innermost stride != 1
    np.testing.assert_array_equal(lib.attention(nq, k, v), expected)
    padded = np.zeros(q.shape[:-1] + (2 * q.shape[-1],), np.float32)
    padded[..., ::2] = q
    np.testing.assert_array_equal(lib.attention(padded[..., ::2], k, v), expected)
    np.testing.assert_array_equal(
        lib.attention(tq[:, :, :40], tk, tv).numpy(),
        lib.attention(np.ascontiguousarray(q[:, :, :40]), k, v))


def test_unbatched_inputs(compiled):
    lib = compiled("py_window_gqa")
    q, k, v = random_qkv(lib, 50, seed=9)
    o, lse = lib.attention(q[0], k[0], v[0], return_lse=True)
    assert o.shape == q.shape[1:] and lse.shape == q.shape[1:-1]
    np.testing.assert_array_equal(o, lib.attention(q, k, v)[0])


def test_bad_calls_raise_with_the_library_message(compiled):
    lib = compiled("py_window_gqa")
    q, k, v = random_qkv(lib, 32)
    with pytest.raises(spattn.SpattnError, match="head") as error:
        lib.attention(q[:, :, :, :8].copy(), k[:, :, :, :8].copy(), v[:, :, :, :8].copy())
    assert error.value.status == 2
    with pytest.raises(spattn.SpattnError) as error:
        lib.attention(*random_qkv(lib, 257))
    assert error.value.status == 5 and "256" in str(error.value)
    with pytest.raises(spattn.SpattnError) as error:  # Lq > Lk
        lib.attention(random_qkv(lib, 40)[0], k, v)
    assert error.value.status == 5
    with pytest.raises(spattn.SpattnError) as error:
        lib.attention(q.astype(np.float16), k.astype(np.float16), v.astype(np.float16))
    assert error.value.status == 4 and "float16" in str(error.value)
    with pytest.raises(spattn.SpattnError) as error:
        lib.attention(q, k[:, :1], v[:, :1])
    assert error.value.status == 2
    with pytest.raises(TypeError, match="float64"):
        lib.attention(q.astype(np.float64), k, v)
    with pytest.raises(TypeError, match="list"):
        lib.attention(q.tolist(), k, v)
    with pytest.raises(ValueError, match=r"\[B, H, L, D\]"):
        lib.attention(q[0, 0], k, v)
    with pytest.raises(TypeError, match="int64"):
        lib.attention(torch.zeros(1, 4, 4, 16, dtype=torch.int64),
                      *map(torch.from_numpy, (k, v)))


def test_compile_from_text_and_errors(tmp_path):
    text = open(spec_path("py_window_gqa")).read().replace("@py_window_gqa", "@from_text")
    lib = spattn.compile(text, out_dir=tmp_path / "lib")
    assert lib.name == "from_text" and (tmp_path / "lib" / "libfrom_text.so").exists()
    again = spattn.compile(text)  # cached by the text
    assert spattn.compile(text).path == again.path
    bad = text.replace("spattn.window %w", "spattn.window %nope")
    with pytest.raises(spattn.CompileError, match=r"spec\.mlir:\d+:\d+: error"):
        spattn.compile(bad, out_dir=tmp_path / "bad")
    with pytest.raises(FileNotFoundError):
        spattn.compile(str(tmp_path / "missing.mlir"))


def test_load_finds_the_library(compiled):
    lib = compiled("py_window_gqa")
    import os
    folder = os.path.dirname(lib.path)
    assert spattn.load(folder).name == "py_window_gqa"
    assert spattn.load(lib.path, "py_window_gqa").buckets == lib.buckets
    with pytest.raises(FileNotFoundError):
        spattn.load(os.path.join(folder, "libnothing.so"))
