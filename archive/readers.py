"""Reading files into RawRecords: one function per format, one decoding path for all of them.

Every failure is a BadInputError whose message says what was wrong with the file, so ingest can report it and
go on with the rest.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from archive.documents import Problem, RawRecord
from archive.errors import BadInputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

MAX_DOCUMENT_BYTES = 2_000_000
MAX_COLLECTION_BYTES = 512_000_000
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td")
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF (convert it to text first)",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}
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
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
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
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
        else:
            yield Problem(str(path), f"unsupported file type {path.suffix or '(none)'}; " + _supported())


def _supported() -> str:
    return "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES))


def read_file(path: Path, max_document_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[list[RawRecord], list[Problem]]:
    """Records in one file, and problems with parts of it (a JSONL line that is not JSON, a record too large).

    A single document (text, Markdown, HTML file, or one JSON record) may hold at most `max_document_bytes`;
    JSON and JSONL collections may be larger as a whole.
    """
    suffix = path.suffix.lower()
    collection = suffix in JSON_SUFFIXES | JSONL_SUFFIXES
    text = decode(read_bytes(path, MAX_COLLECTION_BYTES if collection else max_document_bytes), str(path))
    if suffix in HTML_SUFFIXES:
        return [read_html(text, str(path))], []
    if not collection:
        return [RawRecord(origin=str(path), text=text)], []
    records, problems = read_jsonl(text, str(path)) if suffix in JSONL_SUFFIXES else read_json(text, str(path))
    kept = []
    for record in records:
        size = len(record.text.encode("utf-8"))
        if size > max_document_bytes:
            problems.append(Problem(record.origin, _too_large(size, max_document_bytes)))
        else:
            kept.append(record)
    return kept, problems


def _too_large(size: int, limit: int) -> str:
    return (f"document is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit (ARCHIVE_MAX_DOCUMENT_BYTES); "
            "split it into articles")


def read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise BadInputError(f"{path}: {_too_large(size, limit)}")
        return path.read_bytes()
    except PermissionError as exc:
        raise BadInputError(f"{path}: permission denied; make it readable by this user") from exc
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def decode(data: bytes, origin: str) -> str:
    """Bytes to text: BOMs first, then UTF-8, then Windows-1252; binary and undecodable data are refused."""
    if not data.strip():
        raise BadInputError(f"{origin}: file is empty")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise BadInputError(f"{origin}: binary file ({what}), not text")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise BadInputError(f"{origin}: starts with a {encoding} mark but is not valid {encoding}") from exc
            return _checked_text(text, origin)
    if b"\x00" in data[:8192]:
        raise BadInputError(f"{origin}: binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise BadInputError(
                f"{origin}: not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}) "
                "nor Windows-1252; convert it to UTF-8"
            ) from exc
    return _checked_text(text, origin)


def _checked_text(text: str, origin: str) -> str:
    if not text.strip():
        raise BadInputError(f"{origin}: file holds only whitespace")
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(sample) // 100):
        raise BadInputError(f"{origin}: looks binary ({controls} control characters), not text")
    return text


def read_html(html: str, origin: str) -> RawRecord:
    """Article text and metadata from an HTML page; scripts, styles, navigation and figures never reach it."""
    tree = HTMLParser(html)
    meta = _html_metadata(tree)
    for selector in ("script", "style", "noscript", "iframe", "nav", "footer", "aside", "form", "figure",
                     "figcaption", "svg", "header", "button", "template"):
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("br"):
        node.replace_with(" ")
    root = tree.css_first("article") or tree.css_first("main") or tree.body or tree.root
    paragraphs = []
    if root is not None:
        for node in root.css(", ".join(_BLOCKS)):
            if any(inner.tag in _BLOCKS for inner in list(node.traverse(include_text=False))[1:]):
                continue
            text = " ".join(node.text(separator="").split())
            if text:
                paragraphs.append(text)
        if not paragraphs:
            text = root.text(separator="\n")
            paragraphs = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if meta.get("title") and paragraphs and paragraphs[0] == meta["title"]:
        paragraphs = paragraphs[1:]
    body = "\n\n".join(paragraphs)
    if not body.strip():
        raise BadInputError(f"{origin}: HTML page has no readable text (only scripts, styles or markup)")
    return RawRecord(origin=origin, text=body, **meta)


def _html_metadata(tree: HTMLParser) -> dict[str, str]:
    def meta(*names: str) -> str | None:
        for name in names:
            node = tree.css_first(f'meta[property="{name}"]') or tree.css_first(f'meta[name="{name}"]')
            if node is not None and (node.attributes.get("content") or "").strip():
                return node.attributes["content"].strip()
        return None

    found: dict[str, str | None] = {
        "title": meta("og:title", "twitter:title"),
        "date": meta("article:published_time", "date", "pubdate", "dc.date", "DC.date.issued"),
        "source": meta("og:site_name", "publisher", "application-name"),
        "url": meta("og:url"),
    }
    if not found["title"]:
        node = tree.css_first("title") or tree.css_first("h1")
        if node is not None and node.text(strip=True):
            found["title"] = " ".join(node.text().split())
    if not found["date"]:
        node = tree.css_first("time[datetime]")
        if node is not None:
            found["date"] = node.attributes.get("datetime")
    if not found["url"]:
        node = tree.css_first('link[rel="canonical"]')
        if node is not None:
            found["url"] = node.attributes.get("href")
    return {k: v for k, v in found.items() if v}


def read_json(text: str, origin: str) -> tuple[list[RawRecord], list[Problem]]:
    """One document, or a list of them (each item reported on its own when it cannot be read)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{origin}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, list):
        return [record_from_mapping(data, origin)], []
    if not data:
        raise BadInputError(f"{origin}: an empty JSON list holds no documents")
    records, problems = [], []
    for i, item in enumerate(data):
        label = f"{origin}[{i}]"
        try:
            records.append(record_from_mapping(item, label))
        except BadInputError as exc:
            problems.append(Problem(label, exc.message.removeprefix(label + ": ")))
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
            problems.append(Problem(label, exc.message.removeprefix(label + ": ")))
    if not records and not problems:
        raise BadInputError(f"{origin}: no JSON lines")
    return records, problems


def record_from_mapping(item: object, origin: str) -> RawRecord:
    """A JSON object as a record. BEIR's {"_id", "title", "text"} and common news field names are understood."""
    if not isinstance(item, dict):
        raise BadInputError(f"{origin}: expected a JSON object with a text field, got {type(item).__name__}")
    values: dict[str, str | None] = {}
    for key, names in _FIELD_NAMES.items():
        value = next((item[n] for n in names if item.get(n) not in (None, "")), None)
        if isinstance(value, list) and key == "text":
            value = "\n\n".join(str(v) for v in value)
        if value is not None and not isinstance(value, str | int | float):
            raise BadInputError(f"{origin}: field {key!r} should be a string, got {type(value).__name__}")
        values[key] = None if value is None else str(value)
    if not (values["text"] or "").strip():
        raise BadInputError(
            f"{origin}: no text; expected one of the fields {', '.join(_FIELD_NAMES['text'])}"
        )
    text = values.pop("text") or ""
    return RawRecord(origin=origin, text=text, **values)
