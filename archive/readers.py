"""Reading files into RawRecords: one dispatch by suffix (`iter_records`), one decoding path for all text.

Text, Markdown and JSON are read here; web pages, PDFs, Word files, e-mail and web archives by the modules in
`archive.formats`. Mailboxes and web archives are streamed record by record, so their size is not limited.

Every failure is a BadInputError whose message says what was wrong with the file, so ingest can report it and
go on with the rest.
"""

from __future__ import annotations

import codecs
import json
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from archive.documents import Original, Problem, RawRecord
from archive.errors import BadInputError
from archive.formats.html import read_html
from archive.formats.mail import read_mbox, read_message
from archive.formats.office import read_docx
from archive.formats.pdf import read_pdf
from archive.formats.warc import read_warc

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
MAIL_SUFFIXES = {".eml"}
MBOX_SUFFIXES = {".mbox"}
WARC_SUFFIXES = {".warc", ".warc.gz"}
BINARY_SUFFIXES = PDF_SUFFIXES | DOCX_SUFFIXES | MAIL_SUFFIXES
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES | BINARY_SUFFIXES | MBOX_SUFFIXES | WARC_SUFFIXES
)

MAX_DOCUMENT_BYTES = 2_000_000
MAX_COLLECTION_BYTES = 512_000_000
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF; name it .pdf to ingest it",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
_CHARSET = re.compile(rb"""<(?:meta|\?xml)[^>]{0,200}?(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]{2,40})""", re.I)
_FIELD_NAMES = {
    "doc_id": ("_id", "id", "doc_id"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article"),
    "date": ("date", "published", "published_at", "publication_date", "datetime"),
    "source": ("source", "outlet", "publisher", "site_name"),
    "url": ("url", "link", "canonical_url"),
}


def iter_files(paths: list[Path]) -> Iterator[Path | Problem]:
    """Files under the given paths (folders recursively, sorted, symlink loops and unsupported kinds reported)."""
    for path in paths:
        if not path.exists():
            yield Problem(str(path), "no such file or folder")
        elif path.is_dir():
            seen: set[tuple[int, int]] = set()
            yield from _walk(path, seen)
        elif suffix_of(path) in SUPPORTED_SUFFIXES:
            yield path
        else:
            yield Problem(str(path), f"unsupported file type {path.suffix or '(none)'}; " + _supported())


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | Problem]:
    try:
        stat = folder.stat()
    except OSError as exc:
        yield Problem(str(folder), f"cannot open folder: {exc.strerror or exc}")
        return
    if (stat.st_dev, stat.st_ino) in seen:
        yield Problem(str(folder), "symlink loop: this folder was already visited")
        return
    seen.add((stat.st_dev, stat.st_ino))
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Problem(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, seen)
        elif suffix_of(path) in SUPPORTED_SUFFIXES:
            yield path
        else:
            yield Problem(str(path), f"unsupported file type {path.suffix or '(none)'}; " + _supported())


def _supported() -> str:
    return "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES))


def suffix_of(path: Path | str) -> str:
    """The suffix that picks a reader: `.warc.gz` counts as one suffix."""
    name = Path(path).name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else Path(name).suffix


def read_file(
    path: Path, max_document_bytes: int = MAX_DOCUMENT_BYTES, origin: str | None = None
) -> tuple[list[RawRecord], list[Problem]]:
    """Records in one file, and problems with parts of it (a JSONL line that is not JSON, a record too large).

    A single document (text, Markdown, HTML file, or one JSON record) may hold at most `max_document_bytes`;
    JSON and JSONL collections may be larger as a whole. Whole-file failures raise BadInputError. `origin`
    names the file in records and errors (default: its path).
    """
    return _split(iter_records(path, max_document_bytes, origin=origin))


def iter_records(
    path: Path, max_document_bytes: int = MAX_DOCUMENT_BYTES, progress: bool = False, origin: str | None = None
) -> Iterator[RawRecord | Problem]:
    """Records of one file as they are read, with problems in their place; `progress` shows a bar for
    mailboxes and web archives, which are read record by record in bounded memory. `origin` names the file
    (default: its path)."""
    suffix = suffix_of(path)
    name = origin or str(path)
    if suffix in MBOX_SUFFIXES:
        for inner, data in read_mbox(path, progress=progress):
            inner = _renamed(inner, str(path), name)
            if data is None:
                yield Problem(inner, "message is over 64 MB (with its attachments); save its attachments apart")
                continue
            try:
                yield from _sized(read_document(inner, ".eml", data), max_document_bytes)
            except BadInputError as exc:
                yield Problem(inner, exc.reason)
        return
    if suffix in WARC_SUFFIXES:
        for item in _sized(read_warc(path, decode, progress), max_document_bytes):
            renamed = _renamed(item.origin, str(path), name)
            yield replace(item, origin=renamed) if isinstance(item, RawRecord) else Problem(renamed, item.reason)
        return
    whole = suffix in JSON_SUFFIXES | JSONL_SUFFIXES | BINARY_SUFFIXES
    data = read_bytes(path, MAX_COLLECTION_BYTES if whole else max_document_bytes, name)
    yield from _sized(read_document(name, suffix, data), max_document_bytes)


