"""How documents get their ids, so that two different documents can never take the same one by accident.

- A record with an explicit id (a JSON `id`/`_id`/`doc_id` field) is that document: sending it again updates it.
- A file without one is named by its path relative to the folder given to `archive ingest` (`business/001`
  for `bbc/business/001.txt` ingested as `bbc/`; the file name without its suffix when the file itself was
  given). A file already ingested keeps its id (looked up by its absolute path); a new file whose name is
  taken by another file gets `-` and 8 hex digits of a hash of its absolute path added.
- Anything else without an id (a JSON body, an upload, an id-less record inside a JSON/JSONL file) is named
  by its content: a slug of its title or file name, `-`, and the first 12 hex digits of its content hash.
  Sending the same content again changes nothing; different content is a different document.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from archive.errors import BadInputError

MAX_ID_CHARS = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_SLUG = re.compile(r"[^\w.-]+")


def explicit_id(value: str, origin: str) -> str:
    """A record's own id, checked: 1-200 printable characters."""
    doc_id = value.strip()
    if not doc_id or len(doc_id) > MAX_ID_CHARS or _UNSAFE.search(doc_id):
        raise BadInputError(origin, f"id {value[:40]!r} must be 1-{MAX_ID_CHARS} printable characters")
    return doc_id


def path_name(path: Path, root: Path) -> str:
    """A file's id candidate: its path under the ingest root, without suffix (`business/001`)."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        relative = Path(path.name)
    parts = [slug(part) for part in relative.with_suffix("").parts]
    return "/".join(part for part in parts if part)[: MAX_ID_CHARS - 9] or "document"


def disambiguated(name: str, origin: str) -> str:
    """The id for a file whose natural name another file already holds."""
    return f"{name}-{hashlib.sha1(origin.encode('utf-8')).hexdigest()[:8]}"


def content_id(label: str, content_hash: str) -> str:
    """The id of a document known only by its content."""
    return f"{(slug(label)[:60].strip('-.') or 'document')}-{content_hash[:12]}"


def slug(text: str) -> str:
    return _SLUG.sub("-", text.strip().lower()).strip("-")
