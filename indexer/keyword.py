"""The keyword index: tantivy BM25 over chunk text, title and context, with source and date as filter fields.

KeywordIndex satisfies `indexer.backends.KeywordBackend`, so that another engine (OpenSearch) can replace this
module without changing its callers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import tantivy

from archive.documents import ChunkRecord
from archive.settings import Settings
from indexer.feedback import Expansion

ANALYZER = "news_en"
SCHEMA_VERSION = "keyword-4"  # 4: the title is part of each passage's searched text
_WORD = re.compile(r"\w+", re.UNICODE)
# Punctuation inside a word (boundary-layer, x-ray, e.g., Starmer's): tantivy would make such a word a phrase.
_JOINED = re.compile(r"(?<=\w)(?:['’]s\b|[-'’./](?=\w))")
_SYNTAX = re.compile(r"[:^]|^[+-]")  # a field, a boost, a required or excluded word: query syntax, kept whole


def searched_text(title: str, text: str) -> str:
    """What the `text` field indexes: the title and the text as one field, as a plain BM25 over "title + text"
    does (measured better than a separate title field with its own length norm: SciFact 0.684 vs 0.665). The
    `title` field is still indexed on its own, for an extra title weight (`title_boost`)."""
    return f"{title}\n{text}" if title else text


def date_range(schema: tantivy.Schema, date_from: str | None, date_to: str | None) -> tantivy.Query:
    """Documents dated from `date_from` to `date_to` inclusive (ISO dates; an open end is unbounded)."""
    return tantivy.Query.range_query(
        schema,
        "date",
        tantivy.FieldType.Date,
        _as_datetime(date_from) if date_from else _EARLIEST,
        _as_datetime(date_to) if date_to else _LATEST,
    )


def with_filters(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    """The query, keeping only what passes every filter; filters select and never score (a speaker's name or
    a source must not reorder the hits)."""
    if not filters:
        return query
    kept = [(tantivy.Occur.Must, tantivy.Query.const_score_query(each, 0.0)) for each in filters]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *kept])


def as_terms(text: str) -> str:
    """A search box query as terms: words joined by punctuation become separate words (OR-ed like the rest, as
    a search engine's match query does) instead of a phrase. Query syntax is left as written: a phrase in double
    quotes, `field:value`, a `^boost`, a `+required`/`-excluded` word and a `[from TO to]` range."""
    parts = text.split('"')
    parts[0::2] = [_split_bare_words(part) for part in parts[0::2]]
    return '"'.join(parts)


def _split_bare_words(part: str) -> str:
    tokens, depth = [], 0
    for token in re.split(r"(\s+)", part):
        opens = token.count("[") + token.count("{")
        if depth == 0 and not opens and not _SYNTAX.search(token):
            token = _JOINED.sub(" ", token)
        depth = max(0, depth + opens - token.count("]") - token.count("}"))
        tokens.append(token)
    return "".join(tokens)


def parse_lenient(
    index: tantivy.Index, analyzer: tantivy.TextAnalyzer, text: str, boosts: dict[str, float]
) -> tuple[tantivy.Query | None, bool]:
    """The query in tantivy's syntax over the boosted fields, leniently; on a syntax error, its plain words
    (None when no word is left). Returns (query, whether it had to be repaired)."""
    fields = list(boosts)
    query, errors = index.parse_query_lenient(as_terms(text), fields, field_boosts=boosts)
    if not errors:
        return query, False
    words = " ".join(w.lower() for w in _WORD.findall(text))
    if not analyzer.analyze(words):
        return None, True
    query, _ = index.parse_query_lenient(words, fields, field_boosts=boosts)
    return query, True


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
    # facets: the values as shown, counted by aggregation (see `facets`)
    builder.add_text_field("source_facet", tokenizer_name="raw", fast=True)
    builder.add_text_field("year", tokenizer_name="raw", fast=True)
    builder.add_text_field("month", tokenizer_name="raw", fast=True)
    builder.add_text_field("speaker_facet", tokenizer_name="raw", fast=True)
    builder.add_json_field("meta", tokenizer_name="raw", fast=True)
    return builder.build()


_EARLIEST, _LATEST = datetime(1700, 1, 1), datetime(2262, 1, 1)
FACET_FIELDS = {"source": "source_facet", "year": "year", "month": "month", "speaker": "speaker_facet"}
MAX_FACET_VALUES = 50


@dataclass(frozen=True)
class Filters:
    """Which chunks may match: `source` ignores case; dates are inclusive ISO dates; `speakers` (when not None)
    keeps chunks quoting one of those names; `doc_ids` (when not None) keeps chunks of those documents."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speakers: list[str] | None = None
    doc_ids: list[str] | None = None


def facet_meta(meta: dict | str) -> dict[str, list[str]]:
    """A document's meta (a dict or its JSON text) as facet values: lists stay lists, scalars become one value;
    page numbers are not a facet."""
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta else {}
        except ValueError:
            return {}
    found: dict[str, list[str]] = {}
    for key, value in meta.items() if isinstance(meta, dict) else ():
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if isinstance(v, str | int | float) and str(v) != ""]
        if kept and key != "pages":
            found[key] = kept[:50]
    return found


def aggregate_facets(
    searcher: tantivy.Searcher, query: tantivy.Query, names: list[str], fields: dict[str, str]
) -> dict[str, list[tuple[str, int]]]:
    """Terms aggregations for the named facets (`meta.<field>` reads the JSON field)."""
    wanted = {f"f{i}": name for i, name in enumerate(names)}
    aggregations = {
        key: {
            "terms": {
                "field": fields.get(name, name),
                "size": 10_000 if name in ("year", "month") else MAX_FACET_VALUES,
            }
        }
        for key, name in wanted.items()
    }
    found = searcher.aggregate(query, aggregations)
    result: dict[str, list[tuple[str, int]]] = {}
    for key, name in wanted.items():
        buckets = [(str(b["key"]), int(b["doc_count"])) for b in found.get(key, {}).get("buckets", [])]
        result[name] = sorted(buckets) if name in ("year", "month") else buckets
    return result


