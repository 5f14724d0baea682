"""Cost as the archive grows: 10k, 100k and 1M passages built from real vectors. Prints figures, asserts nothing.

Encoding a million passages takes about six hours on this 2-core machine, so the big sets are made from the real
passages of a base archive (the BBC and Reuters corpora, ingested once with `archive ingest`: real text, real
vectors). Each passage is filed again under new document and chunk ids with its vector perturbed (Gaussian noise
of `--noise` per dimension, then normalized again: cosine about 0.98 to the original), until the set holds N
passages. Dates (spread over 2000-2009) and sources (four desks) are synthetic, so that filters have something
to select. Copies are written straight into a new store (same schema, same rows as the ingest path writes), then
the indexes are built by the real `publish()`: that is the "index build from stored vectors" figure.

For each size it measures:
- the vector list alone: recall@10 of the archive's vector index (flat below the auto threshold, IVF from it;
  and IVF at every size) against exact search (float32 brute force over the same perturbed set), for news
  headlines and for off-domain queries (Cranfield), and for a selective date filter; its latency;
- single-client latency of keyword, semantic and hybrid search in process (query embedding included, no cache),
  hybrid with a one-day filter, and hybrid with the query's vector cached (the part that grows with the archive);
- `archive serve`: one client over HTTP (hybrid p50/p99) and the server's RSS;
- disk: the store, the keyword index, the vector index; build time; slow store paths (copy lookup, filters,
  facets).

    .venv/bin/python tests/bench/scale.py --base BASE_ARCHIVE --sizes 10000,100000,1000000   (make bench-scale)

BASE_ARCHIVE: `archive --data-dir BASE ingest ../shared/data/bbc-news ../shared/data/reuters21578` (the figures in
docs/ were measured on such a base, 103,288 passages encoded with the default encoder, so a million is ten copies).
Results go to docs/scale.json and docs/scale.png. `tests/test_scale_bench.py` keeps the set-making in step with the
store's schema.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import random
import shutil
import sqlite3
import statistics
import sys
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import bbc_queries, disk_mb, percentiles, server_rss_mb, start_server  # noqa: E402

from archive.settings import Settings  # noqa: E402
from archive.store import Store  # noqa: E402
from indexer.build import Manifest, current_generation, publish, store_path  # noqa: E402
from indexer.embedder import Embedder  # noqa: E402
from indexer.search import SearchRequest, SearchService  # noqa: E402
from indexer.vectors import VectorIndex  # noqa: E402

CHUNK_COLUMNS = "chunk_id, doc_id, position, paragraph, text, context, n_tokens, norm_hash, embed_key, embedding"


def base_rows(base: Path) -> tuple[list[tuple], np.ndarray]:
    """The base archive's embedded chunks (without their vectors) and their vectors, in chunk id order."""
    db = sqlite3.connect(base / "archive.sqlite3")
    rows, vectors = [], []
    for row in db.execute(f"SELECT {CHUNK_COLUMNS} FROM chunks WHERE embedding IS NOT NULL ORDER BY chunk_id"):
        rows.append(row[:9])
        vectors.append(np.frombuffer(row[9], dtype=np.float32))
    db.close()
    return rows, np.vstack(vectors)


