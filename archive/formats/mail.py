"""E-mail: single messages (.eml) and mailboxes (.mbox), with the standard library's `email`.

A message is one document: subject as title, its date, the sender as source and author. Attachments in a
supported format are read as documents of their own whose `meta["attachment_of"]` names the message. Mailboxes
are split on their `From ` lines while streaming, so a mailbox of any size is read in bounded memory.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path

from archive.documents import Problem, RawRecord
from archive.errors import BadInputError
from archive.formats import bad_input
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
    name, address = parseaddr(str(message.get("from", "")))
    meta: dict = {}
    if name or address:
        meta["author"] = name or address
    if address:
        meta["from"] = address
    recipients = [a for _, a in getaddresses([str(v) for v in message.get_all("to", [])]) if a]
    if recipients:
        meta["to"] = recipients
    message_id = str(message.get("message-id", "")).strip() or None
    if message_id:
        meta["message_id"] = message_id
    date = str(message.get("date", "")).strip() or None
    attachments = list(_attachments(message))
    if attachments:
        meta["attachments"] = [filename for filename, _ in attachments]
    body = _body(message, origin)
    if body:
        yield RawRecord(origin=origin, text=body, title=subject, date=date, source=address or name or None, meta=meta)
    elif not attachments:
        raise bad_input(origin, "e-mail has no text and no attachments")
    for number, (filename, payload) in enumerate(attachments, start=1):
        label = f"{origin}#attachment-{number}-{_UNSAFE.sub('-', filename).strip('-')}"
        suffix = Path(filename.lower()).suffix
        if suffix not in supported:
            yield Problem(label, f"attachment type {suffix or '(none)'} is not supported; it was skipped")
            continue
        try:
            for item in read_document(label, suffix, payload):
                if isinstance(item, RawRecord):
                    item = RawRecord(
                        origin=item.origin,
                        text=item.text,
                        doc_id=item.doc_id,
                        title=item.title or filename,
                        date=item.date or date,
                        source=item.source or address or None,
                        url=item.url,
                        meta={**item.meta, "attachment_of": message_id or origin},
                    )
                yield item
        except BadInputError as exc:
            yield Problem(label, exc.message.removeprefix(f"{label}: "))


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
