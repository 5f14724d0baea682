"""The keyword and vector indexes behind their small interfaces, with the real tantivy and FAISS."""

import numpy as np

from archive.documents import ChunkRecord
from indexer.filters import Filter
from indexer.keyword import KeywordIndex
from indexer.vectors import VectorIndex


def record(cid, text, title="Title", context="", source=None, date=None):
    return ChunkRecord(cid, f"d{cid}", 0, 0, text, context, title, date, source, None)


def test_keyword_index_stems_finds_phrases_and_filters(tmp_path):
    index = KeywordIndex(tmp_path / "kw", create=True)
    index.add(
        [
            record(1, "Rioters attacked a hotel housing refugees.", source="Daily A", date="2024-08-04"),
            record(2, "The council approved a new hotel.", source="Daily B", date="2025-01-10"),
            record(3, "Nothing relevant here.", context="The riot police arrived.", date="2025-01-11"),
        ]
    )
    index.commit()
    assert [cid for cid, _ in index.search("refugee", 10)[0]] == [1]
    assert [cid for cid, _ in index.search('"new hotel"', 10)[0]] == [2]
    assert {cid for cid, _ in index.search("hotel", 10, Filter(source="daily b"))[0]} == {2}
    assert {cid for cid, _ in index.search("hotel", 10, Filter(date_from="2025-01-01"))[0]} == {2}
    assert [cid for cid, _ in index.search("riot", 10)[0]] == [3]


def test_keyword_deletes_by_chunk_id_and_reopens_from_disk(tmp_path):
    index = KeywordIndex(tmp_path / "kw", create=True)
    index.add([record(1, "alpha beta"), record(2, "alpha gamma")])
    index.commit()
    index.delete([1])
    index.commit()
    reopened = KeywordIndex(tmp_path / "kw")
    assert [cid for cid, _ in reopened.search("alpha", 10)[0]] == [2]
    assert reopened.num_docs == 1


def test_vector_index_searches_by_cosine_filters_deletes_and_round_trips(tmp_path):
    vectors = np.eye(3, dtype=np.float32)
    index = VectorIndex(3)
    index.add(np.array([7, 8, 9]), vectors)
    assert index.search(vectors[1], 1) == [(8, 1.0)]
    assert [cid for cid, _ in index.search(vectors[1], 3, allowed=np.array([7, 9]))] in ([7, 9], [9, 7])
    index.delete(np.array([8]))
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss")
    assert sorted(loaded.ids().tolist()) == [7, 9]
    assert loaded.search(vectors[1], 3, allowed=np.array([], dtype=np.int64)) == []
