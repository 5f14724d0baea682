"""What the web pages read besides searches, through the service rather than the store: sources, documents and
their quotes, titles of copies, speakers, a page of documents, and the meta fields worth a facet."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from archive.documents import StoredDocument, StoredQuote
from archive.store import Store
from archive.store.correspondents import display_names
from indexer.facets import facet_fields

T = TypeVar("T")


class ArchiveReading:
    """The read-only views of the archive the pages show (a mixin of `SearchService`, which owns the store)."""

    store: Store
    _read_at: dict[str, tuple[int, Any]]

    def _per_store_version(self, name: str, read: Callable[[], T]) -> T:
        """What `read` returns, read again only when the store changed."""
        version = self.store.version()
        held = self._read_at.get(name)
        if held is None or held[0] != version:
            held = self._read_at[name] = (version, read())
        return held[1]

    def document(self, doc_id: str) -> StoredDocument:
        return self.store.document(doc_id)

    def display_names(self, addresses: list[str]) -> dict[str, str]:
        """address -> the name mail shows it with most often (for the from/to/cc facets); unnamed ones left out."""
        return display_names(self.store, addresses)

    def quotes_in(self, doc_ids: list[str]) -> list[StoredQuote]:
        """The quotes of these documents, document by document."""
        return [quote for doc_id in dict.fromkeys(doc_ids) for quote in self.store.quotes(doc_id=doc_id)]

    def quotes_by(self, speakers: list[str] | None = None, orgs: list[str] | None = None) -> list[StoredQuote]:
        return self.store.quotes(speakers, orgs)

    def titles(self, doc_ids: list[str]) -> dict[str, str]:
        """The title of each of these documents (for "also in" links)."""
        return {doc_id: row["title"] for doc_id, row in self.store.documents_meta(list(doc_ids)).items()}

    def sources(self) -> list[str]:
        return self._per_store_version("source list", self.store.sources)

    def is_empty(self) -> bool:
        return self.store.is_empty()

    def speaker_counts(self) -> list[tuple[str, str, int]]:
        return self.store.speaker_counts()

    def list_documents(
        self,
        source: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        meta: tuple[tuple[str, str], ...] = (),
        sort: str = "date",
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[sqlite3.Row], int]:
        return self.store.list_documents(source, date_from, date_to, meta, sort, offset, limit)

    def meta_facets(self) -> tuple[str, ...]:
        """The meta fields worth a facet (`meta.<field>`): those holding lists of words in any of the latest
        thousand documents (topics, places, a mail's recipients), looked up once per change of the store."""

        def read() -> tuple[str, ...]:
            rows, _ = self.store.list_documents(sort="-date", limit=1000)
            return tuple(facet_fields(rows))

        return self._per_store_version("meta facets", read)