def make_store(base: Path, folder: Path, size: int, noise: float, rows: list[tuple], vectors: np.ndarray) -> dict:
    """A store of `size` passages: the base's, then copies under new ids with perturbed vectors. A set left by an
    earlier run is made again."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    settings = Settings.from_env({}, data_dir=folder)
    Store(store_path(settings)).close()
    db = sqlite3.connect(store_path(settings), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("ATTACH DATABASE ? AS b", (str(base / "archive.sqlite3"),))
    db.execute("BEGIN")
    db.execute("INSERT INTO meta SELECT * FROM b.meta")
    db.execute("INSERT INTO names SELECT * FROM b.names")
    offset = int(rows[-1][0]) + 1
    copies = -(-size // len(rows))
    rng = np.random.default_rng(42)
    exact = np.lib.format.open_memmap(
        folder / "exact-vectors.npy", mode="w+", dtype=np.float32, shape=(size, vectors.shape[1])
    )
    ids = np.zeros(size, dtype=np.int64)
    written = 0
    for copy in range(copies):
        take = min(len(rows), size - written)
        part = rows[:take]
        suffix = "" if copy == 0 else f"~{copy}"
        moved = vectors[:take]
        if copy:
            moved = moved + rng.normal(0, noise, moved.shape).astype(np.float32)
            moved /= np.linalg.norm(moved, axis=1, keepdims=True)
        docs = sorted({r[1] for r in part})
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (doc_id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM wanted")
        db.executemany("INSERT INTO wanted VALUES (?)", [(d,) for d in docs])
        db.execute(
            "INSERT INTO documents (doc_id, origin, title, date, source, url, text, content_hash, minhash,"
            " group_id, ingested_at, meta) SELECT doc_id || ?1, origin || ?1, title,"
            " date(julianday('2000-01-01') + (rowid * 7 + ?2 * 131) % 3650), 'desk-' || ((rowid + ?2) % 4), url,"
            " text, content_hash, minhash, NULL, ingested_at, meta FROM b.documents"
            " WHERE doc_id IN (SELECT doc_id FROM wanted)",
            (suffix, copy),
        )
        shift = copy * offset
        db.executemany(
            f"INSERT INTO chunks ({CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    r[0] + shift,
                    r[1] + suffix,
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    (r[8] or "") + suffix,
                    moved[i].tobytes(),
                )
                for i, r in enumerate(part)
            ),
        )
        last = int(part[-1][0])
        db.execute(
            "INSERT INTO chunk_copies SELECT chunk_id + ?1, copy_id + ?1 FROM b.chunk_copies"
            " WHERE chunk_id <= ?2 AND copy_id <= ?2",
            (shift, last),
        )
        db.execute(
            "INSERT INTO quotes (doc_id, chunk_id, paragraph, kind, text, norm_hash, speaker, org, mention, evidence,"
            " method) SELECT doc_id || ?1, chunk_id + ?2, paragraph, kind, text, norm_hash, speaker, org, mention,"
            " evidence, method"
            " FROM b.quotes WHERE chunk_id <= ?3",
            (suffix, shift, last),
        )
        exact[written : written + take] = moved
        ids[written : written + take] = np.array([r[0] for r in part], dtype=np.int64) + shift
        written += take
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
    db.execute("COMMIT")
    db.execute("DETACH DATABASE b")
    db.close()
    exact.flush()
    np.save(folder / "exact-ids.npy", ids)
    return {"passages": size, "copies": copies, "seconds": round(time.perf_counter() - started, 1)}


def exact_top(exact: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, rows: np.ndarray | None = None):
    """Exact top k by float32 brute force (over `rows` positions only, if given)."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 0), dtype=np.int64)
    positions = np.arange(len(ids)) if rows is None else rows
    for start in range(0, len(positions), 200_000):
        part = positions[start : start + 200_000]
        scores = queries @ np.asarray(exact[part]).T
        best_scores = np.hstack([best_scores, scores])
        best_ids = np.hstack([best_ids, np.broadcast_to(ids[part], scores.shape)])
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, 1)
        best_ids = np.take_along_axis(best_ids, keep, 1)
    return best_ids


def recall(
    index: VectorIndex, queries: np.ndarray, truth: np.ndarray, k: int = 10, allowed=None, exact_fraction: float = 0.0
) -> dict:
    """Recall@k against `truth` and latency; a filter is searched exactly below `exact_fraction` of the index, as
    `indexer.retrieve.semantic_hits` decides."""
    found, times = 0, []
    for n, query in enumerate(queries):
        started = time.perf_counter()
        only = None if allowed is None else allowed[n]
        hits = index.search(query, k, only, only is not None and len(only) < exact_fraction * len(index))
        times.append((time.perf_counter() - started) * 1000)
        found += len({cid for cid, _ in hits} & set(truth[n].tolist()))
    total = sum(min(k, len(t)) for t in truth)
    return {
        "recall_at_10": round(found / total, 4),
        **{f"{key}_ms": round(value, 2) for key, value in percentiles(times).items()},
    }


