"""Library.selections: what each content-based stage kept, per (batch
element, query head), checked against the rules of docs/semantics.md on
inputs whose scores are well separated (random Gaussian Q and K)."""
import numpy as np
import pytest
import torch

from conftest import random_qkv


def top_indices(scores, count):
    """The `count` highest, ties to the lower index, ascending."""
    order = sorted(range(len(scores)), key=lambda c: (-scores[c], c))
    return sorted(order[:count])


def pooled(rows, block):
    return np.stack([rows[s:s + block].astype(np.float64).mean(0)
                     for s in range(0, len(rows), block)])


@pytest.mark.parametrize("length,queries", [(40, 40), (129, 129), (200, 1), (256, 70)])
def test_stages_keep_what_the_semantics_say(compiled, length, queries):
    lib = compiled("py_selections")
    assert lib.stage_kinds == ("topk_blocks", "pages")
    q, k, _ = random_qkv(lib, length, queries, batch=2, seed=length)
    result = lib.selections(q, k)
    assert len(result) == 2 and len(result[0]) == 2 and len(result[0][0]) == 4
    first = length - queries  # p(i) = first + i
    for b in range(2):
        for h in range(4):
            kv = h // 2
            topk, pages = result[0][b][h], result[1][b][h]
            # topk_blocks serves heads 0-1, pages heads 2-3 (per_head).
            assert (topk is None) == (h >= 2) and (pages is None) == (h < 2)
            if topk is not None:
                assert topk.kind == "blocks"
                keys = pooled(k[b, kv], 16)
                # present query rows of each absolute query block
                blocks = range(first // 16, (length - 1) // 16 + 1)
                assert topk.first_group == first // 16
                for g, block in zip(topk.groups(), blocks):
                    rows = q[b, h, max(block * 16, first) - first:
                             min((block + 1) * 16, length) - first]
                    score = keys[:block + 1] @ rows.astype(np.float64).mean(0)
                    assert list(g) == top_indices(score, 2)
            if pages is not None:
                assert pages.kind == "pages" and len(pages.groups()) == queries
                lo = np.stack([k[b, kv, s:s + 8].min(0) for s in range(0, length, 8)])
                hi = np.stack([k[b, kv, s:s + 8].max(0) for s in range(0, length, 8)])
                for i in range(0, queries, max(1, queries // 7)):
                    x = q[b, h, i].astype(np.float64)
                    bound = np.maximum(x * lo, x * hi).sum(1)[:(first + i) // 8 + 1]
                    assert list(pages.groups()[i]) == top_indices(bound, 3)


def test_selections_on_tensors_and_unbatched(compiled):
    lib = compiled("py_selections")
    q, k, _ = random_qkv(lib, 100, seed=1)
    arrays = lib.selections(q, k)
    tensors = lib.selections(torch.from_numpy(q), torch.from_numpy(k))
    unbatched = lib.selections(q[0], k[0])
    first = arrays[0][0][0]
    assert isinstance(tensors[0][0][0].indices, torch.Tensor)
    assert tensors[0][0][0].indices.tolist() == first.indices.tolist()
    assert unbatched[0][0].indices.tolist() == first.indices.tolist()
    assert unbatched[1][3].offsets.tolist() == arrays[1][0][3].offsets.tolist()