def _renamed(origin: str, path: str, name: str) -> str:
    return name + origin[len(path) :] if origin.startswith(path) else origin


def read_data(
    data: bytes, origin: str, max_document_bytes: int = MAX_DOCUMENT_BYTES
) -> tuple[list[RawRecord], list[Problem]]:
    """Records in the bytes of one file named `origin` (an upload; its suffix says the format)."""
    suffix = suffix_of(origin)
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadInputError(origin, f"unsupported file type {suffix or '(none)'}; {_supported()}")
    if suffix in MBOX_SUFFIXES | WARC_SUFFIXES:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(data)
            return _split(iter_records(path, max_document_bytes, origin=origin))
    whole = suffix in JSON_SUFFIXES | JSONL_SUFFIXES | BINARY_SUFFIXES
    if len(data) > (MAX_COLLECTION_BYTES if whole else max_document_bytes):
        raise BadInputError(origin, _too_large(len(data), max_document_bytes))
    return _split(_sized(read_document(origin, suffix, data), max_document_bytes))


def _split(items: Iterable[RawRecord | Problem]) -> tuple[list[RawRecord], list[Problem]]:
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
        else:
            records.append(item)
    return records, problems


def is_collection(origin: str) -> bool:
    """Whether a record's origin names a part of a file (a JSON list item, a JSONL line, a message of a mailbox,
    an attachment, a web archive's page) rather than a whole file."""
    return bool(re.search(r"(\[\d+\]|:\d+|#.*)$", origin))


def within_limit(
    records: list[RawRecord], problems: list[Problem], max_document_bytes: int
) -> tuple[list[RawRecord], list[Problem]]:
    """The records of a collection no larger than one document may be; the others become problems."""
    kept = []
    for record in records:
        size = len(record.text.encode("utf-8"))
        if size > max_document_bytes:
            problems.append(Problem(record.origin, _too_large(size, max_document_bytes)))
        else:
            kept.append(record)
    return kept, problems


def read_document(origin: str, suffix: str, data: bytes) -> Iterator[RawRecord | Problem]:
    """The records in one file's bytes, read as the suffix says (also used for e-mail attachments). A record that
    is the whole of these bytes (not an item of a JSON list or a message's attachment) carries them as its
    `original`."""
    for item in _read_document(origin, suffix, data):
        if isinstance(item, RawRecord) and item.original is None and item.origin == origin:
            item = replace(item, original=Original(data, _original_name(origin, suffix), media_type(suffix)))
        yield item


MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".eml": "message/rfc822",
}


def _original_name(origin: str, suffix: str) -> str:
    """`report.pdf` for a file, `desk-message-2.eml` for a mailbox's message, `tip-attachment-1-a.pdf` for an
    attachment."""
    path, _, part = origin.partition("#")
    name = Path(path).name if not part else f"{Path(path).stem}-{part}"
    return name if name.lower().endswith(suffix) else name + suffix


def media_type(suffix: str) -> str:
    """The media type of a file by its suffix (application/octet-stream when unknown)."""
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"


def _read_document(origin: str, suffix: str, data: bytes) -> Iterator[RawRecord | Problem]:
    if suffix in PDF_SUFFIXES:
        yield from read_pdf(data, origin)
        return
    if suffix in DOCX_SUFFIXES:
        yield read_docx(data, origin)
        return
    if suffix in MAIL_SUFFIXES:
        yield from read_message(data, origin, read_document, SUPPORTED_SUFFIXES - MBOX_SUFFIXES - WARC_SUFFIXES)
        return
    text = decode(data, origin)
    if suffix in HTML_SUFFIXES:
        yield read_html(text, origin)
    elif suffix in JSONL_SUFFIXES:
        yield from _flatten(read_jsonl(text, origin))
    elif suffix in JSON_SUFFIXES:
        yield from _flatten(read_json(text, origin))
    else:
        yield RawRecord(origin=origin, text=text)


def _flatten(found: tuple[list[RawRecord], list[Problem]]) -> Iterator[RawRecord | Problem]:
    yield from found[1]
    yield from found[0]