def step_vectors(folder: Path, settings: Settings, query_sets: dict[str, np.ndarray], dates: list[str]) -> dict:
    """Recall and latency of the vector list alone: the served index, an IVF index and a flat one."""
    exact = np.load(folder / "exact-vectors.npy", mmap_mode="r")
    ids = np.load(folder / "exact-ids.npy")
    served = VectorIndex.load(
        current_generation(settings) / "vectors.faiss", settings.ivf_nprobe, settings.ivf_widen_far
    )
    result: dict = {"served_kind": served.kind, "lists": served.lists}
    store = Store(store_path(settings))
    position = {cid: n for n, cid in enumerate(ids.tolist())}
    for name, queries in query_sets.items():
        truth = exact_top(exact, ids, queries, 10)
        result[name] = recall(served, queries, truth)
    if served.kind == "ivf":
        truth = exact_top(exact, ids, query_sets["cranfield"], 10)
        for nprobe in (32, 64, 128, 256):
            served.nprobe = nprobe
            result[f"cranfield_nprobe_{nprobe}"] = recall(served, query_sets["cranfield"], truth)
        served.nprobe = settings.ivf_nprobe
    other = "ivf" if served.kind == "flat" else "flat"
    second = VectorIndex.create(
        exact.shape[1],
        other,
        settings.vector_encoding,
        nprobe=settings.ivf_nprobe,
    )
    started = time.perf_counter()
    second.add(ids, np.asarray(exact))
    result[other] = {
        "build_seconds": round(time.perf_counter() - started, 1),
        "lists": second.lists,
        **recall(second, query_sets["headlines"], exact_top(exact, ids, query_sets["headlines"], 10)),
    }
    del second
    headlines = query_sets["headlines"][: len(dates)]
    for name, span in (("one_week_filter", 6), ("one_year_filter", 364)):
        allowed = [store.chunk_ids_matching(None, day, _plus_days(day, span)) for day in dates]
        keep = [n for n, a in enumerate(allowed) if len(a) >= 10]
        truth = np.array(
            [
                exact_top(exact, ids, headlines[n][None, :], 10, np.array([position[c] for c in allowed[n]]))[0]
                for n in keep
            ]
        )
        result[name] = {
            "allowed_mean": round(statistics.fmean(len(allowed[n]) for n in keep)),
            **recall(
                served,
                headlines[keep],
                truth,
                allowed=[allowed[n] for n in keep],
                exact_fraction=settings.exact_filter_fraction,
            ),
        }
    store.close()
    return result


def _plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def step_latency(settings: Settings, queries: list[str], dates: list[str]) -> dict:
    embedder = Embedder.from_settings(settings, query_cache_size=0)
    service = SearchService(settings, embedder=embedder)
    figures = {}
    for mode in ("keyword", "semantic", "hybrid"):
        for query in queries[:10]:
            service.search(SearchRequest(query, mode=mode))
        times = []
        for query in queries:
            started = time.perf_counter()
            service.search(SearchRequest(query, mode=mode))
            times.append((time.perf_counter() - started) * 1000)
        figures[mode] = {k: round(v, 2) for k, v in percentiles(times).items()}
    filters = {
        "hybrid_one_day_filter": lambda n: {"date_from": dates[n % len(dates)], "date_to": dates[n % len(dates)]},
        # broad filters: a quarter and a tenth of the archive (four desks, ten years)
        "hybrid_one_source_filter": lambda n: {"source": f"desk-{n % 4}"},
        "hybrid_one_year_filter": lambda n: {
            "date_from": f"{dates[n % len(dates)][:4]}-01-01",
            "date_to": f"{dates[n % len(dates)][:4]}-12-31",
        },
    }
    for name, narrowed in filters.items():
        times = []
        for n, query in enumerate(queries):
            started = time.perf_counter()
            service.search(SearchRequest(query, mode="hybrid", **narrowed(n)))
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = {k: round(v, 2) for k, v in percentiles(times).items()}
    cached = SearchService(settings, embedder=Embedder.from_settings(settings))
    for query in queries:
        cached.search(SearchRequest(query, mode="hybrid"))
    times = []
    for query in queries:
        started = time.perf_counter()
        cached.search(SearchRequest(query, mode="hybrid"))
        times.append((time.perf_counter() - started) * 1000)
    figures["hybrid_query_vector_cached"] = {k: round(v, 2) for k, v in percentiles(times).items()}
    return figures


def step_server(settings: Settings, queries: list[str], port: int) -> dict:
    """`archive serve` on the archive, one client, hybrid: latency over HTTP and the server's memory."""
    server = start_server(settings, port)
    try:
        after_start = server_rss_mb(server)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        times = []
        for n, query in enumerate(queries):
            started = time.perf_counter()
            connection.request("GET", "/api/search?" + urllib.parse.urlencode({"q": query, "k": 10}))
            response = connection.getresponse()
            response.read()
            if n >= 10:
                times.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
        return {
            "rss_after_start_mb": after_start["rss_mb"],
            **{f"hybrid_{k}_ms": round(v, 1) for k, v in percentiles(times).items()},
            "peak_rss_mb": server_rss_mb(server)["peak_rss_mb"],
        }
    finally:
        server.terminate()
        server.wait(timeout=60)


