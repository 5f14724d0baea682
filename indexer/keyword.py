"""The keyword index: tantivy BM25 over chunk text, title and context, with source and date as filter fields.

KeywordIndex satisfies `indexer.backends.KeywordBackend`, so that another engine (OpenSearch) can replace this
module without changing its callers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import tantivy

from archive.documents import ChunkRecord

ANALYZER = "news_en"
SCHEMA_VERSION = "keyword-2"
_WORD = re.compile(r"\w+", re.UNICODE)


def build_analyzer() -> tantivy.TextAnalyzer:
    """English: lower-cased, accents folded, stop words dropped, Snowball-stemmed. Highlighting uses it too."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("chunk_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("context", tokenizer_name=ANALYZER)
    builder.add_text_field("source", tokenizer_name="raw")
    builder.add_text_field("speaker", tokenizer_name=ANALYZER)
    builder.add_text_field("org", tokenizer_name=ANALYZER)
    builder.add_date_field("date", indexed=True, fast=True)
    return builder.build()


_EARLIEST, _LATEST = datetime(1700, 1, 1), datetime(2262, 1, 1)


def _as_datetime(iso_date: str) -> datetime:
    """A date as tantivy stores it, clamped to the range its timestamps can hold."""
    return min(max(datetime.fromisoformat(iso_date[:10]), _EARLIEST), _LATEST)


class KeywordIndex:
    def __init__(self, path: Path, title_boost: float = 2.0, context_boost: float = 0.5, create: bool = False):
        self.path = Path(path)
        self.schema = build_schema()
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        else:
            self.index = tantivy.Index.open(str(self.path))
        self.analyzer = build_analyzer()
        self.index.register_tokenizer(ANALYZER, self.analyzer)
        self.boosts = {"title": title_boost, "text": 1.0, "context": context_boost}
        self._writer = None

    # -- writing ----------------------------------------------------------------------------------------

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        return self._writer

    def add(self, rows: Iterable[ChunkRecord]) -> int:
        count = 0
        for row in rows:
            doc = tantivy.Document()
            doc.add_integer("chunk_id", row.chunk_id)
            doc.add_text("doc_id", row.doc_id)
            doc.add_text("title", row.title)
            doc.add_text("text", row.text)
            if row.context:
                doc.add_text("context", row.context)
            if row.source:
                doc.add_text("source", row.source.lower())
            for name in filter(None, row.speakers.split(",")):
                doc.add_text("speaker", name)
            for name in filter(None, row.orgs.split(",")):
                doc.add_text("org", name)
            if row.date:
                doc.add_date("date", _as_datetime(row.date))
            self.writer.add_document(doc)
            count += 1
        return count

    def delete(self, chunk_ids: Iterable[int]) -> None:
        ids = list(chunk_ids)
        if ids:
            self.writer.delete_documents_by_query(tantivy.Query.term_set_query(self.schema, "chunk_id", ids))

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

    def parse(self, text: str) -> tuple[tantivy.Query | None, bool]:
        """The query in tantivy's syntax, leniently; on a syntax error, its plain words. (query, was_fixed)"""
        fields = list(self.boosts)
        query, errors = self.index.parse_query_lenient(text, fields, field_boosts=self.boosts)
        if not errors:
            return query, False
        words = " ".join(w.lower() for w in _WORD.findall(text))
        if not self.analyzer.analyze(words):
            return None, True
        query, _ = self.index.parse_query_lenient(words, fields, field_boosts=self.boosts)
        return query, True

    def search(
        self,
        text: str,
        limit: int,
        source: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        speakers: list[str] | None = None,
    ) -> tuple[list[tuple[int, float]], bool]:
        """(chunk_id, BM25 score) best first, and whether the query's syntax had to be repaired."""
        query, fixed = self.parse(text)
        if query is None:
            return [], fixed
        clauses = [(tantivy.Occur.Must, query)]
        if source:
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "source", source.lower()))
            )
        if date_from or date_to:
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "date", tantivy.FieldType.Date,
                _as_datetime(date_from) if date_from else _EARLIEST,
                _as_datetime(date_to) if date_to else _LATEST,
            )))
        if speakers is not None:
            names = [(tantivy.Occur.Should, self._phrase(field, name))
                     for name in speakers for field in ("speaker", "org")]
            if not names:
                return [], fixed
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(names)))
        if len(clauses) > 1:
            query = tantivy.Query.boolean_query(clauses)
        searcher = self.index.searcher()
        hits = searcher.search(query, limit, count=False).hits
        if not hits:
            return [], fixed
        ids = searcher.fast_field_values("chunk_id", [address for _, address in hits])
        return [(int(cid), float(score)) for (score, _), cid in zip(hits, ids, strict=True)], fixed

    def _phrase(self, field: str, name: str) -> tantivy.Query:
        words = " ".join(_WORD.findall(name))
        return self.index.parse_query(f'"{words}"', [field])

    def query_terms(self, text: str) -> set[str]:
        """The stemmed terms of a query, for highlighting."""
        return set(self.analyzer.analyze(" ".join(_WORD.findall(text))))

    def analyze(self, word: str) -> list[str]:
        """A word's stems as this index analyses text, for highlighting."""
        return list(self.analyzer.analyze(word))