def _sized(items: Iterator[RawRecord | Problem], limit: int) -> Iterator[RawRecord | Problem]:
    """Records over the document size limit become problems."""
    for item in items:
        size = len(item.text.encode("utf-8")) if isinstance(item, RawRecord) else 0
        yield Problem(item.origin, _too_large(size, limit)) if size > limit else item


def _too_large(size: int, limit: int) -> str:
    return (
        f"document is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit (ARCHIVE_MAX_DOCUMENT_BYTES); "
        "split it into articles"
    )


def read_bytes(path: Path, limit: int, origin: str | None = None) -> bytes:
    origin = origin or str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise BadInputError(origin, _too_large(size, limit))
        return path.read_bytes()
    except PermissionError as exc:
        raise BadInputError(origin, "permission denied; make it readable by this user") from exc
    except OSError as exc:
        raise BadInputError(origin, f"cannot read: {exc.strerror or exc}") from exc


def decode(data: bytes, origin: str) -> str:
    """Bytes to text: BOMs first, then UTF-8, then the charset a page declares, else Windows-1252; binary and
    undecodable data are refused."""
    if not data.strip():
        raise BadInputError(origin, "file is empty")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise BadInputError(origin, f"binary file ({what}), not text")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise BadInputError(origin, f"starts with a {encoding} mark but is not valid {encoding}") from exc
            return _checked_text(text, origin)
    if b"\x00" in data[:8192]:
        raise BadInputError(origin, "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _declared_charset(data[:4096])
        try:
            text = data.decode(declared or "cp1252")
        except UnicodeDecodeError as exc:
            raise BadInputError(
                origin,
                f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}) "
                "nor Windows-1252; convert it to UTF-8",
            ) from exc
    return _checked_text(text, origin)


def _declared_charset(head: bytes) -> str | None:
    """The charset an HTML page or XML file declares (`<meta charset="shift_jis">`), if Python knows it."""
    match = _CHARSET.search(head)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def _checked_text(text: str, origin: str) -> str:
    if not text.strip():
        raise BadInputError(origin, "file holds only whitespace")
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(sample) // 100):
        raise BadInputError(origin, f"looks binary ({controls} control characters), not text")
    return text


def read_json(text: str, origin: str) -> tuple[list[RawRecord], list[Problem]]:
    """One document, or a list of them (each item reported on its own when it cannot be read)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(origin, f"not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    return records_from_value(data, origin)


def records_from_value(data: object, origin: str) -> tuple[list[RawRecord], list[Problem]]:
    """Records from parsed JSON: one object, or a list of them (`origin[i]` names each item)."""
    if not isinstance(data, list):
        return [record_from_mapping(data, origin)], []
    if not data:
        raise BadInputError(origin, "an empty JSON list holds no documents")
    records, problems = [], []
    for i, item in enumerate(data):
        label = f"{origin}[{i}]"
        try:
            records.append(record_from_mapping(item, label))
        except BadInputError as exc:
            problems.append(Problem(label, exc.reason))
    return records, problems


def read_jsonl(text: str, origin: str) -> tuple[list[RawRecord], list[Problem]]:
    records, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{origin}:{number}"
        try:
            records.append(record_from_mapping(json.loads(line), label))
        except json.JSONDecodeError as exc:
            problems.append(Problem(label, f"line is not JSON ({exc.msg})"))
        except BadInputError as exc:
            problems.append(Problem(label, exc.reason))
    if not records and not problems:
        raise BadInputError(origin, "no JSON lines")
    return records, problems


def record_from_mapping(item: object, origin: str) -> RawRecord:
    """A JSON object as a record. BEIR's {"_id", "title", "text"} and common news field names are understood."""
    if not isinstance(item, dict):
        raise BadInputError(origin, f"expected a JSON object with a text field, got {type(item).__name__}")
    values: dict[str, str | None] = {}
    for key, names in _FIELD_NAMES.items():
        value = next((item[n] for n in names if item.get(n) not in (None, "")), None)
        if isinstance(value, list) and key == "text":
            value = "\n\n".join(str(v) for v in value)
        if value is not None and not isinstance(value, str | int | float):
            raise BadInputError(origin, f"field {key!r} should be a string, got {type(value).__name__}")
        values[key] = None if value is None else str(value)
    if not (values["text"] or "").strip():
        raise BadInputError(origin, f"no text; expected one of the fields {', '.join(_FIELD_NAMES['text'])}")
    text = values.pop("text") or ""
    used = {next((n for n in names if item.get(n) not in (None, "")), None) for names in _FIELD_NAMES.values()}
    meta = {k: v for k, v in item.items() if k not in used and v not in (None, "", [], {})}
    return RawRecord(
        origin=origin,
        text=text,
        doc_id=values["doc_id"],
        title=values["title"],
        date=values["date"],
        source=values["source"],
        url=values["url"],
        meta=meta,
    )
