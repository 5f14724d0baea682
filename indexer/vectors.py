"""The vector index: FAISS inner product over normalized embeddings (cosine), ids = chunk ids.

Flat (exhaustive) search, with vectors stored as float32 or, by default, float16: half the memory and about
2.5 times faster at 100k chunks (the scan is memory-bound), with the same top 10 on the benchmark's queries.
Hidden behind VectorIndex (add / delete / search / save / load) so another engine can replace it.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

ENCODINGS = ("float32", "float16")
faiss.omp_set_num_threads(1)


def _flat(dimension: int, encoding: str) -> faiss.Index:
    if encoding == "float16":
        return faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    return faiss.IndexFlatIP(dimension)


class VectorIndex:
    """One query at a time runs single-threaded: faster than two threads for one query, and the server's
    threads already keep both cores busy."""

    def __init__(self, dimension: int, index: faiss.Index | None = None, encoding: str = "float16"):
        self.dimension = dimension
        self.index = index if index is not None else faiss.IndexIDMap2(_flat(dimension, encoding))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        return cls(index.d, index)

    def save(self, path: Path) -> None:
        """Written to a temporary name, synced, then renamed: a reader never sees half a file."""
        tmp = Path(path).with_suffix(".tmp")
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def delete(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def vector(self, chunk_id: int) -> np.ndarray | None:
        try:
            return self.index.reconstruct(int(chunk_id))
        except RuntimeError:
            return None

    def search(
        self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk_id, cosine similarity) best first; `allowed` restricts the search to those ids."""
        if len(self) == 0 or limit <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        scores, ids = self.index.search(query, min(limit, len(self)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
