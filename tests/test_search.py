import pytest

from archive.errors import InvalidRequestError
from indexer.fusion import rrf
from indexer.search import SearchRequest

QUESTION = "what did the Refugee Council say about riots"


def search(service, query, **kwargs):
    return service.search(SearchRequest(query, **kwargs))


def test_the_refugee_council_question_is_answered_by_the_race_riots_paragraph_first(service):
    first, second = search(service, QUESTION).results[:2]
    assert "race riots" in first.text and "Enver Solomon" in first.text
    assert "burn refugees alive" in second.text
    assert "Refugee Council" in first.context


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_each_mode_finds_the_race_riots_paragraph_in_its_top_three(service, mode):
    response = search(service, QUESTION, mode=mode)
    assert response.mode == mode
    assert any("race riots" in hit.text for hit in response.results[:3])


def test_hits_carry_their_document_metadata_ranks_and_a_highlighted_snippet(service):
    hit = search(service, QUESTION).results[0]
    assert hit.doc_id == "000_ac5b891913291307"
    assert hit.date == "2025-02-10" and hit.title.startswith("Yvette Cooper")
    assert hit.ranks["keyword"] >= 1 and hit.ranks["semantic"] >= 1
    assert "<mark>riots</mark>" in hit.snippet


def test_a_repeated_paragraph_is_shown_once_with_its_other_copies(service):
    results = search(service, QUESTION, k=30).results
    race = [h for h in results if "race riots" in h.text]
    assert len(race) == 1
    assert race[0].duplicates == ["001_b1430c0bef034883"]


def test_rank_fusion_rewards_agreement_between_the_lists():
    fused = rrf({"keyword": [1, 2, 3], "semantic": [3, 4, 1]}, k=60)
    assert [cid for cid, *_ in fused][:2] == [1, 3]
    assert fused[0][2] == {"keyword": 1, "semantic": 3}
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)


def test_date_filter_keeps_only_dated_documents_in_range(service):
    inside = search(service, "Home Office", date_from="2025-02-01", date_to="2025-02-28", k=50).results
    assert inside and {h.doc_id for h in inside} == {"000_ac5b891913291307"}
    assert search(service, "Home Office", date_from="2026-01-01").results == []
    semantic = search(service, "Home Office", mode="semantic", date_to="2025-02-10", k=50).results
    assert {h.doc_id for h in semantic} == {"000_ac5b891913291307"}


def test_source_filter_excludes_documents_without_that_source(service):
    assert search(service, "Home Office", source="The Independent").results == []


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ('"unbalanced quote', False),
        ("AND OR (", False),
        ("title:", False),
        ("nofield:riots", True),
        ("riots)))", True),
        ("*", True),
    ],
)
def test_broken_query_syntax_never_fails(service, query, finds):
    response = search(service, query, mode="keyword")
    assert bool(response.results) == finds and len(response.results) <= response.total


def test_a_broken_query_still_finds_its_words_and_says_so(service):
    response = search(service, '"race riots', mode="keyword")
    assert "race riots" in response.results[0].text
    assert response.notices


def test_phrase_queries_match_the_exact_phrase(service):
    results = search(service, '"hate-filled mobs"', mode="keyword").results
    assert results and all("hate-filled mobs" in h.text for h in results)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": ""}, "the query is empty"),
        ({"query": "x" * 1001}, "limit is 1000"),
        ({"query": "x", "mode": "fuzzy"}, "unknown mode 'fuzzy'"),
        ({"query": "x", "k": 0}, "k must be between 1 and 100"),
        ({"query": "x", "k": 101}, "k must be between 1 and 100"),
        ({"query": "x", "date_from": "10/02/2025"}, "date_from must be a date like 2025-02-10"),
        ({"query": "x", "date_from": "2025-03-01", "date_to": "2025-01-01"}, "is after date_to"),
    ],
)
def test_invalid_requests_are_refused_with_a_message(service, kwargs, message):
    with pytest.raises(InvalidRequestError, match=message):
        service.search(SearchRequest(**kwargs))


def test_pages_do_not_overlap(service):
    first = search(service, "Home Office", k=5).results
    second = search(service, "Home Office", k=5, offset=5).results
    assert [h.rank for h in second] == [6, 7, 8, 9, 10]
    assert not {h.chunk_id for h in first} & {h.chunk_id for h in second}


def test_similar_passages_come_from_other_documents(service):
    hit = search(service, QUESTION).results[0]
    similar = service.similar(hit.chunk_id)
    assert similar and all(p.doc_id != hit.doc_id for p in similar)
