"""Encoding throughput locally and on a local Dask cluster of 1 and 2 workers. Prints figures, asserts nothing.

The same passages each time (the embedded text of the scale base's first chunks, which are BBC ones). A
cluster's figure counts from the first batch submitted to the last vector back, with the workers started and
their model loaded (a real backfill runs for hours, so start-up does not count). On this 2-core machine two
workers share the cores one worker already uses: the figure shows the overhead of farming out, not a speed-up;
on N machines it scales with N.

    .venv/bin/python tests/bench/cluster.py --base bench-data/scale-base --passages 1000   (make bench-cluster)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive.documents import embedding_text  # noqa: E402
from archive.settings import Settings  # noqa: E402
from indexer.cluster import encode_on_cluster  # noqa: E402
from indexer.embedder import Embedder  # noqa: E402


def passages(base: Path, count: int) -> list[str]:
    """The embedded text of the first chunks of an archive (the BBC's, in the scale benchmark's base)."""
    db = sqlite3.connect(base / "archive.sqlite3")
    rows = db.execute(
        "SELECT d.title, c.context, c.text FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
        " ORDER BY c.chunk_id LIMIT ?",
        (count,),
    ).fetchall()
    db.close()
    return [embedding_text(*row) for row in rows]


def main() -> None:
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--base",
        type=Path,
        default=ROOT / "bench-data" / "scale-base",
        help="An archive whose first chunks are encoded (make bench-scale builds this one).",
    )
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()
    settings = Settings.from_env({})
    embedder = Embedder.from_settings(settings)
    texts = passages(args.base, args.passages)
    batches = [texts[start : start + args.batch] for start in range(0, len(texts), args.batch)]
    embedder.encode_documents(texts[:32])
    started = time.perf_counter()
    local = np.vstack([embedder.encode_documents(batch) for batch in batches])
    figures = {"passages": len(texts), "local_chunks_per_s": round(len(texts) / (time.perf_counter() - started), 1)}
    for workers, threads in ((1, 2), (2, 1)):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as cluster:
            warm = encode_on_cluster(
                cluster.scheduler_address, settings, embedder.identity.key, [["warm"]], torch_threads=threads
            )
            list(warm)
            with Client(cluster.scheduler_address) as client:
                client.wait_for_workers(workers)
            started = time.perf_counter()
            remote = np.vstack(
                list(
                    encode_on_cluster(
                        cluster.scheduler_address, settings, embedder.identity.key, batches, torch_threads=threads
                    )
                )
            )
            seconds = time.perf_counter() - started
        figures[f"workers_{workers}x{threads}_threads_chunks_per_s"] = round(len(texts) / seconds, 1)
        figures[f"workers_{workers}_max_abs_diff_vs_local"] = float(np.abs(remote - local).max())
        print(json.dumps(figures), flush=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
