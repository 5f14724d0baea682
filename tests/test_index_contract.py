"""The contract every keyword and vector backend meets: a new engine is one module plus passing this file.

Each backend is listed once in KEYWORD_BACKENDS or VECTOR_BACKENDS as a factory (make a fresh index in a folder)
and a reopener (open what it saved there); every test then runs against each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from archive.documents import ChunkRecord
from indexer.backends import DocumentBackend, KeywordBackend, VectorBackend
from indexer.document_index import DocumentIndex, DocumentRow
from indexer.filters import Filter
from indexer.keyword import KeywordIndex
from indexer.vectors import VectorIndex


@dataclass(frozen=True)
class Backend:
    make: Callable[[Path], object]
    reopen: Callable[[Path], object]


DOCUMENT_BACKENDS = {
    "tantivy": Backend(
        lambda path: DocumentIndex(path / "docs", create=True), lambda path: DocumentIndex(path / "docs")
    ),
}
KEYWORD_BACKENDS = {
    "tantivy": Backend(lambda path: KeywordIndex(path / "kw", create=True), lambda path: KeywordIndex(path / "kw")),
}
VECTOR_BACKENDS = {
    "faiss-flat-float32": Backend(
        lambda path: VectorIndex.create(8, "flat", "float32"), lambda path: VectorIndex.load(path / "v.faiss")
    ),
    "faiss-flat-float16": Backend(
        lambda path: VectorIndex.create(8, "flat", "float16"), lambda path: VectorIndex.load(path / "v.faiss")
    ),
    "faiss-ivf-float16": Backend(
        lambda path: VectorIndex.create(8, "ivf", "float16", nprobe=1),
        lambda path: VectorIndex.load(path / "v.faiss", nprobe=1),
    ),
    "faiss-ivf-float32": Backend(
        lambda path: VectorIndex.create(8, "ivf", "float32", nprobe=1),
        lambda path: VectorIndex.load(path / "v.faiss", nprobe=1),
    ),
}


@pytest.fixture(params=list(KEYWORD_BACKENDS))
def keyword_backend(request) -> Backend:
    return KEYWORD_BACKENDS[request.param]


@pytest.fixture(params=list(DOCUMENT_BACKENDS))
def document_backend(request) -> Backend:
    return DOCUMENT_BACKENDS[request.param]


@pytest.fixture(params=list(VECTOR_BACKENDS))
def vector_backend(request) -> Backend:
    return VECTOR_BACKENDS[request.param]


def record(cid, text, title="Title", context="", source=None, date=None, speakers=""):
    return ChunkRecord(cid, f"d{cid}", 0, 0, text, context, title, date, source, None, speakers, "")


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(count: int, seed: int = 0) -> np.ndarray:
    """Vectors around 20 centres, like topics in news: what an IVF index is made for."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, 8))
    return unit(centres[rng.integers(0, 20, count)] + 0.3 * rng.normal(size=(count, 8)))


# -- keyword backends --------------------------------------------------------------------------------------


def filled_keyword(backend: Backend, path: Path):
    index = backend.make(path)
    index.add(
        [
            record(
                1,
                "Rioters attacked a hotel housing refugees.",
                source="Daily A",
                date="2024-08-04",
                speakers="Enver Solomon",
            ),
            record(2, "The council approved a new hotel.", source="Daily B", date="2025-01-10"),
            record(3, "Nothing relevant here.", context="The riot police arrived.", date="2025-01-11"),
        ]
    )
    index.commit()
    return index


def test_keyword_backend_satisfies_the_protocol(keyword_backend, tmp_path):
    assert isinstance(keyword_backend.make(tmp_path), KeywordBackend)


