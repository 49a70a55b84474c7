"""The PyTorch side: torch.compile(fullgraph=True) through the custom
operator, spattn.sdpa against F.scaled_dot_product_attention, and on a GPU
(skipped elsewhere) the cuda target on streams and in CUDA graphs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import spattn
from conftest import random_qkv, spec_path


class TinyAttention(torch.nn.Module):
    """Projections around a spattn library, as a model would use it."""

    def __init__(self, lib, width=64):
        super().__init__()
        self.lib = lib
        self.qkv = torch.nn.Linear(width, (lib.num_q_heads + 2 * lib.num_kv_heads) * lib.head_dim)
        self.out = torch.nn.Linear(lib.num_q_heads * lib.head_dim, width)

    def forward(self, x):
        b, n, _ = x.shape
        d, hq, hkv = self.lib.head_dim, self.lib.num_q_heads, self.lib.num_kv_heads
        q, k, v = self.qkv(x).split([hq * d, hkv * d, hkv * d], dim=-1)
        q = q.view(b, n, hq, d).transpose(1, 2)
        k = k.view(b, n, hkv, d).transpose(1, 2)
        v = v.view(b, n, hkv, d).transpose(1, 2)
        o = spattn.sdpa(q, k, v, self.lib, enable_gqa=True)
        return self.out(o.transpose(1, 2).reshape(b, n, hq * d))


def test_torch_compile_fullgraph_matches_eager(compiled):
    torch.manual_seed(0)
    model = TinyAttention(compiled("py_window_gqa")).eval()
    x = torch.randn(2, 77, 64)
    with torch.no_grad():
        eager = model(x)
        traced = torch.compile(model, fullgraph=True)
        np.testing.assert_allclose(traced(x).numpy(), eager.numpy(), atol=1e-5)
        y = torch.randn(1, 150, 64)  # another length, another bucket
        np.testing.assert_allclose(traced(y).numpy(), model(y).numpy(), atol=1e-5)


def test_operator_schema_and_fake_shapes(compiled):
    lib = compiled("py_window_gqa")
    q, k, v = map(torch.from_numpy, random_qkv(lib, 30, batch=2))
    o, lse = torch.ops.spattn.attention(q, k, v, lib._id, 0, [])
    np.testing.assert_array_equal(o.numpy(), lib.attention(q, k, v).numpy())
    torch.library.opcheck(torch.ops.spattn.attention.default, (q, k, v, lib._id, 0, []),
                          test_utils=("test_schema", "test_faketensor"))


@pytest.mark.parametrize("length,queries", [(1, 1), (33, 33), (200, 200), (180, 1)])
def test_sdpa_matches_torch(compiled, length, queries):
    lib = compiled("py_dense_causal")
    q, k, v = map(torch.from_numpy, random_qkv(lib, length, queries, batch=2, seed=length))
    ours = spattn.sdpa(q, k, v, lib, is_causal=True, enable_gqa=True)
    # torch's is_causal aligns to the top-left; spattn's queries are the
    # last Lq positions, so compare with an explicit bottom-right mask.
    mask = torch.ones(queries, length, dtype=torch.bool).tril(length - queries)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=2e-5)


def test_sdpa_refuses_what_the_library_does_not_compute(compiled):
    lib = compiled("py_dense_causal")
    q, k, v = map(torch.from_numpy, random_qkv(lib, 20))
    with pytest.raises(ValueError, match="attn_mask"):
        spattn.sdpa(q, k, v, lib, attn_mask=torch.ones(20, 20, dtype=torch.bool))
    with pytest.raises(ValueError, match="dropout"):
        spattn.sdpa(q, k, v, lib, dropout_p=0.1, enable_gqa=True)
    with pytest.raises(ValueError, match="causal"):
        spattn.sdpa(q, k, v, lib, is_causal=False, enable_gqa=True)
    with pytest.raises(ValueError, match="scale"):
        spattn.sdpa(q, k, v, lib, scale=0.5, enable_gqa=True)
    with pytest.raises(ValueError, match="enable_gqa"):
        spattn.sdpa(q, k, v, lib)
    assert spattn.sdpa(q, k, v, lib, scale=0.25, enable_gqa=True).shape == q.shape


gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.fixture(scope="module")
def cuda_lib():
    return spattn.compile(spec_path("py_window_gqa"), targets=("cpu", "cuda"))


@gpu
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_cuda_matches_the_cpu_library(cuda_lib, dtype):
    q, k, v = random_qkv(cuda_lib, 201, 201, batch=2, seed=4)
    q16, k16, v16 = (torch.from_numpy(x).to(dtype) for x in (q, k, v))
    expected = cuda_lib.attention(*(x.float() for x in (q16, k16, v16)))
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        got = cuda_lib.attention(*(x.cuda() for x in (q16, k16, v16)))
    side.synchronize()
    np.testing.assert_allclose(got.float().cpu().numpy(), expected.numpy(), atol=2e-2)


@gpu
def test_cuda_graph_replay_gives_identical_outputs(cuda_lib):
    q, k, v = (torch.from_numpy(x).half().cuda()
               for x in random_qkv(cuda_lib, 256, 256, seed=8))
    eager = cuda_lib.attention(q, k, v)
    graph = torch.cuda.CUDAGraph()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        cuda_lib.attention(q, k, v)  # warm-up outside the capture
    torch.cuda.current_stream().wait_stream(side)
    with torch.cuda.graph(graph):
        captured = cuda_lib.attention(q, k, v)
    graph.replay()
    torch.cuda.synchronize()
    assert torch.equal(captured, eager)
