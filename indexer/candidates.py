"""What flows between the search stages: candidates (a passage with its score and its place in each list) and the
store reads of one search, each row read at most once however many stages need it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace

from archive.documents import ChunkRecord
from archive.store import Store


@dataclass(slots=True)
class Candidate:
    """A passage in a ranking: its score and its rank in each list that has it (`keyword`, `semantic`, `quotes`,
    `rerank`). Treated as a value (stages `replace` it, never assign to it); not frozen, as a search makes hundreds
    and frozen ones build slower."""

    chunk_id: int
    score: float
    ranks: dict[str, int | None]


def placed_below(rest: list[Candidate], floor: float, anchor: float) -> list[Candidate]:
    """Candidates that follow a ranking's head, in their own order, scored under the head's lowest score `floor`:
    each `floor` less its distance below `anchor` (the head's last score before any reordering). That depends on
    the head alone, so a candidate scores the same however deep the search, and scores never rise down the list."""
    return [replace(item, score=floor - 1e-6 - max(0.0, anchor - item.score)) for item in rest]


def below(head: list[Candidate], rest: list[Candidate]) -> list[Candidate]:
    """`rest` after `head`, in its own order, scored under the head's lowest."""
    floor = min((item.score for item in head), default=0.0)
    return placed_below(rest, floor, floor) if head else rest


class Reads:
    """The store rows one search reads: chunks, the document of each chunk, document rows. Each asks the store
    only for what it has not read yet, in one batch."""

    def __init__(self, store: Store):
        self.store = store
        self._records: dict[int, ChunkRecord] = {}
        self._documents_of: dict[int, str] = {}
        self._rows: dict[str, sqlite3.Row] = {}

    def records(self, chunk_ids: list[int]) -> dict[int, ChunkRecord]:
        missing = [cid for cid in dict.fromkeys(chunk_ids) if cid not in self._records]
        if missing:
            self._records.update(self.store.chunks_by_id(missing))
        return {cid: self._records[cid] for cid in chunk_ids if cid in self._records}

    def documents_of(self, chunk_ids: list[int]) -> dict[int, str]:
        missing = [cid for cid in dict.fromkeys(chunk_ids) if cid not in self._documents_of]
        if missing:
            known = {cid: self._records[cid].doc_id for cid in missing if cid in self._records}
            rest = [cid for cid in missing if cid not in known]
            self._documents_of.update(known)
            self._documents_of.update(self.store.chunk_documents(rest) if rest else {})
        return {cid: self._documents_of[cid] for cid in chunk_ids if cid in self._documents_of}

    def rows(self, doc_ids: list[str]) -> dict[str, sqlite3.Row]:
        missing = [doc_id for doc_id in dict.fromkeys(doc_ids) if doc_id not in self._rows]
        if missing:
            self._rows.update(self.store.documents_meta(missing))
        return {doc_id: self._rows[doc_id] for doc_id in doc_ids if doc_id in self._rows}
