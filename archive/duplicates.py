"""Near-duplicate detection: MinHash over word 5-gram shingles for documents, overlap for paragraphs.

Two copies of one story (one formatted with its paragraphs run together, say) are kept as two documents in one
group. Inside a group, chunks whose words largely overlap are marked as copies of each other; anywhere in the
archive, chunks with the same normalized text are copies too. Search shows a copy once, "also in" the others.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
SCHEME = "affine64"
# Fewest distinct word 5-grams a document needs to be a copy of another (about 25 words): two e-mails that say
# only "Here it is", or a salutation and a signature, are not copies of each other.
MIN_SHINGLES = 20
# Fewest words a passage needs to be marked a copy of another ("also in"): "Dave," or "Thanks" repeats everywhere.
MIN_COPY_WORDS = 8
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    """A MinHash with the scheme fixed, so signatures stored in the archive stay comparable."""
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=hashvalues)


def signature(text: str) -> np.ndarray:
    """The MinHash of a document's word 5-grams; the empty signature (no copies, ever) when it has fewer than
    MIN_SHINGLES of them."""
    found = shingles(text)
    minhash = _minhash()
    if len(found) >= MIN_SHINGLES:
        minhash.update_batch([s.encode("utf-8") for s in found])
    return minhash.hashvalues.astype(np.uint64)


def has_substance(sig: np.ndarray) -> bool:
    """Whether a signature was made from enough text to find copies with (see `signature`)."""
    return bool(len(sig)) and not bool(np.all(sig == _EMPTY))


def substantial(text: str) -> bool:
    """Whether a passage is long enough to be marked a copy of another."""
    return len(words(text)) >= MIN_COPY_WORDS


def normalized_hash(text: str) -> str:
    """Equal for texts that differ only in case, punctuation and spacing."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


_EMPTY = _minhash().hashvalues.astype(np.uint64)


def overlapping_chunks(
    mine: Sequence[tuple[int, str]], theirs: Sequence[tuple[int, str]], min_overlap: float = 0.6
) -> list[tuple[int, int]]:
    """Pairs (my chunk, their chunk) where most of the shorter one's shingles appear in the longer one.

    Containment rather than Jaccard, so a paragraph matches the run-together block that holds it.
    """
    their_sets = [(cid, shingles(text)) for cid, text in theirs if substantial(text)]
    pairs = []
    for cid, text in mine:
        mine_set = shingles(text)
        if not mine_set or not substantial(text):
            continue
        for other_id, other_set in their_sets:
            if not other_set:
                continue
            overlap = len(mine_set & other_set) / min(len(mine_set), len(other_set))
            if overlap >= min_overlap:
                pairs.append((cid, other_id))
    return pairs


class CopyFinder:
    """An LSH index over document signatures, kept up to date through one writer session."""

    def __init__(self, signatures: Iterable[tuple[str, np.ndarray]], threshold: float):
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, np.ndarray] = {}
        for doc_id, sig in signatures:
            self.add(doc_id, sig)

    def add(self, doc_id: str, sig: np.ndarray) -> None:
        self.remove(doc_id)
        if not has_substance(sig):
            return
        self.signatures[doc_id] = sig
        self.lsh.insert(doc_id, _minhash(sig))

    def remove(self, doc_id: str) -> None:
        if doc_id in self.signatures:
            self.lsh.remove(doc_id)
            del self.signatures[doc_id]

    def find(self, doc_id: str, sig: np.ndarray) -> list[tuple[str, float]]:
        """Documents whose estimated similarity to this one reaches the threshold, most similar first."""
        if not has_substance(sig):
            return []
        candidates = self.lsh.query(_minhash(sig))
        scored = [(c, similarity(sig, self.signatures[c])) for c in candidates if c != doc_id]
        return sorted([(c, s) for c, s in scored if s >= self.threshold], key=lambda x: (-x[1], x[0]))
