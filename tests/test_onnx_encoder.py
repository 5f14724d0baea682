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


def test_onnx_vectors_match_the_torch_model(embedder, export_dir):
    onnx = Embedder(encoder="onnx", export_dir=export_dir)
    expected, got = embedder.encode_documents(TEXTS), onnx.encode_documents(TEXTS)
    assert np.min(np.sum(expected * got, axis=1)) > 0.9999
    assert onnx.identity.key == embedder.identity.key
    assert onnx.count_tokens(TEXTS) == embedder.count_tokens(TEXTS)


def test_int8_vectors_are_close_and_count_as_another_model(embedder, export_dir, settings, seeds):
    int8 = Embedder(encoder="onnx-int8", export_dir=export_dir)
    similarity = np.sum(embedder.encode_documents(TEXTS) * int8.encode_documents(TEXTS), axis=1)
    assert np.min(similarity) > 0.95
    assert int8.identity.key.endswith("+int8")
    ingest_paths(settings, [seeds], embedder=int8)
    with pytest.raises(IndexMismatchError, match="run `archive rebuild`"):
        SearchService(settings, embedder=embedder)
    results = SearchService(settings, embedder=int8).search(SearchRequest(TEXTS[2])).results
    assert any("race riots" in hit.text for hit in results[:3])
