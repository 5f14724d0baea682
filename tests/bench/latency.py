"""Search latency on an existing archive: hybrid passages (the API's default search) and the search page's request
(hybrid articles with the page's facets), p50 and p95 over real queries. The queries are embedded once before the
timing (the embedder's cache), so the figures are the search core's own cost; `--embed` times the embedding too.

    python tests/bench/latency.py DATA_DIR                              # queries made from the archive's titles
    python tests/bench/latency.py DATA_DIR --queries ../shared/data/cranfield/queries.jsonl

Run it with one checkout's code on the path, then another's on a copy of the same archive rebuilt by it
(`archive rebuild --data-dir COPY`), to compare two versions of the search core on the same data.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archive.settings import Settings  # noqa: E402
from indexer.embedder import Embedder  # noqa: E402
from indexer.search import SearchRequest, SearchService  # noqa: E402

PAGE_FACETS = ("source", "year", "month", "speaker")


def archive_queries(data_dir: Path, count: int, seed: int) -> list[str]:
    """Titles of documents picked at random (seeded): what a reader might type."""
    db = sqlite3.connect(data_dir / "archive.sqlite3")
    titles = [row[0] for row in db.execute("SELECT title FROM documents WHERE title != '' ORDER BY doc_id")]
    random.Random(seed).shuffle(titles)
    return [" ".join(title.split()[:8]) for title in titles[:count]]


def file_queries(path: Path, count: int) -> list[str]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [str(item.get("text") or item.get("query"))[:300] for item in lines[:count]]


def timed(service: SearchService, requests: list[SearchRequest]) -> list[float]:
    took = []
    for request in requests:
        started = time.perf_counter()
        service.search(request)
        took.append((time.perf_counter() - started) * 1000)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--queries", type=Path, default=None, help="A BEIR queries.jsonl; else the archive's titles.")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--embed", action="store_true", help="Embed each query inside the timing (no cache).")
    args = parser.parse_args()
    settings = Settings.from_env({}, data_dir=args.data_dir)
    embedder = Embedder.from_settings(settings, query_cache_size=0 if args.embed else 100_000)
    embedder.ready_to_serve()  # as `archive serve` does before its first request
    queries = (
        file_queries(args.queries, args.count)
        if args.queries
        else archive_queries(args.data_dir, args.count, args.seed)
    )
    kinds = {
        "hybrid passages": [SearchRequest(q, "hybrid") for q in queries],
        "search page (articles + facets)": [
            SearchRequest(q, "hybrid", group="document", facets=PAGE_FACETS) for q in queries
        ],
    }
    service = SearchService(settings, embedder=embedder)
    timed(service, [SearchRequest(q, "hybrid") for q in (queries if not args.embed else queries[:5])])  # warm
    print(f"{args.data_dir}: {service.stats().chunks} passages, {len(queries)} queries")
    for name, requests in kinds.items():
        took = timed(service, requests)
        p95 = statistics.quantiles(took, n=20)[-1]
        print(f"{name:<34} p50 {statistics.median(took):7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
