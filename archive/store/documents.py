"""Documents in the store: put one with its chunks and quotes, read it back, remove some, count them."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np

from archive.documents import Chunk, Document, StoredDocument, StoreStats
from archive.errors import NotFoundError
from archive.store.base import StoreBase, marks

if TYPE_CHECKING:
    from archive.quotes import Quote, Registry


def source_date_sql(
    source: str | None, date_from: str | None, date_to: str | None
) -> tuple[list[str], list[str | int]]:
    """The one SQL rendering of a source and date filter over `documents d`: AND-ed clauses and their parameters
    (the source ignores case; dates are inclusive ISO dates)."""
    clauses: list[str] = []
    params: list[str | int] = []
    if source:
        clauses.append("lower(d.source) = lower(?)")
        params.append(source)
    if date_from:
        clauses.append("d.date >= ?")
        params.append(date_from)
    if date_to:
        clauses.append("d.date <= ?")
        params.append(date_to)
    return clauses, params


class DocumentsMixin(StoreBase):
    def find(self, doc_id: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT doc_id, origin, content_hash, group_id FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()

    def doc_id_for_origin(self, origin: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents WHERE origin = ? LIMIT 1", (origin,)).fetchone()
        return row[0] if row else None

    def doc_id_for_content(self, content_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT doc_id FROM documents WHERE content_hash = ? ORDER BY doc_id LIMIT 1", (content_hash,)
        ).fetchone()
        return row[0] if row else None

    def put_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        minhash: np.ndarray,
        norm_hashes: list[str],
        quotes: list[tuple[int | None, Quote]] | None = None,
        registry: Registry | None = None,
    ) -> list[int]:
        """Insert or replace a document with its chunks and quotes (each quote with the position of its chunk)
        in one transaction; returns the new chunk ids."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction() as db:
            old = db.execute("SELECT group_id FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc.doc_id,))
            db.execute(
                "INSERT INTO documents(doc_id, origin, title, date, source, url, text, content_hash, minhash,"
                " group_id, ingested_at, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id,
                    doc.origin,
                    doc.title,
                    doc.date,
                    doc.source,
                    doc.url,
                    doc.text,
                    doc.content_hash,
                    minhash.tobytes(),
                    None,
                    now,
                    json.dumps(doc.meta, ensure_ascii=False),
                ),
            )
            ids = []
            for chunk, norm in zip(chunks, norm_hashes, strict=True):
                cur = db.execute(
                    "INSERT INTO chunks(doc_id, position, paragraph, text, context, n_tokens, norm_hash)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (doc.doc_id, chunk.position, chunk.paragraph, chunk.text, chunk.context, chunk.n_tokens, norm),
                )
                ids.append(int(cur.lastrowid or 0))
            self._insert_quotes(doc.doc_id, ids, quotes or [])
            if registry is not None:
                self._save_registry(registry)
            if old and old["group_id"]:
                self._dissolve_if_alone(old["group_id"])
            self._bump()
        return ids

    def remove_documents(self, doc_ids: list[str]) -> None:
        """Remove all of them or none: an unknown id raises NotFoundError naming every unknown one."""
        missing = [doc_id for doc_id in doc_ids if self.find(doc_id) is None]
        if missing:
            listed = ", ".join(repr(doc_id) for doc_id in missing)
            raise NotFoundError(
                f"no document with id {listed}; nothing was removed (`archive search` or /api/search shows ids)"
            )
        with self.transaction() as db:
            for doc_id in doc_ids:
                row = db.execute("SELECT group_id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                if row is None:
                    continue
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
                if row["group_id"]:
                    self._dissolve_if_alone(row["group_id"])
            self._bump()

    def document(self, doc_id: str) -> StoredDocument:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id!r}")
        chunks = tuple(
            Chunk(r.doc_id, r.position, r.paragraph, r.text, r.context, r.title, 0, r.chunk_id)
            for r in self._chunk_records("WHERE c.doc_id = ? ORDER BY c.position", (doc_id,))
        )
        document = Document(
            doc_id=row["doc_id"],
            origin=row["origin"],
            title=row["title"],
            date=row["date"],
            source=row["source"],
            url=row["url"],
            paragraphs=tuple(row["text"].split("\n\n")),
            content_hash=row["content_hash"],
            meta=json.loads(row["meta"] or "{}"),
        )
        return StoredDocument(document, row["group_id"], row["ingested_at"], tuple(self.group_members(doc_id)), chunks)

    def document_stamps(self) -> dict[str, str]:
        """doc_id -> a stamp that changes whenever the document is stored again or its meta changes (a thread id
        set when its parent arrives, within the same second), for incremental indexing."""
        return {
            r[0]: f"{r[1]}|{r[2]}|{hashlib.sha1(r[3].encode('utf-8')).hexdigest()[:12]}"
            for r in self.db.execute("SELECT doc_id, content_hash, ingested_at, meta FROM documents")
        }

    def document_rows(self, doc_ids: list[str]) -> Iterator[sqlite3.Row]:
        """doc_id, title, text, source, date and meta of these documents, with their quoted speakers."""
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            yield from self.db.execute(
                "SELECT d.doc_id, d.title, d.text, d.source, d.date, d.meta,"
                " (SELECT group_concat(DISTINCT q.speaker) FROM quotes q WHERE q.doc_id = d.doc_id) AS speakers"
                f" FROM documents d WHERE d.doc_id IN ({marks(len(part))})",
                part,
            )

    def documents_meta(self, doc_ids: list[str]) -> dict[str, sqlite3.Row]:
        """doc_id, title, source, date, url, meta and quoted speakers of these documents (for result lists)."""
        found: dict[str, sqlite3.Row] = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            for row in self.db.execute(
                "SELECT d.doc_id, d.title, d.source, d.date, d.url, d.meta, d.group_id,"
                " (SELECT group_concat(DISTINCT q.speaker) FROM quotes q WHERE q.doc_id = d.doc_id) AS speakers"
                f" FROM documents d WHERE d.doc_id IN ({marks(len(part))})",
                part,
            ):
                found[row["doc_id"]] = row
        return found

    def list_documents(
        self,
        source: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        meta: tuple[tuple[str, str], ...] = (),
        sort: str = "date",
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[sqlite3.Row], int]:
        """A page of documents passing the filters (a meta filter matches a value or a member of a list), and
        how many pass them in all."""
        clauses, params = source_date_sql(source, date_from, date_to)
        clauses = clauses or ["1"]
        for name, value in meta:
            clauses.append(
                "(json_extract(d.meta, ?) = ? OR EXISTS (SELECT 1 FROM json_each(d.meta, ?) WHERE value = ?))"
            )
            path = f'$."{name}"'
            params.extend([path, value, path, value])
        where = " AND ".join(clauses)
        order = {
            "date": "d.date IS NULL, d.date, d.doc_id",
            "-date": "d.date IS NULL, d.date DESC, d.doc_id",
            "title": "d.title, d.doc_id",
            "id": "d.doc_id",
        }[sort]
        total = self.db.execute(f"SELECT COUNT(*) FROM documents d WHERE {where}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT d.doc_id, d.title, d.source, d.date, d.url, d.meta FROM documents d WHERE {where}"
            f" ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return rows, int(total)

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents ORDER BY doc_id")]

    def source_counts(self) -> dict[str, int]:
        return {
            r[0]: r[1]
            for r in self.db.execute("SELECT source, COUNT(*) FROM documents WHERE source IS NOT NULL GROUP BY source")
        }

    def document_span(self) -> tuple[int, str | None, str | None]:
        """How many documents there are, and the first and last date among them."""
        count, first, last = self.db.execute("SELECT COUNT(*), MIN(date), MAX(date) FROM documents").fetchone()
        return int(count), first, last

    def sources(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute("SELECT DISTINCT source FROM documents WHERE source IS NOT NULL ORDER BY source")
        ]

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def chunk_ids_matching(
        self, source: str | None, date_from: str | None, date_to: str | None, among: list[int] | None = None
    ) -> np.ndarray:
        """Ids of the chunks whose document passes the filters (for the semantic list's allowed set); `among`
        limits the answer to those chunks (looked up by id: a broad filter costs no more than a narrow one)."""
        clauses: list[str] = []
        params: list[str | int] = []
        if among is not None:
            clauses.append(f"c.chunk_id IN ({marks(len(among))})")
            params.extend(among)
        more, more_params = source_date_sql(source, date_from, date_to)
        clauses, params = clauses + more, params + more_params
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(
            f"SELECT c.chunk_id FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def stats(self) -> StoreStats:
        db = self.db
        documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks, embedded = db.execute("SELECT COUNT(*), COUNT(embedding) FROM chunks").fetchone()
        sources = {
            r[0]: r[1]
            for r in db.execute(
                "SELECT source, COUNT(*) FROM documents WHERE source IS NOT NULL GROUP BY source ORDER BY 2 DESC"
            )
        }
        groups: dict[str, list[str]] = {}
        for r in db.execute("SELECT group_id, doc_id FROM documents WHERE group_id IS NOT NULL ORDER BY doc_id"):
            groups.setdefault(r[0], []).append(r[1])
        first, last = db.execute("SELECT MIN(date), MAX(date) FROM documents").fetchone()
        return StoreStats(documents, chunks, embedded, sources, sorted(groups.values()), first, last)
