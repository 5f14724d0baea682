"""E-mail: single messages (.eml) and mailboxes (.mbox), with the standard library's `email`.

A message is one document: subject as title, its date, the sender as source and author, and in its meta every
address of From, To, Cc and Bcc with display names and the Message-ID links of its thread (`headers.py`).
Attachments in a supported format are read as documents of their own whose `meta["attachment_of"]` names the
message, dated and sent as the message was; those that cannot be read are listed on the message with the reason.
Mailboxes are split on their `From ` lines while streaming, so a mailbox of any size is read in bounded memory.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from archive.documents import Problem, RawRecord
from archive.errors import BadInputError
from archive.formats import bad_input
from archive.formats.headers import read_headers
from archive.formats.html import read_html
from archive.formats.progress import progress_bar

MAX_MESSAGE_BYTES = 64_000_000
ReadDocument = Callable[[str, str, bytes], Iterator[RawRecord | Problem]]
_UNSAFE = re.compile(r"[^\w.-]+")


def read_message(
    data: bytes, origin: str, read_document: ReadDocument, supported: set[str]
) -> Iterator[RawRecord | Problem]:
    """The message, then each attachment in a supported format (others are reported and skipped)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (message.keys() or message.get_payload()):
        raise bad_input(origin, "not an e-mail message (no headers)")
    subject = " ".join(str(message.get("subject", "")).split()) or None
    headers = read_headers(message)
    address = headers.sender
    name = headers.names.get(address or "") or _first_name(message)
    meta: dict = {}
    if name or address:
        meta["author"] = name or address
    meta.update(headers.meta())
    message_id = headers.message_id
    date = str(message.get("date", "")).strip() or None
    sent_at = _timestamp(date)
    if sent_at:
        meta["sent_at"] = sent_at
    attachments = list(_attachments(message))
    if attachments:
        meta["attachments"] = [filename for filename, _ in attachments]
    found: list[RawRecord | Problem] = []
    unreadable: list[dict[str, str]] = []
    for number, (filename, payload) in enumerate(attachments, start=1):
        label = f"{origin}#attachment-{number}-{_UNSAFE.sub('-', filename).strip('-')}"
        suffix = Path(filename.lower()).suffix
        if suffix not in supported:
            reason = f"attachment type {suffix or '(none)'} is not supported; it was skipped"
            found.append(Problem(label, reason))
            unreadable.append({"name": filename, "reason": reason})
            continue
        try:
            for item in read_document(label, suffix, payload):
                if isinstance(item, RawRecord):
                    item = _as_attachment(item, filename, date, address or name or None, message_id or origin)
                else:
                    unreadable.append({"name": filename, "reason": item.reason})
                found.append(item)
        except BadInputError as exc:
            reason = exc.message.removeprefix(f"{label}: ")
            found.append(Problem(label, reason))
            unreadable.append({"name": filename, "reason": reason})
    if unreadable:
        meta["unreadable_attachments"] = unreadable
    body = _body(message, origin)
    if body:
        yield RawRecord(origin=origin, text=body, title=subject, date=date, source=address or name or None, meta=meta)
    elif not attachments:
        raise bad_input(origin, "e-mail has no text and no attachments")
    yield from found


def _as_attachment(item: RawRecord, filename: str, date: str | None, sender: str | None, parent: str) -> RawRecord:
    """An attachment dated and sent as its message was (its own file date kept as `file_date`, its own author as
    `author`), linked to the message by `attachment_of` (the message's Message-ID, else its origin)."""
    meta = {**item.meta, "attachment_of": parent}
    if item.date and item.date != date:
        meta["file_date"] = item.date
    if sender and "@" in sender:
        meta.setdefault("from", sender)
    return replace(item, title=item.title or filename, date=date or item.date, source=sender or item.source, meta=meta)


def _timestamp(date: str | None) -> str | None:
    """The Date header as an ISO time with its offset (the document's date is the day only), to order a thread."""
    try:
        return parsedate_to_datetime(date).isoformat() if date else None
    except (TypeError, ValueError, IndexError):
        return None


def _first_name(message: EmailMessage) -> str | None:
    name, address = parseaddr(str(message.get("from", "")))
    return name or address or None


def _body(message: EmailMessage, origin: str) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        try:
            return read_html(content, origin).text
        except BadInputError:
            return ""
    return content.strip()


def _attachments(message: EmailMessage) -> Iterator[tuple[str, bytes]]:
    for part in message.iter_attachments():
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if filename and isinstance(payload, bytes) and payload:
            yield filename, payload


def read_mbox(
    path: Path, max_message_bytes: int = MAX_MESSAGE_BYTES, progress: bool = False
) -> Iterator[tuple[str, bytes | None]]:
    """(origin, bytes) of each message in a mailbox, read line by line; origins are `path#message-N`. A message
    over `max_message_bytes` comes with None instead of its bytes (only that much is ever held in memory)."""
    number = 0
    lines: list[bytes] = []
    size = 0
    previous_blank = True
    started = False
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise bad_input(str(path), f"cannot read: {exc.strerror or exc}") from exc
    with handle, progress_bar(path, progress, "messages") as bar:
        for line in handle:
            bar.update(len(line))
            if not started and not line.startswith(b"From ") and line.strip():
                raise bad_input(str(path), "no messages found (an mbox starts each message with a 'From ' line)")
            if line.startswith(b"From ") and previous_blank:
                started = True
                if lines:
                    number += 1
                    yield f"{path}#message-{number}", None if size > max_message_bytes else b"".join(lines)
                lines, size = [], 0
                previous_blank = False
                continue
            previous_blank = not line.strip()
            size += len(line)
            if size <= max_message_bytes:
                lines.append(line[1:] if re.match(rb">+From ", line) else line)
        if lines:
            number += 1
            yield f"{path}#message-{number}", None if size > max_message_bytes else b"".join(lines)
    if number == 0:
        raise bad_input(str(path), "no messages found (an mbox starts each message with a 'From ' line)")
