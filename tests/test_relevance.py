"""How queries are read and ranked: words joined by punctuation, filters that select without scoring, the title
searched with the text, and pseudo-relevance feedback that sharpens a second pass without changing what matches.

The figures these choices were measured by are in docs/relevance.md (`archive eval`)."""

from dataclasses import replace

import numpy as np
import pytest

from archive.errors import SettingsError
from archive.settings import Settings
from indexer.feedback import Expansion, expansion, moved_towards
from indexer.filters import Filter
from indexer.ingest import ingest_paths
from indexer.keyword import as_terms, build_analyzer
from indexer.search import SearchRequest, SearchService


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("boundary-layer flow", "boundary layer flow"),
        ("Starmer's record", "Starmer record"),
        ("x-ray e.g. data", "x ray e g. data"),
        ('"boundary-layer" flow', '"boundary-layer" flow'),
        ("riots 2025-02-10", "riots 2025 02 10"),
        ("title:home-office", "title:home-office"),
        ("asylum^2.5 x-ray", "asylum^2.5 x ray"),
        ("-foo-bar +x-ray boundary-layer", "-foo-bar +x-ray boundary layer"),
        (
            "date:[2025-01-01T00:00:00Z TO 2025-12-31T00:00:00Z] x-ray",
            "date:[2025-01-01T00:00:00Z TO 2025-12-31T00:00:00Z] x ray",
        ),
    ],
)
def test_words_joined_by_punctuation_are_searched_as_words_and_query_syntax_is_kept(query, terms):
    assert as_terms(query).split() == terms.split()


def test_a_hyphenated_query_finds_what_its_words_find(service):
    joined = service.search(SearchRequest("immigration-raids", "keyword", k=50))
    words = service.search(SearchRequest("immigration raids", "keyword", k=50))
    assert joined.total == words.total > 0
    assert [h.chunk_id for h in joined.results] == [h.chunk_id for h in words.results]


def test_a_filter_selects_without_changing_scores(service):
    index = service.generation.keyword
    plain = dict(index.search("Home Office", 100)[0])
    dated, _ = index.search("Home Office", 100, Filter(date_from="2025-02-01"))
    assert dated and len(dated) < len(plain)
    for chunk_id, score in dated:
        assert score == pytest.approx(plain[chunk_id])


def test_a_word_only_in_the_title_finds_every_passage_of_that_article(service):
    document = service.document("000_ac5b891913291307")
    response = service.search(SearchRequest('"doubled down"', "keyword", k=100))
    found = {h.chunk_id for h in response.results if h.doc_id == document.doc_id}
    assert "doubled down" in document.title and found == {c.chunk_id for c in document.chunks}


def test_feedback_terms_come_from_the_best_passages_and_keep_the_query_weight():
    analyze = build_analyzer().analyze
    found = expansion(
        "wing flutter",
        ["Flutter of swept wings in a transonic wind tunnel.", "Transonic flutter tests of a swept wing model."],
        analyze,
        terms=3,
        query_weight=0.8,
    )
    assert isinstance(found, Expansion) and found.query_weight == pytest.approx(0.8 / 2)
    assert len(found.terms) == 3 and {"flutter", "transon"} <= set(found.terms)
    assert sum(found.terms.values()) == pytest.approx(0.2)
    assert expansion("wing", [], analyze, terms=3, query_weight=0.8) is None


def test_the_moved_query_stays_a_unit_vector_between_query_and_feedback():
    query, passage = np.array([1.0, 0.0], dtype=np.float32), np.array([0.0, 1.0], dtype=np.float32)
    moved = moved_towards(query, [passage], 0.3)
    assert np.linalg.norm(moved) == pytest.approx(1.0) and 0 < moved[1] < moved[0]
    assert moved_towards(query, [], 0.3) is query


def test_feedback_rescores_keyword_matches_but_never_adds_any(seed_settings, embedder):
    off = SearchService(replace(seed_settings, feedback_passages=0), embedder=embedder)
    on = SearchService(replace(seed_settings, feedback_passages=2), embedder=embedder)
    request = SearchRequest("migration tactics", "keyword", k=100)
    without, with_feedback = off.search(request), on.search(request)
    assert with_feedback.total == without.total > 3
    assert {h.chunk_id for h in with_feedback.results} == {h.chunk_id for h in without.results}
    before = {h.chunk_id: h.score for h in without.results}
    assert any(h.score != pytest.approx(before[h.chunk_id]) for h in with_feedback.results)


def test_feedback_in_hybrid_mode_keeps_the_seed_answer_first(seed_settings, embedder):
    for passages in (0, 2):
        service = SearchService(replace(seed_settings, feedback_passages=passages), embedder=embedder)
        results = service.search(SearchRequest("what did the Refugee Council say about riots")).results
        assert "race riots" in results[0].text, passages


