"""The torch encoder's arithmetic: bfloat16 where the processor has it, float32 otherwise; one index for both."""

import numpy as np
import pytest

from archive.errors import ArchiveError
from indexer.embedder import SHAPE_STEP, Embedder, _padded, native_bfloat16, resolve_precision
from indexer.ingest import ingest_paths
from indexer.search import SearchRequest, SearchService

TEXTS = [
    "Enver Solomon, the chief executive, suggested the footage risked encouraging animosity.",
    "Ferry crews walked out at dawn.",
    "what did the Refugee Council say about riots",
]


def test_bfloat16_is_native_only_with_avx512_bf16_or_amx(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    for flags, native in (("fpu avx2 avx512f", False), ("fpu avx512f avx512_bf16", True), ("fpu amx_bf16", True)):
        cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
        assert native_bfloat16(str(cpuinfo)) is native, flags
    assert native_bfloat16(str(tmp_path / "missing")) is False


def test_auto_picks_bfloat16_only_where_the_processor_computes_it():
    assert resolve_precision("auto") == ("bfloat16" if native_bfloat16() else "float32")
    assert resolve_precision("float32") == "float32" and resolve_precision("bfloat16") == "bfloat16"
    with pytest.raises(ArchiveError, match="use one of auto, float32, bfloat16"):
        resolve_precision("float8")


def test_bfloat16_vectors_are_unit_length_float32_and_close_to_float32_ones():
    float32, bfloat16 = Embedder(precision="float32"), Embedder(precision="bfloat16")
    exact, half = float32.encode_documents(TEXTS), bfloat16.encode_documents(TEXTS)
    assert half.dtype == np.float32 and exact.dtype == np.float32
    assert np.allclose(np.linalg.norm(half, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(exact * half, axis=1)) > 0.99
    assert float32.identity.key == bfloat16.identity.key


def test_an_index_built_in_one_precision_answers_queries_in_the_other(settings, seeds):
    ingest_paths(settings, [seeds], embedder=Embedder(precision="bfloat16"))
    results = SearchService(settings, embedder=Embedder(precision="float32")).search(SearchRequest(TEXTS[2])).results
    assert "race riots" in results[0].text


def test_bfloat16_batches_are_padded_to_a_few_shapes_and_the_padding_changes_nothing():
    bfloat16 = Embedder(precision="bfloat16")
    texts = [" ".join(["riots"] * n) + " council" for n in (1, 5, 9, 30, 70)] + TEXTS
    features = dict(bfloat16.model.preprocess(texts[:3]))
    length = features["input_ids"].shape[1]  # the longest of the 3, in tokens (under SHAPE_STEP)
    features = _padded(features, 8, bfloat16.max_tokens)
    assert features["input_ids"].shape == (8, SHAPE_STEP)
    assert (features["input_ids"][3:] == features["input_ids"][0]).all()  # rows added: copies of the first
    assert features["attention_mask"][:, length:].sum() == 0  # length added: masked
    together = bfloat16.encode_documents(texts)  # one call: rows and lengths padded
    alone = np.vstack([bfloat16.encode_documents([text]) for text in texts])
    reference = bfloat16.model.encode(texts, convert_to_numpy=True)  # sentence-transformers' own, unpadded
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    assert np.min(np.sum(together * alone, axis=1)) > 0.9999
    assert np.min(np.sum(together * reference, axis=1)) > 0.9999
    assert np.allclose(bfloat16.encode_query(TEXTS[2]), alone[-1], atol=1e-6)
