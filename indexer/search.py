"""One SearchService: keyword and semantic lists, reciprocal rank fusion, filters, copies, highlights.

It returns dataclasses, never web objects; the CLI and the web app both call `search()`. It follows the
index generation a writer publishes: `refresh()` (called before each search, at most every few seconds)
swaps in the new generation without disturbing searches already running on the old one.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from archive.documents import StoredDocument, StoredQuote
from archive.quotes import HONORIFICS, Registry
from archive.settings import Settings
from archive.store import Store
from indexer import feedback
from indexer.articles import MAX_PASSAGES, Article, ArticlePassage, fold_copies, meta_of, passages_by_document
from indexer.build import Manifest, check_compatible, current_generation, missing_index, store_path
from indexer.document_index import DocumentFilter, DocumentIndex
from indexer.embedder import Embedder
from indexer.facets import count_facets, facet_values, with_source_names
from indexer.fusion import Fused, asks_what_was_said, convex, placed_below, rrf, subject_of, with_statements
from indexer.highlight import highlight
from indexer.keyword import Filters, KeywordIndex
from indexer.request import MAX_CANDIDATES, MAX_EXPORT, MAX_K, MODES, SearchRequest, validate
from indexer.reranker import Reranker, reranked
from indexer.results import ArchiveStats, Hit, Passage, SearchResponse, hit_of
from indexer.sources import Sources
from indexer.vectors import VectorIndex

_WORDS = re.compile(r"\w+", re.UNICODE)
T = TypeVar("T")
# How near the top of the fused ranking a speaker's statement must stand for the statements list to lift it.
STATEMENTS_WITHIN = 20
# Most unfiltered nearest neighbours a source or date filter is tried on before its allowed ids are listed.
POST_FILTER_POOL = 4000
POST_FILTER_MARGIN = 3  # neighbours tried: this many times the hits wanted over the share the filter allows
__all__ = ["MODES", "MAX_K", "Hit", "Passage", "SearchRequest", "SearchResponse", "SearchService", "ArchiveStats"]


class Generation:
    """One published set of indexes, opened read-only."""

    def __init__(self, folder: Path, manifest: Manifest, settings: Settings):
        self.folder = folder
        self.manifest = manifest
        self.keyword = KeywordIndex(folder / "keyword", settings.title_boost, settings.context_boost)
        self.documents = DocumentIndex(folder / "documents", settings.title_boost)
        self.vectors = VectorIndex.load(
            folder / "vectors.faiss", settings.ivf_nprobe, settings.exact_filter_fraction, settings.ivf_widen_far
        )


class SearchService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, reranker: Reranker | None = None):
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self.reranker = reranker or Reranker.from_settings(settings)
        if self.reranker is not None:
            self.reranker.model  # noqa: B018 - loaded now, so a model that cannot load stops the start, not a search
        self.store = Store(store_path(settings))
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._read_at: dict[str, tuple[int, Any]] = {}  # what was read from the store, at which store version
        self.refresh(force=True)

    # -- generations ------------------------------------------------------------------------------------

    @property
    def generation(self) -> Generation:
        self.refresh()
        if self._generation is None:
            raise missing_index(self.settings)
        return self._generation

    def refresh(self, force: bool = False) -> None:
        """Switch to the generation CURRENT names, if it changed; cheap when it did not."""
        now = time.monotonic()
        if not force and now - self._checked < self.settings.reload_seconds:
            return
        with self._lock:
            self._checked = now
            folder = current_generation(self.settings)
            if folder is None or (self._generation is not None and self._generation.folder == folder):
                return
            manifest = Manifest.read(folder)
            check_compatible(manifest, self.embedder)
            self._generation = Generation(folder, manifest, self.settings)

    # -- searching --------------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        """Candidates from each list, fused into one ranking, repeated paragraphs collapsed, one page shown
        (passages, or articles with their best passages), with honest totals and the facets asked for."""
        request = validate(request, self.settings)
        depth = self.settings.candidates
        if (request.offset + request.k) * (MAX_PASSAGES if request.group == "document" else 1) > depth:
            depth = MAX_CANDIDATES
        return self._search(request, depth)

    def export(self, request: SearchRequest, limit: int = MAX_EXPORT) -> SearchResponse:
        """Every result of a search up to `limit` (the page and the API's k do not apply), for CSV/JSONL export."""
        request = replace(validate(replace(request, k=1, offset=0), self.settings), facets=())
        return self._search(replace(request, k=limit), max(limit, self.settings.candidates))

    def _search(self, request: SearchRequest, depth: int) -> SearchResponse:
        started = time.perf_counter()
        generation = self.generation
        notices: list[str] = []
        where = self._filters(request, generation, notices)
        scored = self._candidates(request, generation, where, depth, notices)
        fused, head = self._fuse(request, generation, scored, where)
        collapsed = self._collapse(fused)
        short = len(collapsed) < request.offset + request.k and request.group == "passage"
        deeper = next((tier for tier in (MAX_CANDIDATES, MAX_EXPORT) if tier > depth), None)
        if short and deeper and any(len(hits) >= depth for hits in scored.values()):
            return self._search(request, deeper)  # copies folded away: this page needs deeper lists
        if self._reranks(request):
            collapsed = self._reranked(request, collapsed, sum(1 for item in collapsed if item[0] in head))
        if request.sort != "relevance" and request.mode != "keyword":
            collapsed = self._by_date(collapsed, request.sort)
        base = self._base_count(scored)
        if request.group == "document":
            results, total, relation, doc_query = self._articles(request, generation, collapsed, where, base)
        else:
            results = self._render(request, generation, collapsed[request.offset : request.offset + request.k])
            doc_query = None
            if request.mode == "keyword":
                total, relation = generation.keyword.count(request.query, where), "eq"
            else:
                total, relation = base, "gte"
        facets = self._facets(request, generation, where, collapsed, doc_query) if request.facets else {}
        if "source" in facets:
            with_source_names(facets, self._source_names())
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(
            request.query,
            request.mode,
            total,
            round(took, 2),
            results,
            request.offset,
            request.k,
            notices,
            relation,
            request.group,
            facet_values(facets),
        )

    def _filters(self, request: SearchRequest, generation: Generation, notices: list[str]) -> Filters:
        """The request's filters for the passage lists: `speaker=`/`org=` resolved to names, a `meta.` filter
        resolved to the documents that have the value; unknown values are said in the notices."""
        named = self._named_speakers(request, notices)
        if request.source and request.source.lower() not in self._source_names():
            known = ", ".join(sorted(self._source_names().values())[:10]) or "none"
            notices.append(f"No documents from source {request.source!r}; sources here: {known}.")
        doc_ids = None
        if request.meta:
            query, _ = generation.documents.query(None, DocumentFilter(meta=request.meta))
            hits, _ = generation.documents.search(query, max(1, generation.documents.num_docs)) if query else ([], 0)
            doc_ids = [doc_id for doc_id, _ in hits]
            if not doc_ids:
                wanted = ", ".join(f"meta.{name}={value!r}" for name, value in request.meta)
                notices.append(f"No document has {wanted}.")
        return Filters(request.source, request.date_from, request.date_to, named, doc_ids)

    def _source_names(self) -> dict[str, str]:
        """Each source's lower-cased key and the spelling most of its documents use."""
        return self._archive_sources().names

    def _archive_sources(self) -> Sources:
        """The archive's sources and dates (counting sources scans every document: 10 ms at a million passages)."""
        return self._per_store_version("sources", lambda: Sources.of(self.store))

    def _per_store_version(self, name: str, read: Callable[[], T]) -> T:
        """What `read` returns, read again only when the store changed."""
        version = self.store.version()
        held = self._read_at.get(name)
        if held is None or held[0] != version:
            held = self._read_at[name] = (version, read())
        return held[1]

    def _named_speakers(self, request: SearchRequest, notices: list[str]) -> list[str] | None:
        """The speakers a `speaker=`/`org=` filter means (None: no such filter)."""
        if not (request.speaker or request.org):
            return None
        named: list[str] = []
        registry = self.registry()
        for name in filter(None, (request.speaker, request.org)):
            found = registry.resolve(name)
            if not found:
                notices.append(f"No speaker or organisation known as {name!r}; see /speakers.")
            named.extend(found)
        return named

    def _candidates(
        self, request: SearchRequest, generation: Generation, where: Filters, depth: int, notices: list[str]
    ) -> dict[str, list[tuple[int, float]]]:
        """(chunk id, score) lists from the keyword and the vector index, filtered alike; with feedback on,
        the lists of a second pass that the first pass's best passages sharpened."""
        scored: dict[str, list[tuple[int, float]]] = {}
        vector = None
        if request.mode in ("hybrid", "keyword"):
            hits, fixed = self._keyword_hits(request, generation, where, depth)
            if fixed:
                notices.append("The query's search syntax was not valid; its words were searched instead.")
            scored["keyword"] = hits
        if request.mode in ("hybrid", "semantic"):
            vector = self.embedder.encode_query(request.query)
            scored["semantic"] = self._semantic_hits(generation, vector, depth, where)
        if self.settings.feedback_passages and (request.mode != "keyword" or request.sort == "relevance"):
            scored = self._second_pass(request, generation, where, depth, scored, vector)
        if self.settings.document_weight > 0 and scored.get("keyword") and request.sort == "relevance":
            scored["keyword"] = self._with_document_scores(request, generation, where, scored["keyword"])
        return scored

    def _with_document_scores(self, request, generation, where, hits):
        """The keyword list re-scored: each of its first `candidates` passages scores its own BM25 plus its whole
        document's (the query over title and full text, among the first `candidates` documents), each divided by the
        best of its list and the document's weighted; the rest follow in BM25 order. Both depths are fixed, so every
        page and the export agree on one order."""
        head, tail = hits[: self.settings.candidates], hits[self.settings.candidates :]
        doc_query, _ = generation.documents.query(request.query, self._document_filter(request, where))
        doc_hits = generation.documents.search(doc_query, self.settings.candidates)[0] if doc_query is not None else []
        if not doc_hits:
            return hits
        doc_score = dict(doc_hits)
        best_doc, best = max(doc_score.values()) or 1.0, max(score for _, score in head) or 1.0
        document_of = self.store.chunk_documents([cid for cid, _ in head])
        weight = self.settings.document_weight
        rescored = [
            (cid, score / best + weight * doc_score.get(document_of.get(cid, ""), 0.0) / best_doc)
            for cid, score in head
        ]
        # the tail scaled as the head's passage part was: below every head score, so scores fall down the pages
        return sorted(rescored, key=lambda item: -item[1]) + [(cid, score / best) for cid, score in tail]

    @staticmethod
    def _document_filter(request: SearchRequest, where: Filters) -> DocumentFilter:
        return DocumentFilter(
            where.source,
            where.date_from,
            where.date_to,
            tuple(where.speakers) if where.speakers is not None else None,
            request.meta,
        )

    def _keyword_hits(self, request, generation, where, depth, expansion=None):
        """The keyword list for a request: its filters, date order in keyword mode, an optional expansion."""
        return generation.keyword.search(
            request.query,
            depth,
            where.source,
            where.date_from,
            where.date_to,
            where.speakers,
            where.doc_ids,
            sort=request.sort if request.mode == "keyword" else "relevance",
            expansion=expansion,
        )

    def _semantic_hits(
        self, generation: Generation, vector: np.ndarray, depth: int, where: Filters
    ) -> list[tuple[int, float]]:
        """The vector list under the filters. A broad source or date filter (one that allows about
        `exact_filter_fraction` of the archive or more, by `Sources.share`) is first applied to the unfiltered nearest
        neighbours (three times as many as should pass, at most POST_FILTER_POOL): when enough pass, they are the
        filtered list (exactly so for a flat index, as any passing passage further down scores lower), and its
        allowed ids are never listed (a quarter of a million for one source of a million passages: 1.3 s).
        Otherwise, and for speaker and document filters, the allowed ids are listed and searched."""
        named = where.speakers is not None or where.doc_ids is not None
        by_source_or_date = bool(where.source or where.date_from or where.date_to) and not named
        share = self._archive_sources().share(where.source, where.date_from, where.date_to) if by_source_or_date else 0
        if share >= self.settings.exact_filter_fraction:
            size = min(POST_FILTER_POOL, math.ceil(POST_FILTER_MARGIN * depth / share))
            pool = generation.vectors.search(vector, size)
            ids = [cid for cid, _ in pool]
            passing = set(self.store.chunk_ids_matching(where.source, where.date_from, where.date_to, ids).tolist())
            kept = [(cid, score) for cid, score in pool if cid in passing]
            if len(kept) >= depth or len(pool) < size:
                return kept[:depth]
        return generation.vectors.search(vector, depth, self._allowed(where))

    def _allowed(self, where: Filters) -> np.ndarray | None:
        """The chunk ids a filtered semantic search may return (None: no filter)."""
        allowed = None
        if where.source or where.date_from or where.date_to:
            allowed = self.store.chunk_ids_matching(where.source, where.date_from, where.date_to)
        if where.speakers is not None:
            quoting = self.store.chunk_ids_quoting(where.speakers, [])
            allowed = quoting if allowed is None else np.intersect1d(allowed, quoting)
        if where.doc_ids is not None:
            of_docs = self.store.chunk_ids_of(where.doc_ids)
            allowed = of_docs if allowed is None else np.intersect1d(allowed, of_docs)
        return allowed

    def _second_pass(self, request, generation, where, depth, scored, vector):
        """Pseudo-relevance feedback (`indexer.feedback`): the first pass's best passages (fused, in hybrid
        mode) expand the keyword query and move the semantic one, which re-scores the first pass's candidates."""
        heads = self._heads(scored)
        best = [cid for cid, *_ in self._fused_lists(heads)[: self.settings.feedback_passages]]
        if not best:
            return scored
        again = dict(scored)
        if "keyword" in scored:
            records = self.store.chunks_by_id(best)
            texts = [f"{records[cid].title}\n{records[cid].text}" for cid in best if cid in records]
            expansion = feedback.expansion(
                request.query,
                texts,
                generation.keyword.analyze,
                self.settings.feedback_terms,
                self.settings.feedback_query_weight,
            )
            if expansion is not None:
                again["keyword"], _ = self._keyword_hits(request, generation, where, depth, expansion)
        if vector is not None:
            found = [generation.vectors.vector(cid) for cid in best]
            moved = feedback.moved_towards(vector, [v for v in found if v is not None], self.settings.feedback_weight)
            ordered: list[tuple[int, float]] = []
            seen: set[int] = set()
            for tier in self._tiers(depth):  # the head's candidates first, then each deeper tier's, below
                pool = {cid for hits in scored.values() for cid, _ in hits[:tier]} - seen
                found_here = generation.vectors.among(moved, np.array(sorted(pool), dtype=np.int64), depth)
                ordered += _below(ordered, found_here)
                seen |= pool
            again["semantic"] = ordered[:depth]
        return again

    def _heads(self, scored: dict[str, list[tuple[int, float]]]) -> dict[str, list[tuple[int, float]]]:
        """Each list's first `candidates` hits: what fusion and feedback decide on, so that a deep page (searched
        deeper) keeps the order the first pages showed."""
        return {name: hits[: self.settings.candidates] for name, hits in scored.items()}

    def _reranks(self, request: SearchRequest) -> bool:
        # keyword articles are ranked by their whole text, not by passages: nothing there to rerank
        keyword_articles = request.mode == "keyword" and request.group == "document"
        return self.reranker is not None and request.sort == "relevance" and not keyword_articles

    def _reranked(self, request: SearchRequest, collapsed, within: int):
        """The first `rerank_depth` passages reordered by the cross-encoder, which reads each one's title and text
        with the query. Only passages of the lists' heads (`within`, what every page's search shares) are read,
        so every page and the export agree."""
        assert self.reranker is not None
        head = [cid for cid, *_ in collapsed[: min(self.settings.rerank_depth, within)]]
        records = self.store.chunks_by_id(head)
        texts = [f"{records[cid].title}\n{records[cid].text}" if cid in records else "" for cid in head]
        return reranked(collapsed, self.reranker.scores(request.query, texts))

    def _base_count(self, scored: dict[str, list[tuple[int, float]]]) -> int:
        """Passages among the first `candidates` of each list: what semantic and hybrid totals count, the same
        on every page of a query."""
        return len({cid for hits in scored.values() for cid, _ in hits[: self.settings.candidates]})

    def _by_date(self, collapsed, sort: str):
        records = self.store.chunks_by_id([cid for cid, *_ in collapsed])
        dated = [item for item in collapsed if item[0] in records and records[item[0]].date]
        undated = [item for item in collapsed if not (item[0] in records and records[item[0]].date)]
        dated.sort(key=lambda item: records[item[0]].date or "", reverse=sort == "-date")
        return dated + undated

    def _articles(self, request: SearchRequest, generation: Generation, collapsed, where: Filters, base: int):
        """One page of articles, the total and its relation, and the document-level query (for facets)."""
        chunk_docs = self.store.chunk_documents([cid for cid, *_ in collapsed])
        passages = passages_by_document(collapsed, chunk_docs)
        doc_query = None
        doc_hits: list[tuple[str, float]] = []
        doc_count = 0
        if request.mode != "semantic":
            doc_query, _ = generation.documents.query(request.query, self._document_filter(request, where))
            if doc_query is not None:
                depth = max(self.settings.candidates, (request.offset + request.k) * 2)
                doc_hits, doc_count = generation.documents.search(
                    doc_query, depth, request.sort if request.mode == "keyword" else "relevance"
                )
        if request.mode == "keyword":
            ranking, total, relation = doc_hits, doc_count, "eq"
        else:
            # articles in the order of their best passage (measured better than fusing in the whole-article
            # BM25 list: Cranfield 0.570 vs 0.559, SciFact 0.720 vs 0.710); articles that match only as a whole
            # follow, in BM25 order
            ranking = [(doc_id, items[0][1]) for doc_id, items in passages.items()]
            below = min((score for _, score in ranking), default=0.0) - 1e-6  # scores may be negative (a reranker)
            ranking += [(doc_id, min(0.0, below)) for doc_id, _ in doc_hits if doc_id not in passages]
            base_docs = {chunk_docs.get(cid) for cid, *_ in collapsed[:base]}
            total, relation = max(doc_count, len(base_docs - {None})), "gte"
        rows = self.store.documents_meta([doc_id for doc_id, _ in ranking])
        if request.sort != "relevance" and request.mode != "keyword":
            ranking.sort(
                key=lambda item: (rows[item[0]]["date"] or "") if item[0] in rows else "",
                reverse=request.sort == "-date",
            )
        folded = fold_copies(ranking, {doc_id: row["group_id"] for doc_id, row in rows.items()})
        page = folded[request.offset : request.offset + request.k]
        return self._render_articles(request, generation, page, rows, passages), total, relation, doc_query

    def _render_articles(self, request, generation, page, rows, passages) -> list[Article]:
        best: dict[str, list] = {}
        for doc_id, _, _ in page:
            best[doc_id] = passages.get(doc_id, [])[:MAX_PASSAGES]
            if not best[doc_id]:
                words = " ".join(_WORDS.findall(request.query)) or request.query
                hits, _ = generation.keyword.search(words, MAX_PASSAGES, doc_ids=[doc_id])
                best[doc_id] = [(cid, score, {"keyword": None, "semantic": None}, []) for cid, score in hits]
            if not best[doc_id]:
                lead = self.store.document(doc_id).chunks[:1]
                best[doc_id] = [(c.chunk_id, 0.0, {"keyword": None, "semantic": None}, []) for c in lead]
        hits = {
            hit.chunk_id: hit
            for hit in self._render(request, generation, [item for items in best.values() for item in items])
        }
        articles = []
        for number, (doc_id, score, copies) in enumerate(page, start=request.offset + 1):
            row = rows.get(doc_id)
            if row is None:
                continue
            shown = [hits[cid] for cid, *_ in best[doc_id] if cid in hits]
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

    def _facets(
        self, request: SearchRequest, generation: Generation, where: Filters, collapsed, doc_query
    ) -> dict[str, list[tuple[str, int]]]:
        """Exact counts in keyword mode (over every match); over the ranked candidates otherwise."""
        names = list(request.facets)
        if request.mode == "keyword":
            if request.group == "document":
                return (
                    generation.documents.facets(doc_query, names)
                    if doc_query is not None
                    else {name: [] for name in names}
                )
            return generation.keyword.facets(request.query, where, names)
        base = collapsed[: self.settings.candidates]
        chunk_docs = self.store.chunk_documents([cid for cid, *_ in base])
        rows = self.store.documents_meta(sorted(set(chunk_docs.values())))
        if request.group == "document":
            counted = [
                rows[doc_id]
                for doc_id in dict.fromkeys(chunk_docs[cid] for cid, *_ in base if cid in chunk_docs)
                if doc_id in rows
            ]
        else:
            counted = [rows[chunk_docs[cid]] for cid, *_ in base if chunk_docs.get(cid) in rows]
        return count_facets(counted, names)

    def _fuse(
        self,
        request: SearchRequest,
        generation: Generation,
        scored: dict[str, list[tuple[int, float]]],
        where: Filters,
    ) -> tuple[Fused, set[int]]:
        """One ranking: a single list as it is, or both fused; a question asking what a quoted speaker said
        adds that speaker's statements as a third list (a query that only names them does not): those about the
        question's subject (its words without the name and the asking), or all of them when it names none.
        Also returns the ids of its head: what the first `candidates` of each list gave, the same at any depth."""
        heads = self._heads(scored)
        if request.mode != "hybrid":
            ((name, hits),) = scored.items()
            single: Fused = [(cid, score, {name: rank}) for rank, (cid, score) in enumerate(hits, start=1)]
            return single, {cid for cid, _ in heads[name]}
        fused = self._fused_heads(request, generation, heads, where)
        head = {cid for cid, *_ in fused}
        shown = set(head)
        for tier in self._tiers(max(len(hits) for hits in scored.values()))[1:]:  # a deep page: deeper tiers follow
            cut = {name: hits[:tier] for name, hits in scored.items()}
            rest = [(cid, score, ranks) for cid, score, ranks in self._fused_lists(cut) if cid not in shown]
            fused = fused + _below(fused, rest)
            shown.update(cid for cid, *_ in rest)
        return fused, head

    def _tiers(self, depth: int) -> list[int]:
        """The depths a ranking is decided at, each below the one before: the first `candidates` of each list
        (every page's search), the first MAX_CANDIDATES (deep pages), then all (exports). A deeper search adds
        tiers below and never reorders the ones above, so pages and exports agree."""
        return [tier for tier in (self.settings.candidates, MAX_CANDIDATES) if tier < depth] + [depth]

    def _fused_heads(self, request, generation, scored, where) -> Fused:
        """The heads of the lists fused (RRF or convex), with a named speaker's statements when asked for."""
        if self.settings.fusion == "convex":
            return self._fused_lists(scored)
        weights = self._weights()
        lists = {name: [cid for cid, _ in hits] for name, hits in scored.items()}
        fused = rrf(lists, self.settings.rrf_k, weights)
        asked = where.speakers is None and asks_what_was_said(request.query)
        mentioned = self.registry().mentioned_in(request.query) if asked else []
        if mentioned:
            # a bounded boost: only statements the two lists already rank near the top (so the filters hold too)
            candidates = [cid for cid, *_ in fused[:STATEMENTS_WITHIN]]
            own = set(self.store.chunk_ids_quoting(mentioned, [], among=candidates).tolist())
            subject = subject_of(request.query, mentioned, HONORIFICS)
            about: list[tuple[int, float]] = []
            if subject and own:
                about, _ = self._keyword_hits(
                    replace(request, query=subject), generation, replace(where, speakers=mentioned), len(own)
                )
            if subject:  # what they said about that subject; nothing else of theirs is boosted
                statements = [cid for cid, _ in about if cid in own]
            else:  # everything they said, in the order the lists agree on
                statements = [cid for cid, *_ in fused if cid in own]
            fused = with_statements(lists, statements, self.settings.rrf_k, weights)
        return fused

    def _weights(self) -> dict[str, float]:
        return {"keyword": self.settings.keyword_weight, "semantic": self.settings.semantic_weight}

    def _fused_lists(self, scored: dict[str, list[tuple[int, float]]]) -> Fused:
        """The keyword and semantic lists merged the configured way (RRF or convex)."""
        if self.settings.fusion == "convex":
            return convex(scored, self._weights())
        lists = {name: [cid for cid, _ in hits] for name, hits in scored.items()}
        return rrf(lists, self.settings.rrf_k, self._weights())

    def _render(self, request: SearchRequest, generation: Generation, page) -> list[Hit]:
        """Hits for one page: stored text and metadata, every list's rank, and a highlighted snippet."""
        records = self.store.chunks_by_id([cid for cid, *_ in page])
        pages = self.store.paragraph_pages(list(records))
        terms = generation.keyword.query_terms(request.query)
        analyze = functools.lru_cache(maxsize=4096)(generation.keyword.analyze)
        results = []
        for offset, (cid, score, ranks, copies) in enumerate(page):
            record = records.get(cid)
            if record is None:
                continue
            full_ranks = {"keyword": ranks.get("keyword"), "semantic": ranks.get("semantic")}
            full_ranks.update({name: ranks[name] for name in ("quotes", "rerank") if ranks.get(name)})
            results.append(
                hit_of(
                    request.offset + offset + 1,
                    score,
                    record,
                    full_ranks,
                    copies,
                    str(highlight(record.text, terms, analyze)),
                    pages.get(cid),
                )
            )
        return results

    def _collapse(self, fused):
        """Show a repeated paragraph once: later copies of a shown chunk fold into its "also in" list."""
        copies = self.store.copies_of([cid for cid, *_ in fused])
        shown: set[int] = set()
        result = []
        for cid, score, ranks in fused:
            if cid in shown:
                continue
            others = copies.get(cid, [])
            shown.add(cid)
            shown.update(other for other, _ in others)
            docs = sorted({doc for _, doc in others})
            result.append((cid, score, ranks, docs))
        return result

    def registry(self) -> Registry:
        """Known speakers, reread when the store changed."""
        return self._per_store_version("registry", self.store.registry)

    def quotes(
        self, speaker: str | None = None, org: str | None = None, query: str | None = None, limit: int = 200
    ) -> list[StoredQuote]:
        """Quotes by a speaker or organisation however named, optionally only those matching words or meaning."""
        registry = self.registry()
        speakers = registry.resolve(speaker) if speaker else None
        orgs = registry.resolve(org) if org else None
        found = self.store.quotes(speakers, orgs)
        if query:
            response = self.search(SearchRequest(query, "hybrid", MAX_K, speaker=speaker, org=org))
            order = {hit.chunk_id: hit.rank for hit in response.results}
            found = sorted((q for q in found if q.chunk_id in order), key=lambda q: order.get(q.chunk_id or -1, 0))
        return found[:limit]

    def similar(self, chunk_id: int, k: int = 5) -> list[Passage]:
        """Passages closest in meaning to a chunk, from other documents and not its known copies."""
        generation = self.generation
        vector = generation.vectors.vector(chunk_id)
        if vector is None:
            return []
        own = self.store.chunks_by_id([chunk_id]).get(chunk_id)
        skip = {other for other, _ in self.store.copies_of([chunk_id])[chunk_id]} | {chunk_id}
        hits = [(cid, s) for cid, s in generation.vectors.search(vector, k * 4 + 10) if cid not in skip]
        records = self.store.chunks_by_id([cid for cid, _ in hits])
        passages = []
        for cid, score in hits:
            record = records.get(cid)
            if record is None or (own is not None and record.doc_id == own.doc_id):
                continue
            passages.append(Passage(cid, record.doc_id, record.paragraph, record.title, record.text, score))
            if len(passages) == k:
                break
        return passages

    def document(self, doc_id: str) -> StoredDocument:
        return self.store.document(doc_id)

    def stats(self) -> ArchiveStats:
        stats = self.store.stats()
        speakers = self.store.speaker_counts()
        generation = self._generation
        manifest = generation.manifest if generation else None
        return ArchiveStats(
            documents=stats.documents,
            chunks=stats.chunks,
            indexed_chunks=manifest.counts.get("chunks", 0) if manifest else 0,
            embedded=stats.embedded,
            sources=stats.sources,
            duplicate_groups=stats.groups,
            quotes=sum(count for _, _, count in speakers),
            speakers=len(speakers),
            first_date=stats.first_date,
            last_date=stats.last_date,
            generation=manifest.generation if manifest else None,
            model=manifest.model if manifest else None,
            chunker=manifest.chunker if manifest else None,
        )


def _below(head: list, rest: list) -> list:
    """`rest` after `head`, in its own order, scored under the head's lowest (`placed_below`)."""
    floor = min((float(item[1]) for item in head), default=0.0)
    return placed_below(rest, floor, floor) if head else rest
