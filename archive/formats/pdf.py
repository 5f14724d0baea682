"""PDFs: one document per file, each paragraph with the page it is on (`meta["pages"]`), so a hit can say "p. 3".

The text layer is read with pypdfium2 (PDFium, BSD/Apache licensed). Pages without one (scans) are rendered and
read by Tesseract OCR when it is installed (`make install` installs Debian's tesseract-ocr); where it is not, the
page is reported and the rest of the document is kept.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pypdfium2 as pdfium

from archive.documents import Problem, RawRecord
from archive.formats import bad_input

OCR_DPI = 300
_MIN_PAGE_CHARS = 20
_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")


def read_pdf(data: bytes, origin: str) -> Iterator[RawRecord | Problem]:
    """The document, then a problem for each page that could not be read."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise bad_input(origin, f"not a readable PDF ({exc}); is it encrypted or damaged?") from exc
    blocks: list[str] = []
    pages: list[int] = []
    problems: list[Problem] = []
    try:
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            text = _text_layer(page)
            if len(text.strip()) < _MIN_PAGE_CHARS:
                if not ocr_available():
                    problems.append(
                        Problem(
                            f"{origin}#page={number}",
                            "page has no text layer and Tesseract OCR is "
                            "not installed: apt-get install tesseract-ocr tesseract-ocr-eng",
                        )
                    )
                    continue
                text = _ocr(page)
            for block in paragraphs(text):
                blocks.append(block)
                pages.append(number)
        info = pdf.get_metadata_dict(skip_empty=True)
    finally:
        pdf.close()
    if not blocks:
        raise bad_input(origin, "PDF has no readable text" + (f" ({problems[0].reason})" if problems else ""))
    meta: dict = {"pages": pages}
    if info.get("Author"):
        meta["author"] = info["Author"].strip()
    yield RawRecord(
        origin=origin,
        text="\n\n".join(blocks),
        title=(info.get("Title") or "").strip() or None,
        date=_pdf_date(info.get("CreationDate")),
        meta=meta,
    )
    yield from problems


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _text_layer(page: pdfium.PdfPage) -> str:
    """The page's text lines, with a blank line where the gap above a line is wider than the usual line spacing
    (a paragraph break: PDFs store positions, not paragraphs)."""
    textpage = page.get_textpage()
    try:
        runs = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        lines: list[tuple[float, float, str]] = []
        for left, bottom, right, top in runs:
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if not text:
                continue
            if lines and abs(lines[-1][0] - top) < 2:
                lines[-1] = (lines[-1][0], lines[-1][1], f"{lines[-1][2]} {text}")
            else:
                lines.append((top, bottom, text))
    finally:
        textpage.close()
    gaps = sorted(a[0] - b[0] for a, b in zip(lines, lines[1:], strict=False) if a[0] > b[0])
    heights = sorted(top - bottom for top, bottom, _ in lines)
    usual = 1.6 * heights[len(heights) // 2] if heights else 0
    if len(gaps) >= 3:
        usual = min(usual, gaps[len(gaps) // 4])
    out: list[str] = []
    for i, (top, _, text) in enumerate(lines):
        if i and usual and (lines[i - 1][0] - top > 1.4 * usual or top > lines[i - 1][0]):
            out.append("")
        out.append(text)
    return "\n".join(out)


def _ocr(page: pdfium.PdfPage) -> str:
    import pytesseract

    image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
    return pytesseract.image_to_string(image, lang="eng")


def paragraphs(text: str) -> list[str]:
    """A page's lines as paragraphs: blank lines always end one; otherwise a line that ends a sentence and stops
    well short of the page's usual line length does. Words hyphenated across lines are joined."""
    result: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        width = sorted(len(line) for line in lines)[len(lines) * 3 // 4]
        current = ""
        for line in lines:
            if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
                current = current[:-1] + line
            else:
                current = f"{current} {line}".strip()
            if _SENTENCE_END.search(line) and len(line) < 0.8 * width:
                result.append(current)
                current = ""
        if current:
            result.append(current)
    return result


def _pdf_date(value: str | None) -> str | None:
    match = _PDF_DATE.match(value or "")
    if not match or not match.group(2) or not match.group(3):
        return None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
