"""Chunks in the store as the indexes and search read them, and their stored embeddings."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from archive.documents import ChunkRecord
from archive.store.base import StoreBase, marks
from archive.store.quotes import QUOTE_ORG as _ORG

_CHUNK_COLUMNS = "c.chunk_id, c.doc_id, c.position, c.paragraph, c.text, c.context, d.title, d.date, d.source, d.url"


class ChunksMixin(StoreBase):
    def _chunk_records(self, where: str, params: tuple = ()) -> list[ChunkRecord]:
        return [
            ChunkRecord(*tuple(r))
            for r in self.db.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.doc_id = c.doc_id {where}", params
            )
        ]

    def chunk_count(self) -> int:
        """Chunks in the store, from an index (stats() scans every row, seconds at a million chunks)."""
        return int(self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def chunks_by_id(self, chunk_ids: list[int]) -> dict[int, ChunkRecord]:
        if not chunk_ids:
            return {}
        return {
            r.chunk_id: r
            for r in self._chunk_records(f"WHERE c.chunk_id IN ({marks(len(chunk_ids))})", tuple(chunk_ids))
        }

    def paragraph_pages(self, chunk_ids: list[int]) -> dict[int, int]:
        """The page each chunk's paragraph was on, for chunks of documents that kept pages (PDFs)."""
        if not chunk_ids:
            return {}
        rows = self.db.execute(
            "SELECT c.chunk_id, json_extract(d.meta, '$.pages[' || c.paragraph || ']') FROM chunks c"
            f" JOIN documents d ON d.doc_id = c.doc_id WHERE c.chunk_id IN ({marks(len(chunk_ids))})",
            tuple(chunk_ids),
        ).fetchall()
        return {r[0]: r[1] for r in rows if r[1] is not None}

    def chunk_documents(self, chunk_ids: list[int]) -> dict[int, str]:
        """The document of each chunk."""
        found: dict[int, str] = {}
        for start in range(0, len(chunk_ids), 900):
            part = chunk_ids[start : start + 900]
            for cid, doc_id in self.db.execute(
                f"SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({marks(len(part))})", part
            ):
                found[cid] = doc_id
        return found

    def chunk_ids_of(self, doc_ids: list[str]) -> np.ndarray:
        """Every chunk of these documents, ascending."""
        ids: list[int] = []
        for start in range(0, len(doc_ids), 900):
            part = doc_ids[start : start + 900]
            ids.extend(
                r[0] for r in self.db.execute(f"SELECT chunk_id FROM chunks WHERE doc_id IN ({marks(len(part))})", part)
            )
        return np.array(sorted(ids), dtype=np.int64)

    def chunk_texts(self, doc_id: str) -> list[tuple[int, str]]:
        return [
            (r[0], r[1])
            for r in self.db.execute("SELECT chunk_id, text FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,))
        ]

    def iter_index_rows(self, batch: int = 5000) -> Iterator[tuple[ChunkRecord, bytes | None]]:
        """Every chunk with its document's metadata, speakers and stored embedding, in chunk id order."""
        last = -1
        while True:
            rows = self.db.execute(
                f"SELECT {_CHUNK_COLUMNS},"
                " (SELECT group_concat(DISTINCT q.speaker) FROM quotes q WHERE q.chunk_id = c.chunk_id),"
                f" (SELECT group_concat(DISTINCT {_ORG}) FROM quotes q LEFT JOIN speaker_kinds k"
                " ON k.doc_id = q.doc_id AND k.written = q.speaker WHERE q.chunk_id = c.chunk_id),"
                " d.meta, c.embedding FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
                " WHERE c.chunk_id > ? ORDER BY c.chunk_id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                values = list(tuple(row)[:13])
                values[10], values[11], values[12] = values[10] or "", values[11] or "", values[12] or ""
                yield ChunkRecord(*values), row[13]
            last = rows[-1][0]

    def prepare_embeddings(self, model_key: str) -> None:
        """Drop stored embeddings made by another model, so none is ever mixed with this one's."""
        if self.get_meta("embedding_model") != model_key:
            with self.transaction() as db:
                db.execute("UPDATE chunks SET embedding = NULL, embed_key = NULL")
                self.set_meta("embedding_model", model_key)

    def paragraph_continuations(self, chunk_ids: list[int]) -> set[int]:
        """The chunks that continue the paragraph of the chunk before them (a long paragraph split for length)."""
        found: set[int] = set()
        for start in range(0, len(chunk_ids), 900):
            part = chunk_ids[start : start + 900]
            found.update(
                cid
                for (cid,) in self.db.execute(
                    "SELECT c.chunk_id FROM chunks c JOIN chunks p ON p.doc_id = c.doc_id"
                    " AND p.position = c.position - 1 AND p.paragraph = c.paragraph"
                    f" WHERE c.chunk_id IN ({marks(len(part))})",
                    part,
                )
            )
        return found

    def chunks_without_embedding(self) -> list[ChunkRecord]:
        return self._chunk_records("WHERE c.embedding IS NULL ORDER BY c.chunk_id")

    def set_embeddings(self, chunk_ids: list[int], keys: list[str], vectors: np.ndarray) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE chunks SET embedding = ?, embed_key = ? WHERE chunk_id = ?",
                [(vectors[i].astype(np.float32).tobytes(), keys[i], cid) for i, cid in enumerate(chunk_ids)],
            )

    def cached_embeddings(self, keys: list[str]) -> dict[str, bytes]:
        """Stored vectors of chunks whose embedded text had these keys."""
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            for key, blob in self.db.execute(
                "SELECT embed_key, embedding FROM chunks WHERE embedding IS NOT NULL"
                f" AND embed_key IN ({marks(len(part))})",
                part,
            ):
                found[key] = blob
        return found
