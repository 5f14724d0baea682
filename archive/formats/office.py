"""Word documents (.docx) through python-docx: paragraphs and table rows in reading order, title and author from
the file's properties (or its first Title-styled paragraph)."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table

from archive.documents import RawRecord
from archive.formats import bad_input


def read_docx(data: bytes, origin: str) -> RawRecord:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise bad_input(origin, "not a readable Word (.docx) file; save it again as .docx") from exc
    title = (document.core_properties.title or "").strip() or None
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))
                if any(cells):
                    blocks.append(" | ".join(c for c in cells if c))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        if title is None and item.style is not None and item.style.name == "Title":
            title = text
            continue
        blocks.append(text)
    if not blocks:
        raise bad_input(origin, "Word document has no text")
    props = document.core_properties
    meta = {"author": props.author.strip()} if (props.author or "").strip() else {}
    date = props.created.date().isoformat() if props.created else None
    return RawRecord(origin=origin, text="\n\n".join(blocks), title=title, date=date, meta=meta)
