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
from indexer.facets import Facts, meta_values
from indexer.filters import Filter
from indexer.keyword import PEOPLE_BOOST, TantivyIndex, add_common_fields, add_facts, searched_text

SCHEMA_VERSION = "documents-3"  # 3: fields named as in the keyword index; mail addresses and names


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


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("title", tokenizer_name="news_en")
    builder.add_text_field("text", tokenizer_name="news_en")
    return add_common_fields(builder).build()


class DocumentIndex(TantivyIndex):
    schema = build_schema()

    def __init__(self, path: Path, title_boost: float = Settings.title_boost, create: bool = False):
        super().__init__(path, {"text": 1.0, "title": title_boost, "people": PEOPLE_BOOST}, create)

    def add(self, rows: Iterable[DocumentRow]) -> int:
        count = 0
        for row in rows:
            doc = tantivy.Document()
            doc.add_text("doc_id", row.doc_id)
            doc.add_text("title", row.title)
            doc.add_text("text", searched_text(row.title, row.text))
            add_facts(doc, Facts(row.source, row.date, tuple(row.speakers), meta_values(row.meta)), row.meta)
            self.writer.add_document(doc)
            count += 1
        return count

    def delete(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self.writer.delete_documents_by_term("doc_id", doc_id)

    def search(
        self, text: str | None, where: Filter | None, limit: int, sort: str = "relevance"
    ) -> tuple[list[tuple[str, float]], int]:
        """(doc_id, score) best first (or by date), and the exact number of matching documents; `text` None
        matches every document passing the filter."""
        query, _ = self.query(text, where)
        if query is None:
            return [], 0
        searcher = self.index.searcher()
        if sort == "relevance":
            result = searcher.search(query, max(limit, 1), count=True)
        else:
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            result = searcher.search(query, max(limit, 1), count=True, order_by_field="date", order=order)
        hits = result.hits[:limit] if limit > 0 else []
        found = [
            (str(searcher.doc(address)["doc_id"][0]), float(score) if isinstance(score, float) else 0.0)
            for score, address in hits
        ]
        return found, int(result.count or 0)

    def matching(self, text: str, where: Filter | None, doc_ids: Iterable[str]) -> set[str]:
        """Which of these documents match the query under the filter."""
        ids = sorted(set(doc_ids))
        if not ids:
            return set()
        searcher = self.index.searcher()
        among = tantivy.Query.term_set_query(self.schema, "doc_id", ids)
        return {str(searcher.doc(address)["doc_id"][0]) for address in self._matching(text, where, among, len(ids))}

    def _by_name(self, name: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "speaker_facet", name)
