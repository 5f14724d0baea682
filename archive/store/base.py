"""The store's connection: one SQLite file, one connection per thread, all-or-nothing transactions, meta values."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


class StoreBase:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db.executescript(schema())
        self._upgrade()

    def _upgrade(self) -> None:
        """Columns added since a store was created."""
        if "meta" not in {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}:
            self.db.execute("ALTER TABLE documents ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")
        quote_columns = {r[1] for r in self.db.execute("PRAGMA table_info(quotes)")}
        for column in ("evidence", "method"):
            if column not in quote_columns:
                self.db.execute(f"ALTER TABLE quotes ADD COLUMN {column} TEXT")

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
