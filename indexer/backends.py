"""The three index interfaces the search service and the generation builder use, and nothing else: every method
the service calls is here, and `tests/test_index_contract.py` tests each one.

A new engine (OpenSearch, a k-NN service, another ANN library) is one module with a class that satisfies one of
these Protocols and passes that suite; `indexer/keyword.py` (tantivy, passages), `indexer/document_index.py`
(tantivy, whole documents) and `indexer/vectors.py` (FAISS flat and IVF) are today's implementations.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from archive.documents import ChunkRecord
from indexer.feedback import Expansion
from indexer.filters import Filter

if TYPE_CHECKING:
    from indexer.document_index import DocumentRow

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
        where: Filter | None = None,
        sort: str = "relevance",
        expansion: Expansion | None = None,
    ) -> tuple[Scored, bool]:
        """(chunk_id, score) best first (or by `date`/`-date`), and whether the query's syntax had to be repaired.

        `where` keeps what passes the filter (`Filter`: the source matches case-insensitively; dates are
        inclusive ISO dates; `speakers`, when not None, keeps only chunks quoting one of those names, and an empty
        tuple matches nothing; `meta` pairs match a document's metadata value or a member of its list). An
        e-mail address in the text matches the mails it is in (From, To, Cc, Bcc) and its mentions.
        `expansion` (pseudo-relevance feedback) reweighs the matches by its weighted terms without adding
        matches: in OpenSearch, a bool query with the original as `must` and boosted `term`s as `should`.
        """
        ...

    def count(self, text: str, where: Filter | None = None) -> int:
        """The exact number of chunks matching the query under the filter."""
        ...

    def facets(self, text: str | None, where: Filter | None, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        """For each facet name (`indexer.facets`), its values among the matches with their counts."""
        ...

    def matching(self, text: str, where: Filter | None, chunk_ids: Iterable[int]) -> set[int]:
        """Which of these chunks match the query under the filter."""
        ...

    def query_terms(self, text: str) -> set[str]:
        """The query's terms as the index analyses them, for highlighting."""
        ...

    def analyze(self, word: str) -> list[str]:
        """One word of a result's text as the index analyses it, for highlighting."""
        ...


@runtime_checkable
class DocumentBackend(Protocol):
    """Full-text search over whole documents (title and text), with the same filters and facets."""

    def add(self, rows: Iterable[DocumentRow]) -> int: ...

    def delete(self, doc_ids: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    @property
    def num_docs(self) -> int: ...

    def search(
        self, text: str | None, where: Filter | None, limit: int, sort: str = "relevance"
    ) -> tuple[list[tuple[str, float]], int]:
        """(doc_id, score) best first (or by date), and the exact number of matches; `text` None matches every
        document passing the filter."""
        ...

    def count(self, text: str | None, where: Filter | None = None) -> int: ...

    def facets(self, text: str | None, where: Filter | None, names: list[str]) -> dict[str, list[tuple[str, int]]]: ...

    def matching(self, text: str, where: Filter | None, doc_ids: Iterable[str]) -> set[str]:
        """Which of these documents match the query under the filter."""
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

    def search(self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None, exact: bool = False) -> Scored:
        """(chunk_id, cosine) best first; `allowed` restricts results to those ids (empty: nothing); `exact`
        asks for every allowed id to be considered (no approximate pruning), as a selective filter needs."""
        ...

    def among(self, vector: np.ndarray, ids: np.ndarray, limit: int) -> Scored:
        """Exact cosines of the query against these ids only (ids not held are left out), best first."""
        ...

    def save(self, path: Path) -> None:
        """Atomically: a reader never sees half a file."""
        ...
