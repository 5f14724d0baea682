"""One SearchService: an orchestrator that hands one search through three stages and returns dataclasses.

`indexer.retrieve` reads every list once under one `Filter`; `indexer.rank` turns them into one ranking of
candidates (fusion chosen once from the settings); `indexer.present` makes the page, its total and its facets. The
CLI and the web app both call `search()`. The service follows the index generation a writer publishes: `refresh()`
(called before each search, at most every few seconds) swaps in the new generation without disturbing searches
already running on the old one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from archive.documents import StoredQuote
from archive.quotes import Registry
from archive.settings import Settings
from archive.store import Store
from indexer.articles import MAX_PASSAGES
from indexer.backends import DocumentBackend, KeywordBackend, VectorBackend
from indexer.build import Manifest, check_compatible, current_generation, missing_index, store_path
from indexer.candidates import Reads
from indexer.document_index import DocumentIndex
from indexer.embedder import Embedder
from indexer.facets import facet_values
from indexer.filters import filter_for
from indexer.fusion import fusion_from
from indexer.keyword import KeywordIndex
from indexer.present import COUNTED, Presenter
from indexer.rank import Ranker
from indexer.reading import ArchiveReading
from indexer.request import MAX_CANDIDATES, MAX_EXPORT, MAX_K, MODES, SearchRequest, validate
from indexer.reranker import Reranker
from indexer.results import ArchiveStats, Hit, Passage, SearchResponse
from indexer.retrieve import Retriever, asks_about_speakers
from indexer.sources import Sources
from indexer.vectors import VectorIndex

T = TypeVar("T")
DEPTHS = (MAX_CANDIDATES, MAX_EXPORT)  # deeper searches, for deep pages and exports
__all__ = ["MODES", "MAX_K", "Hit", "Passage", "SearchRequest", "SearchResponse", "SearchService", "ArchiveStats"]


class Generation:
    """One published set of indexes, opened read-only, typed as the interfaces the stages use."""

    keyword: KeywordBackend
    documents: DocumentBackend
    vectors: VectorBackend

    def __init__(self, folder: Path, manifest: Manifest, settings: Settings):
        self.folder = folder
        self.manifest = manifest
        self.keyword = KeywordIndex(folder / "keyword", settings.title_boost, settings.context_boost)
        self.documents = DocumentIndex(folder / "documents", settings.title_boost)
        self.vectors = VectorIndex.load(folder / "vectors.faiss", settings.ivf_nprobe, settings.ivf_widen_far)


class SearchService(ArchiveReading):
    def __init__(self, settings: Settings, embedder: Embedder | None = None, reranker: Reranker | None = None):
        self.settings = settings
        self.embedder = embedder or Embedder.from_settings(settings)
        self.reranker = reranker or Reranker.from_settings(settings)
        if self.reranker is not None:
            self.reranker.model  # noqa: B018 - loaded now, so a model that cannot load stops the start, not a search
        self.fusion = fusion_from(settings)
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
        """retrieve -> rank -> present; a passage page that copies folded short is retrieved again, deeper."""
        started = time.perf_counter()
        generation, reads = self.generation, Reads(self.store)
        names = self._archive_sources().names
        where, notices = filter_for(request, lambda name: self.registry().resolve(name), names, generation.documents)
        vector = self.embedder.encode_query(request.query) if request.mode != "keyword" else None
        mentioned = self.registry().mentioned_in(request.query) if asks_about_speakers(request, where) else []
        sources = self._archive_sources()
        retriever = Retriever(self.settings, generation, self.store, reads, self.fusion, sources, MAX_CANDIDATES)
        ranker = Ranker(self.settings, self.fusion, reads, self.store, self.reranker, MAX_CANDIDATES)
        while True:
            retrieved = retriever.retrieve(request, where, depth, vector, mentioned)
            deeper = next((tier for tier in DEPTHS if tier > depth), None)
            ranked = ranker.rank(retrieved, can_deepen=deeper is not None)
            if not ranked.needs_deeper or deeper is None:
                break
            depth = deeper
        page = Presenter(self.settings, generation, self.store, reads, names).present(ranked)
        return SearchResponse(
            request.query,
            request.mode,
            page.total,
            round((time.perf_counter() - started) * 1000, 2),
            page.results,
            request.offset,
            request.k,
            notices + retrieved.notices + page.notices,
            page.relation,
            request.group,
            facet_values(page.facets),
            COUNTED[request.mode],
        )

    def _archive_sources(self) -> Sources:
        """The archive's sources and dates (counting sources scans every document: 10 ms at a million passages)."""
        return self._per_store_version("sources", lambda: Sources.of(self.store))

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
