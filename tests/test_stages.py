"""The search stages one by one: the filter value, the facet classes, the fusion object, candidates and the
per-search reads, the rank steps and the counted set, each without running a whole search."""

from __future__ import annotations

import numpy as np
import pytest

from archive.documents import Chunk, Document
from archive.settings import Settings
from archive.store import Store
from indexer.candidates import Candidate, Reads, below
from indexer.facets import FACETS, FIXED_FACETS, Facts, MetaFacet, added, count_facets, facet, facet_label
from indexer.filters import Filter
from indexer.fusion import ConvexFusion, ReciprocalRankFusion, fusion_from
from indexer.rank import Ranker
from indexer.request import SearchRequest
from indexer.retrieve import Retrieved, tiers
from indexer.sources import Sources

# -- the filter ----------------------------------------------------------------------------------------------


def test_a_filter_renders_itself_as_sql_a_share_and_chips():
    where = Filter(source="Wire", date_from="2024-01-01", meta=(("topics", "oil"), ("topics", "gas")), speaker="Lay")
    clauses, params = where.sql()
    assert clauses == ["lower(d.source) = lower(?)", "d.date >= ?"] and params == ["Wire", "2024-01-01"]
    sources = Sources({"wire": "Wire"}, {"wire": 50}, 100, "2023-01-01", "2024-12-31")
    assert where.share(sources) == pytest.approx(0.5 * 366 / 731)
    chips = {chip.label: chip.without for chip in where.chips()}
    assert chips == {
        "source: Wire": {"source": None},
        "speaker: Lay": {"speaker": None},
        "dates: 2024-01-01 to …": {"date_from": None, "date_to": None},
        "topics: oil": {"meta.topics": ["gas"]},
        "topics: gas": {"meta.topics": ["oil"]},
    }
    assert Filter().empty and not where.empty and where.by_source_or_date and not where.by_name_or_document


def test_a_filter_naming_no_known_speaker_or_no_document_matches_nothing(tmp_path):
    from indexer.keyword import KeywordIndex

    index = KeywordIndex(tmp_path / "kw", create=True)
    assert Filter(speakers=()).tantivy(index.index, index.schema, index._by_name) is None
    assert Filter(doc_ids=()).tantivy(index.index, index.schema, index._by_name) is None
    assert Filter().tantivy(index.index, index.schema, index._by_name) == []


# -- facets ----------------------------------------------------------------------------------------------------


def test_the_facet_list_is_declared_once_by_the_registry():
    assert FIXED_FACETS == ("source", "year", "month", "speaker", "meta.file_type", "meta.from") == tuple(FACETS)
    assert facet_label("meta.file_type") == "File type"
    assert isinstance(facet("meta.topics"), MetaFacet) and facet("meta.topics").field == "meta.topics"
    assert facet_label("speaker") == "Who is quoted" and facet_label("meta.crawled_at") == "Crawled at"


def test_each_facet_draws_its_values_and_orders_them():
    facts = [
        Facts("Wire", "2024-03-02", ("Ann",), {"topics": ["oil", "gas"]}),
        Facts("wire", "2023-12-30", (), {"topics": ["oil"]}),
        Facts(None, None, ("Ann", "Bob"), {}),
    ]
    counts = count_facets(facts, ["source", "year", "month", "speaker", "meta.topics"])
    assert counts["source"] == [("wire", 2)]
    assert counts["year"] == [("2023", 1), ("2024", 1)], "years in time order"
    assert counts["month"] == [("2023-12", 1), ("2024-03", 1)]
    assert counts["speaker"] == [("Ann", 2), ("Bob", 1)], "most first"
    assert counts["meta.topics"] == [("oil", 2), ("gas", 1)]
    assert added(counts, {"year": [("2024", 2), ("2025", 1)]})["year"] == [("2023", 1), ("2024", 3), ("2025", 1)]


# -- fusion --------------------------------------------------------------------------------------------------


def test_the_fusion_is_chosen_once_from_the_settings():
    assert isinstance(fusion_from(Settings()), ReciprocalRankFusion)
    assert isinstance(fusion_from(Settings(fusion="convex")), ConvexFusion)