def step_store_paths(settings: Settings, ids: np.ndarray) -> dict:
    """The store's queries the search path runs, timed at this size (median of 5)."""
    store = Store(store_path(settings))
    source = next(iter(store.sources()), None)
    rng = random.Random(3)
    sample = [int(x) for x in rng.sample(ids.tolist(), 100)]

    def timed(call) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 2)

    figures = {
        "copies_of_100_ms": timed(lambda: store.copies_of(sample)),
        "chunks_by_id_10_ms": timed(lambda: store.chunks_by_id(sample[:10])),
        "ids_matching_one_day_ms": timed(lambda: store.chunk_ids_matching(None, "2003-03-02", "2003-03-02")),
        "ids_matching_one_year_ms": timed(lambda: store.chunk_ids_matching(None, "2003-01-01", "2003-12-31")),
        "ids_matching_one_source_ms": timed(lambda: store.chunk_ids_matching(source, None, None)),
        "sources_facet_ms": timed(store.sources),
        "speaker_counts_ms": timed(store.speaker_counts),
        "stats_ms": timed(store.stats),
    }
    store.close()
    return figures


def run_size(args, size: int, rows, vectors, embedder: Embedder, query_texts, query_sets, dates) -> dict:
    folder = args.work / f"n{size}"
    settings = Settings.from_env({}, data_dir=folder)
    figures: dict = {"passages": size}
    figures["make_store"] = make_store(args.base, folder, size, args.noise, rows, vectors)
    store = Store(store_path(settings))
    started = time.perf_counter()
    publish(store, embedder, settings, full=True)
    figures["build_seconds"] = round(time.perf_counter() - started, 1)
    store.close()
    gc.collect()
    generation = current_generation(settings)
    manifest = Manifest.read(generation)
    figures["vector_index"] = manifest.vector_index
    figures["disk_mb"] = {
        "store": round((store_path(settings)).stat().st_size / 1e6, 1),
        "keyword": round(disk_mb(generation / "keyword"), 1),
        "vectors": round((generation / "vectors.faiss").stat().st_size / 1e6, 1),
    }
    figures["vectors"] = step_vectors(folder, settings, query_sets, dates)
    figures["store_paths"] = step_store_paths(settings, np.load(folder / "exact-ids.npy"))
    figures["latency_ms"] = step_latency(settings, query_texts, dates)
    figures["server"] = step_server(settings, query_texts, args.port)
    (folder / "exact-vectors.npy").unlink()
    return figures


