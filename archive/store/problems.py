"""Inputs that could not be ingested, remembered with a fingerprint of their file (see `archive/schema.sql`)."""

from __future__ import annotations

from archive.store.base import StoreBase


class ProblemsMixin(StoreBase):
    def known_problem(self, origin: str, fingerprint: str) -> str | None:
        """The reason this input was reported with when its file had this fingerprint, if it was."""
        row = self.db.execute(
            "SELECT reason FROM problems WHERE origin = ? AND fingerprint = ?", (origin, fingerprint)
        ).fetchone()
        return row[0] if row else None

    def remember_problem(self, origin: str, fingerprint: str, reason: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO problems(origin, fingerprint, reason) VALUES (?, ?, ?)",
            (origin, fingerprint, reason),
        )

    def forget_problem(self, origin: str) -> None:
        self.db.execute("DELETE FROM problems WHERE origin = ?", (origin,))

    def problem_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM problems").fetchone()[0])
