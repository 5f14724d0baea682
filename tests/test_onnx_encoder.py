"""The optional ONNX encoder: exported locally from the bundled model, same vectors (fp32) or close (int8)."""

import numpy as np
import pytest

from archive.errors import IndexMismatchError
from indexer.embedder import Embedder
from indexer.ingest import ingest_paths
from indexer.search import SearchRequest, SearchService

TEXTS = [
    "Enver Solomon, the chief executive, suggested the footage risked encouraging animosity.",
    "Ferry crews walked out at dawn.",
    "what did the Refugee Council say about riots",
]


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def float32():
    return Embedder(precision="float32")


def test_onnx_vectors_match_the_torch_model(float32, export_dir):
    onnx = Embedder(encoder="onnx", export_dir=export_dir)
    expected, got = float32.encode_documents(TEXTS), onnx.encode_documents(TEXTS)
    assert np.min(np.sum(expected * got, axis=1)) > 0.9999
    assert onnx.identity.key == float32.identity.key
    assert onnx.count_tokens(TEXTS) == float32.count_tokens(TEXTS)


def test_int8_vectors_are_close_and_count_as_another_model(embedder, float32, export_dir, settings, seeds):
    int8 = Embedder(encoder="onnx-int8", export_dir=export_dir)
    similarity = np.sum(float32.encode_documents(TEXTS) * int8.encode_documents(TEXTS), axis=1)
    assert np.min(similarity) > 0.98  # weights quantized per channel (per tensor: about 0.94)
    assert int8.identity.key.endswith("+int8-per-channel")
    ingest_paths(settings, [seeds], embedder=int8)
    with pytest.raises(IndexMismatchError, match="run `archive rebuild`"):
        SearchService(settings, embedder=embedder)
    results = SearchService(settings, embedder=int8).search(SearchRequest(TEXTS[2])).results
    assert any("race riots" in hit.text for hit in results[:3])
