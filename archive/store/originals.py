"""The bytes each document was read from, kept content-addressed: `DATA_DIR/originals/ab/abcdef…` named by the
SHA-256 of the bytes, so identical bytes (the same attachment in forty messages) are kept once. The `originals`
table says which document came from which bytes, with the media type and a safe download name.
`ARCHIVE_KEEP_ORIGINALS=0` keeps none (documents then have no original to download)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.documents import Original
from archive.errors import NotFoundError

if TYPE_CHECKING:
    from archive.settings import Settings
    from archive.store import Store

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredOriginal:
    path: Path
    size: int
    media_type: str
    name: str
    sha256: str


def originals_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "originals"


def safe_name(name: str, fallback: str = "original") -> str:
    """A download name without folders, quotes or control characters: letters, digits, `.`, `_`, `-`."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"-*\.{2,}-*", "-", _UNSAFE.sub("-", base)).strip(".-")[:120]
    return cleaned or fallback


def keep_original(store: Store, settings: Settings, doc_id: str, original: Original | None) -> None:
    """Keep the bytes a document was read from (once per distinct bytes), if the settings say so."""
    if original is None or not settings.keep_originals:
        return
    digest = hashlib.sha256(original.data).hexdigest()
    path = originals_dir(settings) / digest[:2] / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(original.data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    store.db.execute(
        "INSERT OR REPLACE INTO originals(doc_id, sha256, size, media_type, name) VALUES (?,?,?,?,?)",
        (doc_id, digest, len(original.data), original.media_type, safe_name(original.name)),
    )


def original_of(store: Store, settings: Settings, doc_id: str) -> StoredOriginal:
    if store.find(doc_id) is None:
        store.document(doc_id)  # raises NotFoundError naming the id
    row = store.db.execute(
        "SELECT sha256, size, media_type, name FROM originals WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(
            f"the original of {doc_id!r} was not kept (ingested before originals were kept, with "
            "ARCHIVE_KEEP_ORIGINALS=0, or a record of a JSON file): ingest its file again to keep it"
        )
    path = originals_dir(settings) / row["sha256"][:2] / row["sha256"]
    if not path.is_file():
        raise NotFoundError(f"the original of {doc_id!r} is missing from {originals_dir(settings)}: ingest it again")
    return StoredOriginal(path, row["size"], row["media_type"], row["name"], row["sha256"])


def forget_removed(store: Store) -> None:
    """Drop the rows of documents no longer in the store (the files stay: other documents may share them)."""
    store.db.execute("DELETE FROM originals WHERE doc_id NOT IN (SELECT doc_id FROM documents)")


def originals_size(store: Store) -> tuple[int, int]:
    """How many distinct originals are kept and their bytes in all (identical bytes counted once)."""
    count, size = store.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size FROM originals"
        " WHERE doc_id IN (SELECT doc_id FROM documents) GROUP BY sha256)"
    ).fetchone()
    return int(count), int(size)
