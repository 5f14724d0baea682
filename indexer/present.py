"""The present stage: one page of a ranking as passages (hits) or articles, with the total and the facets, read
from the candidates and the retrieved document hits; each store read batched once (`Reads`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.settings import Settings
from archive.store import Store
from indexer.articles import MAX_PASSAGES, Article, ArticlePassage, fold_copies, meta_of, passages_by_document
from indexer.backends import DocumentBackend, KeywordBackend
from indexer.candidates import Candidate, Reads
from indexer.facets import Facts, added, count_facets, parse_meta, with_source_names
from indexer.filters import Filter
from indexer.highlight import highlight
from indexer.rank import Ranked
from indexer.results import Hit, hit_of
from indexer.retrieve import Engines

_WORDS = re.compile(r"\w+", re.UNICODE)
# The set each mode's total and facets count, as the API names it (`counted`) and the page says it.
COUNTED = {
    "keyword": "matches",  # every passage or article matching the words
    "hybrid": "matches+nearest",  # those, plus the semantic candidates that do not match the words
    "semantic": "nearest",  # the semantic candidates (the first `candidates` of the list)
}
NO_RANKS: dict[str, int | None] = {"keyword": None, "semantic": None}


@dataclass(frozen=True)
class Counted:
    """The set a total and its facets count: the matches of `text` under the filter in `index` (all documents
    passing the filter when `text` is None and `matches` is 0: nothing), plus `extra` results counted one each."""

    index: KeywordBackend | DocumentBackend
    text: str | None
    where: Filter
    matches: int
    extra: list[Facts]

    @property
    def total(self) -> int:
        return self.matches + len(self.extra)

    def facets(self, names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        found = self.index.facets(self.text, self.where, list(names)) if self.text is not None else {}
        return added(found, count_facets(self.extra, names))


@dataclass(frozen=True)
class Page:
    """What the page shows: its results, the total and its relation, the facets and any notices."""

    results: list
    total: int
    relation: str
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


class Presenter:
    def __init__(self, settings: Settings, engines: Engines, store: Store, reads: Reads, source_names: dict[str, str]):
        self.settings, self.engines, self.store, self.reads = settings, engines, store, reads
        self.source_names = source_names

    def present(self, ranked: Ranked) -> Page:
        """The page, and the one set its total and its facets count (`COUNTED`): every match in keyword mode;
        in hybrid mode every keyword match plus the semantic candidates that do not match the words; in semantic
        mode the candidates of the list. A page that shows fewer results than the total allows says why."""
        request = ranked.retrieved.request
        results: list[Article] | list[Hit]
        if request.group == "document":
            results, folded = self.articles(ranked)
        else:
            page = ranked.candidates[request.offset : request.offset + request.k]
            results, folded = self.hits(request.query, request.offset, page), 0
        counted = self.counted(ranked)
        facets = counted.facets(request.facets) if request.facets else {}
        with_source_names(facets, self.source_names)
        relation = "eq" if request.mode == "keyword" else "gte"
        notices = self.shortfall(ranked, len(results), counted.total, folded)
        return Page(results, counted.total, relation, facets, notices)

    def counted(self, ranked: Ranked) -> Counted:
        """The set the total and the facets count."""
        retrieved = ranked.retrieved
        request, where = retrieved.request, retrieved.where
        documents = request.group == "document"
        index = self.engines.documents if documents else self.engines.keyword
        matches = 0
        if request.mode != "semantic":
            matches = retrieved.document_count if documents else self.engines.keyword.count(request.query, where)
        if request.mode == "keyword":
            return Counted(index, request.query, where, matches, [])
        nearest = [cid for cid, _ in retrieved.lists.get("semantic", [])[: self.settings.candidates]]
        if documents:
            document_of = self.reads.documents_of(nearest)
            keys: list = list(dict.fromkeys(document_of[cid] for cid in nearest if cid in document_of))
        else:
            keys = list(dict.fromkeys(nearest))
        if request.mode == "hybrid" and keys:
            words = self.engines.documents.matching if documents else self.engines.keyword.matching
            matched = words(request.query, where, keys)
            keys = [key for key in keys if key not in matched]
        extra = self._facts(keys, documents)
        text = request.query if request.mode == "hybrid" else None
        return Counted(index, text, where, matches, extra)

    def _facts(self, keys: list, documents: bool) -> list[Facts]:
        """Facet facts of documents (or of chunks: their document's), one per key."""
        doc_of = {key: key for key in keys} if documents else self.reads.documents_of(keys)
        rows = self.reads.rows(sorted(set(doc_of.values())))
        return [Facts.of_row(rows[doc_of[key]]) for key in keys if doc_of.get(key) in rows]

    def shortfall(self, ranked: Ranked, shown: int, total: int, folded: int) -> list[str]:
        """Why a page shows fewer results than the total leaves for it (copies folded, the ranking's end)."""
        request = ranked.retrieved.request
        if shown >= min(request.k, max(0, total - request.offset)):
            return []
        unit = "articles" if request.group == "document" else "passages"
        why = [f"{folded} {'is a copy' if folded == 1 else 'are copies'} folded into the one shown"] if folded else []
        listed = len(ranked.candidates)
        if request.mode != "keyword" or request.group == "passage":
            why.append(f"the ranking lists the best {listed} passages, and the rest of the {total} counted are not")
        return [f"This page shows {shown} of the {unit} the total counts: " + "; ".join(why or ["none left"]) + "."]

    def hits(self, query: str, offset: int, page: list[Candidate]) -> list[Hit]:
        """Hits for one page: stored text and metadata, every list's rank, the other documents holding the same
        paragraph ("also in"), and a highlighted snippet."""
        records = self.reads.records([c.chunk_id for c in page])
        pages = self.store.paragraph_pages(list(records))
        copies = self.store.copies_of(list(records))
        terms = self.engines.keyword.query_terms(query)
        results = []
        for number, candidate in enumerate(page, start=offset + 1):
            record = records.get(candidate.chunk_id)
            if record is None:
                continue
            ranks = {**NO_RANKS, "keyword": candidate.ranks.get("keyword"), "semantic": candidate.ranks.get("semantic")}
            ranks.update({name: candidate.ranks[name] for name in ("quotes", "rerank") if candidate.ranks.get(name)})
            snippet = str(highlight(record.text, terms, self.engines.keyword.analyze))
            results.append(
                hit_of(
                    number,
                    candidate.score,
                    record,
                    ranks,
                    sorted({doc_id for _, doc_id in copies.get(record.chunk_id, [])}),
                    snippet,
                    pages.get(record.chunk_id),
                )
            )
        return results

    def articles(self, ranked: Ranked) -> tuple[list[Article], int]:
        """One page of articles, the total and its relation. In keyword mode the document hits rank; otherwise
        articles stand in the order of their best passage (measured better than fusing in the whole-article BM25
        list: Cranfield 0.570 vs 0.559, SciFact 0.720 vs 0.710), and articles that match only as a whole follow,
        in BM25 order."""
        retrieved = ranked.retrieved
        request = retrieved.request
        collapsed = ranked.candidates
        chunk_docs = self.reads.documents_of([c.chunk_id for c in collapsed])
        passages = passages_by_document(collapsed, chunk_docs)
        if request.mode == "keyword":
            ranking = list(retrieved.documents)
        else:
            ranking = [(doc_id, items[0].score) for doc_id, items in passages.items()]
            below = min((score for _, score in ranking), default=0.0) - 1e-6  # scores may be negative (a reranker)
            ranking += [(doc_id, min(0.0, below)) for doc_id, _ in retrieved.documents if doc_id not in passages]
        rows = self.reads.rows([doc_id for doc_id, _ in ranking])
        if request.sort != "relevance" and request.mode != "keyword":
            ranking.sort(
                key=lambda item: (rows[item[0]]["date"] or "") if item[0] in rows else "",
                reverse=request.sort == "-date",
            )
        derived = {doc_id for doc_id, row in rows.items() if "attachment_of" in parse_meta(row["meta"])}
        folded = fold_copies(ranking, {doc_id: row["group_id"] for doc_id, row in rows.items()}, derived)
        page = folded[request.offset : request.offset + request.k]
        articles = self._render_articles(request.query, request.offset, page, rows, passages)
        return articles, sum(len(copies) for _, _, copies in folded[: request.offset + request.k])

    def _render_articles(self, query: str, offset: int, page, rows, passages) -> list[Article]:
        best = {doc_id: passages.get(doc_id, [])[:MAX_PASSAGES] for doc_id, _, _ in page}
        best.update(self._matching_passages(query, [doc_id for doc_id, shown in best.items() if not shown]))
        for doc_id, shown in best.items():
            if not shown:  # matched by its metadata alone: its lead passage
                lead = self.store.document(doc_id).chunks[:1]
                best[doc_id] = [Candidate(c.chunk_id or 0, 0.0, dict(NO_RANKS)) for c in lead]
        hits = {hit.chunk_id: hit for hit in self.hits(query, offset, [c for items in best.values() for c in items])}
        articles = []
        for number, (doc_id, score, copies) in enumerate(page, start=offset + 1):
            row = rows.get(doc_id)
            if row is None:
                continue
            shown = [hits[c.chunk_id] for c in best[doc_id] if c.chunk_id in hits]
            articles.append(
                Article(
                    rank=number,
                    doc_id=doc_id,
                    title=row["title"],
                    source=row["source"],
                    date=row["date"],
                    url=row["url"],
                    score=round(float(score), 6),
                    meta=meta_of(row),
                    duplicates=sorted(set(copies) | {d for hit in shown for d in hit.duplicates} - {doc_id}),
                    passages=[
                        ArticlePassage(h.chunk_id, h.paragraph, h.text, h.snippet, h.ranks, h.page) for h in shown
                    ],
                )
            )
        return articles

    def _matching_passages(self, query: str, doc_ids: list[str]) -> dict[str, list[Candidate]]:
        """The best passages matching the query's words in each of these documents (articles that match only as
        a whole), from one keyword search over them all."""
        if not doc_ids:
            return {}
        words = " ".join(_WORDS.findall(query)) or query
        limit = min(1000, 100 * len(doc_ids))
        hits, _ = self.engines.keyword.search(words, limit, Filter(doc_ids=tuple(doc_ids)))
        document_of = self.reads.documents_of([cid for cid, _ in hits])
        found: dict[str, list[Candidate]] = {doc_id: [] for doc_id in doc_ids}
        for cid, score in hits:
            shown = found.get(document_of.get(cid, ""))
            if shown is not None and len(shown) < MAX_PASSAGES:
                shown.append(Candidate(cid, score, dict(NO_RANKS)))
        return found