def test_keyword_backend_stems_ranks_and_counts(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    assert index.num_docs == 3
    assert [cid for cid, _ in index.search("refugee", 10)[0]] == [1]
    assert [cid for cid, _ in index.search('"new hotel"', 10)[0]] == [2]
    assert [cid for cid, _ in index.search("riot", 10)[0]] == [3]
    hits, fixed = index.search("hotel", 1)
    assert len(hits) == 1 and not fixed


def test_keyword_backend_filters_by_source_date_and_speaker(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    assert {cid for cid, _ in index.search("hotel", 10, Filter(source="daily b"))[0]} == {2}
    assert {cid for cid, _ in index.search("hotel", 10, Filter(date_from="2025-01-01"))[0]} == {2}
    assert {cid for cid, _ in index.search("hotel", 10, Filter(date_to="2024-12-31"))[0]} == {1}
    assert {cid for cid, _ in index.search("hotel", 10, Filter(speakers=("Enver Solomon",)))[0]} == {1}
    assert index.search("hotel", 10, Filter(speakers=()))[0] == []


def test_keyword_backend_repairs_bad_syntax_instead_of_failing(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    hits, fixed = index.search('hotel AND (("', 10)
    assert fixed and {cid for cid, _ in hits} == {1, 2}


def test_keyword_backend_deletes_and_reopens_from_disk(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    index.delete([1])
    index.commit()
    reopened = keyword_backend.reopen(tmp_path)
    assert [cid for cid, _ in reopened.search("hotel", 10)[0]] == [2]
    assert reopened.num_docs == 2


def test_keyword_backend_analyzes_queries_and_text_alike_for_highlighting(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    terms = index.query_terms("Refugees rioting")
    assert set(index.analyze("refugee")) <= terms and set(index.analyze("riots")) <= terms


def test_keyword_backend_counts_facets_and_tells_which_chunks_match(keyword_backend, tmp_path):
    index = filled_keyword(keyword_backend, tmp_path)
    assert index.count("hotel") == 2 and index.count("hotel", Filter(source="daily a")) == 1
    assert index.count("zebra") == 0
    facets = index.facets("hotel OR riot", None, ["source", "year", "month", "speaker"])
    assert facets["source"] == [("daily a", 1), ("daily b", 1)]
    assert facets["year"] == [("2024", 1), ("2025", 2)] and facets["month"][0] == ("2024-08", 1)
    assert facets["speaker"] == [("Enver Solomon", 1)]
    assert index.facets("hotel", Filter(date_from="2025-01-01"), ["year"]) == {"year": [("2025", 1)]}
    assert index.matching("hotel", None, [1, 2, 3]) == {1, 2}
    assert index.matching("hotel", Filter(source="daily b"), [1, 2, 3]) == {2}
    assert index.matching("hotel", None, []) == set()


# -- document backends -------------------------------------------------------------------------------------


def filled_documents(backend: Backend, path: Path):
    index = backend.make(path)
    index.add(
        [
            DocumentRow(
                "a", "Hotel attacked", "Rioters attacked a hotel.", "Daily A", "2024-08-04", ("Enver Solomon",)
            ),
            DocumentRow(
                "b",
                "Council",
                "The council approved a new hotel.",
                "Daily B",
                "2025-01-10",
                (),
                {"topics": ["planning", "housing"]},
            ),
            DocumentRow("c", "Weather", "Rain is expected.", None, None),
        ]
    )
    index.commit()
    return index


def test_document_backend_satisfies_the_protocol(document_backend, tmp_path):
    assert isinstance(document_backend.make(tmp_path), DocumentBackend)


def test_document_backend_searches_counts_and_filters_whole_documents(document_backend, tmp_path):
    index = filled_documents(document_backend, tmp_path)
    assert index.num_docs == 3
    hits, count = index.search("hotel", None, 10)
    assert {doc for doc, _ in hits} == {"a", "b"} and count == 2
    assert index.search("hotel", None, 1)[1] == 2, "the count is of every match, not of the hits asked for"
    assert [doc for doc, _ in index.search("hotel", None, 10, sort="-date")[0]] == ["b", "a"]
    assert [doc for doc, _ in index.search(None, Filter(meta=(("topics", "housing"),)), 10)[0]] == ["b"]
    assert index.search("hotel", Filter(speakers=("Enver Solomon",)), 10)[0][0][0] == "a"
    assert index.search("hotel", Filter(speakers=()), 10) == ([], 0)
    assert index.count("hotel", Filter(source="DAILY A")) == 1
    assert index.facets("hotel", None, ["year", "meta.topics"]) == {
        "year": [("2024", 1), ("2025", 1)],
        "meta.topics": [("housing", 1), ("planning", 1)],
    }
    assert index.matching("hotel", Filter(date_from="2025-01-01"), ["a", "b", "c"]) == {"b"}


def test_document_backend_deletes_and_reopens_from_disk(document_backend, tmp_path):
    index = filled_documents(document_backend, tmp_path)
    index.delete(["a"])
    index.commit()
    reopened = document_backend.reopen(tmp_path)
    assert [doc for doc, _ in reopened.search("hotel", None, 10)[0]] == ["b"] and reopened.num_docs == 2


# -- vector backends ---------------------------------------------------------------------------------------


def filled_vectors(backend: Backend, path: Path, count: int = 2000):
    vectors = clustered(count)
    index = backend.make(path)
    index.add(np.arange(count, dtype=np.int64) * 3 + 1, vectors)
    return index, vectors


def exact(vectors: np.ndarray, query: np.ndarray, ids: np.ndarray, limit: int) -> list[int]:
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")[:limit]
    return [int(ids[i]) for i in order]


def test_vector_backend_satisfies_the_protocol(vector_backend, tmp_path):
    assert isinstance(vector_backend.make(tmp_path), VectorBackend)


def test_empty_vector_backend_finds_nothing(vector_backend, tmp_path):
    index = vector_backend.make(tmp_path)
    assert len(index) == 0 and index.search(unit(np.ones((1, 8)))[0], 5) == []
    assert index.vector(1) is None and list(index.ids()) == []


def test_vector_backend_finds_a_stored_vector_first_with_cosine_one(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    hits = index.search(vectors[10], 5)
    assert hits[0][0] == 31 and hits[0][1] == pytest.approx(1.0, abs=1e-3)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert np.allclose(index.vector(31), vectors[10], atol=1e-3)
    assert index.vector(2) is None
    assert list(index.ids()) == list(np.arange(2000) * 3 + 1)


def test_vector_backend_scores_are_the_exact_cosines(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    query = clustered(1, seed=5)[0]
    for cid, score in index.search(query, 10):
        assert score == pytest.approx(float(vectors[(cid - 1) // 3] @ query), abs=2e-3)


def test_a_selective_filter_loses_no_recall(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    ids = np.arange(2000, dtype=np.int64) * 3 + 1
    allowed = ids[np.random.default_rng(3).choice(2000, 40, replace=False)]
    for seed in range(5):
        query = clustered(1, seed=10 + seed)[0]
        positions = (allowed - 1) // 3
        want = exact(vectors[positions], query, allowed, 10)
        assert [cid for cid, _ in index.search(query, 10, allowed, exact=True)] == want


def test_an_ivf_index_scans_more_lists_for_a_query_far_from_every_cluster(tmp_path):
    vectors, ids = clustered(4000), np.arange(4000, dtype=np.int64)
    flat = VectorIndex.create(8, "flat", "float32")
    flat.add(ids, vectors)
    plain, widened = (VectorIndex.create(8, "ivf", "float32", nprobe=1, widen_far=widen) for widen in (1, 8))
    for index in (plain, widened):
        index.add(ids, vectors)
    # far means less near to the nearest cluster than 99% of the stored vectors are: few of the archive's own
    assert 0.005 <= np.mean(widened._nearest_cluster(vectors) < widened.far_below()) <= 0.015
    directions = unit(np.random.default_rng(1).normal(size=(100, 8)))
    far = directions[widened._nearest_cluster(directions) < widened.far_below()]
    assert len(far) > 50

    def recall(index: VectorIndex, queries: np.ndarray) -> float:
        found = sum(len({c for c, _ in index.search(q, 10)} & {c for c, _ in flat.search(q, 10)}) for q in queries)
        return found / (10 * len(queries))

    assert recall(plain, far) < 0.6 and recall(widened, far) > 0.9
    widened.save(tmp_path / "v.faiss")
    reopened = VectorIndex.load(tmp_path / "v.faiss", nprobe=1, widen_far=8)
    assert reopened.far_below() == widened.far_below()


def test_vector_backend_filters_with_allowed_ids_and_an_empty_filter_finds_nothing(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    allowed = np.array([1, 4, 7, 99999], dtype=np.int64)
    assert {cid for cid, _ in index.search(vectors[500], 10, allowed)} == {1, 4, 7}
    assert index.search(vectors[500], 10, np.array([], dtype=np.int64)) == []


def test_vector_backend_scores_only_the_ids_asked_among(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    ids = np.array([1, 4, 7, 99_999], dtype=np.int64)  # 99_999 is not held: left out
    found = index.among(vectors[1], ids, 10)
    assert [cid for cid, _ in found][0] == 4 and {cid for cid, _ in found} == {1, 4, 7}
    assert np.allclose(
        [score for _, score in found], sorted((vectors[:3] @ vectors[1]).tolist(), reverse=True), atol=1e-2
    )
    assert index.among(vectors[1], np.array([], dtype=np.int64), 10) == []


def test_vector_backend_deletes_and_round_trips_through_a_file(vector_backend, tmp_path):
    index, vectors = filled_vectors(vector_backend, tmp_path)
    index.delete(np.array([31, 34], dtype=np.int64))
    assert len(index) == 1998 and index.vector(31) is None
    assert 31 not in {cid for cid, _ in index.search(vectors[10], 10)}
    index.add(np.array([100_000], dtype=np.int64), vectors[10:11])
    index.save(tmp_path / "v.faiss")
    loaded = vector_backend.reopen(tmp_path)
    assert len(loaded) == 1999 and loaded.kind == index.kind
    assert loaded.search(vectors[10], 1)[0][0] == 100_000
    assert list(loaded.ids()) == sorted(set((np.arange(2000) * 3 + 1).tolist()) - {31, 34} | {100_000})
