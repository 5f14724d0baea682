"""Pseudo-relevance feedback: the best passages of a first pass sharpen both queries of the second.

The keyword query keeps its own words and gains the terms that weigh most in those passages (RM3: each term's
share of each passage, weighted by the passage's place); the semantic query moves towards those passages'
vectors (Rocchio). Both stay pure functions over what the indexes give them, so another engine can use them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Expansion:
    """A keyword query's feedback: the original query keeps `query_weight` of the score, the added terms
    (analysed, as the index stores them) share the rest by `terms` weight."""

    query_weight: float
    terms: dict[str, float] = field(default_factory=dict)


def expansion(
    query: str, passages: Sequence[str], analyze: Callable[[str], list[str]], terms: int, query_weight: float
) -> Expansion | None:
    """RM3 over the feedback passages, best first (None when they give no term): a term's weight is its
    frequency share in each passage, summed with the passage's reciprocal rank (k=60) as its weight."""
    weights: dict[str, float] = {}
    for rank, text in enumerate(passages, start=1):
        tokens = analyze(" ".join(_WORD.findall(text)))
        if not tokens:
            continue
        for term, count in Counter(tokens).items():
            weights[term] = weights.get(term, 0.0) + count / len(tokens) / (60 + rank)
    own = Counter(analyze(" ".join(_WORD.findall(query))))
    chosen = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:terms]
    if not chosen or not own:
        return None
    total = sum(weight for _, weight in chosen)
    original = query_weight / sum(own.values())
    return Expansion(original, {term: (1 - query_weight) * weight / total for term, weight in chosen})


def moved_towards(query: np.ndarray, vectors: Sequence[np.ndarray], weight: float) -> np.ndarray:
    """The query vector moved towards the mean of the feedback passages' vectors (Rocchio beta = `weight`),
    normalised again for cosine similarity."""
    if not vectors:
        return query
    moved = query + weight * np.mean(vectors, axis=0)
    return (moved / np.linalg.norm(moved)).astype(np.float32)
