"""The store's connection: one SQLite file, one connection per thread, all-or-nothing transactions, meta values."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.documents import ChunkRecord
    from archive.quotes import Registry


def marks(count: int) -> str:
    """The `?, ?, ?` of an `IN (...)` clause for `count` values."""
    return ",".join("?" * count)


def schema() -> str:
    return resources.files("archive").joinpath("schema.sql").read_text(encoding="utf-8")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


# Schema changes since the first stores, in order: each a named function, recorded in `_migrations` once applied
# (sqlite-utils' `migrations` is the model), so an old archive upgrades step by step. `schema.sql` creates a new
# store at the latest shape, so each step checks before it changes anything.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(step: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append((step.__name__, step))
    return step


@migration
def m001_documents_meta(db: sqlite3.Connection) -> None:
    """Documents keep their metadata (topics, places, a mail's headers) as JSON."""
    if "meta" not in _columns(db, "documents"):
        db.execute("ALTER TABLE documents ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")


@migration
def m002_quote_evidence_and_method(db: sqlite3.Connection) -> None:
    """Quotes keep how their speaker was named (`evidence`) and the rule that attributed them (`method`)."""
    for column in ("evidence", "method"):
        if column not in _columns(db, "quotes"):
            db.execute(f"ALTER TABLE quotes ADD COLUMN {column} TEXT")


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations this store has not had, each recorded with its time; returns their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    done = []
    for name, step in MIGRATIONS:
        if name in applied:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute(
                "INSERT INTO _migrations(name, applied_at) VALUES (?, ?)",
                (name, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        done.append(name)
    return done


class StoreBase:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db.executescript(schema())
        self._upgrade()

    def _upgrade(self) -> None:
        """Bring an older store to this version's schema (`MIGRATIONS`)."""
        migrate(self.db)

    def migrations(self) -> list[str]:
        """The migrations this store has had, in the order they were applied."""
        return [row[0] for row in self.db.execute("SELECT name FROM _migrations ORDER BY rowid")]

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
            self._local.depth = 0
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a crash inside leaves the store as it was before. Nested calls join the outer one
        (as a savepoint), so a document and everything derived from it commit together."""
        db = self.db
        depth = self._local.depth
        db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT s{depth}")
        self._local.depth = depth + 1
        try:
            yield db
        except BaseException:
            self._local.depth = depth
            db.execute("ROLLBACK" if depth == 0 else f"ROLLBACK TO s{depth}")
            if depth:
                db.execute(f"RELEASE s{depth}")
            raise
        self._local.depth = depth
        db.execute("COMMIT" if depth == 0 else f"RELEASE s{depth}")

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def version(self) -> int:
        """Grows with every change to documents or chunks; an index records the version it was built from."""
        return int(self.get_meta("version", "0") or 0)

    def _bump(self) -> None:
        self.set_meta("version", str(self.version() + 1))

    # Each part of the store uses a few methods of the others; they are declared here, defined there.
    def _chunk_records(self, where: str, params: tuple = ()) -> list[ChunkRecord]:
        raise NotImplementedError

    def _insert_quotes(self, doc_id: str, chunk_ids: list[int], quotes: list[Any]) -> None:
        raise NotImplementedError

    def _save_registry(self, registry: Registry) -> None:
        raise NotImplementedError

    def _dissolve_if_alone(self, group_id: str) -> None:
        raise NotImplementedError

    def group_members(self, doc_id: str) -> list[str]:
        raise NotImplementedError