def _as_datetime(iso_date: str) -> datetime:
    """A date as tantivy stores it, clamped to the range its timestamps can hold."""
    return min(max(datetime.fromisoformat(iso_date[:10]), _EARLIEST), _LATEST)


class KeywordIndex:
    def __init__(
        self,
        path: Path,
        title_boost: float = Settings.title_boost,
        context_boost: float = Settings.context_boost,
        create: bool = False,
    ):
        self.path = Path(path)
        self.schema = build_schema()
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        else:
            self.index = tantivy.Index.open(str(self.path))
        self.analyzer = build_analyzer()
        self.index.register_tokenizer(ANALYZER, self.analyzer)
        # a field weighted 0 is not searched at all (a match there alone would be a hit scored 0)
        weights = {"text": 1.0, "title": title_boost, "context": context_boost}
        self.boosts = {name: weight for name, weight in weights.items() if weight > 0}
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
            doc.add_text("text", searched_text(row.title, row.text))
            if row.context:
                doc.add_text("context", row.context)
            if row.source:
                doc.add_text("source", row.source.lower())
                doc.add_text("source_facet", row.source.lower())
            for name in filter(None, row.speakers.split(",")):
                doc.add_text("speaker", name)
                doc.add_text("speaker_facet", name)
            for name in filter(None, row.orgs.split(",")):
                doc.add_text("org", name)
            if row.date:
                doc.add_date("date", _as_datetime(row.date))
                doc.add_text("year", row.date[:4])
                doc.add_text("month", row.date[:7])
            meta = facet_meta(row.meta)
            if meta:
                doc.add_json("meta", meta)
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
        return parse_lenient(self.index, self.analyzer, text, self.boosts)

    def query(
        self, text: str, where: Filters | None = None, expansion: Expansion | None = None
    ) -> tuple[tantivy.Query | None, bool]:
        """The query with its filters (None: it can match nothing), and whether its syntax was repaired. An
        expansion (pseudo-relevance feedback) reweighs the matches by its terms; it never adds matches."""
        query, fixed = self.parse(text)
        if query is None:
            return None, fixed
        if expansion is not None and expansion.terms:
            added = [
                (tantivy.Occur.Should, tantivy.Query.boost_query(self._term(name, term), weight * boost))
                for term, weight in expansion.terms.items()
                for name, boost in self.boosts.items()
            ]
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.boost_query(query, expansion.query_weight)), *added]
            )
        where = where or Filters()
        clauses = [(tantivy.Occur.Must, query)]
        if where.source:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "source", where.source.lower())))
        if where.date_from or where.date_to:
            clauses.append((tantivy.Occur.Must, date_range(self.schema, where.date_from, where.date_to)))
        if where.speakers is not None:
            names = [
                (tantivy.Occur.Should, self._phrase(field, name))
                for name in where.speakers
                for field in ("speaker", "org")
            ]
            if not names:
                return None, fixed
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(names)))
        if where.doc_ids is not None:
            if not where.doc_ids:
                return None, fixed
            clauses.append(
                (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "doc_id", list(where.doc_ids)))
            )
        return with_filters(query, [clause for _, clause in clauses[1:]]), fixed

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
    ) -> tuple[list[tuple[int, float]], bool]:
        """(chunk_id, BM25 score) best first (or by date: `date`, `-date`), and whether the query's syntax had
        to be repaired. `expansion` reweighs the same matches by feedback terms (`indexer.feedback`)."""
        if limit <= 0:
            return [], False
        query, fixed = self.query(text, Filters(source, date_from, date_to, speakers, doc_ids), expansion)
        if query is None:
            return [], fixed
        searcher = self.index.searcher()
        if sort == "relevance":
            hits = searcher.search(query, limit, count=False).hits
        else:
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            hits = searcher.search(query, limit, count=False, order_by_field="date", order=order).hits
        if not hits:
            return [], fixed
        ids = searcher.fast_field_values("chunk_id", [address for _, address in hits])
        return [
            (int(cid), float(score) if isinstance(score, float) else 0.0)
            for (score, _), cid in zip(hits, ids, strict=True)
        ], fixed

    def count(self, text: str, where: Filters | None = None) -> int:
        """The exact number of chunks matching the query and filters."""
        query, _ = self.query(text, where)
        if query is None:
            return 0
        return int(self.index.searcher().search(query, 1, count=True).count or 0)

    def facets(self, text: str, where: Filters | None, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        """For each facet (`source`, `year`, `month`, `speaker`, `meta.<field>`), its values among the matching
        chunks with how many match each, most first (years and months in time order)."""
        query, _ = self.query(text, where)
        if query is None or not names:
            return {name: [] for name in names}
        return aggregate_facets(self.index.searcher(), query, names, FACET_FIELDS)

    def _term(self, field: str, term: str) -> tantivy.Query:
        """An analysed term (as the index stores it) in one field."""
        return tantivy.Query.term_query(self.schema, field, term)

    def _phrase(self, field: str, name: str) -> tantivy.Query:
        words = " ".join(_WORD.findall(name))
        return self.index.parse_query(f'"{words}"', [field])

    def query_terms(self, text: str) -> set[str]:
        """The stemmed terms of a query, for highlighting."""
        return set(self.analyzer.analyze(" ".join(_WORD.findall(text))))

    def analyze(self, word: str) -> list[str]:
        """A word's stems as this index analyses text, for highlighting."""
        return list(self.analyzer.analyze(word))
