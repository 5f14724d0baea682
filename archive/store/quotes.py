"""Quotes and the names of people and organisations who said them."""

from __future__ import annotations

import json

import numpy as np

from archive.documents import StoredQuote
from archive.duplicates import normalized_hash
from archive.quotes import Quote, Registry
from archive.store.base import StoreBase, marks


class QuotesMixin(StoreBase):
    def _insert_quotes(self, doc_id: str, chunk_ids: list[int], quotes: list[tuple[int | None, Quote]]) -> None:
        for position, quote in quotes:
            self.db.execute(
                "INSERT INTO quotes(doc_id, chunk_id, paragraph, kind, text, norm_hash, speaker, org, mention,"
                " evidence, method) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc_id,
                    chunk_ids[position] if position is not None else None,
                    quote.paragraph,
                    quote.kind,
                    quote.text,
                    normalized_hash(quote.text),
                    quote.speaker,
                    quote.org,
                    quote.mention,
                    quote.evidence,
                    quote.method,
                ),
            )

    def registry(self) -> Registry:
        rows = [
            (r["name"], r["kind"], json.loads(r["roles"]), json.loads(r["orgs"]))
            for r in self.db.execute("SELECT name, kind, roles, orgs FROM names ORDER BY rowid")
        ]
        quoted = [r[0] for r in self.db.execute("SELECT DISTINCT speaker FROM quotes WHERE speaker IS NOT NULL")]
        return Registry.from_rows(rows, quoted)

    def _save_registry(self, registry: Registry) -> None:
        """Names added or changed since the registry was last saved."""
        for name, kind, roles, orgs in registry.take_changes():
            self.db.execute(
                "INSERT OR REPLACE INTO names(name, kind, roles, orgs) VALUES (?, ?, ?, ?)",
                (name, kind, json.dumps(roles), json.dumps(orgs)),
            )

    def quotes(
        self,
        speakers: list[str] | None = None,
        orgs: list[str] | None = None,
        doc_id: str | None = None,
        kind: str | None = None,
    ) -> list[StoredQuote]:
        """Quotes, one per distinct text and speaker, with every document that carries it, oldest first."""
        clauses: list[str] = ["q.speaker IS NOT NULL"]
        params: list[str] = []
        if speakers is not None:
            clauses.append(f"q.speaker IN ({marks(len(speakers))})")
            params.extend(speakers)
        if orgs is not None:
            clauses.append(f"(q.org IN ({marks(len(orgs))}) OR q.speaker IN ({marks(len(orgs))}))")
            params.extend(orgs + orgs)
        if doc_id is not None:
            clauses.append("q.doc_id = ?")
            params.append(doc_id)
        if kind is not None:
            clauses.append("q.kind = ?")
            params.append(kind)
        rows = self.db.execute(
            "SELECT q.quote_id, q.doc_id, q.chunk_id, q.paragraph, q.kind, q.text, q.norm_hash, q.speaker, q.org,"
            " q.mention, q.evidence, q.method, d.date FROM quotes q JOIN documents d ON d.doc_id = q.doc_id"
            f" WHERE {' AND '.join(clauses)} ORDER BY d.date IS NULL, d.date, q.doc_id, q.quote_id",
            params,
        ).fetchall()
        merged: dict[tuple, StoredQuote] = {}
        for r in rows:
            key = (r["norm_hash"], r["speaker"]) if doc_id is None else (r["quote_id"],)
            if key in merged:
                merged[key].sources.append(r["doc_id"])
            else:
                merged[key] = StoredQuote(
                    r["quote_id"],
                    r["text"],
                    r["speaker"],
                    r["org"],
                    r["kind"],
                    r["doc_id"],
                    r["chunk_id"],
                    r["paragraph"],
                    r["date"],
                    r["mention"],
                    [r["doc_id"]],
                    r["evidence"],
                    r["method"],
                )
        return list(merged.values())

    def speaker_counts(self) -> list[tuple[str, str, int]]:
        """(name, "person" or "org", number of distinct quotes) for everyone quoted."""
        kinds = {r[0]: r[1] for r in self.db.execute("SELECT name, kind FROM names")}
        rows = self.db.execute(
            "SELECT speaker, COUNT(DISTINCT norm_hash) FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker"
            " ORDER BY 2 DESC, 1"
        ).fetchall()
        return [(r[0], kinds.get(r[0], "person"), r[1]) for r in rows]

    def chunk_ids_quoting(self, speakers: list[str], orgs: list[str], among: list[int] | None = None) -> np.ndarray:
        """Chunks holding a statement by one of these speakers or organisations, in id order; `among` limits
        the answer to those chunks (looked up by chunk, so a much-quoted name costs no more than a rare one)."""
        names = list(speakers) + list(orgs)
        if not names or (among is not None and not among):
            return np.zeros(0, dtype=np.int64)
        which = "chunk_id IS NOT NULL" if among is None else f"chunk_id IN ({marks(len(among))})"
        rows = self.db.execute(
            f"SELECT DISTINCT chunk_id FROM quotes WHERE {which}"
            f" AND (speaker IN ({marks(len(names))}) OR org IN ({marks(len(names))}))",
            [*(among or []), *names, *names],
        ).fetchall()
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)
