"""The vector index: FAISS inner product over normalized embeddings (cosine), ids = chunk ids.

Two kinds, one interface (`indexer.backends.VectorBackend`):

- `flat`: exhaustive search, exact. Vectors stored as float32 or, by default, float16: half the memory and about
  2.5 times faster at 100k chunks (the scan is memory-bound), with the same top 10 on the benchmark's queries.
  Its cost grows linearly: about 76 ns per vector per query here, so 1M vectors cost ~76 ms.
- `ivf`: the vectors split into about 4·√N clusters (k-means); a query scans only the `nprobe` clusters nearest
  to it. The vectors are stored in the same encoding as `flat` and every candidate is scored against its stored
  vector, so scores equal the flat index's and only recall is approximate (measured in `tests/bench/scale.py`).

Filters: `allowed` ids restrict a search. Whether a filtered search must be exact is the caller's decision
(`indexer.retrieve.semantic_hits` makes it, from `exact_filter_fraction`): an exact search loses no recall, up to
DECODE_AT_MOST ids by scoring their stored vectors (found through the index's id map; 0.9 ms for ~280 ids at 1M
vectors), more by scanning every list for the allowed ids only (11 ms at 1M). Otherwise a filter widens `nprobe`
in proportion to what it drops.

Far queries: a query farther from its nearest cluster than 99% of the stored vectors are from theirs scans
`widen_far` times the lists. Off-domain questions (aerodynamics asked of a news archive) are all far: their nearest
neighbours are weak and spread over many lists. Measured on a million news passages (`make bench-scale`): Cranfield
queries' recall@10 against exact search 0.833 at nprobe 128 and 0.970 widened 8 times, for about 10 ms more. Some
news queries count as far too (a quarter of BBC headlines: the stored vectors trained the clusters, and a short
query sits less near to them); they pay the same 10 ms, and had recall 1.0 either way.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import faiss
import numpy as np

KINDS = ("flat", "ivf")
DECODE_AT_MOST = 1000  # allowed ids scored by decoding their vectors; above, every list is scanned for them
FAR_SAMPLE = 2000  # stored vectors sampled to learn how near to its cluster a vector of this archive is
FAR_PERCENTILE = 1.0  # a query less near to its nearest cluster than this percentile of the sample is far
faiss.omp_set_num_threads(1)


def _flat(dimension: int, encoding: str) -> faiss.Index:
    if encoding == "float16":
        return faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    return faiss.IndexFlatIP(dimension)


def clusters_for(count: int) -> int:
    """IVF lists for `count` vectors: about 4·√N, and at least 39 training vectors per list (FAISS's minimum)."""
    return max(1, min(int(4 * math.sqrt(max(count, 1))), count // 39))


def _ivf(dimension: int, encoding: str, lists: int) -> Any:
    quantizer: Any = faiss.IndexFlatIP(dimension)
    index: Any
    if encoding == "float16":
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, lists, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        index.by_residual = False  # each vector itself in float16, as the flat index holds it: the same scores
    else:
        index = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()
    return index


class VectorIndex:
    """One query at a time runs single-threaded: faster than two threads for one query, and the server's
    threads already keep both cores busy. Building an IVF index uses every core."""

    def __init__(
        self,
        dimension: int,
        index: faiss.Index | None = None,
        encoding: str = "float16",
        kind: str = "flat",
        nprobe: int = 128,
        widen_far: int = 8,
    ):
        if kind not in KINDS:
            raise ValueError(f"unknown vector index kind {kind!r}: use one of {', '.join(KINDS)}")
        self.dimension = dimension
        self.encoding = encoding
        self.nprobe = nprobe
        self.widen_far = widen_far
        self._kind = kind
        if index is None:
            index = faiss.IndexIDMap2(_flat(dimension, encoding)) if kind == "flat" else None
        self.index: Any = index  # FAISS's Python types are dynamic (IndexIDMap2 or IndexIVF)
        self._ids: np.ndarray | None = None
        self._far: float | None = None

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def lists(self) -> int:
        """IVF lists (clusters); 0 for a flat index."""
        return 0 if self.index is None or self.kind == "flat" else int(self.index.nlist)

    @classmethod
    def create(cls, dimension: int, kind: str = "flat", encoding: str = "float16", **tuning) -> VectorIndex:
        """An empty index; an IVF one learns its clusters from the first vectors added."""
        return cls(dimension, None, encoding, kind, **tuning)

    @classmethod
    def load(cls, path: Path, nprobe: int = 128, widen_far: int = 8) -> VectorIndex:
        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexIVF):
            encoding = "float16" if isinstance(index, faiss.IndexIVFScalarQuantizer) else "float32"
            loaded = cls(index.d, index, encoding, "ivf", nprobe, widen_far)
            if widen_far > 1:
                loaded.far_below()  # learnt now, not on the first query
            return loaded
        inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
        encoding = "float16" if isinstance(inner, faiss.IndexScalarQuantizer) else "float32"
        return cls(index.d, index, encoding, "flat", nprobe)

    def save(self, path: Path) -> None:
        """Written to a temporary name, synced, then renamed: a reader never sees half a file."""
        tmp = Path(path).with_suffix(".tmp")
        faiss.write_index(self._require(), str(tmp))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def __len__(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        """Every chunk id in the index, ascending."""
        if self._ids is None:
            if self.index is None:
                self._ids = np.zeros(0, dtype=np.int64)
            elif self.kind == "flat":
                self._ids = np.sort(faiss.vector_to_array(self.index.id_map).astype(np.int64))
            else:
                lists = self.index.invlists
                parts = [
                    faiss.rev_swig_ptr(lists.get_ids(n), lists.list_size(n)).copy()
                    for n in range(self.index.nlist)
                    if lists.list_size(n)
                ]
                self._ids = np.sort(np.concatenate(parts).astype(np.int64)) if parts else np.zeros(0, np.int64)
        return self._ids

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        if self.index is None:
            self.index = self._train(vectors)
        threads = faiss.omp_get_max_threads()
        if self.kind == "ivf":
            faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            self.index.add_with_ids(vectors, ids)
        finally:
            faiss.omp_set_num_threads(threads)
        self._ids = self._far = None

    def _train(self, vectors: np.ndarray) -> faiss.Index:
        """Cluster a sample of the first vectors added (at most 64 per list: more barely moves the centroids)."""
        lists = clusters_for(len(vectors))
        index = _ivf(self.dimension, self.encoding, lists)
        index.cp.niter = 10
        sample = vectors
        if len(vectors) > 64 * lists:
            sample = vectors[np.random.default_rng(0).choice(len(vectors), 64 * lists, replace=False)]
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        try:
            index.train(sample)
        finally:
            faiss.omp_set_num_threads(threads)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        return index

    def delete(self, ids: np.ndarray) -> None:
        if len(ids) and self.index is not None:
            ids = np.asarray(ids, dtype=np.int64)
            selector = faiss.IDSelectorBatch(ids) if self.kind == "flat" else faiss.IDSelectorArray(ids)
            self.index.remove_ids(selector)
            self._ids = self._far = None

    def vector(self, chunk_id: int) -> np.ndarray | None:
        if self.index is None:
            return None
        try:
            return np.asarray(self.index.reconstruct(int(chunk_id)))
        except RuntimeError:
            return None

    def search(
        self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None, exact: bool = False
    ) -> list[tuple[int, float]]:
        """(chunk_id, cosine similarity) best first; `allowed` restricts the search to those ids; `exact` scans
        every list (a flat index is always exact)."""
        if len(self) == 0 or limit <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        selector = None
        if allowed is not None:
            if len(allowed) == 0:
                return []
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if self.kind == "flat":
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        elif allowed is not None and len(allowed) <= DECODE_AT_MOST:
            return self._search_among(query[0], limit, np.asarray(allowed, dtype=np.int64))
        else:
            params = faiss.SearchParametersIVF(sel=selector, nprobe=self._nprobe(allowed, query, exact))
        scores, ids = self._held().search(query, min(limit, len(self)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def among(self, vector: np.ndarray, ids: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """Exact cosine of the query against these ids' stored vectors only (ids not held are left out), best
        first: how a second pass re-scores a first pass's candidates without scanning the index."""
        if len(self) == 0 or limit <= 0 or len(ids) == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(-1), dtype=np.float32)
        return self._search_among(query, limit, np.asarray(ids, dtype=np.int64))

    def _held(self) -> faiss.Index:
        """The FAISS index (an empty IVF index has none until its first vectors train it)."""
        if self.index is None:
            raise RuntimeError("this vector index holds no vectors yet")
        return self.index

    def _search_among(self, query: np.ndarray, limit: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        """Exact search over a few ids: their stored vectors, decoded, against the query (no list is scanned)."""
        held = self.ids()
        found = np.searchsorted(held, allowed)
        present = np.unique(allowed[(found < len(held)) & (held[np.minimum(found, len(held) - 1)] == allowed)])
        if not len(present):
            return []
        scores = self._held().reconstruct_batch(present) @ query
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(present[i]), float(scores[i])) for i in order]

    def _nprobe(self, allowed: np.ndarray | None, query: np.ndarray, exact: bool) -> int:
        """Lists to scan: all of them for an exact search, else `nprobe`, widened in proportion to what a filter
        drops and `widen_far` times for a far query."""
        lists = int(self._held().nlist)
        if exact:
            return lists
        probes = self.nprobe
        if allowed is not None:
            share = len(allowed) / max(len(self), 1)
            probes = math.ceil(self.nprobe / min(share, 1.0))
        if self.widen_far > 1 and self._nearest_cluster(query)[0] < self.far_below():
            probes *= self.widen_far
        return min(lists, probes)

    def far_below(self) -> float:
        """How near to its nearest cluster a query must be not to count as far: the similarity that all but
        FAR_PERCENTILE % of a sample of the stored vectors reach (-1 for a flat or empty index: nothing is far)."""
        if self._far is None:
            held = self.ids() if self.kind == "ivf" else np.zeros(0, dtype=np.int64)
            if not len(held):
                return -1.0
            sample = held
            if len(held) > FAR_SAMPLE:
                sample = np.sort(np.random.default_rng(0).choice(held, FAR_SAMPLE, replace=False))
            vectors = self._held().reconstruct_batch(sample)
            self._far = float(np.percentile(self._nearest_cluster(vectors), FAR_PERCENTILE))
        return self._far

    def _nearest_cluster(self, vectors: np.ndarray) -> np.ndarray:
        """Each vector's similarity to its nearest IVF cluster centre."""
        quantizer = faiss.downcast_index(self._held().quantizer)
        best, _ = quantizer.search(np.ascontiguousarray(vectors.reshape(-1, self.dimension), dtype=np.float32), 1)
        return best[:, 0]

    def _require(self) -> faiss.Index:
        """An IVF index that never received a vector is saved as an empty flat one (nothing to cluster)."""
        if self.index is None:
            self.index, self._kind = faiss.IndexIDMap2(_flat(self.dimension, self.encoding)), "flat"
        return self.index
