"""Relevance evaluation on a BEIR-layout test collection: nDCG@10 (graded), Recall@100, MRR@10, latency.

The ranking judged is the documents of the returned passages in order of their first passage (a document's best
passage), or with `group=document` the articles in the order returned; near-duplicate copies count where their
passage or article stands. `compare` says which queries gained and lost between two runs, and whether
the change is more than chance (a paired randomization test). Metric definitions
follow trec_eval (as pytrec_eval computes them for BEIR); a test checks them against pytrec_eval.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archive.errors import ArchiveError

Ranker = Callable[[str, str], list[str]]
SAMPLES = ("all", "tune", "holdout")


@dataclass(frozen=True)
class Dataset:
    name: str
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_dataset(folder: Path, split: str = "test", sample: str = "all") -> Dataset:
    """Queries that have judgments in `qrels/<split>.tsv`; `tune`/`holdout` are the even/odd halves in file order."""
    folder = Path(folder)
    corpus, queries_file = folder / "corpus.jsonl", folder / "queries.jsonl"
    qrels_file = folder / "qrels" / f"{split}.tsv"
    for path in (corpus, queries_file, qrels_file):
        if not path.is_file():
            raise ArchiveError(
                f"{path} is missing: a BEIR dataset has corpus.jsonl, queries.jsonl and qrels/{split}.tsv"
            )
    if sample not in SAMPLES:
        raise ArchiveError(f"unknown sample {sample!r}: use one of {', '.join(SAMPLES)}")
    qrels: dict[str, dict[str, int]] = {}
    with qrels_file.open() as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    queries: dict[str, str] = {}
    with queries_file.open() as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                if str(item["_id"]) in qrels:
                    queries[str(item["_id"])] = item["text"]
    ids = list(queries)
    if sample != "all":
        ids = ids[0::2] if sample == "tune" else ids[1::2]
    return Dataset(folder.name, corpus, {q: queries[q] for q in ids}, {q: qrels[q] for q in ids})


def ndcg_at(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    gains = [judged.get(doc, 0) for doc in ranking[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {doc for doc, g in judged.items() if g > 0}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranking: list[str], judged: dict[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranking[:k]):
        if judged.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(dataset: Dataset, rank: Ranker, modes: list[str]) -> dict:
    """Run every query in every mode; mean metrics and latency percentiles per mode."""
    results: dict[str, dict] = {}
    for mode in modes:
        rank(next(iter(dataset.queries.values())), mode)
        ndcg, recall, mrr, times = [], [], [], []
        for qid, text in dataset.queries.items():
            started = time.perf_counter()
            ranking = rank(text, mode)
            times.append((time.perf_counter() - started) * 1000)
            ndcg.append(ndcg_at(ranking, dataset.qrels[qid]))
            recall.append(recall_at(ranking, dataset.qrels[qid]))
            mrr.append(mrr_at(ranking, dataset.qrels[qid]))
        times.sort()
        results[mode] = {
            "ndcg@10": round(statistics.fmean(ndcg), 4),
            "recall@100": round(statistics.fmean(recall), 4),
            "mrr@10": round(statistics.fmean(mrr), 4),
            "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
            "per_query": {qid: round(value, 4) for qid, value in zip(dataset.queries, ndcg, strict=True)},
        }
    return {"dataset": dataset.name, "queries": len(dataset.queries), "modes": results}


def compare(previous: dict, current: dict, queries: dict[str, str], top: int = 10) -> list[str]:
    """What changed between two runs (`archive eval --json` outputs), per mode: the mean nDCG@10 before and
    after, how many queries gained and lost, and the queries that moved most either way."""
    lines: list[str] = []
    for key in ("dataset", "split", "sample", "group"):
        if key in previous and key in current and previous[key] != current[key]:
            lines.append(f"note: the previous run's {key} was {previous[key]!r}, this one's is {current[key]!r}")
    for mode, now in current["modes"].items():
        before = previous.get("modes", {}).get(mode)
        if before is None or "per_query" not in before:
            lines.append(f"{mode}: not in the previous run (or it has no per-query figures)")
            continue
        shared = [q for q in now["per_query"] if q in before["per_query"]]
        deltas = sorted(((now["per_query"][q] - before["per_query"][q], q) for q in shared), reverse=True)
        gained = [(d, q) for d, q in deltas if d > 0]
        lost = [(d, q) for d, q in reversed(deltas) if d < 0]
        change = now["ndcg@10"] - before["ndcg@10"]
        p = paired_randomization_p([d for d, _ in deltas])
        verdict = "a real difference" if p < 0.05 else "within noise"
        lines.append(
            f"{mode}: nDCG@10 {before['ndcg@10']:.4f} -> {now['ndcg@10']:.4f} ({change:+.4f}, p={p:.2f}: {verdict});"
            f" {len(gained)} queries gained, {len(lost)} lost, {len(shared) - len(gained) - len(lost)} unchanged"
        )
        for label, moved in (("gained", gained[:top]), ("lost", lost[:top])):
            for delta, qid in moved:
                lines.append(f"  {label} {delta:+.3f}  {qid}: {queries.get(qid, '')[:80]}")
    return lines


def paired_randomization_p(deltas: list[float], rounds: int = 10_000, seed: int = 0) -> float:
    """Two-sided p-value of a mean per-query difference under the paired randomization test (each query's
    difference flips sign at random; the usual significance test of IR evaluation): how often chance alone
    gives a mean difference at least as large. Seeded, so a comparison prints the same figure every time."""
    values = np.asarray([d for d in deltas if d != 0.0], dtype=np.float64)
    if len(values) == 0:
        return 1.0
    observed = abs(values.mean())
    rng = np.random.default_rng(seed)
    extreme, done = 0, 0
    while done < rounds:  # a thousand rounds at a time, so a 10,000-query set stays small in memory
        batch = min(1000, rounds - done)
        signs = rng.choice((-1.0, 1.0), size=(batch, len(values)))
        extreme += int(np.count_nonzero(np.abs(signs @ values) / len(values) >= observed - 1e-12))
        done += batch
    return float((extreme + 1) / (rounds + 1))


def documents_in_order(results: list[dict]) -> list[str]:
    """Hits or articles (API JSON) to a document ranking: a document stands where its first hit (its best
    passage) or its article stands, and its copies count at the same place."""
    seen: dict[str, None] = {}
    for hit in results:
        for doc in (hit["doc_id"], *hit.get("duplicates", ())):
            seen.setdefault(doc, None)
    return list(seen)
