"""E-mail threads and attachments in the store: `link_threads` after each writer session, and the lookups the
document page and API use (the thread a message is in, a message's attachments, an attachment's message). The
same pass gives each new document its `meta.file_type` (email, pdf, web page, word, text) for the file-type facet.

Every document is looked at once (a row in `mail_messages`; a stored-again document loses its row with its old
version and is looked at again). Threads are then recomputed from all messages (`archive.threads.thread_ids`),
and every message or attachment whose thread changed gets the new id in its meta (`thread`) and a new
`ingested_at`, so the next index generation re-reads it: a reply stored before its parent moves into the parent's
thread when the parent arrives, whatever the order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from archive.store.originals import forget_removed
from archive.threads import MessageLinks, Placement, thread_ids

if TYPE_CHECKING:
    from archive.store import Store


def link_threads(store: Store) -> int:
    """Give every message and attachment its thread id; returns how many documents got a new one."""
    db = store.db
    with store.transaction():
        fresh = db.execute(
            "SELECT d.doc_id, d.origin, d.title, d.date, d.meta FROM documents d"
            " LEFT JOIN mail_messages m ON m.doc_id = d.doc_id WHERE m.doc_id IS NULL"
        ).fetchall()
        forget_removed(store)
        if not fresh:
            return 0
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for row in fresh:
            meta = json.loads(row["meta"] or "{}")
            kind = file_type(row["origin"])
            if kind and meta.get("file_type") != kind:
                db.execute(
                    "UPDATE documents SET meta = json_set(meta, '$.file_type', ?) WHERE doc_id = ?",
                    (kind, row["doc_id"]),
                )
            message_id = meta.get("message_id") if "attachment_of" not in meta else None
            links = MessageLinks.of(row["doc_id"], row["title"], row["date"], meta) if message_id else None
            db.execute(
                "INSERT INTO mail_messages(doc_id, message_id, parent_message, links) VALUES (?,?,?,?)",
                (
                    row["doc_id"],
                    message_id,
                    meta.get("attachment_of"),
                    json.dumps(links.to_json()) if links else None,
                ),
            )
            if links:
                _record_people(store, row["doc_id"], meta)
        messages = [
            MessageLinks.from_json(r[0], json.loads(r[1]))
            for r in db.execute("SELECT doc_id, links FROM mail_messages WHERE links IS NOT NULL")
        ]
        placements = thread_ids(messages)
        held = {
            r[0]: Placement(r[1], r[2], r[3])
            for r in db.execute("SELECT doc_id, thread, parent, how FROM mail_messages WHERE links IS NOT NULL")
        }
        changed: dict[str, str] = {}
        for doc_id, placement in placements.items():
            if held.get(doc_id) != placement:
                db.execute(
                    "UPDATE mail_messages SET thread = ?, parent = ?, how = ? WHERE doc_id = ?",
                    (placement.thread, placement.parent, placement.how, doc_id),
                )
                if held.get(doc_id) is None or held[doc_id].thread != placement.thread:
                    changed[doc_id] = placement.thread
        for doc_id, held_thread, thread in db.execute(
            "SELECT a.doc_id, a.thread, MIN(m.thread) FROM mail_messages a"
            " JOIN mail_messages m ON m.message_id = a.parent_message"
            " WHERE a.parent_message IS NOT NULL GROUP BY a.doc_id"
        ).fetchall():
            if thread and thread != held_thread:
                db.execute("UPDATE mail_messages SET thread = ? WHERE doc_id = ?", (thread, doc_id))
                changed[doc_id] = thread
        for doc_id, thread in changed.items():
            db.execute(
                "UPDATE documents SET meta = json_set(meta, '$.thread', ?), ingested_at = ?"
                " WHERE doc_id = ? AND json_extract(meta, '$.thread') IS NOT ?",
                (thread, now, doc_id, thread),
            )
        store.set_meta("version", str(store.version() + 1))
    return len(changed)


FILE_TYPES = {
    ".eml": "email",
    ".mbox": "email",
    ".pdf": "pdf",
    ".html": "web page",
    ".htm": "web page",
    ".warc": "web page",
    ".warc.gz": "web page",
    ".docx": "word",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
}


def file_type(origin: str) -> str | None:
    """What kind of file a document came from, for the file-type facet (`meta.file_type`): email, pdf, web page,
    word or text; None for records of a JSON file or the API, which are not files of their own. An attachment is
    the kind of its own file; a mailbox's message is an email; a web archive's page a web page."""
    name = (origin.rsplit("#attachment-", 1)[1] if "#attachment-" in origin else origin.partition("#")[0]).lower()
    if name.endswith(".warc.gz"):
        return FILE_TYPES[".warc.gz"]
    dot = name.rfind(".")
    return FILE_TYPES.get(name[dot:]) if dot >= 0 else None


def _record_people(store: Store, doc_id: str, meta: dict) -> None:
    names: dict = meta["names"] if isinstance(meta.get("names"), dict) else {}
    for role in ("from", "to", "cc", "bcc"):
        found = meta.get(role) or []
        for address in [found] if isinstance(found, str) else found:
            if isinstance(address, str) and address:
                store.db.execute(
                    "INSERT INTO mail_people(doc_id, role, address, name) VALUES (?,?,?,?)",
                    (doc_id, role, address, names.get(address)),
                )


@dataclass(frozen=True)
class ThreadEntry:
    """One message of a thread as the document page lists it."""

    doc_id: str
    title: str
    date: str | None
    sender: str | None
    name: str | None
    parent: str | None
    how: str | None
    current: bool

    def to_json(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date,
            "from": self.sender,
            "name": self.name,
            "parent": self.parent,
            "linked_by": self.how,
            "current": self.current,
        }


def thread_of(store: Store, doc_id: str) -> tuple[str | None, list[ThreadEntry]]:
    """The thread id of a message or attachment and the messages of that thread, oldest first."""
    row = store.db.execute("SELECT thread FROM mail_messages WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None or row[0] is None:
        return None, []
    entries = []
    for r in store.db.execute(
        "SELECT m.doc_id, m.parent, m.how, d.title, d.date, d.meta FROM mail_messages m"
        " JOIN documents d ON d.doc_id = m.doc_id WHERE m.thread = ? AND m.links IS NOT NULL"
        " ORDER BY d.date IS NULL, json_extract(m.links, '$.date'), m.doc_id",
        (row[0],),
    ):
        meta = json.loads(r["meta"] or "{}")
        sender = meta.get("from")
        name = (meta.get("names") or {}).get(sender) if isinstance(meta.get("names"), dict) else None
        sent_at = meta.get("sent_at") if isinstance(meta.get("sent_at"), str) else None
        entries.append(
            ThreadEntry(
                r["doc_id"],
                r["title"],
                (sent_at or "")[:16].replace("T", " ") or r["date"],
                sender,
                name,
                r["parent"],
                r["how"],
                r["doc_id"] == doc_id,
            )
        )
    return row[0], entries


def attachments_of(store: Store, doc_id: str) -> list[tuple[str, str]]:
    """(doc_id, title) of each attachment document of a message, in the order of their origins."""
    row = store.db.execute("SELECT message_id FROM mail_messages WHERE doc_id = ?", (doc_id,)).fetchone()
    if row is None or row[0] is None:
        return []
    return [
        (r[0], r[1])
        for r in store.db.execute(
            "SELECT d.doc_id, d.title FROM mail_messages a JOIN documents d ON d.doc_id = a.doc_id"
            " WHERE a.parent_message = ? ORDER BY d.origin",
            (row[0],),
        )
    ]


def message_of(store: Store, doc_id: str) -> tuple[str, str] | None:
    """(doc_id, title) of the message an attachment came with, when it is in the archive."""
    found = store.db.execute(
        "SELECT d.doc_id, d.title FROM mail_messages a JOIN mail_messages m ON m.message_id = a.parent_message"
        " JOIN documents d ON d.doc_id = m.doc_id WHERE a.doc_id = ? ORDER BY d.doc_id LIMIT 1",
        (doc_id,),
    ).fetchone()
    return (found[0], found[1]) if found else None
