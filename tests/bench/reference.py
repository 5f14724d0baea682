"""The plain reference our relevance and build time are judged against, run on this machine. Prints figures.

Tantivy BM25 over title + text with the query's words OR-ed, all-MiniLM-L6-v2 over title + text (cut at the
model's 256-token window), a flat FAISS inner-product index, reciprocal rank fusion with k = 60 over the top 100 of
each. Nothing of ours is used but the dataset loader and the metric definitions, so the comparison is fair.

.venv/bin/python tests/bench/reference.py ../shared/data/scifact [--precision float32|bfloat16] [--save F.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import faiss
import tantivy

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from indexer.embedder import Embedder  # noqa: E402
from indexer.evaluate import load_dataset, ndcg_at, recall_at  # noqa: E402

DEPTH = 100
RRF_K = 60
_WORD = re.compile(r"\w+", re.UNICODE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--split", default="test")
    parser.add_argument("--sample", default="all", choices=("all", "tune", "holdout"))
    parser.add_argument("--precision", default="float32", choices=("float32", "bfloat16"))
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    dataset = load_dataset(args.dataset, args.split, args.sample)
    ids, texts = [], []
    with dataset.corpus.open() as f:
        for line in f:
            if line.strip():
                item = json.loads(line)
                ids.append(str(item["_id"]))
                texts.append(f"{item.get('title') or ''} {item.get('text') or ''}".strip())

    started = time.perf_counter()
    embedder = Embedder(precision=args.precision, query_cache_size=0)
    embedder.encode_documents(texts[:8])  # load the model outside the timing of the encoding itself
    loaded = time.perf_counter()
    vectors = embedder.encode_documents(texts, batch_size=64)
    encoded = time.perf_counter()
    vector_index = faiss.IndexFlatIP(vectors.shape[1])
    vector_index.add(vectors)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    with tempfile.TemporaryDirectory() as folder:
        index = tantivy.Index(schema, path=folder)
        writer = index.writer()
        for doc_id, text in zip(ids, texts, strict=True):
            writer.add_document(tantivy.Document(id=doc_id, text=text))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        built = time.perf_counter()
        searcher = index.searcher()

        def keyword(query: str) -> list[str]:
            words = _WORD.findall(query)
            if not words:
                return []
            parsed = index.parse_query(" OR ".join(words), ["text"])
            return [searcher.doc(address)["id"][0] for _, address in searcher.search(parsed, DEPTH).hits]

        def dense(query: str) -> list[str]:
            _, found = vector_index.search(embedder.encode_query(query)[None, :], DEPTH)
            return [ids[i] for i in found[0] if i >= 0]

        def fused(query: str) -> list[str]:
            scores: dict[str, float] = {}
            for ranking in (keyword(query), dense(query)):
                for rank, doc_id in enumerate(ranking, start=1):
                    scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
            return sorted(scores, key=lambda d: -scores[d])

        figures = {
            "dataset": dataset.name,
            "split": args.split,
            "sample": args.sample,
            "queries": len(dataset.queries),
            "documents": len(ids),
            "precision": args.precision,
            "build_s": round(built - started, 1),
            "model_load_s": round(loaded - started, 1),
            "encode_s": round(encoded - loaded, 1),
            "modes": {},
        }
        for name, rank in (("keyword", keyword), ("semantic", dense), ("hybrid", fused)):
            ndcg, recall, times = [], [], []
            for qid, query in dataset.queries.items():
                t = time.perf_counter()
                ranking = rank(query)
                times.append((time.perf_counter() - t) * 1000)
                ndcg.append(ndcg_at(ranking, dataset.qrels[qid]))
                recall.append(recall_at(ranking, dataset.qrels[qid]))
            figures["modes"][name] = {
                "ndcg@10": round(statistics.fmean(ndcg), 4),
                "recall@100": round(statistics.fmean(recall), 4),
                "p50_ms": round(statistics.median(times), 2),
                "per_query": {q: round(v, 4) for q, v in zip(dataset.queries, ndcg, strict=True)},
            }
    print(
        f"{dataset.name} ({len(ids)} documents, {len(dataset.queries)} queries, {args.precision}): build "
        f"{figures['build_s']} s (model load {figures['model_load_s']} s, encoding {figures['encode_s']} s)"
    )
    for name, row in figures["modes"].items():
        print(f"  {name:<9} nDCG@10 {row['ndcg@10']:.4f}  recall@100 {row['recall@100']:.4f}  p50 {row['p50_ms']} ms")
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
