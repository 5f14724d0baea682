"""Who wrote to whom: the correspondents of a person or address, from the From / To / Cc / Bcc of every message
(`mail_people`, filled by `store/threads.py`). Attachments are not messages and are not counted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from archive.errors import NotFoundError
from archive.store.base import marks

if TYPE_CHECKING:
    from archive.store import Store

RECIPIENT_ROLES = ("to", "cc", "bcc")


@dataclass
class Correspondent:
    address: str
    name: str | None
    wrote_to: int = 0
    heard_from: int = 0
    months: Counter = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {
            "address": self.address,
            "name": self.name,
            "wrote_to": self.wrote_to,
            "heard_from": self.heard_from,
            "months": dict(sorted(self.months.items())),
        }


@dataclass
class Correspondence:
    """A person's (or address's) mail: their addresses and names, messages sent and received, per month, and
    each correspondent with how many messages went each way. `wrote_to` counts messages the person sent to that
    correspondent (To, Cc or Bcc); `heard_from` messages that correspondent sent to the person."""

    who: str
    addresses: list[str]
    names: list[str]
    sent: int
    received: int
    months: list[dict]
    correspondents: list[Correspondent]

    def to_json(self) -> dict:
        return {
            "who": self.who,
            "addresses": self.addresses,
            "names": self.names,
            "sent": self.sent,
            "received": self.received,
            "months": self.months,
            "correspondents": [c.to_json() for c in self.correspondents],
        }


def addresses_for(store: Store, who: str) -> list[str]:
    """The addresses a person or address means: an address itself, or every address shown with that name."""
    who = " ".join(who.split())
    if "@" in who:
        found = store.db.execute("SELECT 1 FROM mail_people WHERE address = ? LIMIT 1", (who.lower(),)).fetchone()
        return [who.lower()] if found else []
    return [
        r[0]
        for r in store.db.execute(
            "SELECT DISTINCT address FROM mail_people WHERE name = ? COLLATE NOCASE ORDER BY address", (who,)
        )
    ]


def correspondence(store: Store, who: str) -> Correspondence:
    addresses = addresses_for(store, who)
    if not addresses:
        raise NotFoundError(
            f"no message from or to {who!r}: give an e-mail address or a name as the mail shows it "
            "(/api/correspondents?q= lists them)"
        )
    rows = store.db.execute(
        "SELECT p1.role AS mine, p2.address, p2.role, d.doc_id, substr(d.date, 1, 7) AS month"
        " FROM mail_people p1 JOIN mail_people p2 ON p2.doc_id = p1.doc_id JOIN documents d ON d.doc_id = p1.doc_id"
        f" WHERE p1.address IN ({marks(len(addresses))})",
        addresses,
    ).fetchall()
    mine = set(addresses)
    sent: set[str] = set()
    received: set[str] = set()
    months: dict[str, list[set[str]]] = {}
    people: dict[str, Correspondent] = {}
    counted: set[tuple[str, str, str]] = set()
    for row in rows:
        doc_id, month = row["doc_id"], row["month"] or "undated"
        is_sent = row["mine"] == "from"
        (sent if is_sent else received).add(doc_id)
        months.setdefault(month, [set(), set()])[0 if is_sent else 1].add(doc_id)
        other = row["address"]
        if other in mine:
            continue
        way = "wrote_to" if is_sent and row["role"] in RECIPIENT_ROLES else None
        if not is_sent and row["role"] == "from":
            way = "heard_from"
        if way is None or (other, way, doc_id) in counted:
            continue
        counted.add((other, way, doc_id))
        person = people.setdefault(other, Correspondent(other, None))
        setattr(person, way, getattr(person, way) + 1)
        person.months[month] += 1
    names = display_names(store, [*people, *addresses])
    for person in people.values():
        person.name = names.get(person.address)
    ranked = sorted(people.values(), key=lambda p: (-(p.wrote_to + p.heard_from), p.address))
    return Correspondence(
        who,
        addresses,
        sorted({names[a] for a in addresses if a in names}),
        len(sent),
        len(received),
        [{"month": m, "sent": len(s), "received": len(r)} for m, (s, r) in sorted(months.items())],
        ranked,
    )


def display_names(store: Store, addresses: list[str]) -> dict[str, str]:
    """The name each address is shown with most often."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(addresses), 500):
        part = addresses[start : start + 500]
        for address, name, count in store.db.execute(
            "SELECT address, name, COUNT(*) FROM mail_people"
            f" WHERE address IN ({marks(len(part))}) AND name IS NOT NULL GROUP BY address, name",
            part,
        ):
            if address not in found or (count, name) > found[address]:
                found[address] = (count, name)
    return {address: name for address, (_, name) in found.items()}


def busiest(store: Store, query: str = "", limit: int = 100) -> list[dict]:
    """Addresses with the most messages (sent or received), filtered by a part of an address or name."""
    like = f"%{' '.join(query.lower().split())}%"
    rows = store.db.execute(
        "SELECT address, COUNT(DISTINCT doc_id) AS messages,"
        " SUM(role = 'from') AS sent FROM mail_people"
        " WHERE address LIKE ? OR lower(coalesce(name, '')) LIKE ?"
        " GROUP BY address ORDER BY messages DESC, address LIMIT ?",
        (like, like, limit),
    ).fetchall()
    names = display_names(store, [r["address"] for r in rows])
    return [
        {"address": r["address"], "name": names.get(r["address"]), "messages": r["messages"], "sent": r["sent"]}
        for r in rows
    ]
