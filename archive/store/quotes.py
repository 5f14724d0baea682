"""Quotes, the names of people and organisations who said them, and speakers linked across documents."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from archive.documents import StoredQuote
from archive.duplicates import normalized_hash
from archive.kinds import SpeakerKind, WordCue
from archive.linking import NamedPerson, SpeakerLink
from archive.quotes import Quote, Registry
from archive.store.base import StoreBase, marks

# Kept by archive.linking.link_speakers, which also removes the rows of documents that are gone (so no foreign keys:
# re-storing an unchanged document keeps its links).
LINK_TABLES = """
CREATE TABLE IF NOT EXISTS linked_documents (doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS document_people (
    doc_id TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS document_people_doc ON document_people(doc_id);
CREATE TABLE IF NOT EXISTS speaker_links (
    doc_id TEXT NOT NULL,
    written TEXT NOT NULL,
    person TEXT NOT NULL,
    method TEXT NOT NULL,
    evidence_doc TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (doc_id, written)
);
CREATE INDEX IF NOT EXISTS speaker_links_person ON speaker_links(person);
CREATE TABLE IF NOT EXISTS document_cues (
    doc_id TEXT NOT NULL,
    word TEXT NOT NULL,
    kind TEXT NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS document_cues_doc ON document_cues(doc_id);
CREATE INDEX IF NOT EXISTS document_cues_word ON document_cues(word);
CREATE TABLE IF NOT EXISTS speaker_kinds (
    doc_id TEXT NOT NULL,
    written TEXT NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    evidence_doc TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (doc_id, written)
);
"""
# A quote's speaker: the person its speaker as written is linked to, else as written.
_SPEAKER = "COALESCE(l.person, q.speaker)"
_LINKED = (
    "quotes q LEFT JOIN speaker_links l ON l.doc_id = q.doc_id AND l.written = q.speaker"
    " LEFT JOIN speaker_kinds k ON k.doc_id = q.doc_id AND k.written = q.speaker"
)
# A quote's organisation: the speaker where the archive types it one (archive.kinds), none where it types it a
# person, else what its document says.
QUOTE_ORG = (
    "CASE WHEN k.kind = 'org' THEN q.speaker WHEN k.kind = 'person' AND q.org = q.speaker THEN NULL ELSE q.org END"
)
_METHOD = "CASE WHEN k.method IS NULL THEN q.method ELSE q.method || '/' || k.method END"


@dataclass
class LinkedQuote(StoredQuote):
    """A stored quote with the link that names its speaker from another document (None: its own document does)."""

    link: SpeakerLink | None = None
    typed: SpeakerKind | None = None  # a bare-word speaker typed by what the archive writes of it (archive.kinds)


class QuotesMixin(StoreBase):
    def _upgrade(self) -> None:
        super()._upgrade()
        self.db.executescript(LINK_TABLES)

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

    def registry(self, typed: bool = True) -> Registry:
        """The archive's names; `typed`: with the bare words the archive types an organisation (archive.kinds) as
        organisations (ingest reads it without, so what it saves never depends on what was typed before)."""
        rows = [
            (r["name"], r["kind"], json.loads(r["roles"]), json.loads(r["orgs"]))
            for r in self.db.execute("SELECT name, kind, roles, orgs FROM names ORDER BY rowid")
        ]
        quoted = [
            r[0] for r in self.db.execute(f"SELECT DISTINCT {_SPEAKER} FROM {_LINKED} WHERE q.speaker IS NOT NULL")
        ]
        registry = Registry.from_rows(rows, quoted)
        if typed:  # named both ways, an organisation (as Names.kind has it)
            registry.orgs |= {r[0] for r in self.db.execute("SELECT written FROM speaker_kinds WHERE kind = 'org'")}
        return registry

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
        """Quotes, one per distinct text and speaker, with every document that carries it, oldest first. A speaker
        linked across documents (archive.linking) is the person linked, with the link."""
        clauses: list[str] = ["q.speaker IS NOT NULL"]
        params: list[str] = []
        if speakers is not None:
            clauses.append(f"{_SPEAKER} IN ({marks(len(speakers))})")
            params.extend(speakers)
        if orgs is not None:
            clauses.append(f"({QUOTE_ORG} IN ({marks(len(orgs))}) OR {_SPEAKER} IN ({marks(len(orgs))}))")
            params.extend(orgs + orgs)
        if doc_id is not None:
            clauses.append("q.doc_id = ?")
            params.append(doc_id)
        if kind is not None:
            clauses.append("q.kind = ?")
            params.append(kind)
        rows = self.db.execute(
            "SELECT q.quote_id, q.doc_id, q.chunk_id, q.paragraph, q.kind, q.text, q.norm_hash, q.mention,"
            f" CASE WHEN l.person IS NOT NULL AND q.org = l.written THEN NULL ELSE {QUOTE_ORG} END AS org,"
            f" q.evidence, {_METHOD} AS method, d.date, {_SPEAKER} AS speaker, l.written, l.person,"
            " l.method AS link_method,"
            " l.evidence_doc, l.evidence AS link_evidence, e.title AS evidence_title, k.kind AS typed_kind,"
            f" k.method AS typed_method, k.evidence_doc AS typed_doc, k.evidence AS typed_evidence FROM {_LINKED}"
            " JOIN documents d ON d.doc_id = q.doc_id LEFT JOIN documents e ON e.doc_id = l.evidence_doc"
            f" WHERE {' AND '.join(clauses)} ORDER BY d.date IS NULL, d.date, q.doc_id, q.quote_id",
            params,
        ).fetchall()
        merged: dict[tuple, StoredQuote] = {}
        for r in rows:
            key = (r["norm_hash"], r["speaker"]) if doc_id is None else (r["quote_id"],)
            if key in merged:
                merged[key].sources.append(r["doc_id"])
            else:
                link = None
                if r["person"] is not None:
                    link = SpeakerLink(
                        r["doc_id"],
                        r["written"],
                        r["person"],
                        r["link_method"],
                        r["evidence_doc"],
                        r["link_evidence"],
                        r["evidence_title"],
                    )
                merged[key] = LinkedQuote(
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
                    link,
                    SpeakerKind(
                        r["doc_id"],
                        r["speaker"],
                        r["typed_kind"],
                        r["typed_method"],
                        r["typed_doc"],
                        r["typed_evidence"],
                    )
                    if r["typed_kind"] is not None
                    else None,
                )
        return list(merged.values())

    def speaker_counts(self) -> list[tuple[str, str, int]]:
        """(name, "person" or "org", number of distinct quotes) for everyone quoted."""
        kinds = {r[0]: r[1] for r in self.db.execute("SELECT name, kind FROM names")}
        kinds |= {r[0]: "org" for r in self.db.execute("SELECT DISTINCT written FROM speaker_kinds WHERE kind = 'org'")}
        rows = self.db.execute(
            f"SELECT {_SPEAKER}, COUNT(DISTINCT q.norm_hash) FROM {_LINKED} WHERE q.speaker IS NOT NULL"
            " GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        return [(r[0], kinds.get(r[0], "person"), r[1]) for r in rows]

    def chunk_ids_quoting(self, speakers: list[str], orgs: list[str], among: list[int] | None = None) -> np.ndarray:
        """Chunks holding a statement by one of these speakers or organisations, in id order; `among` limits
        the answer to those chunks (looked up by chunk, so a much-quoted name costs no more than a rare one)."""
        names = list(speakers) + list(orgs)
        if not names or (among is not None and not among):
            return np.zeros(0, dtype=np.int64)
        which = "q.chunk_id IS NOT NULL" if among is None else f"q.chunk_id IN ({marks(len(among))})"
        rows = self.db.execute(
            f"SELECT DISTINCT q.chunk_id FROM {_LINKED} WHERE {which}"
            f" AND (q.speaker IN ({marks(len(names))}) OR {QUOTE_ORG} IN ({marks(len(names))})"
            f" OR l.person IN ({marks(len(names))}))",
            [*(among or []), *names, *names, *names],
        ).fetchall()
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)

    # What archive.linking reads and keeps.

    def documents_changed_since_linked(self) -> tuple[set[str], set[str]]:
        """Documents added or changed since speakers were last linked, and documents removed since."""
        now = {r[0]: r[1] for r in self.db.execute("SELECT doc_id, content_hash FROM documents")}
        then = {r[0]: r[1] for r in self.db.execute("SELECT doc_id, content_hash FROM linked_documents")}
        return {d for d, h in now.items() if then.get(d) != h}, set(then) - set(now)

    def mark_linked(self, changed: set[str], gone: set[str]) -> None:
        for doc_id in sorted(gone):
            self.db.execute("DELETE FROM linked_documents WHERE doc_id = ?", (doc_id,))
        for doc_id in sorted(changed):
            self.db.execute(
                "INSERT OR REPLACE INTO linked_documents(doc_id, content_hash)"
                " SELECT doc_id, content_hash FROM documents WHERE doc_id = ?",
                (doc_id,),
            )

    def named_people(self, doc_ids: list[str] | None = None) -> list[NamedPerson]:
        """The people documents name in full (all documents, or these), with their roles and words."""
        where, params = ("", []) if doc_ids is None else (f" WHERE doc_id IN ({marks(len(doc_ids))})", doc_ids)
        rows = self.db.execute(f"SELECT doc_id, name, role, words FROM document_people{where} ORDER BY rowid", params)
        return [NamedPerson(*r) for r in rows]

    def forget_named_people(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            self.db.execute("DELETE FROM document_people WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM speaker_links WHERE doc_id = ?", (doc_id,))

    def save_named_people(self, doc_id: str, people: list[NamedPerson]) -> None:
        self.db.executemany(
            "INSERT INTO document_people(doc_id, name, role, words) VALUES (?, ?, ?, ?)",
            [(doc_id, p.name, p.role, p.words) for p in people],
        )

    def save_word_cues(self, cues: list[WordCue]) -> None:
        self.db.executemany(
            "INSERT INTO document_cues(doc_id, word, kind, words) VALUES (?, ?, ?, ?)",
            [(c.doc_id, c.word, c.kind, c.words) for c in cues],
        )

    def forget_word_cues(self, doc_ids: list[str]) -> None:
        self.db.executemany("DELETE FROM document_cues WHERE doc_id = ?", [(doc_id,) for doc_id in doc_ids])

    def word_cues(self, words: list[str]) -> list[WordCue]:
        """What documents write of these name words (archive.kinds), by document."""
        found: list[WordCue] = []
        for start in range(0, len(words), 500):
            part = words[start : start + 500]
            rows = self.db.execute(
                f"SELECT doc_id, word, kind, words FROM document_cues WHERE word IN ({marks(len(part))})"
                " ORDER BY doc_id, word, kind",
                part,
            )
            found += [WordCue(*r) for r in rows]
        return found

    def replace_speaker_kinds(self, kinds: list[SpeakerKind]) -> None:
        """The archive's typing of bare-word speakers, all of it (archive.kinds recomputes it whole)."""
        self.db.execute("DELETE FROM speaker_kinds")
        self.db.executemany(
            "INSERT INTO speaker_kinds(doc_id, written, kind, method, evidence_doc, evidence) VALUES (?,?,?,?,?,?)",
            [(k.doc_id, k.written, k.kind, k.method, k.evidence_doc, k.evidence) for k in kinds],
        )

    def speaker_kinds(self) -> list[SpeakerKind]:
        rows = self.db.execute(
            "SELECT doc_id, written, kind, method, evidence_doc, evidence FROM speaker_kinds ORDER BY 1, 2"
        )
        return [SpeakerKind(*r) for r in rows]

    def document_paragraphs(self, doc_id: str) -> list[str]:
        row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0].split("\n\n") if row else []

    def roles_attributed(self, doc_id: str) -> list[tuple[str, str]]:
        """(person, words) where a document's quotes say a role it names means a person it names in full."""
        rows = self.db.execute(
            "SELECT DISTINCT speaker, mention FROM quotes WHERE doc_id = ? AND mention IS NOT NULL"
            " AND method LIKE '%role->person named with it in document' ORDER BY 1, 2",
            (doc_id,),
        )
        return [(r[0], r[1]) for r in rows]

    def document_dates(self) -> dict[str, str | None]:
        return {r[0]: r[1] for r in self.db.execute("SELECT doc_id, date FROM documents")}

    def speakers_as_written(self) -> list[tuple[str, str, str]]:
        """(document, speaker, rule) of every speaker a document names without a full name of its own."""
        rows = self.db.execute(
            "SELECT DISTINCT doc_id, speaker, method FROM quotes WHERE speaker IS NOT NULL AND"
            " (method LIKE '%as written' OR method LIKE '%as written (no person named so)') ORDER BY 1, 2, 3"
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def set_speaker_link(self, doc_id: str, written: str, link: SpeakerLink | None) -> None:
        self.db.execute("DELETE FROM speaker_links WHERE doc_id = ? AND written = ?", (doc_id, written))
        if link is not None:
            self.db.execute(
                "INSERT INTO speaker_links(doc_id, written, person, method, evidence_doc, evidence)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (link.doc_id, link.written, link.person, link.method, link.evidence_doc, link.evidence),
            )

    def links_of(self, persons: list[str] | None = None) -> dict[str, list[tuple[SpeakerLink, int]]]:
        """Each of these people's links (everyone's: None), with the evidence document's title and the number of
        distinct statements each link names them in (for the speakers list)."""
        if persons is not None and not persons:
            return {}
        where = "" if persons is None else f" WHERE l.person IN ({marks(len(persons))})"
        rows = self.db.execute(
            "SELECT l.doc_id, l.written, l.person, l.method, l.evidence_doc, l.evidence, e.title,"
            " COUNT(DISTINCT q.norm_hash) FROM speaker_links l"
            " JOIN quotes q ON q.doc_id = l.doc_id AND q.speaker = l.written"
            f" LEFT JOIN documents e ON e.doc_id = l.evidence_doc{where}"
            " GROUP BY l.doc_id, l.written ORDER BY l.person, 8 DESC, 1",
            persons or [],
        )
        found: dict[str, list[tuple[SpeakerLink, int]]] = {}
        for r in rows:
            found.setdefault(r[2], []).append((SpeakerLink(*r[:7]), r[7]))
        return found

    def speaker_links(self) -> list[SpeakerLink]:
        rows = self.db.execute(
            "SELECT doc_id, written, person, method, evidence_doc, evidence FROM speaker_links ORDER BY 1, 2"
        )
        return [SpeakerLink(*r) for r in rows]
