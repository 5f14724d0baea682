"""The retrieve stage: every list a search ranks from, each read once under one `Filter`: the keyword and the
semantic list (with a feedback second pass), the whole-document hits of one document query, and a quoted
speaker's statements when the query asks what they said."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from archive.quotes import HONORIFICS
from archive.settings import Settings
from archive.store import Store
from indexer import feedback
from indexer.backends import DocumentBackend, KeywordBackend, VectorBackend
from indexer.candidates import Candidate, Reads, below
from indexer.filters import Filter
from indexer.fusion import Fusion, asks_what_was_said, subject_of
from indexer.request import SearchRequest
from indexer.sources import Sources

Scored = list[tuple[int, float]]
# How near the top of the fused ranking a speaker's statement must stand for the statements list to lift it.
STATEMENTS_WITHIN = 20
# Most unfiltered nearest neighbours a source or date filter is tried on before its allowed ids are listed.
POST_FILTER_POOL = 4000
POST_FILTER_MARGIN = 3  # neighbours tried: this many times the hits wanted over the share the filter allows


@dataclass(frozen=True)
class Statements:
    """A named speaker's statements for a question about what they said: which chunks of the lists' heads quote
    them, and (when the question has a subject) their statements about it, best first."""

    quoting: frozenset[int]
    about: list[int]
    subject: str


@dataclass(frozen=True)
class Retrieved:
    """What the retrieve stage hands on: the lists (best first), the document hits and how many documents
    match, the statements, the notices, at a depth (hits wanted from each list)."""

    request: SearchRequest
    where: Filter
    depth: int
    lists: dict[str, Scored]
    documents: list[tuple[str, float]] = field(default_factory=list)
    document_count: int = 0
    statements: Statements | None = None
    notices: list[str] = field(default_factory=list)


class Engines(Protocol):
    """One generation's indexes, as the interfaces the stages use (`indexer.search.Generation`)."""

    keyword: KeywordBackend
    documents: DocumentBackend
    vectors: VectorBackend


def tiers(settings: Settings, depth: int, deepest: int) -> list[int]:
    """The depths a ranking is decided at, each below the one before: the first `candidates` of each list
    (every page's search), the first `deepest` (deep pages), then all (exports). A deeper search adds tiers below
    and never reorders the ones above, so pages and exports agree."""
    return [tier for tier in (settings.candidates, deepest) if tier < depth] + [depth]


def heads(settings: Settings, lists: dict[str, Scored]) -> dict[str, Scored]:
    """Each list's first `candidates` hits: what fusion and feedback decide on, so that a deep page (searched
    deeper) keeps the order the first pages showed."""
    return {name: hits[: settings.candidates] for name, hits in lists.items()}


