"""Rank fusion: how the keyword, semantic and speaker-statement lists become one ranking.

`rrf` is reciprocal rank fusion (the default); `convex` is a weighted sum of min-max normalized scores.
Each returns (chunk id, fused score, {list name: rank in that list}) best first. `fusion_from` chooses one of the
two once, from the settings (as txtai's `hybrid.py` does), as an object with `fuse` and `with_statements`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from archive.settings import Settings

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


_WORD = re.compile(r"\w+", re.UNICODE)
# Words that link the asking to its subject ("say about riots", "statement on rates"); not the subject itself.
_LINKING = {"about", "on", "regarding", "concerning", "over", "of", "the", "a", "an", "to", "in", "when", "why", "how"}
# A question about what someone said: only then do a named speaker's statements count as a list of their own.
_ASKS_WHAT_WAS_SAID = re.compile(
    r"(?i)\b(said|says|say|saying|told|tells|states|stated|statements?|quoted?|quotes?|according\s+to|"
    r"claim(?:s|ed)?|warn(?:s|ed)?|comments?|commented|remarks?|spokes(?:man|woman|person)|"
    r"what\s+(?:did|does|do|has|have)\s+\w+)\b"
)
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def asks_what_was_said(query: str) -> bool:
    """Whether a query asks what someone said ("what did the Refugee Council say", "Powell statement on rates"),
    as opposed to merely naming someone ("Keir Starmer former human rights lawyer")."""
    return bool(_ASKS_WHAT_WAS_SAID.search(query))


def subject_of(query: str, speakers: list[str], honorifics: Collection[str] = ()) -> str:
    """What a question about someone's words is about: the query without the speakers' names (whole, or any of
    their words, with or without a title), the asking, and the words that link them ("what did the Refugee Council
    say about riots" -> "riots"; "Farage's comments on immigration" -> "immigration")."""
    subject = _POSSESSIVE.sub("", query)
    for name in sorted(speakers, key=len, reverse=True):
        subject = re.sub(rf"(?i)\b{re.escape(name)}\b", " ", subject)
    named = {word.lower() for name in speakers for word in _WORD.findall(name)} | set(honorifics)
    subject = " ".join(word for word in _WORD.findall(subject) if word.lower() not in named)
    subject = _ASKS_WHAT_WAS_SAID.sub(" ", subject)
    return " ".join(word for word in _WORD.findall(subject) if word.lower() not in _LINKING)


def with_statements(lists: dict[str, list[int]], statements: list[int], k: int, weights: dict[str, float]) -> Fused:
    """Add a named speaker's statements, best first, as a third list. A passage that every first list ranks
    first keeps first place: the third list may reorder the rest, never demote it."""
    return _first_kept(lists, rrf({**lists, "quotes": statements}, k, weights))


def _first_kept(lists: dict[str, list[int]], third: Fused) -> Fused:
    firsts = {ids[0] for ids in lists.values() if ids}
    if len(firsts) == 1 and all(lists.values()):
        (agreed,) = firsts
        third = [item for item in third if item[0] == agreed] + [item for item in third if item[0] != agreed]
    return third


Scored = dict[str, list[tuple[int, float]]]


class Fusion(Protocol):
    """How the lists become one ranking: `fuse` the lists; `with_statements` adds a speaker's statements."""

    def fuse(self, scored: Scored) -> Fused: ...

    def with_statements(self, scored: Scored, statements: list[int]) -> Fused: ...


def _ids(scored: Scored) -> dict[str, list[int]]:
    return {name: [cid for cid, _ in hits] for name, hits in scored.items()}


@dataclass(frozen=True)
class ReciprocalRankFusion:
    k: int
    weights: dict[str, float] = field(default_factory=dict)

    def fuse(self, scored: Scored) -> Fused:
        return rrf(_ids(scored), self.k, self.weights)

    def with_statements(self, scored: Scored, statements: list[int]) -> Fused:
        return with_statements(_ids(scored), statements, self.k, self.weights)


@dataclass(frozen=True)
class ConvexFusion:
    weights: dict[str, float] = field(default_factory=dict)

    def fuse(self, scored: Scored) -> Fused:
        return convex(scored, self.weights)

    def with_statements(self, scored: Scored, statements: list[int]) -> Fused:
        """The statements as a third list scored by reciprocal rank (weight 1), the first-place rule kept."""
        third = {**scored, "quotes": [(cid, 1.0 / rank) for rank, cid in enumerate(statements, start=1)]}
        return _first_kept(_ids(scored), convex(third, self.weights))


def fusion_from(settings: Settings) -> Fusion:
    """The fusion the settings name, made once per service."""
    weights = {"keyword": settings.keyword_weight, "semantic": settings.semantic_weight}
    if settings.fusion == "convex":
        return ConvexFusion(weights)
    return ReciprocalRankFusion(settings.rrf_k, weights)