@pytest.mark.parametrize("fusion", [ReciprocalRankFusion(30), ConvexFusion()])
def test_either_fusion_adds_statements_without_demoting_an_agreed_first(fusion):
    lists = {"keyword": [(1, 3.0), (2, 2.0), (3, 1.0)], "semantic": [(1, 0.9), (3, 0.8), (2, 0.7)]}
    fused = fusion.with_statements(lists, [3])
    assert fused[0][0] == 1 and fused[1][0] == 3 and fused[1][2]["quotes"] == 1


# -- candidates and reads ------------------------------------------------------------------------------------


def test_candidates_below_a_head_score_under_it_in_their_own_order():
    head = [Candidate(1, 0.5, {}), Candidate(2, 0.4, {})]
    rest = below(head, [Candidate(3, 0.9, {}), Candidate(4, 0.1, {})])
    assert [c.chunk_id for c in rest] == [3, 4] and rest[0].score < 0.4 and rest[1].score < rest[0].score


def test_one_search_reads_each_row_of_the_store_once(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    doc = Document("d1", "test:d1", "Title", "2024-01-01", "Wire", None, ("One.", "Two."), "h1")
    ids = store.put_document(
        doc,
        [Chunk("d1", 0, 0, "One.", "", "Title", 1), Chunk("d1", 1, 1, "Two.", "", "Title", 1)],
        np.zeros(4, dtype=np.uint64),
        ["a", "b"],
    )
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    reads = Reads(store)
    assert set(reads.records(ids)) == set(ids)
    assert reads.documents_of(ids) == dict.fromkeys(ids, "d1"), "known from the records already read"
    assert list(reads.rows(["d1"])) == ["d1"] and list(reads.rows(["d1"])) == ["d1"]
    reads.records(ids[:1])
    assert len([s for s in statements if s.startswith("SELECT")]) == 2, statements


# -- rank ------------------------------------------------------------------------------------------------------


def retrieved(mode: str, lists: dict) -> Retrieved:
    return Retrieved(SearchRequest("q", mode), Filter(), 100, lists)


def test_a_single_list_ranks_as_it_is_and_hybrid_heads_fuse_with_deeper_tiers_below(tmp_path):
    settings = Settings(candidates=2, document_weight=0.0)
    store = Store(tmp_path / "s.sqlite3")
    ranker = Ranker(settings, fusion_from(settings), Reads(store), store, None, 1000)
    single, head = ranker.fuse(
        retrieved("keyword", {"keyword": [(5, 2.0), (6, 1.0), (7, 0.5)]}), {"keyword": [(5, 2.0), (6, 1.0), (7, 0.5)]}
    )
    assert [(c.chunk_id, c.ranks) for c in single] == [(5, {"keyword": 1}), (6, {"keyword": 2}), (7, {"keyword": 3})]
    assert head == {5, 6}
    lists = {"keyword": [(1, 3.0), (2, 2.0), (3, 1.0)], "semantic": [(2, 0.9), (4, 0.8), (3, 0.7)]}
    fused, head = ranker.fuse(retrieved("hybrid", lists), lists)
    assert head == {1, 2, 4} and [c.chunk_id for c in fused][:3] == [2, 1, 4] and fused[3].chunk_id == 3
    assert fused[3].score < min(c.score for c in fused[:3]), "a deeper tier scores below the head"
    assert tiers(settings, 3, 1000) == [2, 3]


def test_document_scores_lift_passages_of_documents_that_match_as_a_whole(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    for n in (1, 2):
        doc = Document(f"d{n}", f"test:{n}", "T", None, None, None, ("p",), f"h{n}")
        store.put_document(doc, [Chunk(f"d{n}", 0, 0, "p", "", "T", 1)], np.zeros(4, dtype=np.uint64), [f"x{n}"])
    settings = Settings(document_weight=1.0)
    ranker = Ranker(settings, fusion_from(settings), Reads(store), store, None, 1000)
    rescored = ranker.with_document_scores([(1, 2.0), (2, 1.8)], [("d2", 5.0), ("d1", 1.0)])
    assert [cid for cid, _ in rescored] == [2, 1]
    assert ranker.with_document_scores([(1, 2.0)], []) == [(1, 2.0)]
