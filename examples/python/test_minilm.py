"""The MiniLM example as a test: the dense spattn library stands in for the
model's own attention to fp32 rounding, and a sparse spec whose budget
keeps every block at 64 tokens is exactly dense there."""
import os

import pytest
import torch

import minilm


@pytest.fixture(scope="module")
def model():
    return minilm.load_model()


def library(name):
    import spattn
    return spattn.compile(os.path.join(minilm.HERE, "specs", name + ".mlir"))


@pytest.mark.parametrize("length", [64, 200, 512])
def test_dense_library_matches_the_model(model, length):
    tokenizer, bert = model
    ids = minilm.text_chunks(tokenizer, length, 1)[0]
    assert ids.shape == (1, length)
    expected_embedding, expected_hidden = minilm.embed(bert, ids)
    cosine, recall, attention_diff, hidden = minilm.compare(bert, library("minilm_dense"), ids)
    assert float((hidden - expected_hidden).abs().max()) <= 1e-5
    assert attention_diff <= 1e-5
    assert cosine == pytest.approx(1.0, abs=1e-6)
    assert recall == pytest.approx([1.0] * minilm.LAYERS, abs=1e-6)


def test_sparse_spec_is_dense_where_its_budget_covers_everything(model):
    tokenizer, bert = model
    ids = minilm.text_chunks(tokenizer, 64, 1)[0]
    cosine, recall, _, _ = minilm.compare(bert, library("minilm_topk"), ids)
    assert cosine == pytest.approx(1.0, abs=1e-6)
    assert min(recall) == pytest.approx(1.0, abs=1e-6)
    ids = minilm.text_chunks(tokenizer, 512, 1)[0]
    cosine, recall, _, _ = minilm.compare(bert, library("minilm_topk"), ids)
    assert 0.5 < min(recall) < 1.0 and 0.9 < cosine < 1.0


def test_dump_writes_every_layer(model, tmp_path):
    tokenizer, bert = model
    ids = minilm.text_chunks(tokenizer, 96, 1)[0]
    minilm.dump(bert, ids, tmp_path, "x")
    q = torch.from_numpy(__import__("numpy").load(tmp_path / "x_layer5_q.npy"))
    assert q.shape == (12, 96, 32) and len(os.listdir(tmp_path)) == 18
