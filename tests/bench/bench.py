"""Speed and memory benchmark: prints figures, asserts nothing. Not part of `make test`; run `make bench`.

1. Ingests the BBC corpus (2,225 articles) into a fresh archive: ingest throughput, the share spent encoding,
   the raw encoder throughput on the same chunks (the ceiling), index size on disk, peak RSS.
2. Grows the archive to about --scale chunks by filing the articles again under new ids. Their vectors come from
   the archive's embedding cache (keyed by the embedded text), so this step measures everything but encoding.
3. Starts `archive serve` on it and measures single-query latency per mode (query embedding included, no query
   cache hits: every query is new), the server's peak RSS, and the JSON API under concurrent clients.

    .venv/bin/python tests/bench/bench.py --bbc ../shared/data/bbc-news --scale 100000      (make bench)
    .venv/bin/python tests/bench/bench.py --scale 0 --extra seeds --clients 16 --duration 60  (make load)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive.settings import Settings  # noqa: E402
from archive.store import Store  # noqa: E402
from indexer.build import store_path  # noqa: E402
from indexer.embedder import Embedder  # noqa: E402
from indexer.ingest import ingest_paths  # noqa: E402
from indexer.search import SearchRequest, SearchService  # noqa: E402


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "mean": statistics.fmean(ordered)}


def bbc_queries(bbc: Path, count: int) -> list[str]:
    headlines = [p.read_text(errors="replace").splitlines()[0].strip() for p in sorted(bbc.rglob("*.txt"))[:4000]]
    headlines = [h for h in headlines if h]
    random.Random(7).shuffle(headlines)
    return headlines[:count]


def step_ingest(settings: Settings, paths: list[Path], embedder: Embedder) -> dict:
    started = time.perf_counter()
    report = ingest_paths(settings, paths, embedder=embedder)
    seconds = time.perf_counter() - started
    chunks = Store(store_path(settings)).stats().chunks
    return {
        "documents": len(report.added),
        "chunks": chunks,
        "skipped": len(report.skipped),
        "seconds": round(seconds, 1),
        "chunks_per_s": round(chunks / seconds, 1),
        "encoding_share": round(report.seconds_embedding / seconds, 3),
        "disk_mb": round(disk_mb(Path(settings.data_dir)), 1),
        "peak_rss_mb": round(rss_peak_mb()),
    }


def step_raw_encoder(settings: Settings, embedder: Embedder, sample: int) -> dict:
    from archive.documents import embedding_text

    rows = [row for row, _ in Store(store_path(settings)).iter_index_rows()][:sample]
    texts = [embedding_text(r.title, r.context, r.text) for r in rows]
    embedder.encode_documents(texts[:64])
    started = time.perf_counter()
    embedder.encode_documents(texts)
    seconds = time.perf_counter() - started
    return {"chunks": len(texts), "chunks_per_s": round(len(texts) / seconds, 1)}


def step_grow(settings: Settings, bbc: Path, target: int, embedder: Embedder) -> dict:
    store = Store(store_path(settings))
    have = store.stats().chunks
    copies = max(0, -(-(target - have) // have))
    folder = Path(tempfile.mkdtemp(prefix="bench-copies-"))
    articles = sorted(bbc.rglob("*.txt"))
    for copy in range(1, copies + 1):
        with open(folder / f"copy-{copy}.jsonl", "w") as f:
            for path in articles:
                lines = path.read_text(errors="replace").split("\n", 1)
                f.write(
                    json.dumps(
                        {
                            "_id": f"{path.parent.name}-{path.stem}-copy{copy}",
                            "title": lines[0],
                            "text": lines[1] if len(lines) > 1 else "",
                        }
                    )
                    + "\n"
                )
    started = time.perf_counter()
    report = ingest_paths(settings, [folder], embedder=embedder)
    shutil.rmtree(folder)
    stats = Store(store_path(settings)).stats()
    return {
        "copies": copies,
        "chunks": stats.chunks,
        "documents": stats.documents,
        "encoded": report.chunks_embedded,
        "seconds": round(time.perf_counter() - started, 1),
        "disk_mb": round(disk_mb(Path(settings.data_dir)), 1),
    }


def step_latency(settings: Settings, queries: list[str]) -> dict:
    embedder = Embedder.from_settings(settings, query_cache_size=0)
    embedder.ready_to_serve()  # as `archive serve` does before its first request
    service = SearchService(settings, embedder=embedder)
    results = {}
    shapes = {mode: {"mode": mode} for mode in ("keyword", "semantic", "hybrid")}
    # the search page's own request: articles with their passages, facets for the sidebar and the histogram
    shapes["hybrid-articles-facets"] = {"mode": "hybrid", "group": "document", "facets": ("source", "year", "month")}
    shapes["keyword-articles-facets"] = {"mode": "keyword", "group": "document", "facets": ("source", "year", "month")}
    for name, shape in shapes.items():
        for query in queries[:20]:
            service.search(SearchRequest(query, **shape))
        times = []
        for query in queries:
            started = time.perf_counter()
            service.search(SearchRequest(query, **shape))
            times.append((time.perf_counter() - started) * 1000)
        results[name] = {k: round(v, 2) for k, v in percentiles(times).items()}
    return results


def start_server(settings: Settings, port: int) -> subprocess.Popen:
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(settings.data_dir), "ARCHIVE_THREADS": "16"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the server did not start")


def server_rss_mb(process: subprocess.Popen) -> dict:
    fields = {}
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            name, value = line.split(":")
            fields[name] = round(int(value.split()[0]) / 1024)
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


def step_load(port: int, queries: list[str], clients: int, duration: float, mode: str = "hybrid") -> dict:
    """Closed loop: each client sends its next query as soon as the previous answer arrives."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = number
        while time.monotonic() < stop_at:
            query = queries[i % len(queries)]
            i += clients
            url = "/api/search?" + urllib.parse.urlencode({"q": query, "mode": mode, "k": 10})
            started = time.perf_counter()
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and b'"results"' in body
            except (OSError, http.client.HTTPException) as exc:
                ok, body = False, repr(exc).encode()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (times.append(elapsed) if ok else errors.append(body[:200].decode(errors="replace")))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    summary = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(times) + len(errors),
        "errors": len(errors),
        "requests_per_s": round(len(times) / wall, 1),
    }
    if times:
        summary.update({k: round(v, 1) for k, v in percentiles(times).items()})
    if errors:
        summary["first_error"] = errors[0]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared" / "data" / "bbc-news")
    parser.add_argument("--scale", type=int, default=100_000, help="Chunks to grow the archive to (0: skip).")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of the concurrent load step.")
    parser.add_argument("--raw-sample", type=int, default=2000, help="Chunks encoded for the raw encoder figure.")
    parser.add_argument("--data-dir", type=Path, default=None, help="Keep the archive here (default: temporary).")
    parser.add_argument("--port", type=int, default=5391)
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="More paths to ingest (e.g. seeds/).")
    args = parser.parse_args()
    if not args.bbc.is_dir():
        raise SystemExit(f"{args.bbc} not found: pass --bbc with the BBC corpus folder")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    settings = Settings.from_env({}, data_dir=data_dir)
    embedder = Embedder.from_settings(settings)
    figures: dict = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "data_dir": str(data_dir)}

    def show(name: str, value: dict) -> None:
        figures[name] = value
        print(f"{name}: {json.dumps(value)}", flush=True)

    categories = sorted(p for p in args.bbc.iterdir() if p.is_dir())
    show("ingest", step_ingest(settings, [*categories, *args.extra], embedder))
    show("raw_encoder", step_raw_encoder(settings, embedder, args.raw_sample))
    figures["ingest"]["share_of_raw_encoder"] = round(
        figures["ingest"]["chunks_per_s"] / figures["raw_encoder"]["chunks_per_s"], 3
    )
    print(f"ingest throughput is {figures['ingest']['share_of_raw_encoder']:.0%} of the raw encoder's", flush=True)
    if args.scale:
        show("grow", step_grow(settings, args.bbc, args.scale, embedder))
    queries = bbc_queries(args.bbc, args.queries)
    show("latency_ms", step_latency(replace(settings), queries))
    server = start_server(settings, args.port)
    try:
        show("server_after_start", server_rss_mb(server))
        show("load", step_load(args.port, queries, args.clients, args.duration))
        show("server_after_load", server_rss_mb(server))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(figures, indent=2))
    if not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
