"""The archive's sources and dates as a search needs them: how each source is spelt, and roughly how much of the
archive a source or date filter allows. Read from the store once per store version (`SearchService`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from archive.store import Store


@dataclass(frozen=True)
class Sources:
    names: dict[str, str] = field(default_factory=dict)  # lower-cased key -> the spelling most documents use
    documents: dict[str, int] = field(default_factory=dict)  # lower-cased key -> documents from that source
    total: int = 0
    first: str | None = None
    last: str | None = None

    @classmethod
    def of(cls, store: Store) -> Sources:
        names: dict[str, str] = {}
        documents: dict[str, int] = {}
        for source, count in sorted(store.source_counts().items(), key=lambda item: -item[1]):
            names.setdefault(source.lower(), source)
            documents[source.lower()] = documents.get(source.lower(), 0) + count
        total, first, last = store.document_span()
        return cls(names, documents, total, first, last)

    def share(self, source: str | None, date_from: str | None, date_to: str | None) -> float:
        """About what share of the documents pass a source and date filter: the source's share times the date
        range's share of the archive's span (dates are taken as even; it only chooses how to search)."""
        share = 1.0
        if source:
            share *= self.documents.get(source.lower(), 0) / max(self.total, 1)
        if (date_from or date_to) and self.first and self.last:
            first, last = _day(self.first), _day(self.last)
            start = max(_day(date_from), first) if date_from else first
            end = min(_day(date_to), last) if date_to else last
            share *= max(0, (end - start).days + 1) / ((last - first).days + 1)
        return share


def _day(iso: str) -> date:
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return date.min
