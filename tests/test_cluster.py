"""Encoding on a Dask cluster: a real local cluster of two worker processes, each loading the real model."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import numpy as np
import pytest

from archive.errors import ArchiveError
from archive.store import Store
from indexer.build import store_path
from indexer.ingest import ingest_paths

distributed = pytest.importorskip("distributed", reason="the `cluster` extra (Dask distributed) is not installed")


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes under nannies (a killed worker is restarted), no dashboard."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=50,
        worker_dashboard_address=None,
    ) as local:
        yield local


def stored_vectors(settings) -> dict[str, np.ndarray]:
    """Each chunk's vector by its text, so archives built apart can be compared."""
    store = Store(store_path(settings))
    try:
        return {row.text: np.frombuffer(blob, dtype=np.float32) for row, blob in store.iter_index_rows()}
    finally:
        store.close()


def test_ingest_on_a_cluster_stores_the_same_vectors_as_a_local_run(cluster, settings, seeds, seed_settings, embedder):
    remote = replace(settings, cluster=cluster.scheduler_address, embed_batch=16)
    report = ingest_paths(remote, [seeds], embedder=embedder)
    assert report.chunks_embedded > 0
    local, farmed = stored_vectors(seed_settings), stored_vectors(remote)
    assert farmed.keys() == local.keys()
    # float32 gives the same numbers whatever the batch; bfloat16 rounds differently in differently shaped batches
    tolerance = 1e-5 if embedder.precision == "float32" else 5e-3
    for text, vector in local.items():
        assert np.allclose(farmed[text], vector, atol=tolerance)
        assert float(np.dot(farmed[text], vector)) > 0.999


def test_a_killed_worker_loses_no_batch(cluster, embedder, settings):
    from distributed import Client

    from indexer.cluster import encode_on_cluster

    texts = [f"Paragraph {n} of a story about the council budget and the new hotel." for n in range(160)]
    batches = [texts[start : start + 8] for start in range(0, len(texts), 8)]
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
    results = encode_on_cluster(cluster.scheduler_address, settings, embedder.identity.key, batches)
    vectors = [next(results)]
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    vectors.extend(results)
    assert len(vectors) == len(batches)
    # each batch's vectors in its place: every vector nearest the same text's local one, and equal to it within the
    # arithmetic's rounding (bfloat16 kernels round differently with a worker's one thread than with two)
    similarity = np.vstack(vectors) @ embedder.encode_documents(texts).T
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))
    assert np.diag(similarity).min() > 0.9999


def test_a_cluster_nobody_runs_is_a_clear_error(settings, seeds, embedder, monkeypatch):
    monkeypatch.setattr("indexer.cluster.CONNECT_SECONDS", 1)
    remote = replace(settings, cluster="tcp://127.0.0.1:9")
    with pytest.raises(ArchiveError, match=r"no Dask scheduler answers at tcp://127.0.0.1:9 \(waited 1 s\)"):
        ingest_paths(remote, [seeds], embedder=embedder)


def test_the_ingest_command_takes_a_cluster_address(cluster, runner, settings, seeds):
    from cli import main

    result = runner.invoke(
        main, ["--data-dir", str(settings.data_dir), "ingest", "--cluster", cluster.scheduler_address, str(seeds)]
    )
    assert result.exit_code == 0, result.output
    assert "added 3," in result.output and " 0 chunks embedded" not in result.output
