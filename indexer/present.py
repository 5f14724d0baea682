"""The present stage: one page of a ranking as passages (hits) or articles, with the total and the facets, read
from the candidates and the retrieved document hits; each store read batched once (`Reads`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from archive.settings import Settings
from archive.store import Store
from indexer.articles import MAX_PASSAGES, Article, ArticlePassage, fold_copies, meta_of, passages_by_document
from indexer.candidates import Candidate, Reads
from indexer.facets import Facts, count_facets, with_source_names
from indexer.filters import Filter
from indexer.highlight import highlight
from indexer.rank import Ranked
from indexer.results import Hit, hit_of
from indexer.retrieve import Engines

_WORDS = re.compile(r"\w+", re.UNICODE)
NO_RANKS: dict[str, int | None] = {"keyword": None, "semantic": None}


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
        request = ranked.retrieved.request
        results: list[Article] | list[Hit]
        if request.group == "document":
            results, total, relation = self.articles(ranked)
        else:
            results = self.hits(
                request.query, request.offset, ranked.candidates[request.offset : request.offset + request.k]
            )
            if request.mode == "keyword":
                total, relation = self.engines.keyword.count(request.query, ranked.retrieved.where), "eq"
            else:
                total, relation = ranked.base, "gte"
        facets = self.facets(ranked) if request.facets else {}
        with_source_names(facets, self.source_names)
        return Page(results, total, relation, facets)

    def hits(self, query: str, offset: int, page: list[Candidate]) -> list[Hit]:
        """Hits for one page: stored text and metadata, every list's rank, and a highlighted snippet."""
        records = self.reads.records([c.chunk_id for c in page])
        pages = self.store.paragraph_pages(list(records))
        terms = self.engines.keyword.query_terms(query)
        analyze = functools.lru_cache(maxsize=4096)(self.engines.keyword.analyze)
        results = []
        for number, candidate in enumerate(page, start=offset + 1):
            record = records.get(candidate.chunk_id)
            if record is None:
                continue
            ranks = {**NO_RANKS, "keyword": candidate.ranks.get("keyword"), "semantic": candidate.ranks.get("semantic")}
            ranks.update({name: candidate.ranks[name] for name in ("quotes", "rerank") if candidate.ranks.get(name)})
            snippet = str(highlight(record.text, terms, analyze))
            results.append(
                hit_of(
                    number, candidate.score, record, ranks, list(candidate.copies), snippet, pages.get(record.chunk_id)
                )
            )
        return results

    def articles(self, ranked: Ranked) -> tuple[list[Article], int, str]:
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
            ranking, total, relation = list(retrieved.documents), retrieved.document_count, "eq"
        else:
            ranking = [(doc_id, items[0].score) for doc_id, items in passages.items()]
            below = min((score for _, score in ranking), default=0.0) - 1e-6  # scores may be negative (a reranker)
            ranking += [(doc_id, min(0.0, below)) for doc_id, _ in retrieved.documents if doc_id not in passages]
            base_docs = {chunk_docs.get(c.chunk_id) for c in collapsed[: ranked.base]}
            total, relation = max(retrieved.document_count, len(base_docs - {None})), "gte"
        rows = self.reads.rows([doc_id for doc_id, _ in ranking])
        if request.sort != "relevance" and request.mode != "keyword":
            ranking.sort(
                key=lambda item: (rows[item[0]]["date"] or "") if item[0] in rows else "",
                reverse=request.sort == "-date",
            )
        folded = fold_copies(ranking, {doc_id: row["group_id"] for doc_id, row in rows.items()})
        page = folded[request.offset : request.offset + request.k]
        return self._render_articles(request.query, request.offset, page, rows, passages), total, relation

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

    def facets(self, ranked: Ranked) -> dict[str, list[tuple[str, int]]]:
        """Exact counts in keyword mode (over every match); over the ranked candidates otherwise."""
        retrieved = ranked.retrieved
        request, where = retrieved.request, retrieved.where
        names = list(request.facets)
        if request.mode == "keyword":
            index = self.engines.documents if request.group == "document" else self.engines.keyword
            return index.facets(request.query, where, names)
        base = ranked.candidates[: self.settings.candidates]
        chunk_docs = self.reads.documents_of([c.chunk_id for c in base])
        rows = self.reads.rows(sorted(set(chunk_docs.values())))
        if request.group == "document":
            docs = dict.fromkeys(chunk_docs[c.chunk_id] for c in base if c.chunk_id in chunk_docs)
            counted = [rows[doc_id] for doc_id in docs if doc_id in rows]
        else:
            counted = [rows[chunk_docs[c.chunk_id]] for c in base if chunk_docs.get(c.chunk_id) in rows]
        return count_facets([Facts.of_row(row) for row in counted], names)
