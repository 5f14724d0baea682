"""The bytes a document was read from, and PDF pages as images: `GET /api/documents/<id>/original` and
`GET /api/documents/<id>/pages/<n>.png` (rendered by pypdfium2 once, then served from `DATA_DIR/previews/`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, send_file, url_for

from archive.errors import NotFoundError
from archive.store.originals import StoredOriginal
from web.searching import service

bp = Blueprint("originals", __name__)

PAGE_SCALE = 1.5  # 108 dpi: readable tables, about 150 KB a page
_SANDBOX = "sandbox; default-src 'none'"


def _original(doc_id: str) -> StoredOriginal:
    return service().original(doc_id)


def original_view(doc_id: str) -> dict | None:
    """What the document page and /api/documents/<id> say of the original: its download link, media type, name
    and size, and for a PDF the address of its page images (`{n}` to fill in); None when none was kept."""
    try:
        found = _original(doc_id)
    except NotFoundError:
        return None
    pdf = found.media_type == "application/pdf"
    return {
        "url": url_for("originals.original", doc_id=doc_id),
        "media_type": found.media_type,
        "name": found.name,
        "size": found.size,
        "pages": url_for("originals.page_image", doc_id=doc_id, number=1).replace("/pages/1.png", "/pages/{n}.png")
        if pdf
        else None,
    }


@bp.get("/documents/<path:doc_id>/original")
def original(doc_id: str):
    """The original bytes as a download (never rendered in the archive's own origin: it may be any HTML)."""
    found = _original(doc_id)
    response = send_file(found.path, mimetype=found.media_type, as_attachment=True, download_name=found.name)
    response.headers["Content-Security-Policy"] = _SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/documents/<path:doc_id>/pages/<int:number>.png")
def page_image(doc_id: str, number: int):
    found = _original(doc_id)
    if found.media_type != "application/pdf":
        raise NotFoundError(f"{doc_id!r} was not read from a PDF ({found.media_type}); only PDF pages have images")
    settings = current_app.extensions["archive.settings"]
    cached = Path(settings.data_dir) / "previews" / f"{found.sha256}-p{number}.png"
    if not cached.is_file():
        render_page(found.path, number, cached)
    response = send_file(cached, mimetype="image/png", max_age=86400)
    return response


def render_page(pdf_path: Path, number: int, target: Path) -> None:
    """Render page `number` (from 1) of a PDF to a PNG file, written atomically."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        if not 1 <= number <= len(pdf):
            raise NotFoundError(f"this PDF has pages 1 to {len(pdf)}; there is no page {number}")
        image = pdf[number - 1].render(scale=PAGE_SCALE).to_pil()
    finally:
        pdf.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as out:
            image.save(out, format="PNG", optimize=True)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
