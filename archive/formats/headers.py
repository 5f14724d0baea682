"""Who a message is from and to, with display names, and how it links to the messages it answers.

Addresses come from the RFC headers (From, To, Cc, Bcc), lowercased, in order, once each. Display names come from
those headers (`"Ana Ruiz" <ana@example.org>`) or, where they carry none, from the X-From / X-To / X-cc / X-bcc
headers that exports such as the Enron corpus add ("Steven J Kean", "Lay, Kenneth </O=ENRON/...>"), paired with the
addresses by position, and only when both lists have as many entries (a name is never guessed for an address).
"Surname, Given" becomes "Given Surname", so one person reads the same whichever header named them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

ROLES = ("from", "to", "cc", "bcc")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs|tr|antw)(\s*\[\d+\]|\s*\(\d+\))?\s*:\s*)+", re.IGNORECASE)
_BRACKET_TAG = re.compile(r"^\s*\[[^\]]{1,40}\]\s*")
_LOTUS_SUFFIX = re.compile(r"@[A-Za-z][\w.-]*$")
_SURNAME_FIRST = re.compile(r"^([A-Za-z'’-]+),\s+([A-Za-z][\w.'’ -]*?)(\s*\([^()]*\))?$")


@dataclass(frozen=True)
class Headers:
    """The addresses of each role (lowercased lists), a display name per address, and the thread headers."""

    addresses: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str | None:
        found = self.addresses.get("from") or []
        return found[0] if found else None

    def meta(self) -> dict:
        """The fields a message's meta carries: `from` (one address), `to`/`cc`/`bcc` (lists), `names`,
        `message_id`, `in_reply_to`, `references` (only those present)."""
        found: dict = {}
        if self.sender:
            found["from"] = self.sender
        for role in ROLES[1:]:
            if self.addresses.get(role):
                found[role] = self.addresses[role]
        if self.names:
            found["names"] = self.names
        if self.message_id:
            found["message_id"] = self.message_id
        if self.in_reply_to:
            found["in_reply_to"] = self.in_reply_to
        if self.references:
            found["references"] = self.references
        return found


def read_headers(message: Message) -> Headers:
    addresses: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for role in ROLES:
        pairs = _address_pairs([str(value) for value in message.get_all(role, [])])
        if not pairs:
            continue
        addresses[role] = list(dict.fromkeys(address for _, address in pairs))
        for name, address in pairs:
            if name and address not in names:
                names[address] = name
        extra = _export_names(str(message.get(f"x-{role}", "") or ""))
        if len(extra) == len(pairs):
            for (_, address), name in zip(pairs, extra, strict=True):
                if name and address not in names:
                    names[address] = name
    message_id = _ids(str(message.get("message-id", "") or ""))
    in_reply_to = _ids(str(message.get("in-reply-to", "") or ""))
    references = _ids(" ".join(str(v) for v in message.get_all("references", [])))
    return Headers(
        addresses,
        names,
        message_id[0] if message_id else (str(message.get("message-id", "")).strip() or None),
        in_reply_to[0] if in_reply_to else None,
        list(dict.fromkeys(references)),
    )


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _address_pairs(values: list[str]) -> list[tuple[str | None, str]]:
    pairs = []
    for name, address in getaddresses(values):
        address = address.strip().strip("'\"").lower()
        if "@" not in address:
            continue
        pairs.append((display_name(name), address))
    return pairs


def display_name(raw: str) -> str | None:
    """A person's name as written in a header, cleaned: quotes, a `<...>` routing part and a Lotus Notes
    `/OU/Org@Domain` tail removed; "Surname, Given" turned round; an address is not a name (None)."""
    name = raw.strip()
    for _ in range(3):
        name = name.strip().strip("'\"").strip()
        if "<" in name:
            name = name.split("<", 1)[0]
    name = " ".join(name.split())
    if not name:
        return None
    if "@" in name:
        name = _LOTUS_SUFFIX.sub("", name)
        if "@" in name or not (" " in name or "/" in name):
            return None
    name = name.split("/", 1)[0].strip()
    match = _SURNAME_FIRST.match(name)
    if match:
        name = f"{match.group(2).strip()} {match.group(1)}{match.group(3) or ''}"
    return name or None


def _export_names(value: str) -> list[str | None]:
    """The names in an X-To / X-cc style list, one per recipient. Entries are separated by commas outside quotes
    and angle brackets; "Lay, Kenneth </O=...>" is one entry (a lone surname before a bracketed entry joins it)."""
    value = " ".join(value.split())
    if not value:
        return []
    tokens: list[str] = []
    current, quote, depth = "", "", 0
    for char in value:
        if quote:
            quote = "" if char == quote else quote
        elif char == '"':
            quote = char
        elif char == "<":
            depth += 1
        elif char == ">":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            tokens.append(current.strip())
            current = ""
            continue
        current += char
    tokens.append(current.strip())
    entries: list[str] = []
    pending: list[str] = []
    for token in tokens:
        if not token:
            continue
        if "@" in token and " " not in token and "<" not in token:
            entries.extend(pending)
            entries.append(token)
            pending = []
        elif "<" in token:
            if len(pending) == 1 and " " not in pending[0] and "@" not in pending[0]:
                entries.append(f"{pending[0]}, {token}")
            else:
                entries.extend(pending)
                entries.append(token)
            pending = []
        else:
            pending.append(token)
    entries.extend(pending)
    return [display_name(entry) for entry in entries]


def subject_key(subject: str | None) -> str:
    """A subject without reply and forward prefixes (Re:, Fw:, RE[2]:, a leading [list] tag), lowercased, spaces
    collapsed: the key that joins messages into a thread when no Message-ID links them."""
    text = " ".join((subject or "").split())
    while True:
        stripped = _BRACKET_TAG.sub("", _SUBJECT_PREFIX.sub("", text))
        if stripped == text:
            break
        text = stripped
    return text.lower()


def is_reply_subject(subject: str | None) -> bool:
    return bool(_SUBJECT_PREFIX.match(subject or ""))
