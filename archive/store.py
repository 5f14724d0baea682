"""The document store: one SQLite file, the source of truth for documents, chunks and duplicate groups.

Indexes are derived from it and can always be rebuilt from it. Writes come from one writer at a time (the
write lock lives in indexer.build); any number of reader threads each get their own connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from archive.documents import Chunk, Document, StoredDocument
from archive.duplicates import normalized_hash
from archive.errors import NotFoundError
from archive.quotes import Quote, Registry

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT,
    url TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    minhash BLOB NOT NULL,
    group_id TEXT,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_origin ON documents(origin);
CREATE INDEX IF NOT EXISTS documents_group ON documents(group_id);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    norm_hash TEXT NOT NULL,
    embed_key TEXT,
    embedding BLOB
);
CREATE INDEX IF NOT EXISTS chunks_embed_key ON chunks(embed_key) WHERE embedding IS NOT NULL;
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, position);
CREATE INDEX IF NOT EXISTS chunks_norm ON chunks(norm_hash);
CREATE TABLE IF NOT EXISTS chunk_copies (
    chunk_id INTEGER NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    copy_id INTEGER NOT NULL REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    PRIMARY KEY (chunk_id, copy_id)
);
CREATE INDEX IF NOT EXISTS chunk_copies_copy ON chunk_copies(copy_id);
CREATE TABLE IF NOT EXISTS quotes (
    quote_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    chunk_id INTEGER REFERENCES chunks(chunk_id) ON DELETE CASCADE,
    paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    norm_hash TEXT NOT NULL,
    speaker TEXT,
    org TEXT,
    mention TEXT
);
CREATE INDEX IF NOT EXISTS quotes_doc ON quotes(doc_id);
CREATE INDEX IF NOT EXISTS quotes_chunk ON quotes(chunk_id);
CREATE INDEX IF NOT EXISTS quotes_speaker ON quotes(speaker);
CREATE INDEX IF NOT EXISTS quotes_speaker_hash ON quotes(speaker, norm_hash);
CREATE TABLE IF NOT EXISTS names (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    orgs TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk with the metadata of its document: what a search hit shows."""

    chunk_id: int
    doc_id: str
    position: int
    paragraph: int
    text: str
    context: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    speakers: str = ""
    orgs: str = ""


@dataclass
class StoredQuote:
    quote_id: int
    text: str
    speaker: str | None
    org: str | None
    kind: str
    doc_id: str
    chunk_id: int | None
    paragraph: int
    date: str | None
    mention: str | None
    sources: list[str]


