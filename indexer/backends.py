"""The two index interfaces the search service and the generation builder use, and nothing else.

A new engine (OpenSearch, a k-NN service, another ANN library) is one module with a class that satisfies one of
these Protocols and passes `tests/test_index_contract.py`; `indexer/keyword.py` (tantivy) and
`indexer/vectors.py` (FAISS flat and IVF) are today's implementations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from archive.documents import ChunkRecord
from indexer.feedback import Expansion

Scored = list[tuple[int, float]]


@runtime_checkable
class KeywordBackend(Protocol):
    """Full-text search over chunks: BM25 (or better) scores, filters on source, date and quoted names."""

    def add(self, rows: Iterable[ChunkRecord]) -> int:
        """Index chunks (visible after `commit`); returns how many."""
        ...

    def delete(self, chunk_ids: Iterable[int]) -> None: ...

    def commit(self) -> None:
        """Make additions and deletions durable and visible to searches."""
        ...

    @property
    def num_docs(self) -> int: ...

    def search(
        self,
        text: str,
        limit: int,
        source: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        speakers: list[str] | None = None,
        doc_ids: list[str] | None = None,
        sort: str = "relevance",
        expansion: Expansion | None = None,
    ) -> tuple[Scored, bool]:
        """(chunk_id, score) best first (or by `date`/`-date`), and whether the query's syntax had to be repaired.

        `source` matches case-insensitively; dates are inclusive ISO dates; `speakers` (when not None) keeps only
        chunks quoting one of those names, and an empty list matches nothing; `doc_ids` keeps only those
        documents' chunks. `expansion` (pseudo-relevance feedback) reweighs the matches by its weighted terms
        without adding matches: in OpenSearch, a bool query with the original as `must` and boosted `term`s as
        `should`.
        """
        ...

    def query_terms(self, text: str) -> set[str]:
        """The query's terms as the index analyses them, for highlighting."""
        ...

    def analyze(self, word: str) -> list[str]:
        """One word of a result's text as the index analyses it, for highlighting."""
        ...


@runtime_checkable
class VectorBackend(Protocol):
    """Nearest neighbours by cosine over unit vectors, keyed by chunk id."""

    @property
    def kind(self) -> str:
        """What the index is, recorded in the generation's manifest (e.g. `flat`, `ivf`)."""
        ...

    def __len__(self) -> int: ...

    def ids(self) -> np.ndarray:
        """Every chunk id held, ascending."""
        ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def delete(self, ids: np.ndarray) -> None: ...

    def vector(self, chunk_id: int) -> np.ndarray | None:
        """The stored vector of a chunk, or None."""
        ...

    def search(self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None) -> Scored:
        """(chunk_id, cosine) best first; `allowed` restricts results to those ids (empty: nothing)."""
        ...

    def save(self, path: Path) -> None:
        """Atomically: a reader never sees half a file."""
        ...
