"""The rank stage: steps on the retrieved lists that end in one ranking of candidates. The keyword list takes its
documents' scores; the lists are fused (by the one fusion object the settings chose), a quoted speaker's statements
added, deeper tiers placed below the head; repeated paragraphs fold into their first copy; the reranker reorders
the head; a date order sorts the whole. No step searches an index again."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.settings import Settings
from archive.store import Store
from indexer.candidates import Candidate, Reads, below
from indexer.fusion import Fused, Fusion
from indexer.reranker import Reranker, reranked
from indexer.retrieve import STATEMENTS_WITHIN, Retrieved, Scored, heads, tiers


@dataclass(frozen=True)
class Ranked:
    """The ranking (copies folded), how many passages the lists' heads hold (what hybrid and semantic totals
    counted), and whether the page needs deeper lists (copies folded away too many)."""

    retrieved: Retrieved
    candidates: list[Candidate] = field(default_factory=list)
    base: int = 0
    needs_deeper: bool = False


class Ranker:
    def __init__(
        self, settings: Settings, fusion: Fusion, reads: Reads, store: Store, reranker: Reranker | None, deepest: int
    ):
        self.settings, self.fusion, self.reads, self.store = settings, fusion, reads, store
        self.reranker, self.deepest = reranker, deepest

    def rank(self, retrieved: Retrieved, can_deepen: bool) -> Ranked:
        request = retrieved.request
        lists = dict(retrieved.lists)
        if lists.get("keyword") and request.sort == "relevance":
            lists["keyword"] = self.with_document_scores(lists["keyword"], retrieved.documents)
        base = len({cid for hits in lists.values() for cid, _ in hits[: self.settings.candidates]})
        fused, head = self.fuse(retrieved, lists)
        collapsed = self.collapse(fused)
        short = len(collapsed) < request.offset + request.k and request.group == "passage"
        if short and can_deepen and any(len(hits) >= retrieved.depth for hits in lists.values()):
            return Ranked(retrieved, collapsed, base, needs_deeper=True)
        if self.reranks(retrieved):
            collapsed = self.reranked(request.query, collapsed, sum(1 for c in collapsed if c.chunk_id in head))
        if request.sort != "relevance" and request.mode != "keyword":
            collapsed = self.by_date(collapsed, request.sort)
        return Ranked(retrieved, collapsed, base)

    def with_document_scores(self, hits: Scored, documents: list[tuple[str, float]]) -> Scored:
        """The keyword list re-scored: each of its first `candidates` passages scores its own BM25 plus its whole
        document's (among the first `candidates` documents), each divided by the best of its list and the
        document's weighted; the rest follow in BM25 order. Both depths are fixed, so every page and the export
        agree on one order."""
        head, tail = hits[: self.settings.candidates], hits[self.settings.candidates :]
        doc_score = dict(documents[: self.settings.candidates])
        if not doc_score or self.settings.document_weight <= 0:
            return hits
        best_doc, best = max(doc_score.values()) or 1.0, max(score for _, score in head) or 1.0
        document_of = self.reads.documents_of([cid for cid, _ in head])
        weight = self.settings.document_weight
        rescored = [
            (cid, score / best + weight * doc_score.get(document_of.get(cid, ""), 0.0) / best_doc)
            for cid, score in head
        ]
        # the tail scaled as the head's passage part was: below every head score, so scores fall down the pages
        return sorted(rescored, key=lambda item: -item[1]) + [(cid, score / best) for cid, score in tail]

    def fuse(self, retrieved: Retrieved, lists: dict[str, Scored]) -> tuple[list[Candidate], set[int]]:
        """One ranking: a single list as it is, or the lists' heads fused (with a speaker's statements when the
        question asks what they said) and each deeper tier's below. Also returns the ids of its head: what the
        first `candidates` of each list gave, the same at any depth."""
        first = heads(self.settings, lists)
        if retrieved.request.mode != "hybrid":
            ((name, hits),) = lists.items()
            single = [Candidate(cid, score, {name: rank}) for rank, (cid, score) in enumerate(hits, start=1)]
            return single, {cid for cid, _ in first[name]}
        fused = _candidates(self._fused_head(retrieved, first))
        head = {c.chunk_id for c in fused}
        shown = set(head)
        for tier in tiers(self.settings, max(len(hits) for hits in lists.values()), self.deepest)[1:]:
            rest = [
                c
                for c in _candidates(self.fusion.fuse({n: h[:tier] for n, h in lists.items()}))
                if c.chunk_id not in shown
            ]
            fused = fused + below(fused, rest)
            shown.update(c.chunk_id for c in rest)
        return fused, head

    def _fused_head(self, retrieved: Retrieved, first: dict[str, Scored]) -> Fused:
        """The heads fused; a named speaker's statements added as a third list, a bounded boost: only statements
        the lists already rank near the top (so the filters hold too), those about the question's subject when
        it has one, else all of them in the order the lists agree on."""
        fused = self.fusion.fuse(first)
        statements = retrieved.statements
        if statements is None:
            return fused
        own = {cid for cid, *_ in fused[:STATEMENTS_WITHIN]} & statements.quoting
        if statements.subject:
            chosen = [cid for cid in statements.about[: len(own)] if cid in own]
        else:
            chosen = [cid for cid, *_ in fused if cid in own]
        return self.fusion.with_statements(first, chosen)

    def collapse(self, fused: list[Candidate]) -> list[Candidate]:
        """Show a repeated paragraph once: a later copy of a ranked chunk folds into it (the page lists where else
        it appears, `Presenter.hits`). Only the copies among the candidates are looked up."""
        copies = self.store.copies_among([c.chunk_id for c in fused])
        folded: set[int] = set()
        result = []
        for candidate in fused:
            if candidate.chunk_id in folded:
                continue
            folded.add(candidate.chunk_id)
            folded.update(copies.get(candidate.chunk_id, ()))
            result.append(candidate)
        return result

    def reranks(self, retrieved: Retrieved) -> bool:
        request = retrieved.request
        # keyword articles are ranked by their whole text, not by passages: nothing there to rerank
        keyword_articles = request.mode == "keyword" and request.group == "document"
        return self.reranker is not None and request.sort == "relevance" and not keyword_articles

    def reranked(self, query: str, collapsed: list[Candidate], within: int) -> list[Candidate]:
        """The first `rerank_depth` passages reordered by the cross-encoder, which reads each one's title and text
        with the query. Only passages of the lists' heads (`within`, what every page's search shares) are read,
        so every page and the export agree."""
        assert self.reranker is not None
        head = [c.chunk_id for c in collapsed[: min(self.settings.rerank_depth, within)]]
        records = self.reads.records(head)
        texts = [f"{records[cid].title}\n{records[cid].text}" if cid in records else "" for cid in head]
        return reranked(collapsed, self.reranker.scores(query, texts))

    def by_date(self, collapsed: list[Candidate], sort: str) -> list[Candidate]:
        records = self.reads.records([c.chunk_id for c in collapsed])
        dated = [c for c in collapsed if c.chunk_id in records and records[c.chunk_id].date]
        undated = [c for c in collapsed if not (c.chunk_id in records and records[c.chunk_id].date)]
        dated.sort(key=lambda c: records[c.chunk_id].date or "", reverse=sort == "-date")
        return dated + undated


def _candidates(fused: Fused) -> list[Candidate]:
    return [Candidate(cid, score, ranks) for cid, score, ranks in fused]
