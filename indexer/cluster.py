"""Encoding on a Dask cluster: a large backfill's chunks embedded by many workers, saved here by the one path.

Needs the optional `cluster` extra (`pip install '.[cluster]'`); `indexer.build` imports this module only when
a cluster address is set. `archive ingest --cluster tcp://scheduler:8786 PATH...` (or ARCHIVE_CLUSTER) chunks
and stores documents as usual; only `embed_missing` hands its batches to the cluster instead of the local
encoder, and writes each batch's vectors to the store as it comes back, in order. Each worker loads the model
once (a worker plugin, run again on a worker the nanny restarts) and answers with the model identity it used,
so a worker with other weights is an error, never a silently mixed index. A worker that dies loses nothing:
the scheduler runs its batches again on another worker (a batch that kills three workers fails the ingest).

Why Dask and not Ray: `distributed` is pure Python (a few MB, no daemons besides scheduler and workers), starts
a local cluster in about a second, and a worker is one command on any machine with this project installed
(`dask worker tcp://scheduler:8786`). Ray Data's `map_batches` with an actor pool does the same work but brings
a wheel of hundreds of MB, an object store and a dashboard, which buy nothing here: the work is one
embarrassingly parallel map whose results are small (1.5 kB a chunk).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

import numpy as np
from distributed import Client, WorkerPlugin, get_worker

from archive.errors import ArchiveError
from archive.settings import Settings

PLUGIN_NAME = "archive-embedder"
EMBEDDER_ATTRIBUTE = "archive_embedder"
CONNECT_SECONDS = 10


def _client(address: str) -> Client:
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ArchiveError(
            f"no Dask scheduler answers at {address} (waited {CONNECT_SECONDS} s): start one (`dask scheduler`) "
            f"and workers (`dask worker {address}`), or drop --cluster to encode locally"
        ) from exc


class EmbedderPlugin(WorkerPlugin):
    """Loads the archive's model once per worker process (Dask calls `setup` on every worker, also new ones)."""

    name = PLUGIN_NAME

    def __init__(self, settings: Settings, torch_threads: int | None = None):
        self.settings = settings
        self.torch_threads = torch_threads

    def setup(self, worker) -> None:
        from indexer.embedder import Embedder

        if self.torch_threads:
            import torch

            torch.set_num_threads(self.torch_threads)
        embedder = Embedder.from_settings(self.settings, query_cache_size=0)
        embedder.encode_documents(["warm up"])
        setattr(worker, EMBEDDER_ATTRIBUTE, embedder)

    def teardown(self, worker) -> None:
        worker.__dict__.pop(EMBEDDER_ATTRIBUTE, None)


def encode_batch(texts: list[str]) -> tuple[str, np.ndarray]:
    """Runs on a worker: (the identity key of the model used, the texts' unit vectors)."""
    embedder = getattr(get_worker(), EMBEDDER_ATTRIBUTE)
    return embedder.identity.key, embedder.encode_documents(texts)


def encode_on_cluster(
    address: str, settings: Settings, model_key: str, batches: Iterable[list[str]], torch_threads: int | None = None
) -> Iterator[np.ndarray]:
    """The vectors of each batch of texts, in order, encoded by the cluster's workers.

    At most two batches per worker are in flight, so a backfill of millions of chunks holds only a few batches
    in memory here and on the scheduler.
    """
    client = _client(address)
    try:
        client.register_plugin(EmbedderPlugin(settings, torch_threads), name=PLUGIN_NAME)
        window = max(2, 2 * len(client.scheduler_info(n_workers=-1)["workers"]))
        pending: deque = deque()
        texts_iter = iter(batches)
        while True:
            while len(pending) < window:
                texts = next(texts_iter, None)
                if texts is None:
                    break
                pending.append(client.submit(encode_batch, texts, pure=False))
            if not pending:
                return
            key, vectors = pending.popleft().result()
            if key != model_key:
                raise ArchiveError(
                    f"a cluster worker encoded with model {key} but this archive uses {model_key}: install the "
                    "same model on every worker (or set ARCHIVE_MODEL there) and ingest again"
                )
            yield vectors
    finally:
        client.close()
