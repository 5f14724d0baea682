"""The keyword index: tantivy BM25 over chunk text, title and context, with source and date as filter fields.

KeywordIndex satisfies `indexer.backends.KeywordBackend`, so that another engine (OpenSearch) can replace this
module without changing its callers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import tantivy

from archive.documents import ChunkRecord
from archive.settings import Settings
from indexer.facets import FACETS, Facts, facet, meta_values, parse_meta
from indexer.feedback import Expansion
from indexer.filters import Filter, as_datetime

ANALYZER = "news_en"
SCHEMA_VERSION = "keyword-5"  # 5: one `source` field for filter and facet; mail addresses and names
_WORD = re.compile(r"\w+", re.UNICODE)
# Punctuation inside a word (boundary-layer, x-ray, e.g., Starmer's): tantivy would make such a word a phrase.
_JOINED = re.compile(r"(?<=\w)(?:['’]s\b|[-'’./](?=\w))")
_SYNTAX = re.compile(r"[:^]|^[+-]")  # a field, a boost, a required or excluded word: query syntax, kept whole


def searched_text(title: str, text: str) -> str:
    """What the `text` field indexes: the title and the text as one field, as a plain BM25 over "title + text"
    does (measured better than a separate title field with its own length norm: SciFact 0.684 vs 0.665). The
    `title` field is still indexed on its own, for an extra title weight (`title_boost`)."""
    return f"{title}\n{text}" if title else text


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


# An e-mail address in a query, bare or alone in double quotes: searched in the mail headers (`address`), and as a
# phrase in the text, instead of as an OR of its words ("enron" OR "com").
_ADDRESS = re.compile(r'"?\b([\w.+\'-]+@[\w-]+(?:\.[\w-]+)+)\b"?')
MAIL_FIELDS = ("from", "to", "cc", "bcc")
PARSED_HELD = 512  # parsed queries kept per index
MAX_WORD = 40  # longer texts are analysed afresh, not kept (see `KeywordIndex.analyze`)
PEOPLE_BOOST = 0.5  # a mail's display names: found by name, never outweighing the text


def with_addresses(text: str) -> str:
    """The query with each e-mail address (quoted or not) as `(address:"a@b.c" OR "a@b.c")`."""
    return _ADDRESS.sub(lambda m: f'(address:"{m.group(1).lower()}" OR "{m.group(1)}")', text)


def mail_headers(meta: dict) -> tuple[list[str], list[str]]:
    """A mail's addresses (From, To, Cc, Bcc, lower-cased) and the display names its `names` gives them."""
    addresses: list[str] = []
    for key in MAIL_FIELDS:
        value = meta.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and "@" in item:
                addresses.append(item.strip().lower())
    names = meta.get("names")
    people = [str(name) for name in names.values() if name] if isinstance(names, dict) else []
    return list(dict.fromkeys(addresses)), people


def parse_lenient(
    index: tantivy.Index, analyzer: tantivy.TextAnalyzer, text: str, boosts: dict[str, float]
) -> tuple[tantivy.Query | None, bool]:
    """The query in tantivy's syntax over the boosted fields, leniently; on a syntax error, its plain words
    (None when no word is left). Returns (query, whether it had to be repaired)."""
    fields = list(boosts)
    query, errors = index.parse_query_lenient(as_terms(with_addresses(text)), fields, field_boosts=boosts)
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


