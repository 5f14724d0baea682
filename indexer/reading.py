"""What the web pages read besides searches, through the service rather than the store: sources, documents and
their quotes, titles of copies, speakers, a page of documents, the meta fields worth a facet, and of mail its
threads, attachments, correspondents, originals and when each document was stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from archive.documents import StoredDocument, StoredQuote
from archive.linking import SpeakerLink
from archive.settings import Settings
from archive.store import Store
from archive.store.correspondents import Correspondence, busiest, correspondence, display_names
from archive.store.feeds import ingested_times
from archive.store.originals import StoredOriginal, original_of
from archive.store.threads import ThreadEntry, attachments_of, message_of, thread_of
from indexer.facets import facet_fields

T = TypeVar("T")


class ArchiveReading:
    """The read-only views of the archive the pages show (a mixin of `SearchService`, which owns the store)."""

    store: Store
    settings: Settings
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

    def links_of(self, persons: list[str] | None = None) -> dict[str, list[tuple[SpeakerLink, int]]]:
        """Each of these people's links across documents (everyone's: None), with their statement counts."""
        return self.store.links_of(persons)

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

    # -- mail ---------------------------------------------------------------------------------------------

    def thread(self, doc_id: str) -> tuple[str | None, list[ThreadEntry]]:
        """The thread a message belongs to (its id, and its messages oldest first)."""
        return thread_of(self.store, doc_id)

    def attachments(self, doc_id: str) -> list[tuple[str, str]]:
        """(doc_id, title) of the documents read from a message's attachments."""
        return attachments_of(self.store, doc_id)

    def message_of(self, doc_id: str) -> tuple[str, str] | None:
        """(doc_id, title) of the message an attachment came with."""
        return message_of(self.store, doc_id)

    def correspondents(self, query: str = "") -> list[dict]:
        """The busiest addresses (matching `query`), with their names and counts."""
        return busiest(self.store, query)

    def correspondence(self, who: str) -> Correspondence:
        """Whom a person or address wrote to and heard from, month by month."""
        return correspondence(self.store, who)

    def original(self, doc_id: str) -> StoredOriginal:
        """The bytes a document was read from (NotFoundError when none were kept)."""
        return original_of(self.store, self.settings, doc_id)

    def ingested_times(self, doc_ids: list[str]) -> dict[str, str]:
        """When the archive last stored each of these documents."""
        return ingested_times(self.store, doc_ids)
