"""One filter value for a search and its renderings: SQL for the store, clauses for a tantivy index, the share of
the archive it allows, and the chips the search page shows (Datasette's `Filter` is the model).

A `Filter` is built once per search (`SearchService`) from the request: `speaker=`/`org=` resolved to the names
the quote registry knows, `meta.<field>=` resolved to the documents that have the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import tantivy

from archive.store.documents import source_date_sql
from indexer.sources import Sources

if TYPE_CHECKING:
    from indexer.backends import DocumentBackend
    from indexer.request import SearchRequest

_EARLIEST, _LATEST = datetime(1700, 1, 1), datetime(2262, 1, 1)


def as_datetime(iso_date: str) -> datetime:
    """A date as tantivy stores it, clamped to the range its timestamps can hold."""
    return min(max(datetime.fromisoformat(iso_date[:10]), _EARLIEST), _LATEST)


def date_range(schema: tantivy.Schema, date_from: str | None, date_to: str | None) -> tantivy.Query:
    """Documents dated from `date_from` to `date_to` inclusive (ISO dates; an open end is unbounded)."""
    return tantivy.Query.range_query(
        schema,
        "date",
        tantivy.FieldType.Date,
        as_datetime(date_from) if date_from else _EARLIEST,
        as_datetime(date_to) if date_to else _LATEST,
    )


@dataclass(frozen=True)
class Chip:
    """A filter in force as the page shows it: its words, and the query arguments that remove it."""

    label: str
    without: dict[str, list[str] | None]


@dataclass(frozen=True)
class Filter:
    """Which passages and documents a search may return. `source` ignores case; dates are inclusive ISO dates;
    `speaker`/`org` are as asked and `speakers` the names they resolved to (None: no such filter; empty: nothing
    matches); `meta` pairs match a value or a member of a list, and `doc_ids` are the documents they allow."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speakers: tuple[str, ...] | None = None
    meta: tuple[tuple[str, str], ...] = ()
    doc_ids: tuple[str, ...] | None = None
    speaker: str | None = None
    org: str | None = None

    @property
    def by_source_or_date(self) -> bool:
        return bool(self.source or self.date_from or self.date_to)

    @property
    def by_name_or_document(self) -> bool:
        return self.speakers is not None or self.doc_ids is not None

    @property
    def empty(self) -> bool:
        return not (self.by_source_or_date or self.by_name_or_document or self.meta)

    def sql(self) -> tuple[list[str], list[str | int]]:
        """The source and date part as SQL clauses over `documents d` with their parameters."""
        return source_date_sql(self.source, self.date_from, self.date_to)

    def share(self, sources: Sources) -> float:
        """About what share of the archive the source and date part allows (it only chooses how to search)."""
        return sources.share(self.source, self.date_from, self.date_to)

    def tantivy(
        self, index: tantivy.Index, schema: tantivy.Schema, by_name: Callable[[str], tantivy.Query]
    ) -> list[tantivy.Query] | None:
        """Clauses for a tantivy index with `source`, `date` and `meta` fields (None: nothing can match);
        `by_name` matches one quoted name in that index."""
        clauses = []
        if self.source:
            clauses.append(tantivy.Query.term_query(schema, "source", self.source.lower()))
        if self.date_from or self.date_to:
            clauses.append(date_range(schema, self.date_from, self.date_to))
        if self.speakers is not None:
            if not self.speakers:
                return None
            names = [(tantivy.Occur.Should, by_name(name)) for name in self.speakers]
            clauses.append(tantivy.Query.boolean_query(names))
        for name, value in self.meta:
            words = value.replace('"', " ")
            clauses.append(index.parse_query(f'meta.{name}:"{words}"', ["text"]))
        if self.doc_ids is not None:
            if not self.doc_ids:
                return None
            clauses.append(tantivy.Query.term_set_query(schema, "doc_id", list(self.doc_ids)))
        return clauses

    def chips(self) -> list[Chip]:
        """The filters in force, each with the arguments that remove it (the page's chips)."""
        chips = []
        for key, label, value in (("source", "source", self.source), ("speaker", "speaker", self.speaker)):
            if value:
                chips.append(Chip(f"{label}: {value}", {key: None}))
        if self.org:
            chips.append(Chip(f"organisation: {self.org}", {"org": None}))
        if self.date_from or self.date_to:
            span = f"{self.date_from or '…'} to {self.date_to or '…'}"
            chips.append(Chip(f"dates: {span}", {"date_from": None, "date_to": None}))
        for name, value in self.meta:
            rest = [other for field, other in self.meta if field == name and other != value] or None
            chips.append(Chip(f"{name}: {value}", {f"meta.{name}": rest}))
        return chips


def filter_for(
    request: SearchRequest,
    resolve: Callable[[str], list[str]],
    source_names: dict[str, str],
    documents: DocumentBackend,
) -> tuple[Filter, list[str]]:
    """The request's filter, built once: `speaker=`/`org=` resolved to the names they mean (`resolve`), a
    `meta.` filter to the documents that have the value; unknown values are said in the notices."""
    notices: list[str] = []
    speakers = None
    if request.speaker or request.org:
        named: list[str] = []
        for name in filter(None, (request.speaker, request.org)):
            found = resolve(name)
            if not found:
                notices.append(f"No speaker or organisation known as {name!r}; see /speakers.")
            named.extend(found)
        speakers = tuple(named)
    if request.source and request.source.lower() not in source_names:
        known = ", ".join(sorted(source_names.values())[:10]) or "none"
        notices.append(f"No documents from source {request.source!r}; sources here: {known}.")
    doc_ids = None
    if request.meta:
        hits, _ = documents.search(None, Filter(meta=request.meta), max(1, documents.num_docs))
        doc_ids = tuple(doc_id for doc_id, _ in hits)
        if not doc_ids:
            wanted = ", ".join(f"meta.{name}={value!r}" for name, value in request.meta)
            notices.append(f"No document has {wanted}.")
    where = Filter(request.source, request.date_from, request.date_to, speakers, request.meta, doc_ids)
    return replace(where, speaker=request.speaker, org=request.org), notices