def test_feedback_settings_are_checked():
    with pytest.raises(SettingsError, match="ARCHIVE_FEEDBACK_QUERY_WEIGHT=1.5 must be at most 1.0"):
        Settings.from_env({"ARCHIVE_FEEDBACK_QUERY_WEIGHT": "1.5"})


def test_asking_for_no_hits_is_an_empty_list_not_an_engine_panic(service):
    assert service.generation.keyword.search("riots", 0) == ([], False)


def test_a_passage_of_a_story_that_matches_as_a_whole_ranks_above_one_that_matches_alone(settings, embedder, tmp_path):
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "whole.txt").write_text(
        "Monday at the port\n\nCrews began a ferry strike at dawn on Monday.\n\n"
        "Lorries queued for miles outside Calais harbour while the port stayed shut.\n"
    )
    (folder / "part.txt").write_text(
        "Crossings\n\nA ferry strike, the second ferry strike this year, began on Monday.\n\n"
        "Ticket prices for the summer season were announced by the operators.\n"
    )
    ingest_paths(settings, [folder], embedder=embedder)
    request = SearchRequest("ferry strike Calais harbour", "keyword", k=10)
    settings = replace(settings, feedback_passages=0)
    alone_response = SearchService(replace(settings, document_weight=0.0), embedder=embedder).search(request)
    whole_response = SearchService(settings, embedder=embedder).search(request)
    alone, whole = alone_response.results, whole_response.results
    strike = [h for h in alone if "ferry strike" in h.text]
    assert strike[0].doc_id == "part"  # on its own words, the passage that says "ferry strike" twice wins
    strike = [h for h in whole if "ferry strike" in h.text]
    assert strike[0].doc_id == "whole"  # its story also names Calais harbour
    assert whole_response.total == alone_response.total == len(whole) == 4  # reordered, nothing added


def test_keyword_pages_across_the_candidate_depth_show_every_passage_once(settings, embedder, tmp_path):
    """The document weighting reorders a fixed head of the keyword list, so a deeper list (later pages, exports)
    keeps the order the first pages showed."""
    folder = tmp_path / "stories"
    folder.mkdir()
    filler = "\n\n".join(f"Paragraph {n} is about the weather, the markets and the council budget." for n in range(150))
    short = "\n\n".join(f"The ferry left the harbour at {n} with the morning post." for n in range(1, 6))
    (folder / "notes.txt").write_text(f"Harbour notes\n\n{short}\n\n{filler}\n")
    sailings = "\n\n".join(f"The ferry sails at {n} from the north pier, weather allowing." for n in range(1, 7))
    (folder / "timetable.txt").write_text(f"Island timetable\n\n{sailings}\n")
    ingest_paths(settings, [folder], embedder=embedder)
    service = SearchService(replace(settings, candidates=5, feedback_passages=0), embedder=embedder)
    response = service.search(SearchRequest("ferry", "keyword", k=50))
    whole = response.results
    paged = [
        hit
        for offset in range(0, response.total, 3)
        for hit in service.search(SearchRequest("ferry", "keyword", k=3, offset=offset)).results
    ]
    assert len(whole) == response.total > 10
    assert [h.chunk_id for h in paged] == [h.chunk_id for h in whole]
    scores = [hit.score for hit in whole]
    assert scores == sorted(scores, reverse=True), "scores fall from one page to the next, past the re-scored head too"


def test_hybrid_pages_across_the_candidate_depth_show_one_order(settings, embedder, tmp_path):
    """Pages past the first `candidates` search deeper lists; the passages already shown keep their places (the
    fusion and the feedback pass are decided on the first `candidates` of each list, deeper hits follow)."""
    folder = tmp_path / "stories"
    folder.mkdir()
    harbour = "\n\n".join(f"The ferry to the island left the harbour at {n} in calm weather." for n in range(1, 9))
    (folder / "harbour.txt").write_text(f"Harbour log\n\n{harbour}\n")
    council = "\n\n".join(f"Council meeting {n} discussed the ferry budget and the port fees." for n in range(1, 9))
    (folder / "council.txt").write_text(f"Council minutes\n\n{council}\n")
    boats = "\n\n".join(f"Fishing boat {n} returned with a catch of mackerel and crab." for n in range(1, 9))
    (folder / "boats.txt").write_text(f"Boats\n\n{boats}\n")
    ingest_paths(settings, [folder], embedder=embedder)
    service = SearchService(replace(settings, candidates=5), embedder=embedder)
    whole = service.search(SearchRequest("ferry harbour crossing", "hybrid", k=20)).results
    paged = [
        hit
        for offset in range(0, 20, 4)
        for hit in service.search(SearchRequest("ferry harbour crossing", "hybrid", k=4, offset=offset)).results
    ]
    assert len(whole) == 20
    assert [h.chunk_id for h in paged] == [h.chunk_id for h in whole]
    scores = [h.score for h in whole]
    assert scores == sorted(scores, reverse=True)