@dataclass(frozen=True)
class StoreStats:
    documents: int
    chunks: int
    embedded: int
    sources: dict[str, int]
    groups: list[list[str]]
    first_date: str | None
    last_date: str | None


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db.executescript(SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a crash inside leaves the store as it was before."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str, db: sqlite3.Connection | None = None) -> None:
        (db or self.db).execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def version(self) -> int:
        """Grows with every change to documents or chunks; an index records the version it was built from."""
        return int(self.get_meta("version", "0") or 0)

    def _bump(self, db: sqlite3.Connection) -> None:
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        self.set_meta("version", str(int(row[0]) + 1 if row else 1), db)

    # -- documents --------------------------------------------------------------------------------------

    def find(self, doc_id: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT doc_id, origin, content_hash, group_id FROM documents WHERE doc_id = ?", (doc_id,)
        ).fetchone()

    def doc_id_for_origin(self, origin: str) -> str | None:
        row = self.db.execute("SELECT doc_id FROM documents WHERE origin = ? LIMIT 1", (origin,)).fetchone()
        return row[0] if row else None

    def put_document(
        self, doc: Document, chunks: list[Chunk], minhash: np.ndarray, norm_hashes: list[str],
        quotes: list[tuple[int, Quote]] = (), registry: Registry | None = None,
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
                " group_id, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, doc.origin, doc.title, doc.date, doc.source, doc.url, doc.text,
                 doc.content_hash, minhash.tobytes(), None, now),
            )
            ids = []
            for chunk, norm in zip(chunks, norm_hashes, strict=True):
                cur = db.execute(
                    "INSERT INTO chunks(doc_id, position, paragraph, text, context, n_tokens, norm_hash)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (doc.doc_id, chunk.position, chunk.paragraph, chunk.text, chunk.context,
                     chunk.n_tokens, norm),
                )
                ids.append(int(cur.lastrowid))
            for position, quote in quotes:
                db.execute(
                    "INSERT INTO quotes(doc_id, chunk_id, paragraph, kind, text, norm_hash, speaker, org, mention)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    (doc.doc_id, ids[position] if position is not None else None, quote.paragraph, quote.kind,
                     quote.text, normalized_hash(quote.text), quote.speaker, quote.org, quote.mention),
                )
            if registry is not None:
                self._save_registry(db, registry)
            if old and old["group_id"]:
                self._dissolve_if_alone(db, old["group_id"])
            self._bump(db)
        return ids

    # -- quotes and speakers ----------------------------------------------------------------------------

    def registry(self) -> Registry:
        registry = Registry()
        for row in self.db.execute("SELECT name, kind, roles, orgs FROM names ORDER BY rowid"):
            if row["kind"] == "org":
                registry.orgs.add(row["name"])
            else:
                registry.people[row["name"]] = {"roles": json.loads(row["roles"]), "orgs": json.loads(row["orgs"])}
        registry.dirty.clear()
        registry.quoted = {
            r[0] for r in self.db.execute("SELECT DISTINCT speaker FROM quotes WHERE speaker IS NOT NULL")
        }
        return registry

    @staticmethod
    def _save_registry(db: sqlite3.Connection, registry: Registry) -> None:
        """Names added or changed since the registry was last saved."""
        for name in sorted(registry.dirty):
            if name in registry.people:
                entry = registry.people[name]
                db.execute("INSERT OR REPLACE INTO names(name, kind, roles, orgs) VALUES (?, 'person', ?, ?)",
                           (name, json.dumps(entry["roles"]), json.dumps(entry["orgs"])))
            if name in registry.orgs:
                db.execute("INSERT OR IGNORE INTO names(name, kind) VALUES (?, 'org')", (name,))
        registry.dirty.clear()

    def quotes(self, speakers: list[str] | None = None, orgs: list[str] | None = None,
               doc_id: str | None = None, kind: str | None = None) -> list[StoredQuote]:
        """Quotes, one per distinct text and speaker, with every document that carries it, oldest first."""
        clauses, params = ["q.speaker IS NOT NULL"], []
        if speakers is not None:
            clauses.append(f"q.speaker IN ({','.join('?' * len(speakers))})")
            params.extend(speakers)
        if orgs is not None:
            clauses.append(f"(q.org IN ({','.join('?' * len(orgs))}) OR q.speaker IN ({','.join('?' * len(orgs))}))")
            params.extend(orgs + orgs)
        if doc_id is not None:
            clauses.append("q.doc_id = ?")
            params.append(doc_id)
        if kind is not None:
            clauses.append("q.kind = ?")
            params.append(kind)
        rows = self.db.execute(
            "SELECT q.quote_id, q.doc_id, q.chunk_id, q.paragraph, q.kind, q.text, q.norm_hash, q.speaker, q.org,"
            " q.mention, d.date FROM quotes q JOIN documents d ON d.doc_id = q.doc_id"
            f" WHERE {' AND '.join(clauses)} ORDER BY d.date IS NULL, d.date, q.doc_id, q.quote_id",
            params,
        ).fetchall()
        merged: dict[tuple, StoredQuote] = {}
        for r in rows:
            key = (r["norm_hash"], r["speaker"]) if doc_id is None else (r["quote_id"],)
            if key in merged:
                merged[key].sources.append(r["doc_id"])
            else:
                merged[key] = StoredQuote(r["quote_id"], r["text"], r["speaker"], r["org"], r["kind"], r["doc_id"],
                                          r["chunk_id"], r["paragraph"], r["date"], r["mention"], [r["doc_id"]])
        return list(merged.values())

    def speaker_counts(self) -> list[tuple[str, str, int]]:
        """(name, "person" or "org", number of distinct quotes) for everyone quoted."""
        kinds = {r[0]: r[1] for r in self.db.execute("SELECT name, kind FROM names")}
        rows = self.db.execute(
            "SELECT speaker, COUNT(DISTINCT norm_hash) FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker"
            " ORDER BY 2 DESC, 1"
        ).fetchall()
        return [(r[0], kinds.get(r[0], "person"), r[1]) for r in rows]

    def chunk_ids_quoting(self, speakers: list[str], orgs: list[str]) -> np.ndarray:
        names = list(speakers) + list(orgs)
        if not names:
            return np.zeros(0, dtype=np.int64)
        marks = ",".join("?" * len(names))
        rows = self.db.execute(
            f"SELECT DISTINCT chunk_id FROM quotes WHERE chunk_id IS NOT NULL AND (speaker IN ({marks})"
            f" OR org IN ({marks}))", names + names,
        ).fetchall()
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)

    def remove_document(self, doc_id: str) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT group_id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no document with id {doc_id!r}; `archive search` or /api/search shows ids")
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            if row["group_id"]:
                self._dissolve_if_alone(db, row["group_id"])
            self._bump(db)

    @staticmethod
    def _dissolve_if_alone(db: sqlite3.Connection, group_id: str) -> None:
        members = db.execute("SELECT doc_id FROM documents WHERE group_id = ?", (group_id,)).fetchall()
        if len(members) < 2:
            db.execute("UPDATE documents SET group_id = NULL WHERE group_id = ?", (group_id,))

    def signatures(self) -> Iterator[tuple[str, np.ndarray]]:
        for row in self.db.execute("SELECT doc_id, minhash FROM documents"):
            yield row[0], np.frombuffer(row[1], dtype=np.uint64)

    def join_group(self, doc_id: str, copies: list[str]) -> str:
        """Put a document in one group with its copies (merging their groups); returns the group id."""
        with self.transaction() as db:
            members = {doc_id, *copies}
            marks = ",".join("?" * len(members))
            for row in db.execute(f"SELECT group_id FROM documents WHERE doc_id IN ({marks})", tuple(members)):
                if row[0]:
                    members.update(
                        r[0] for r in db.execute("SELECT doc_id FROM documents WHERE group_id = ?", (row[0],))
                    )
            group_id = min(members)
            marks = ",".join("?" * len(members))
            db.execute(f"UPDATE documents SET group_id = ? WHERE doc_id IN ({marks})", (group_id, *members))
            self._bump(db)
        return group_id

    def group_members(self, doc_id: str) -> list[str]:
        row = self.db.execute("SELECT group_id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row or not row[0]:
            return []
        return [r[0] for r in self.db.execute(
            "SELECT doc_id FROM documents WHERE group_id = ? AND doc_id != ? ORDER BY doc_id", (row[0], doc_id)
        )]

    def add_chunk_copies(self, pairs: Iterable[tuple[int, int]]) -> None:
        with self.transaction() as db:
            for a, b in pairs:
                if a != b:
                    db.execute("INSERT OR IGNORE INTO chunk_copies VALUES (?, ?)", (a, b))
                    db.execute("INSERT OR IGNORE INTO chunk_copies VALUES (?, ?)", (b, a))

    def chunks_with_hash(self, norm_hashes: list[str], exclude_doc: str) -> list[tuple[int, str]]:
        if not norm_hashes:
            return []
        marks = ",".join("?" * len(norm_hashes))
        return [(r[0], r[1]) for r in self.db.execute(
            f"SELECT chunk_id, norm_hash FROM chunks WHERE norm_hash IN ({marks}) AND doc_id != ?",
            (*norm_hashes, exclude_doc),
        )]

    def chunk_texts(self, doc_id: str) -> list[tuple[int, str]]:
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT chunk_id, text FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,)
        )]

    def copies_of(self, chunk_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        """For each chunk, its copies as (chunk_id, doc_id) in other documents."""
        result: dict[int, list[tuple[int, str]]] = {cid: [] for cid in chunk_ids}
        if not chunk_ids:
            return result
        marks = ",".join("?" * len(chunk_ids))
        rows = self.db.execute(
            "SELECT cc.chunk_id, cc.copy_id, c.doc_id, c.position FROM chunk_copies cc"
            f" CROSS JOIN chunks c ON c.chunk_id = cc.copy_id WHERE cc.chunk_id IN ({marks})",
            tuple(chunk_ids),
        ).fetchall()
        for row in sorted(rows, key=lambda r: (r[2], r[3])):
            result[row[0]].append((row[1], row[2]))
        return result

    # -- embeddings -------------------------------------------------------------------------------------

    def prepare_embeddings(self, model_key: str) -> None:
        """Drop stored embeddings made by another model, so none is ever mixed with this one's."""
        if self.get_meta("embedding_model") != model_key:
            with self.transaction() as db:
                db.execute("UPDATE chunks SET embedding = NULL, embed_key = NULL")
                self.set_meta("embedding_model", model_key, db)

    def chunks_without_embedding(self) -> list[ChunkRecord]:
        return self._chunk_records("WHERE c.embedding IS NULL ORDER BY c.chunk_id")

    def set_embeddings(self, chunk_ids: list[int], keys: list[str], vectors: np.ndarray) -> None:
        with self.transaction() as db:
            db.executemany(
                "UPDATE chunks SET embedding = ?, embed_key = ? WHERE chunk_id = ?",
                [(vectors[i].astype(np.float32).tobytes(), keys[i], cid) for i, cid in enumerate(chunk_ids)],
            )

    def cached_embeddings(self, keys: list[str]) -> dict[str, bytes]:
        """Stored vectors of chunks whose embedded text (title, context, text) had these keys."""
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self.db.execute(
                f"SELECT embed_key, embedding FROM chunks WHERE embedding IS NOT NULL AND embed_key IN ({marks})",
                part,
            ):
                found[key] = blob
        return found

    def iter_index_rows(self, batch: int = 5000) -> Iterator[tuple[ChunkRecord, bytes | None]]:
        """Every chunk with its document's metadata and stored embedding, in chunk id order."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT c.chunk_id, c.doc_id, c.position, c.paragraph, c.text, c.context, d.title, d.date,"
                " d.source, d.url,"
                " (SELECT group_concat(DISTINCT q.speaker) FROM quotes q WHERE q.chunk_id = c.chunk_id),"
                " (SELECT group_concat(DISTINCT q.org) FROM quotes q WHERE q.chunk_id = c.chunk_id),"
                " c.embedding FROM chunks c JOIN documents d ON d.doc_id = c.doc_id"
                " WHERE c.chunk_id > ? ORDER BY c.chunk_id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                values = list(tuple(row)[:12])
                values[10], values[11] = values[10] or "", values[11] or ""
                yield ChunkRecord(*values), row[12]
            last = rows[-1][0]

    # -- reading ----------------------------------------------------------------------------------------

    def _chunk_records(self, where: str, params: tuple = ()) -> list[ChunkRecord]:
        return [ChunkRecord(*tuple(r)) for r in self.db.execute(
            "SELECT c.chunk_id, c.doc_id, c.position, c.paragraph, c.text, c.context, d.title, d.date, d.source,"
            f" d.url FROM chunks c JOIN documents d ON d.doc_id = c.doc_id {where}",
            params,
        )]

    def chunks_by_id(self, chunk_ids: list[int]) -> dict[int, ChunkRecord]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        return {r.chunk_id: r for r in self._chunk_records(f"WHERE c.chunk_id IN ({marks})", tuple(chunk_ids))}

    def chunk_ids_matching(self, source: str | None, date_from: str | None, date_to: str | None) -> np.ndarray:
        clauses, params = [], []
        if source:
            clauses.append("d.source = ?")
            params.append(source)
        if date_from:
            clauses.append("d.date >= ?")
            params.append(date_from)
        if date_to:
            clauses.append("d.date <= ?")
            params.append(date_to)
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(
            f"SELECT c.chunk_id FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def document(self, doc_id: str) -> StoredDocument:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id!r}")
        chunks = tuple(
            Chunk(r.doc_id, r.position, r.paragraph, r.text, r.context, r.title, 0, r.chunk_id)
            for r in self._chunk_records("WHERE c.doc_id = ? ORDER BY c.position", (doc_id,))
        )
        return StoredDocument(
            doc_id=row["doc_id"], origin=row["origin"], title=row["title"], date=row["date"],
            source=row["source"], url=row["url"], paragraphs=tuple(row["text"].split("\n\n")),
            content_hash=row["content_hash"], group_id=row["group_id"], ingested_at=row["ingested_at"],
            duplicates=tuple(self.group_members(doc_id)), chunks=chunks,
        )

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM documents ORDER BY doc_id")]

    def sources(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT source FROM documents WHERE source IS NOT NULL ORDER BY source")]

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def chunk_count(self) -> int:
        """Chunks in the store, from an index (stats() scans every row, seconds at a million chunks)."""
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def stats(self) -> StoreStats:
        db = self.db
        documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks, embedded = db.execute("SELECT COUNT(*), COUNT(embedding) FROM chunks").fetchone()
        sources = {r[0]: r[1] for r in db.execute(
            "SELECT source, COUNT(*) FROM documents WHERE source IS NOT NULL GROUP BY source ORDER BY 2 DESC"
        )}
        groups: dict[str, list[str]] = {}
        for r in db.execute("SELECT group_id, doc_id FROM documents WHERE group_id IS NOT NULL ORDER BY doc_id"):
            groups.setdefault(r[0], []).append(r[1])
        first, last = db.execute("SELECT MIN(date), MAX(date) FROM documents").fetchone()
        return StoreStats(documents, chunks, embedded, sources, sorted(groups.values()), first, last)
