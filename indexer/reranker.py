"""An optional second stage: a local cross-encoder re-reads the first passages of a ranking with the query.

Off by default (no cross-encoder installs from PyPI, and nothing here downloads one). `ARCHIVE_RERANKER` names a
local sentence-transformers CrossEncoder folder (for example a copy of cross-encoder/ms-marco-MiniLM-L6-v2); the
indexes do not depend on it, so it can be switched on, changed or removed without a rebuild.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archive.errors import ArchiveError
from indexer.embedder import CPU_BATCH


class Reranker:
    """Scores (query, passage) pairs with a cross-encoder loaded once from a local folder."""

    def __init__(self, path: str):
        folder = Path(path).expanduser()
        if not (folder / "config.json").is_file():
            raise ArchiveError(
                f"reranker {path!r} is not a local cross-encoder folder (no config.json there). Set ARCHIVE_RERANKER "
                "to the path of a sentence-transformers CrossEncoder folder, or to an empty value to rank without "
                "one; nothing is downloaded."
            )
        self.path = folder.resolve()
        self.name = self.path.name
        self._model = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> Reranker | None:
        return cls(settings.reranker) if settings.reranker else None

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    from sentence_transformers import CrossEncoder

                    try:
                        model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
                    except (OSError, ValueError) as exc:
                        raise ArchiveError(f"the reranker at {self.path} could not be loaded: {exc}") from exc
                    if model.num_labels != 1:
                        raise ArchiveError(
                            f"the reranker at {self.path} gives {model.num_labels} labels per pair; a relevance "
                            "cross-encoder gives one score"
                        )
                    self._model = model
        return self._model

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance score per passage, higher is better (the model's own scale, squashed to 0..1)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, passage) for passage in passages]
        found = self.model.predict(pairs, batch_size=CPU_BATCH, show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(found, dtype=np.float32).reshape(-1)


def reranked(fused: list, scores: np.ndarray) -> list:
    """A ranking whose head (the first len(scores) items) is reordered by the reranker's scores, each carrying its
    score and a `rerank` place; the rest keep their order with scores scaled below the head's lowest, so scores
    still fall down the pages. Items are (chunk id, score, ranks, copies); ties keep the first ranking's order."""
    head, tail = fused[: len(scores)], fused[len(scores) :]
    if not head:
        return fused
    order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), i))
    result = []
    for place, i in enumerate(order, start=1):
        cid, _, ranks, *rest = head[i]
        result.append((cid, float(scores[i]), {**ranks, "rerank": place}, *rest))
    lowest = float(scores.min())
    values = [float(item[1]) for item in tail]
    low, span = (min(values), (max(values) - min(values)) or 1.0) if values else (0.0, 1.0)
    for cid, score, ranks, *rest in tail:
        # mapped into [lowest - 1, lowest): below every reranked item, in the tail's own order
        result.append((cid, lowest - 1.0 + 0.999 * (float(score) - low) / span, ranks, *rest))
    return result
