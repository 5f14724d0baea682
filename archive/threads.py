"""Threads of e-mail: which messages answer which, computed from the whole set so ingest order never matters.

Messages are joined when one names another in `In-Reply-To` or `References` (two replies naming the same missing
message are joined too: they answer the same thing). Only as a fallback, a message that names no other one but
whose subject says it is a reply or a forward ("Re:", "Fw:") joins the messages with the same subject (prefixes
removed, `headers.subject_key`) that share one of its correspondents; such a link is marked `how="subject"`.

A thread's id is made from the smallest Message-ID in it, so it depends on the set of messages only: a reply stored
before its parent gets the parent's thread when the parent arrives (the store recomputes, `store/threads.py`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from archive.formats.headers import is_reply_subject, subject_key

SUBJECT_WINDOW = 200


@dataclass(frozen=True)
class MessageLinks:
    """What threading needs of one message."""

    doc_id: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    reply: bool
    date: str | None
    people: frozenset[str]

    @classmethod
    def of(cls, doc_id: str, title: str | None, date: str | None, meta: dict) -> MessageLinks:
        references = meta.get("references") or []
        people = [meta.get("from"), *(meta.get(role) or [] for role in ("to", "cc", "bcc"))]
        flat = {p for group in people for p in ([group] if isinstance(group, str) else group or []) if p}
        return cls(
            doc_id,
            meta.get("message_id") or None,
            meta.get("in_reply_to") or None,
            tuple(r for r in references if isinstance(r, str)),
            subject_key(title),
            is_reply_subject(title),
            _utc(meta.get("sent_at")) or date,
            frozenset(flat),
        )

    def to_json(self) -> dict:
        return {
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "subject": self.subject,
            "reply": self.reply,
            "date": self.date,
            "people": sorted(self.people),
        }

    @classmethod
    def from_json(cls, doc_id: str, data: dict) -> MessageLinks:
        return cls(
            doc_id,
            data.get("message_id"),
            data.get("in_reply_to"),
            tuple(data.get("references") or ()),
            data.get("subject") or "",
            bool(data.get("reply")),
            data.get("date"),
            frozenset(data.get("people") or ()),
        )


@dataclass(frozen=True)
class Placement:
    """Where one message sits: its thread's id, the doc_id of the message it answers (None when that message is
    not in the archive), and how it was linked: "message-id", "subject" (fallback) or None (alone)."""

    thread: str
    parent: str | None
    how: str | None


class _Joins:
    def __init__(self) -> None:
        self.up: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.up.setdefault(key, key)
        root = key
        while self.up[root] != root:
            root = self.up[root]
        while self.up[key] != root:
            self.up[key], key = root, self.up[key]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.up[max(ra, rb)] = min(ra, rb)


def thread_ids(messages: Iterable[MessageLinks]) -> dict[str, Placement]:
    """doc_id -> Placement for every message; the answer depends on the set of messages, not their order."""
    messages = sorted(messages, key=lambda m: m.doc_id)
    joins = _Joins()
    by_id: dict[str, list[str]] = {}
    linked: set[str] = set()
    for m in messages:
        node = _node(m)
        joins.find(node)
        if m.message_id:
            by_id.setdefault(m.message_id, []).append(m.doc_id)
            joins.join(node, "id:" + m.message_id)
        for other in (m.in_reply_to, *m.references):
            if other and other != m.message_id:
                joins.join(node, "id:" + other)
    for m in messages:
        answered = [o for o in (m.in_reply_to, *m.references) if o and o in by_id and o != m.message_id]
        if answered:
            linked.add(m.doc_id)
            for o in answered:
                for d in by_id[o]:
                    linked.add(d)
    by_subject: dict[str, list[MessageLinks]] = {}
    for m in messages:
        if m.subject and m.date:
            by_subject.setdefault(m.subject, []).append(m)
    subject_parent: dict[str, str] = {}
    for group in by_subject.values():
        group.sort(key=_order)
        for place, m in enumerate(group):
            earlier = _subject_parent(m, group[:place])
            if earlier is not None:
                subject_parent[m.doc_id] = earlier.doc_id
                joins.join(_node(m), _node(earlier))
    members: dict[str, list[MessageLinks]] = {}
    for m in messages:
        members.setdefault(joins.find(_node(m)), []).append(m)
    placements: dict[str, Placement] = {}
    for group in members.values():
        key = min(m.message_id or "doc:" + m.doc_id for m in group)
        thread = "t-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        for m in group:
            parent, how = _parent(m, by_id)
            if parent is None and m.doc_id in subject_parent:
                parent, how = subject_parent[m.doc_id], "subject"
            if how is None and len(group) > 1:
                how = "message-id" if m.doc_id in linked else "subject"
            placements[m.doc_id] = Placement(thread, parent, how)
    return placements


def _utc(stamp: object) -> str | None:
    """An ISO time with offset as UTC, so that times from different zones compare as text."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(timezone.utc).isoformat()


def _node(m: MessageLinks) -> str:
    return "doc:" + m.doc_id


def _parent(m: MessageLinks, by_id: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """The message this one answers: named in In-Reply-To, else the last of References that is present."""
    for other in (m.in_reply_to, *reversed(m.references)):
        if other and other != m.message_id and other in by_id:
            return by_id[other][0], "message-id"
    return None, None


def _order(m: MessageLinks) -> tuple[str, bool, str]:
    return (m.date or "", m.reply, m.doc_id)


def _subject_parent(m: MessageLinks, before: list[MessageLinks]) -> MessageLinks | None:
    """For a reply or forward that names no other message: the latest message before it (`before` is in order: by
    time; at the same time an original before a reply, then by id) with the same subject and a correspondent in
    common, looked for among the SUBJECT_WINDOW messages before it (a subject used thousands of times stays
    cheap)."""
    if not m.reply or m.in_reply_to or m.references:
        return None
    for other in reversed(before[-SUBJECT_WINDOW:]):
        if m.people & other.people:
            return other
    return None