class Retriever:
    def __init__(
        self,
        settings: Settings,
        engines: Engines,
        store: Store,
        reads: Reads,
        fusion: Fusion,
        sources: Sources,
        deepest: int,
    ):
        self.settings, self.engines, self.store, self.reads = settings, engines, store, reads
        self.fusion, self.sources, self.deepest = fusion, sources, deepest

    def retrieve(
        self, request: SearchRequest, where: Filter, depth: int, vector: np.ndarray | None, mentioned: list[str]
    ) -> Retrieved:
        """`vector` is the query's embedding (None in keyword mode); `mentioned` the quoted speakers a question
        about what was said names (empty otherwise)."""
        lists: dict[str, Scored] = {}
        notices: list[str] = []
        if request.mode in ("hybrid", "keyword"):
            sort = request.sort if request.mode == "keyword" else "relevance"
            hits, fixed = self.engines.keyword.search(request.query, depth, where, sort=sort)
            if fixed:
                notices.append("The query's search syntax was not valid; its words were searched instead.")
            lists["keyword"] = hits
        if vector is not None:
            lists["semantic"] = semantic_hits(
                self.engines.vectors, self.store, self.sources, vector, depth, where, self.settings
            )
        if self.settings.feedback_passages and (request.mode != "keyword" or request.sort == "relevance"):
            lists = self._second_pass(request, where, depth, lists, vector)
        documents, count = self._documents(request, where, bool(lists.get("keyword")))
        statements = self._statements(request, where, lists, mentioned) if mentioned else None
        return Retrieved(request, where, depth, lists, documents, count, statements, notices)

    def _documents(self, request: SearchRequest, where: Filter, keyword_hits: bool) -> tuple[list, int]:
        """One document query: for the keyword list's document scores (its first `candidates`, by relevance)
        and for the articles (enough for the page, in the page's order)."""
        for_scores = self.settings.document_weight > 0 and keyword_hits and request.sort == "relevance"
        for_articles = request.group == "document" and request.mode != "semantic"
        if not (for_scores or for_articles):
            return [], 0
        limit = self.settings.candidates
        if for_articles:
            limit = max(limit, (request.offset + request.k) * 2)
        sort = request.sort if request.mode == "keyword" else "relevance"
        return self.engines.documents.search(request.query, where, limit, sort)

    def _second_pass(self, request, where: Filter, depth: int, lists: dict[str, Scored], vector) -> dict:
        """Pseudo-relevance feedback (`indexer.feedback`): the first pass's best passages (fused, in hybrid
        mode) expand the keyword query and move the semantic one, which re-scores the first pass's candidates."""
        best = [cid for cid, *_ in self.fusion.fuse(heads(self.settings, lists))[: self.settings.feedback_passages]]
        if not best:
            return lists
        again = dict(lists)
        if "keyword" in lists:
            records = self.reads.records(best)
            texts = [f"{records[cid].title}\n{records[cid].text}" for cid in best if cid in records]
            expansion = feedback.expansion(
                request.query,
                texts,
                self.engines.keyword.analyze,
                self.settings.feedback_terms,
                self.settings.feedback_query_weight,
            )
            if expansion is not None:
                sort = request.sort if request.mode == "keyword" else "relevance"
                again["keyword"], _ = self.engines.keyword.search(
                    request.query, depth, where, sort=sort, expansion=expansion
                )
        if vector is not None:
            found = [self.engines.vectors.vector(cid) for cid in best]
            moved = feedback.moved_towards(vector, [v for v in found if v is not None], self.settings.feedback_weight)
            ordered: list[Candidate] = []
            seen: set[int] = set()
            for tier in tiers(self.settings, depth, self.deepest):  # the head's candidates first, then deeper tiers
                pool = {cid for hits in lists.values() for cid, _ in hits[:tier]} - seen
                found_here = self.engines.vectors.among(moved, np.array(sorted(pool), dtype=np.int64), depth)
                ordered += below(ordered, [Candidate(cid, score, {}) for cid, score in found_here])
                seen |= pool
            again["semantic"] = [(item.chunk_id, item.score) for item in ordered[:depth]]
        return again

    def _statements(self, request, where: Filter, lists: dict[str, Scored], mentioned: list[str]) -> Statements:
        """The mentioned speakers' statements among the lists' heads, and those about the question's subject
        (its words without the names and the asking), best first."""
        among = sorted({cid for hits in heads(self.settings, lists).values() for cid, _ in hits})
        quoting = frozenset(self.store.chunk_ids_quoting(mentioned, [], among=among).tolist())
        subject = subject_of(request.query, mentioned, HONORIFICS)
        about: list[int] = []
        if subject and quoting:
            named = replace(where, speakers=tuple(mentioned))
            hits, _ = self.engines.keyword.search(subject, STATEMENTS_WITHIN, named)
            about = [cid for cid, _ in hits]
        return Statements(quoting, about, subject)


def asks_about_speakers(request: SearchRequest, where: Filter) -> bool:
    """Whether a hybrid query asks what someone said (and is not already filtered to a speaker)."""
    return request.mode == "hybrid" and where.speakers is None and asks_what_was_said(request.query)


def semantic_hits(
    vectors: VectorBackend,
    store: Store,
    sources: Sources,
    vector: np.ndarray,
    depth: int,
    where: Filter,
    settings: Settings,
) -> Scored:
    """The vector list under the filter. How a filtered semantic search runs is decided here and only here, from
    `exact_filter_fraction`:
    - A broad source or date filter (one that allows that share of the archive or more, by `Filter.share`) is
      first applied to the unfiltered nearest neighbours (three times as many as should pass, at most
      POST_FILTER_POOL): when enough pass, they are the filtered list (exactly so for a flat index, as any passing
      passage further down scores lower), and its allowed ids are never listed (a quarter of a million for one
      source of a million passages: 1.3 s).
    - Otherwise, and for speaker and document filters, the allowed ids are listed and searched: exactly when they
      are fewer than that share of the index (a selective filter loses no recall), else approximately with the
      index's probes widened for what the filter drops."""
    share = where.share(sources) if where.by_source_or_date and not where.by_name_or_document else 0
    if share >= settings.exact_filter_fraction:
        size = min(POST_FILTER_POOL, math.ceil(POST_FILTER_MARGIN * depth / share))
        pool = vectors.search(vector, size)
        ids = [cid for cid, _ in pool]
        passing = set(store.chunk_ids_matching(where.source, where.date_from, where.date_to, ids).tolist())
        kept = [(cid, score) for cid, score in pool if cid in passing]
        if len(kept) >= depth or len(pool) < size:
            return kept[:depth]
    allowed = allowed_ids(store, where)
    exact = allowed is not None and len(allowed) < settings.exact_filter_fraction * len(vectors)
    return vectors.search(vector, depth, allowed, exact)


def allowed_ids(store: Store, where: Filter) -> np.ndarray | None:
    """The chunk ids a filtered semantic search may return (None: no filter)."""
    allowed = None
    if where.by_source_or_date:
        allowed = store.chunk_ids_matching(where.source, where.date_from, where.date_to)
    if where.speakers is not None:
        quoting = store.chunk_ids_quoting(list(where.speakers), [])
        allowed = quoting if allowed is None else np.intersect1d(allowed, quoting)
    if where.doc_ids is not None:
        of_docs = store.chunk_ids_of(list(where.doc_ids))
        allowed = of_docs if allowed is None else np.intersect1d(allowed, of_docs)
    return allowed