def add_common_fields(builder: tantivy.SchemaBuilder) -> tantivy.SchemaBuilder:
    """The fields both indexes share, named alike: filters and facets (`Filter.tantivy`, `indexer.facets`) and a
    mail's headers."""
    builder.add_text_field("source", tokenizer_name="raw", fast=True)
    builder.add_date_field("date", indexed=True, fast=True)
    builder.add_text_field("year", tokenizer_name="raw", fast=True)
    builder.add_text_field("month", tokenizer_name="raw", fast=True)
    builder.add_text_field("speaker_facet", tokenizer_name="raw", fast=True)
    builder.add_json_field("meta", tokenizer_name="raw", fast=True)
    builder.add_text_field("address", tokenizer_name="raw")
    builder.add_text_field("people", tokenizer_name=ANALYZER)
    return builder


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("chunk_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("context", tokenizer_name=ANALYZER)
    builder.add_text_field("speaker", tokenizer_name=ANALYZER)
    builder.add_text_field("org", tokenizer_name=ANALYZER)
    return add_common_fields(builder).build()


def add_facts(doc: tantivy.Document, facts: Facts, meta: dict) -> None:
    """A document's filter and facet fields (each facet's values from its `Facet` class) and mail headers."""
    if facts.date:
        doc.add_date("date", as_datetime(facts.date))
    for kind in FACETS.values():
        for value in kind.values(facts):
            doc.add_text(kind.field, value)
    if facts.meta:
        doc.add_json("meta", facts.meta)
    addresses, people = mail_headers(meta)
    for address in addresses:
        doc.add_text("address", address)
    for name in people:
        doc.add_text("people", name)


def aggregate_facets(searcher: tantivy.Searcher, query: tantivy.Query, names: list[str]) -> dict:
    """Terms aggregations for the named facets, each in its facet's order."""
    kinds = {f"f{i}": facet(name) for i, name in enumerate(names)}
    aggregations = {key: {"terms": {"field": kind.field, "size": kind.size()}} for key, kind in kinds.items()}
    found = searcher.aggregate(query, aggregations) if kinds else {}
    return {
        kind.name: kind.ordered((str(b["key"]), int(b["doc_count"])) for b in found.get(key, {}).get("buckets", []))
        for key, kind in kinds.items()
    }


class TantivyIndex:
    """What both tantivy indexes share: opening, writing, parsing a query with its `Filter`, counting, facets."""

    schema: tantivy.Schema
    id_field = ""

    def __init__(self, path: Path, boosts: dict[str, float], create: bool = False):
        self.path = Path(path)
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
        else:
            self.index = tantivy.Index.open(str(self.path))
        self.analyzer = build_analyzer()
        self.index.register_tokenizer(ANALYZER, self.analyzer)
        # a word's stems, kept: snippets analyse every word of every passage shown (600 words a search page)
        self._stems = functools.lru_cache(maxsize=100_000)(lambda word: tuple(self.analyzer.analyze(word)))
        # a field weighted 0 is not searched at all (a match there alone would be a hit scored 0)
        self.boosts = {name: weight for name, weight in boosts.items() if weight > 0}
        self._writer: tantivy.IndexWriter | None = None
        self._parsed: dict[str, tuple[tantivy.Query | None, bool]] = {}

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=128_000_000, num_threads=1)
        return self._writer

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    @property
    def num_docs(self) -> int:
        return self.index.searcher().num_docs

    def parse(self, text: str) -> tuple[tantivy.Query | None, bool]:
        """The query in tantivy's syntax, leniently; on a syntax error, its plain words. (query, was_fixed)
        Parsed once per text: one search parses its query for several lists, counts and facets."""
        parsed = self._parsed.get(text)
        if parsed is None:
            if len(self._parsed) >= PARSED_HELD:
                self._parsed.clear()
            parsed = self._parsed[text] = parse_lenient(self.index, self.analyzer, text, self.boosts)
        return parsed

    def _by_name(self, name: str) -> tantivy.Query:
        raise NotImplementedError

    def filtered(self, query: tantivy.Query, where: Filter | None) -> tantivy.Query | None:
        """The query keeping only what passes the filter (None: nothing can)."""
        clauses = (where or Filter()).tantivy(self.index, self.schema, self._by_name)
        return None if clauses is None else with_filters(query, clauses)

    def query(self, text: str | None, where: Filter | None = None) -> tuple[tantivy.Query | None, bool]:
        """The query with its filters (None: it can match nothing), and whether its syntax was repaired; `text`
        None matches everything that passes the filters."""
        query, fixed = self.parse(text) if text is not None else (tantivy.Query.all_query(), False)
        return (self.filtered(query, where) if query is not None else None), fixed

    def count(self, text: str | None, where: Filter | None = None) -> int:
        """The exact number of matches of the query under the filter."""
        query, _ = self.query(text, where)
        return 0 if query is None else int(self.index.searcher().search(query, 1, count=True).count or 0)

    def facets(self, text: str | None, where: Filter | None, names: list[str]) -> dict[str, list[tuple[str, int]]]:
        """For each facet (`source`, `year`, `month`, `speaker`, `meta.<field>`), its values among the matches
        with how many match each, in the facet's order (most first; years and months in time order)."""
        query, _ = self.query(text, where)
        if query is None or not names:
            return {name: [] for name in names}
        return aggregate_facets(self.index.searcher(), query, names)

    def _matching(self, text: str, where: Filter | None, among: tantivy.Query, size: int) -> list:
        query, _ = self.query(text, where)
        if query is None or not size:
            return []
        searcher = self.index.searcher()
        hits = searcher.search(with_filters(query, [among]), size, count=False).hits
        return [address for _, address in hits]


