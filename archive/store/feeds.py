"""When documents were last stored: what a feed's `updated` times say (web/feeds.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.store.base import marks

if TYPE_CHECKING:
    from archive.store import Store


def ingested_times(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """doc_id -> `ingested_at` (ISO time, UTC) of these documents."""
    found: dict[str, str] = {}
    for start in range(0, len(doc_ids), 500):
        part = doc_ids[start : start + 500]
        found.update(
            store.db.execute(
                f"SELECT doc_id, ingested_at FROM documents WHERE doc_id IN ({marks(len(part))})", part
            ).fetchall()
        )
    return found
