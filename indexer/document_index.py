"""The document-level keyword index: one tantivy document per article (title + whole text) with its facets.

Paragraph chunks answer questions; this index answers questions about articles: boolean operators and phrases
over a whole article (`+opec +brazil` where the words are in different paragraphs), exact counts, facet counts
(source, year, month, speaker, any `meta` field) and sorting by date. Like `KeywordIndex`, it is built in each
generation from the store, so another engine can replace this module without changing its callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from archive.settings import Settings
from indexer.keyword import (
    ANALYZER,
    _as_datetime,
    aggregate_facets,
    build_analyzer,
    date_range,
    facet_meta,
    parse_lenient,
    searched_text,
    with_filters,
)

SCHEMA_VERSION = "documents-2"  # 2: the title is part of the searched text
FIXED_FACETS = ("source", "year", "month", "speaker")


@dataclass(frozen=True)
class DocumentRow:
    """What the document index holds of one document."""

    doc_id: str
    title: str
    text: str
    source: str | None
    date: str | None
    speakers: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentFilter:
    """Restrictions on which documents match: every facet can be a filter."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speakers: tuple[str, ...] | None = None
    meta: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.source or self.date_from or self.date_to or self.speakers is not None or self.meta)


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("source_key", tokenizer_name="raw")
    builder.add_text_field("source", tokenizer_name="raw", fast=True)
    builder.add_text_field("year", tokenizer_name="raw", fast=True)
    builder.add_text_field("month", tokenizer_name="raw", fast=True)
    builder.add_text_field("speaker", tokenizer_name="raw", fast=True)
    builder.add_json_field("meta", tokenizer_name="raw", fast=True)
    builder.add_date_field("date", indexed=True, fast=True)
    return builder.build()


class DocumentIndex:
    def __init__(self, path: Path, title_boost: float = Settings.title_boost, create: bool = False):
        self.path = Path(path)
        self.schema = build_schema()
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        else:
            self.index = tantivy.Index.open(str(self.path))
        self.analyzer = build_analyzer()
        self.index.register_tokenizer(ANALYZER, self.analyzer)
        self.boosts = {name: weight for name, weight in {"text": 1.0, "title": title_boost}.items() if weight > 0}
        self._writer: tantivy.IndexWriter | None = None

    # -- writing ----------------------------------------------------------------------------------------

    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        return self._writer

    def add(self, rows: Iterable[DocumentRow]) -> int:
        count = 0
        for row in rows:
            doc = tantivy.Document()
            doc.add_text("doc_id", row.doc_id)
            doc.add_text("title", row.title)
            doc.add_text("text", searched_text(row.title, row.text))
            if row.source:
                doc.add_text("source", row.source.lower())
                doc.add_text("source_key", row.source.lower())
            if row.date:
                doc.add_date("date", _as_datetime(row.date))
                doc.add_text("year", row.date[:4])
                doc.add_text("month", row.date[:7])
            for name in row.speakers:
                doc.add_text("speaker", name)
            meta = facet_meta(row.meta)
            if meta:
                doc.add_json("meta", meta)
            self._get_writer().add_document(doc)
            count += 1
        return count

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self._get_writer().delete_documents_by_term("doc_id", doc_id)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    # -- reading ----------------------------------------------------------------------------------------

    @property
    def num_docs(self) -> int:
        return self.index.searcher().num_docs

    def query(self, text: str | None, where: DocumentFilter) -> tuple[tantivy.Query | None, bool]:
        """The query over whole documents with its filters (None: matches nothing), and whether its syntax
        had to be repaired. `text` None means every document passing the filters."""
        fixed = False
        if text is None:
            query = tantivy.Query.all_query()
        else:
            parsed, fixed = parse_lenient(self.index, self.analyzer, text, self.boosts)
            if parsed is None:
                return None, True
            query = parsed
        clauses = [(tantivy.Occur.Must, query)]
        if where.source:
            clauses.append((tantivy.Occur.Must, self._term("source_key", where.source.lower())))
        if where.date_from or where.date_to:
            clauses.append((tantivy.Occur.Must, date_range(self.schema, where.date_from, where.date_to)))
        if where.speakers is not None:
            if not where.speakers:
                return None, fixed
            names = [(tantivy.Occur.Should, self._term("speaker", name)) for name in where.speakers]
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(names)))
        for name, value in where.meta:
            clauses.append((tantivy.Occur.Must, self._meta_term(name, value)))
        return with_filters(query, [clause for _, clause in clauses[1:]]), fixed

    def search(self, query: tantivy.Query, limit: int, sort: str = "relevance") -> tuple[list[tuple[str, float]], int]:
        """(doc_id, score) best first (or by date), and the exact number of matching documents."""
        searcher = self.index.searcher()
        if sort == "relevance":
            result = searcher.search(query, limit, count=True)
        else:
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            result = searcher.search(query, limit, count=True, order_by_field="date", order=order)
        if not result.hits:
            return [], int(result.count or 0)
        found = []
        for score, address in result.hits:
            doc_id = searcher.doc(address)["doc_id"][0]
            found.append((str(doc_id), float(score) if isinstance(score, float) else 0.0))
        return found, int(result.count or 0)

    def count(self, query: tantivy.Query) -> int:
        return int(self.index.searcher().search(query, 1, count=True).count or 0)

    def facets(self, query: tantivy.Query, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        """For each facet (`source`, `year`, `month`, `speaker`, `meta.<field>`), its values among the matching
        documents with how many match each, most first (years and months in time order)."""
        return aggregate_facets(self.index.searcher(), query, names, {}) if names else {}

    def _term(self, field_name: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field_name, value)

    def _meta_term(self, name: str, value: str) -> tantivy.Query:
        words = value.replace('"', " ")
        return self.index.parse_query(f'meta.{name}:"{words}"', ["text"])
