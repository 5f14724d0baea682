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
import pypdfium2.raw as pdfium_c

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
    heading = None
    try:
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            if number == 1:
                heading = largest_text(page)
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
        title=heading or _metadata_title(info.get("Title")),
        date=_pdf_date(info.get("CreationDate")),
        meta=meta,
    )
    yield from problems


def largest_text(page: pdfium.PdfPage) -> str | None:
    """The title a reader sees: the text set largest on the page, when it is clearly larger (by 15%) than the
    body text and reads as a title (letters, at most 30 words). None when no text stands out, so a table header
    or a first line in body size is never taken for the title."""
    textpage = page.get_textpage()
    try:
        runs: list[list] = []
        weights: dict[float, int] = {}
        for index in range(textpage.count_chars()):
            char = textpage.get_text_range(index, 1)
            size = round(pdfium_c.FPDFText_GetFontSize(textpage.raw, index), 1)
            if char in "\r\n":
                if runs:
                    runs[-1][1] += " "
                continue
            if char.strip():
                weights[size] = weights.get(size, 0) + 1
            if runs and abs(runs[-1][0] - size) < 0.5:
                runs[-1][1] += char
            elif char.strip():
                runs.append([size, char])
            elif runs:
                runs[-1][1] += char
    finally:
        textpage.close()
    if not weights:
        return None
    body = max(weights, key=lambda s: weights[s])
    for size in sorted({run[0] for run in runs}, reverse=True):
        if size < 1.15 * body:
            return None
        text = " ".join(next(run[1] for run in runs if run[0] == size).split())
        words = text.split()
        if sum(c.isalpha() for c in text) >= 4 and 1 <= len(words) <= 30:
            return text
    return None


_STALE_TITLE = re.compile(
    r"^(microsoft (word|powerpoint|excel) - |untitled|document\d*$|slide \d+)|\.(docx?|pdf|xlsx?)$", re.I
)


def _metadata_title(value: str | None) -> str | None:
    """The Title of the PDF's metadata, unless it is a left-over (a file name, "Microsoft Word - draft3.doc")."""
    title = " ".join((value or "").split())
    return None if not title or _STALE_TITLE.search(title) else title


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