class KeywordIndex(TantivyIndex):
    schema = build_schema()

    def __init__(
        self,
        path: Path,
        title_boost: float = Settings.title_boost,
        context_boost: float = Settings.context_boost,
        create: bool = False,
    ):
        super().__init__(
            path, {"text": 1.0, "title": title_boost, "context": context_boost, "people": PEOPLE_BOOST}, create
        )

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
            speakers = tuple(filter(None, row.speakers.split(",")))
            for name in speakers:
                doc.add_text("speaker", name)
            for name in filter(None, row.orgs.split(",")):
                doc.add_text("org", name)
            meta = parse_meta(row.meta)
            add_facts(doc, Facts(row.source, row.date, speakers, meta_values(meta)), meta)
            self.writer.add_document(doc)
            count += 1
        return count

    def delete(self, chunk_ids: Iterable[int]) -> None:
        ids = list(chunk_ids)
        if ids:
            self.writer.delete_documents_by_query(tantivy.Query.term_set_query(self.schema, "chunk_id", ids))

    def weighted(
        self, text: str, where: Filter | None, expansion: Expansion | None
    ) -> tuple[tantivy.Query | None, bool]:
        """The query with its filters; an expansion (pseudo-relevance feedback) reweighs the matches by its
        terms and never adds matches."""
        query, fixed = self.parse(text)
        if query is None:
            return None, fixed
        if expansion is not None and expansion.terms:
            added = [
                (tantivy.Occur.Should, tantivy.Query.boost_query(self._term(name, term), weight * boost))
                for term, weight in expansion.terms.items()
                for name, boost in self.boosts.items()
                if name != "people"
            ]
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.boost_query(query, expansion.query_weight)), *added]
            )
        return self.filtered(query, where), fixed

    def search(
        self,
        text: str,
        limit: int,
        where: Filter | None = None,
        sort: str = "relevance",
        expansion: Expansion | None = None,
    ) -> tuple[list[tuple[int, float]], bool]:
        """(chunk_id, BM25 score) best first (or by date: `date`, `-date`), and whether the query's syntax had
        to be repaired. `expansion` reweighs the same matches by feedback terms (`indexer.feedback`)."""
        if limit <= 0:
            return [], False
        query, fixed = self.weighted(text, where, expansion)
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

    def matching(self, text: str, where: Filter | None, chunk_ids: Iterable[int]) -> set[int]:
        """Which of these chunks match the query under the filter."""
        ids = sorted(set(chunk_ids))
        among = tantivy.Query.term_set_query(self.schema, "chunk_id", ids) if ids else None
        addresses = self._matching(text, where, among, len(ids)) if among is not None else []
        return (
            {int(cid) for cid in self.index.searcher().fast_field_values("chunk_id", addresses)} if addresses else set()
        )

    def _term(self, field: str, term: str) -> tantivy.Query:
        """An analysed term (as the index stores it) in one field."""
        return tantivy.Query.term_query(self.schema, field, term)

    def _by_name(self, name: str) -> tantivy.Query:
        """A quoted name: its words as a phrase in the speaker or the organisation field."""
        words = " ".join(_WORD.findall(name))
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self.index.parse_query(f'"{words}"', [field])) for field in ("speaker", "org")]
        )

    def query_terms(self, text: str) -> set[str]:
        """The stemmed terms of a query, for highlighting."""
        return set(self.analyzer.analyze(" ".join(_WORD.findall(text))))

    def analyze(self, text: str) -> list[str]:
        """The stems of a word (for highlighting) or of a text (for feedback), as this index analyses text."""
        if len(text) <= MAX_WORD:
            return list(self._stems(text))
        return list(self.analyzer.analyze(text))
