"""One SearchService: keyword and semantic lists, reciprocal rank fusion, filters, copies, highlights.

It returns dataclasses, never web objects; the CLI and the web app both call `search()`. It follows the
index generation a writer publishes: `refresh()` (called before each search, at most every few seconds)
swaps in the new generation without disturbing searches already running on the old one.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from archive.errors import InvalidRequestError, NotFoundError
from archive.quotes import Registry
from archive.settings import Settings
from archive.store import ChunkRecord, Store, StoredQuote
from indexer.build import Manifest, check_compatible, current_generation, open_generation, store_path
from indexer.embedder import Embedder
from indexer.highlight import highlight
from indexer.keyword import KeywordIndex
from indexer.vectors import VectorIndex

MODES = ("hybrid", "keyword", "semantic")
_FIELD_FILTER = re.compile(r'(?i)\b(speaker|org):(?:"([^"]+)"|([^\s"]+))')
MAX_K = 100
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class SearchRequest:
    query: str
    mode: str = "hybrid"
    k: int = 10
    offset: int = 0
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speaker: str | None = None
    org: str | None = None


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    doc_id: str
    chunk_id: int
    position: int
    paragraph: int
    title: str
    source: str | None
    date: str | None
    url: str | None
    text: str
    context: str
    snippet: str
    ranks: dict[str, int | None]
    duplicates: list[str]
    page: int | None = None


@dataclass(frozen=True)
class SearchResponse:
    query: str
    mode: str
    total: int
    took_ms: float
    results: list[Hit]
    offset: int = 0
    k: int = 10
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Passage:
    """A chunk similar to another one, for the document page's "similar passages"."""

    chunk_id: int
    doc_id: str
    paragraph: int
    title: str
    text: str
    score: float


class Generation:
    """One published set of indexes, opened read-only."""

    def __init__(self, folder: Path, manifest: Manifest, settings: Settings):
        self.folder = folder
        self.manifest = manifest
        self.keyword = KeywordIndex(folder / "keyword", settings.title_boost, settings.context_boost)
        self.vectors = VectorIndex.load(folder / "vectors.faiss")


def validate(request: SearchRequest, settings: Settings) -> SearchRequest:
    """Check a request the same way for the CLI and the API; errors say what would be accepted."""
    query = (request.query or "").strip()
    if not query:
        raise InvalidRequestError("the query is empty: give some words to search for (parameter q)")
    if len(query) > settings.max_query_chars:
        raise InvalidRequestError(
            f"the query is {len(query)} characters long; the limit is {settings.max_query_chars}. Shorten it."
        )
    if "\x00" in query:
        query = query.replace("\x00", " ").strip()
    speaker, org = request.speaker, request.org
    for field_name, quoted, bare in _FIELD_FILTER.findall(query):
        value = (quoted or bare).strip()
        if field_name.lower() == "speaker":
            speaker = speaker or value
        else:
            org = org or value
    stripped = " ".join(_FIELD_FILTER.sub(" ", query).split())
    query = stripped or " ".join(filter(None, (speaker, org))) or query
    if request.mode not in MODES:
        raise InvalidRequestError(f"unknown mode {request.mode!r}: use one of {', '.join(MODES)}")
    if not 1 <= request.k <= MAX_K:
        raise InvalidRequestError(f"k must be between 1 and {MAX_K}, got {request.k}")
    if not 0 <= request.offset <= MAX_CANDIDATES - request.k:
        raise InvalidRequestError(f"offset must be between 0 and {MAX_CANDIDATES - request.k}, got {request.offset}")
    dates = []
    for name in ("date_from", "date_to"):
        value = getattr(request, name)
        if value:
            try:
                dates.append(date.fromisoformat(value).isoformat())
            except ValueError as exc:
                raise InvalidRequestError(f"{name} must be a date like 2025-02-10, got {value!r}") from exc
        else:
            dates.append(None)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise InvalidRequestError(f"date_from {dates[0]} is after date_to {dates[1]}")
    return SearchRequest(query, request.mode, request.k, request.offset, (request.source or "").strip() or None,
                         dates[0], dates[1], (speaker or "").strip() or None, (org or "").strip() or None)


