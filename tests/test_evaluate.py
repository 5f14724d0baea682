"""`archive eval`: metrics agree with trec_eval (pytrec_eval), and the command runs on a small BEIR dataset."""

import json

import pytest
import pytrec_eval  # noqa: E402

from cli import main
from indexer.evaluate import (
    compare,
    documents_in_order,
    load_dataset,
    mrr_at,
    ndcg_at,
    paired_randomization_p,
    recall_at,
)

RUNS = {
    "q1": ["d3", "d1", "d9", "d2", "d7", "d8", "d4", "d5", "d6", "d10", "d11"],
    "q2": ["d5", "d6", "d1"],
    "q3": ["d1", "d2"],
}
QRELS = {"q1": {"d1": 3, "d2": 1, "d4": 2, "d11": 5}, "q2": {"d6": 1, "d7": 4}, "q3": {"d9": 2}}


def test_metrics_agree_with_trec_eval():
    run = {q: {d: float(len(docs) - i) for i, d in enumerate(docs)} for q, docs in RUNS.items()}
    measures = pytrec_eval.RelevanceEvaluator(QRELS, {"ndcg_cut.10", "recall.100", "recip_rank"}).evaluate(run)
    for qid, docs in RUNS.items():
        assert ndcg_at(docs, QRELS[qid]) == pytest.approx(measures[qid]["ndcg_cut_10"], abs=1e-9)
        assert recall_at(docs, QRELS[qid]) == pytest.approx(measures[qid]["recall_100"], abs=1e-9)
    assert mrr_at(RUNS["q1"], QRELS["q1"]) == 0.5 and mrr_at(RUNS["q3"], QRELS["q3"]) == 0.0


def test_chunk_hits_become_documents_in_order_of_their_first_chunk():
    hits = [
        {"doc_id": "a", "duplicates": ["b"]},
        {"doc_id": "c", "duplicates": []},
        {"doc_id": "a"},
        {"doc_id": "b"},
        {"doc_id": "d"},
    ]
    assert documents_in_order(hits) == ["a", "b", "c", "d"]


@pytest.fixture
def tiny_beir(tmp_path):
    docs = {
        "1": ("Wing flutter", "Flutter of swept wings at transonic speed was measured in a wind tunnel."),
        "2": ("Boundary layers", "Laminar boundary layer transition on a flat plate with heat transfer."),
        "3": ("Shock waves", "Interaction of an oblique shock wave with a turbulent boundary layer."),
        "4": ("Cooking rice", "Rice absorbs water as it cooks; rinse it first."),
    }
    (tmp_path / "qrels").mkdir()
    with open(tmp_path / "corpus.jsonl", "w") as f:
        for doc_id, (title, text) in docs.items():
            f.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    with open(tmp_path / "queries.jsonl", "w") as f:
        f.write(json.dumps({"_id": "q1", "text": "flutter of swept wings"}) + "\n")
        f.write(json.dumps({"_id": "q2", "text": "shock boundary layer interaction"}) + "\n")
        f.write(json.dumps({"_id": "q3", "text": "a query without judgments"}) + "\n")
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\t1\t2\nq2\t3\t2\nq2\t2\t1\n")
    return tmp_path


def test_eval_prints_every_metric_per_mode_as_json(runner, tiny_beir, tmp_path):
    result = runner.invoke(main, ["eval", str(tiny_beir), "--json", "--data-dir", str(tmp_path / "eval")])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["dataset"] == tiny_beir.name and figures["queries"] == 2
    assert set(figures["modes"]) == {"keyword", "semantic", "hybrid"}
    assert (figures["group"], figures["split"], figures["sample"]) == ("passage", "test", "all")
    for mode in figures["modes"].values():
        assert set(mode) == {"ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms", "per_query"}
        assert mode["mrr@10"] == 1.0 and mode["recall@100"] == 1.0
        assert set(mode["per_query"]) == {"q1", "q2"}


def test_eval_judges_articles_and_compares_with_a_saved_run(runner, tiny_beir, tmp_path):
    saved = tmp_path / "before.json"
    args = ["eval", str(tiny_beir), "--modes", "hybrid", "--data-dir", str(tmp_path / "eval")]
    first = runner.invoke(main, [*args, "--group", "document", "--save", str(saved)])
    assert first.exit_code == 0, first.output
    assert json.loads(saved.read_text())["group"] == "document"
    again = runner.invoke(main, [*args, "--compare", str(saved)])
    assert again.exit_code == 0, again.output
    assert "hybrid: nDCG@10" in again.output and "0 queries gained, 0 lost, 2 unchanged" in again.output
    assert "note: the previous run's group was 'document', this one's is 'passage'" in again.output


def test_compare_names_the_queries_that_gained_and_lost():
    before = {"modes": {"hybrid": {"ndcg@10": 0.5, "per_query": {"q1": 1.0, "q2": 0.0, "q3": 0.5}}}}
    after = {"modes": {"hybrid": {"ndcg@10": 0.55, "per_query": {"q1": 0.6, "q2": 0.55, "q3": 0.5}}}}
    lines = compare(before, after, {"q1": "flutter", "q2": "shock waves"})
    assert lines[0] == (
        "hybrid: nDCG@10 0.5000 -> 0.5500 (+0.0500, p=1.00: within noise); 1 queries gained, 1 lost, 1 unchanged"
    )
    assert lines[1] == "  gained +0.550  q2: shock waves" and lines[2] == "  lost -0.400  q1: flutter"
    assert compare({"modes": {}}, after, {}) == ["hybrid: not in the previous run (or it has no per-query figures)"]


def test_a_change_is_called_real_only_when_chance_rarely_gives_it():
    assert paired_randomization_p([0.05] * 30) < 0.001, "thirty queries all gaining is no accident"
    assert paired_randomization_p([0.3, -0.25, 0.1, -0.12, 0.02]) > 0.5, "gains and losses that cancel are noise"
    assert paired_randomization_p([0.0, 0.0]) == 1.0
    assert paired_randomization_p([0.2, 0.1, -0.05] * 4) == paired_randomization_p([0.2, 0.1, -0.05] * 4)


def test_eval_halves_split_the_queries(tiny_beir):
    assert list(load_dataset(tiny_beir, sample="tune").queries) == ["q1"]
    assert list(load_dataset(tiny_beir, sample="holdout").queries) == ["q2"]


def test_eval_names_a_missing_file(runner, tmp_path):
    result = runner.invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 1 and "corpus.jsonl is missing" in result.output
