"""An optional second stage: a local cross-encoder re-reads the first passages of a ranking with the query.

Off by default (no cross-encoder installs from PyPI, and nothing here downloads one). `ARCHIVE_RERANKER` names a
local sentence-transformers CrossEncoder folder (for example a copy of cross-encoder/ms-marco-MiniLM-L6-v2); the
indexes do not depend on it, so it can be switched on, changed or removed without a rebuild.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from archive.errors import ArchiveError
from indexer.candidates import Candidate, placed_below
from indexer.embedder import CPU_BATCH, resolve_precision

_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model", "vocab.json")


class Reranker:
    """Scores (query, passage) pairs with a cross-encoder loaded once from a local folder."""

    def __init__(self, path: str, precision: str = "auto"):
        """`precision` as the embedder's (`ARCHIVE_PRECISION`): bfloat16 where the processor has it natively (about
        twice as fast: 30 passages in 222 ms instead of 409 on this 2-core machine, scores within 1e-4)."""
        self.precision = resolve_precision(precision)
        folder = Path(path).expanduser()
        self.path = folder.resolve()
        _check_folder(folder, path)
        self._model = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> Reranker | None:
        return cls(settings.reranker, settings.precision) if settings.reranker else None

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import transformers
        from sentence_transformers import CrossEncoder

        transformers.logging.disable_progress_bar()

        try:
            model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # corrupt weights, a size mismatch, a missing file: say which folder and why
            raise ArchiveError(f"the reranker at {self.path} could not be loaded: {exc}") from exc
        if self.precision == "bfloat16":
            import torch

            model = model.to(torch.bfloat16)
        if model.num_labels != 1:
            raise ArchiveError(
                f"the reranker at {self.path} gives {model.num_labels} labels per pair; a relevance cross-encoder "
                "gives one score"
            )
        return model

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """One relevance score per passage, higher is better, on the model's own scale (a probability for a model
        that applies a sigmoid, the default; raw logits for one configured without)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        pairs = [(query, passage) for passage in passages]
        found = self.model.predict(pairs, batch_size=CPU_BATCH, show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(found, dtype=np.float32).reshape(-1)


def _check_folder(folder: Path, given: str) -> None:
    """A cross-encoder folder: a sequence-classification model with its tokenizer (an embedding model's folder,
    loaded as a cross-encoder, would score with an untrained head)."""
    what_to_do = (
        "Set ARCHIVE_RERANKER to the path of a local cross-encoder folder (a sentence-transformers CrossEncoder or a "
        "transformers sequence-classification model with its tokenizer), or to an empty value to rank without one; "
        "nothing is downloaded."
    )
    config = folder / "config.json"
    if not config.is_file():
        raise ArchiveError(
            f"reranker {given!r} is not a local cross-encoder folder (no config.json there). {what_to_do}"
        )
    try:
        architectures = json.loads(config.read_text()).get("architectures") or []
    except (ValueError, AttributeError) as exc:
        raise ArchiveError(f"reranker {given!r}: its config.json is not readable JSON ({exc}). {what_to_do}") from exc
    if not any(str(name).endswith("ForSequenceClassification") for name in architectures):
        kind = ", ".join(map(str, architectures)) or "no architecture"
        raise ArchiveError(
            f"reranker {given!r} is not a cross-encoder ({kind}; an embedding model is not one). {what_to_do}"
        )
    if not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        raise ArchiveError(f"reranker {given!r} has no tokenizer files ({', '.join(_TOKENIZER_FILES)}). {what_to_do}")


def reranked(fused: list[Candidate], scores: np.ndarray) -> list[Candidate]:
    """A ranking whose head (the first len(scores) candidates) is reordered by the reranker's scores, each carrying
    its score and a `rerank` place; the rest keep their order below (`placed_below`), so a hit scores the same on
    every page and in an export. Ties keep the first ranking's order."""
    head, tail = fused[: len(scores)], fused[len(scores) :]
    if not head:
        return fused
    order = sorted(range(len(head)), key=lambda i: (-float(scores[i]), i))
    result = [
        replace(head[i], score=float(scores[i]), ranks={**head[i].ranks, "rerank": place})
        for place, i in enumerate(order, start=1)
    ]
    return result + placed_below(tail, float(scores.min()), float(head[-1].score))