def plot(results: list[dict], path: Path, base_passages: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["passages"] for r in results]
    fig, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    lines = (
        ("hybrid over HTTP p50", lambda r: r["server"]["hybrid_p50_ms"], "-", "o"),
        ("hybrid over HTTP p99", lambda r: r["server"]["hybrid_p99_ms"], "-", "^"),
        ("hybrid, query vector cached, p50", lambda r: r["latency_ms"]["hybrid_query_vector_cached"]["p50"], "--", "o"),
        ("keyword p50", lambda r: r["latency_ms"]["keyword"]["p50"], ":", "o"),
        ("vector list alone p50", lambda r: r["vectors"]["headlines"]["p50_ms"], "-.", "s"),
    )
    for label, value, style, marker in lines:
        latency.plot(sizes, [value(r) for r in results], style, marker=marker, label=label)
    latency.set(xscale="log", yscale="log", xlabel="passages", ylabel="ms per query (one client)", title="Latency")
    latency.legend(fontsize=8)
    memory.plot(sizes, [r["server"]["peak_rss_mb"] for r in results], marker="o", label="server peak RSS")
    memory.plot(sizes, [r["disk_mb"]["store"] for r in results], marker="s", label="disk: store (SQLite)")
    memory.plot(
        sizes,
        [r["disk_mb"]["keyword"] + r["disk_mb"]["vectors"] for r in results],
        marker="^",
        label="disk: keyword + vector indexes",
    )
    memory.set(xscale="log", yscale="log", xlabel="passages", ylabel="MB", title="Memory and disk")
    memory.legend(fontsize=8)
    for axis in (latency, memory):
        axis.grid(True, which="both", alpha=0.3)
    fig.suptitle(
        f"Cost as the archive grows: 2 shared cores; passages are perturbed copies of {base_passages:,} real ones",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def table(results: list[dict]) -> str:
    """The table of docs/scale.md, from the figures."""

    def cell(r: dict, *path: str) -> str:
        value: object = r
        for key in path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return "–" if value == {} else str(value)

    rows = [
        (
            "served vector index",
            lambda r: f"{r['vector_index']}" + (f" ({r['vectors']['lists']} lists)" if r["vectors"]["lists"] else ""),
        ),
        (
            "recall@10 vs exact, headlines / Cranfield",
            lambda r: (
                f"{cell(r, 'vectors', 'headlines', 'recall_at_10')} / {cell(r, 'vectors', 'cranfield', 'recall_at_10')}"
            ),
        ),
        (
            "recall@10, one-week / one-year date filter",
            lambda r: (
                f"{cell(r, 'vectors', 'one_week_filter', 'recall_at_10')}"
                f" / {cell(r, 'vectors', 'one_year_filter', 'recall_at_10')}"
            ),
        ),
        (
            "vector list alone p50 / p99 ms (served)",
            lambda r: f"{cell(r, 'vectors', 'headlines', 'p50_ms')} / {cell(r, 'vectors', 'headlines', 'p99_ms')}",
        ),
        (
            "hybrid over HTTP, one client, p50 / p99 ms",
            lambda r: f"{r['server']['hybrid_p50_ms']} / {r['server']['hybrid_p99_ms']}",
        ),
        (
            "hybrid in process p50 / p99 ms",
            lambda r: f"{r['latency_ms']['hybrid']['p50']} / {r['latency_ms']['hybrid']['p99']}",
        ),
        (
            "hybrid, query vector cached, p50 / p99 ms",
            lambda r: (
                f"{cell(r, 'latency_ms', 'hybrid_query_vector_cached', 'p50')}"
                f" / {cell(r, 'latency_ms', 'hybrid_query_vector_cached', 'p99')}"
            ),
        ),
        (
            "hybrid with a one-day filter p50 / p99 ms",
            lambda r: (
                f"{r['latency_ms']['hybrid_one_day_filter']['p50']} / {r['latency_ms']['hybrid_one_day_filter']['p99']}"
            ),
        ),
        (
            "hybrid with a one-source / one-year filter p50 ms",
            lambda r: (
                f"{cell(r, 'latency_ms', 'hybrid_one_source_filter', 'p50')}"
                f" / {cell(r, 'latency_ms', 'hybrid_one_year_filter', 'p50')}"
            ),
        ),
        (
            "keyword p50 / p99 ms",
            lambda r: f"{r['latency_ms']['keyword']['p50']} / {r['latency_ms']['keyword']['p99']}",
        ),
        (
            "server RSS after start / peak MB",
            lambda r: f"{r['server']['rss_after_start_mb']} / {r['server']['peak_rss_mb']}",
        ),
        ("disk MB: store / keyword / vectors", lambda r: " / ".join(str(v) for v in r["disk_mb"].values())),
        ("index build from stored vectors (publish, s)", lambda r: str(r["build_seconds"])),
        (
            "store: one-day ids / copies of 100 / speaker facet / stats ms",
            lambda r: " / ".join(
                str(r["store_paths"][k])
                for k in ("ids_matching_one_day_ms", "copies_of_100_ms", "speaker_counts_ms", "stats_ms")
            ),
        ),
    ]
    lines = [
        "| passages | " + " | ".join(f"{r['passages']:,}" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    lines += [f"| {name} | " + " | ".join(render(r) for r in results) + " |" for name, render in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="An archive of real passages with their vectors.")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/archive-scale"), help="Where the sets are built.")
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared" / "data" / "bbc-news")
    parser.add_argument("--cranfield", type=Path, default=ROOT.parent / "shared" / "data" / "cranfield")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.01, help="Per-dimension noise added to copied vectors.")
    parser.add_argument("--port", type=int, default=5392)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale.png")
    args = parser.parse_args()

    rows, vectors = base_rows(args.base)
    print(f"base: {len(rows)} embedded passages from {args.base}", flush=True)
    embedder = Embedder.from_settings(Settings.from_env({}), query_cache_size=0)
    headlines = bbc_queries(args.bbc, args.queries)
    cranfield = [json.loads(line)["text"] for line in (args.cranfield / "queries.jsonl").read_text().splitlines()]
    query_sets = {
        name: np.vstack([embedder.encode_query(q) for q in texts])
        for name, texts in (("headlines", headlines), ("cranfield", cranfield[: args.queries]))
    }
    dates = [_plus_days("2000-01-01", day) for day in random.Random(5).sample(range(3640), 50)]
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    results = {r["passages"]: r for r in previous.get("sizes", [])}
    for size in [int(s) for s in args.sizes.split(",")]:
        print(f"-- {size} passages", flush=True)
        figures = run_size(args, size, rows, vectors, embedder, headlines, query_sets, dates)
        print(json.dumps(figures), flush=True)
        results[size] = figures
        ordered = [results[k] for k in sorted(results)]
        args.out.write_text(
            json.dumps(
                {"date": time.strftime("%Y-%m-%d"), "base_passages": len(rows), "noise": args.noise, "sizes": ordered},
                indent=2,
            )
            + "\n"
        )
        plot(ordered, args.plot, len(rows))
    print(table([results[k] for k in sorted(results)]))


if __name__ == "__main__":
    main()