Fused = list[tuple[int, float, dict[str, int | None]]]


def rrf(lists: dict[str, list[int]], k: int, weights: dict[str, float] | None = None) -> Fused:
    """Reciprocal rank fusion: score = sum over lists of weight / (k + rank). Ties go to the better best rank."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int | None]] = {}
    for name, ids in lists.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
            ranks.setdefault(chunk_id, dict.fromkeys(lists))[name] = rank
    return _ordered(scores, ranks)


def convex(scored: dict[str, list[tuple[int, float]]], weights: dict[str, float]) -> Fused:
    """Convex combination of min-max normalized scores (a missing score counts as the list's minimum)."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int | None]] = {}
    total = sum(weights.get(name, 1.0) for name in scored) or 1.0
    for name, hits in scored.items():
        if not hits:
            continue
        values = [s for _, s in hits]
        low, span = min(values), (max(values) - min(values)) or 1.0
        weight = weights.get(name, 1.0) / total
        for rank, (chunk_id, score) in enumerate(hits, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * (score - low) / span
            ranks.setdefault(chunk_id, dict.fromkeys(scored))[name] = rank
    return _ordered(scores, ranks)


def _ordered(scores: dict[int, float], ranks: dict[int, dict[str, int | None]]) -> Fused:
    def best_rank(cid: int) -> int:
        return min(r for r in ranks[cid].values() if r is not None)

    order = sorted(scores, key=lambda cid: (-scores[cid], best_rank(cid), cid))
    return [(cid, scores[cid], ranks[cid]) for cid in order]


class SearchService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self.store = Store(store_path(settings))
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._registry: tuple[int, Registry] | None = None
        self.refresh(force=True)

    # -- generations ------------------------------------------------------------------------------------

    @property
    def generation(self) -> Generation:
        self.refresh()
        if self._generation is None:
            open_generation(self.settings)
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
        started = time.perf_counter()
        request = validate(request, self.settings)
        generation = self.generation
        depth = min(MAX_CANDIDATES, max(self.settings.candidates, request.offset + request.k))
        scored: dict[str, list[tuple[int, float]]] = {}
        notices = []
        registry = self.registry()
        named: list[str] | None = None
        if request.speaker or request.org:
            named = []
            for name in filter(None, (request.speaker, request.org)):
                found = registry.resolve(name)
                if not found:
                    notices.append(f"No speaker or organisation known as {name!r}; see /speakers.")
                named.extend(found)
        quoting = self.store.chunk_ids_quoting(named, []) if named is not None else None
        if request.mode in ("hybrid", "keyword"):
            hits, fixed = generation.keyword.search(
                request.query, depth, request.source, request.date_from, request.date_to, named
            )
            if fixed:
                notices.append("The query's search syntax was not valid; its words were searched instead.")
            scored["keyword"] = hits
        if request.mode in ("hybrid", "semantic"):
            allowed = None
            if request.source or request.date_from or request.date_to:
                allowed = self.store.chunk_ids_matching(request.source, request.date_from, request.date_to)
            if quoting is not None:
                allowed = quoting if allowed is None else np.intersect1d(allowed, quoting)
            vector = self.embedder.encode_query(request.query)
            hits = generation.vectors.search(vector, depth, allowed)
            if self.settings.semantic_feedback and hits:
                vector = _feedback(vector, hits, generation.vectors, self.settings)
                hits = generation.vectors.search(vector, depth, allowed)
            scored["semantic"] = hits

        weights = {"keyword": self.settings.keyword_weight, "semantic": self.settings.semantic_weight}
        if request.mode != "hybrid":
            (name, hits), = scored.items()
            fused = [(cid, score, {name: rank}) for rank, (cid, score) in enumerate(hits, start=1)]
        elif self.settings.fusion == "convex":
            fused = convex(scored, weights)
        else:
            lists = {name: [cid for cid, _ in hits] for name, hits in scored.items()}
            fused = rrf(lists, self.settings.rrf_k, weights)
            mentioned = registry.mentioned_in(request.query) if named is None else []
            if mentioned:
                own = set(self.store.chunk_ids_quoting(mentioned, []).tolist())
                lists["quotes"] = [cid for cid, *_ in fused if cid in own]
                fused = rrf(lists, self.settings.rrf_k, weights)
        collapsed = self._collapse(fused)
        page = collapsed[request.offset:request.offset + request.k]
        records = self.store.chunks_by_id([cid for cid, *_ in page])
        pages = self.store.paragraph_pages(list(records))
        terms = generation.keyword.query_terms(request.query)
        analyze = _memoized(generation.keyword.analyzer.analyze)
        results = []
        for offset, (cid, score, ranks, copies) in enumerate(page):
            record = records.get(cid)
            if record is None:
                continue
            full_ranks = {"keyword": ranks.get("keyword"), "semantic": ranks.get("semantic")}
            if ranks.get("quotes"):
                full_ranks["quotes"] = ranks["quotes"]
            results.append(_hit(request.offset + offset + 1, score, record, full_ranks, copies,
                                str(highlight(record.text, terms, analyze)), pages.get(cid)))
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(request.query, request.mode, len(collapsed), round(took, 2), results,
                              request.offset, request.k, notices)

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
        version = self.store.version()
        if self._registry is None or self._registry[0] != version:
            self._registry = (version, self.store.registry())
        return self._registry[1]

    def quotes(self, speaker: str | None = None, org: str | None = None, query: str | None = None,
               limit: int = 200) -> list[StoredQuote]:
        """Quotes by a speaker or organisation however named, optionally only those matching words or meaning."""
        registry = self.registry()
        speakers = registry.resolve(speaker) if speaker else None
        orgs = registry.resolve(org) if org else None
        found = self.store.quotes(speakers, orgs)
        if query:
            response = self.search(SearchRequest(query, "hybrid", MAX_K, speaker=speaker, org=org))
            order = {hit.chunk_id: hit.rank for hit in response.results}
            found = sorted((q for q in found if q.chunk_id in order), key=lambda q: order[q.chunk_id])
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

    def document(self, doc_id: str):
        return self.store.document(doc_id)

    def chunk(self, chunk_id: int) -> ChunkRecord:
        record = self.store.chunks_by_id([chunk_id]).get(chunk_id)
        if record is None:
            raise NotFoundError(f"no chunk with id {chunk_id}")
        return record

    def stats(self) -> dict:
        stats = self.store.stats()
        generation = self._generation
        return {
            "documents": stats.documents,
            "chunks": stats.chunks,
            "embedded": stats.embedded,
            "sources": stats.sources,
            "duplicate_groups": stats.groups,
            "quotes": sum(count for _, _, count in self.store.speaker_counts()),
            "speakers": len(self.store.speaker_counts()),
            "first_date": stats.first_date,
            "last_date": stats.last_date,
            "generation": generation.manifest.generation if generation else None,
            "indexed_chunks": generation.manifest.counts.get("chunks") if generation else 0,
            "model": generation.manifest.model if generation else None,
            "chunker": generation.manifest.chunker if generation else None,
        }


def _memoized(analyze):
    """The analyzer, remembering each word's stems for the length of one search (pages repeat words a lot)."""
    seen: dict[str, list[str]] = {}

    def cached(word: str) -> list[str]:
        if word not in seen:
            seen[word] = analyze(word)
        return seen[word]

    return cached


def _feedback(vector: np.ndarray, hits: list[tuple[int, float]], vectors: VectorIndex, settings: Settings):
    """Pseudo-relevance feedback (Rocchio): move the query towards its best few hits and search again."""
    top = [v for v in (vectors.vector(cid) for cid, _ in hits[: settings.semantic_feedback]) if v is not None]
    if not top:
        return vector
    moved = vector + settings.feedback_weight * np.mean(top, axis=0)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def _hit(rank, score, record: ChunkRecord, ranks, duplicates, snippet, page: int | None = None) -> Hit:
    return Hit(rank=rank, score=round(float(score), 6), doc_id=record.doc_id, chunk_id=record.chunk_id,
               position=record.position, paragraph=record.paragraph, title=record.title, source=record.source,
               date=record.date, url=record.url, text=record.text, context=record.context, snippet=snippet, ranks=ranks,
               duplicates=duplicates, page=page)
