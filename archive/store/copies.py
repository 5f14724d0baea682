"""Near-duplicate groups of documents, and chunks that repeat in other documents ("also in")."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from archive.store.base import StoreBase, marks


class CopiesMixin(StoreBase):
    def signatures(self) -> Iterator[tuple[str, np.ndarray]]:
        for row in self.db.execute("SELECT doc_id, minhash FROM documents"):
            yield row[0], np.frombuffer(row[1], dtype=np.uint64)

    def join_group(self, doc_id: str, copies: list[str]) -> str:
        """Put a document in one group with its copies (merging their groups); returns the group id."""
        with self.transaction() as db:
            members = {doc_id, *copies}
            for row in db.execute(
                f"SELECT group_id FROM documents WHERE doc_id IN ({marks(len(members))})", tuple(members)
            ).fetchall():
                if row[0]:
                    members.update(
                        r[0] for r in db.execute("SELECT doc_id FROM documents WHERE group_id = ?", (row[0],))
                    )
            group_id = min(members)
            db.execute(
                f"UPDATE documents SET group_id = ? WHERE doc_id IN ({marks(len(members))})", (group_id, *members)
            )
            self._bump()
        return group_id

    def _dissolve_if_alone(self, group_id: str) -> None:
        members = self.db.execute("SELECT doc_id FROM documents WHERE group_id = ?", (group_id,)).fetchall()
        if len(members) < 2:
            self.db.execute("UPDATE documents SET group_id = NULL WHERE group_id = ?", (group_id,))

    def group_members(self, doc_id: str) -> list[str]:
        row = self.db.execute("SELECT group_id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row or not row[0]:
            return []
        return [
            r[0]
            for r in self.db.execute(
                "SELECT doc_id FROM documents WHERE group_id = ? AND doc_id != ? ORDER BY doc_id", (row[0], doc_id)
            )
        ]

    def add_chunk_copies(self, pairs: Iterable[tuple[int, int]]) -> None:
        with self.transaction() as db:
            for a, b in pairs:
                if a != b:
                    db.execute("INSERT OR IGNORE INTO chunk_copies VALUES (?, ?)", (a, b))
                    db.execute("INSERT OR IGNORE INTO chunk_copies VALUES (?, ?)", (b, a))

    def chunks_with_hash(self, norm_hashes: list[str], exclude_doc: str) -> list[tuple[int, str]]:
        if not norm_hashes:
            return []
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT chunk_id, norm_hash FROM chunks"
                f" WHERE norm_hash IN ({marks(len(norm_hashes))}) AND doc_id != ?",
                (*norm_hashes, exclude_doc),
            )
        ]

    def copies_among(self, chunk_ids: list[int]) -> dict[int, set[int]]:
        """For each of these chunks that has copies among them, those copies (a ranking folds them): one lookup of
        the pairs inside the set, however many copies each has elsewhere."""
        found: dict[int, set[int]] = {}
        if not chunk_ids:
            return found
        ids = tuple(dict.fromkeys(chunk_ids))
        for chunk_id, copy_id in self.db.execute(
            # `+copy_id`: looked up by chunk_id alone, the copy_id test a filter (with both indexed, SQLite probes
            # every pair of the two lists: 55 ms for 1,000 candidates)
            f"SELECT chunk_id, copy_id FROM chunk_copies WHERE chunk_id IN ({marks(len(ids))})"
            f" AND +copy_id IN ({marks(len(ids))})",
            ids + ids,
        ):
            found.setdefault(chunk_id, set()).add(copy_id)
        return found

    def copies_of(self, chunk_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        """For each chunk, its copies as (chunk_id, doc_id) in other documents."""
        result: dict[int, list[tuple[int, str]]] = {cid: [] for cid in chunk_ids}
        if not chunk_ids:
            return result
        rows = self.db.execute(
            "SELECT cc.chunk_id, cc.copy_id, c.doc_id, c.position FROM chunk_copies cc"
            f" CROSS JOIN chunks c ON c.chunk_id = cc.copy_id WHERE cc.chunk_id IN ({marks(len(chunk_ids))})",
            tuple(chunk_ids),
        ).fetchall()
        for row in sorted(rows, key=lambda r: (r[2], r[3])):
            result[row[0]].append((row[1], row[2]))
        return result
