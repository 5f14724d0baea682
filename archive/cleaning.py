"""From a record's raw text to clean paragraphs and the metadata found in the text itself.

The rules are general ones for scraped news pages, not matches against particular files: a metadata header
(`date 2025-02-10`), markdown images and links, image captions and photo credits, donation and newsletter
appeals, the punctuation left behind when paragraphs were run together (`.”.`), and from wire copy the agency's
sign-off and credit lines and rows of figures that would otherwise be paragraphs of their own.
"""

from __future__ import annotations

import re
import unicodedata

from archive.documents import Cleaned, RawRecord
from archive.reflow import mark_headers, reflow, text_wrap_width

_HEADER = re.compile(
    r"^\s*(?P<key>date|dated|published|updated|title|headline|source|url|link)\b\s*[:=\-]?\s*", re.IGNORECASE
)
_DATE_VALUE = re.compile(
    r"(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2}, \d{4})"
)
_MD_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\((?:https?://|/)[^)\s]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JOINED_QUOTE_STOP = re.compile(r"([.!?…])([”\"’])\.(?=\s|$)")
_QUOTE_THEN_WORD = re.compile(r"([.!?][”\"])(?=[A-Z“])")
_TERMINAL = re.compile(r"[.!?:;\"”’)…]$")

_CAPTION_START = re.compile(
    r"^(open image in gallery|view image in fullscreen|image caption|image:|images?:|photo:|photograph:|"
    r"picture:|pictured:|caption:|video:|watch:|listen:|advertisement\b|skip advertisement|read more\b|"
    r"related:|see also:|sign up\b|subscribe\b|follow us\b|share this|share on|click here|getty images)",
    re.IGNORECASE,
)
_CREDIT_END = re.compile(
    r"\((?:[^()]{1,60}/[^()]{1,40}|getty images|reuters|ap|afp|pa|pa wire|pa media|alamy|shutterstock|epa)\)"
    r"(?:\s*\(\s*[^()]{1,30}\s*\))?\s*$",
    re.IGNORECASE,
)
_APPEAL_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\byour (support|donation|contribution|subscription)\b",
        r"\bsupport (us|now|our (journalism|work|reporting))\b",
        r"\bdonat(e|ion|ing)\b",
        r"\bpaywalls?\b",
        r"\bsubscri(be|ption)\b",
        r"\bmake a contribution\b",
        r"\bread more\b",
        r"\bsign up\b",
        r"\bnewsletters?\b",
        r"\b(independent|quality) journalism\b",
        r"\bpaid for by\b",
    )
]
_SECOND_PERSON = re.compile(r"\b(you|your|we|us|our)\b", re.IGNORECASE)
_BLOCK_BREAK = re.compile(r"\n\s*\n")
_WIRE_SIGNOFF = re.compile(r"^(reuters?|afp|ap|upi|dpa)[.\s]*(&#3;)?$", re.IGNORECASE)
_WIRE_CREDIT = re.compile(
    r"^\(?\s*((additional )?reporting|writing|editing|edited|compiled|produced|research) by\b.*\)?$", re.IGNORECASE
)
_VERSUS = re.compile(r"\bvs\.?(?=\s)")


def clean(record: RawRecord) -> Cleaned:
    """Clean paragraphs and metadata. Explicit metadata on the record wins over what the text suggests.

    A record whose meta has `pages` (one page number per blank-line block, as the PDF reader gives) keeps them:
    the cleaned meta's `pages` has one page number per cleaned paragraph.
    """
    text = normalize_text(record.text)
    header, text = _split_header(text)
    text = mark_headers(text)
    blocks = _BLOCK_BREAK.split(text)
    pages = record.meta.get("pages")
    if not isinstance(pages, list) or len(pages) < len(blocks):
        pages = None
    else:
        pages = pages[len(pages) - len(blocks) :]
    width = text_wrap_width(text)
    kept: list[tuple[str, int | None]] = []
    quoted: list[int] = []
    for i, block in enumerate(blocks):
        for part in reflow(block, width):
            paragraph = _clean_paragraph(part.text)
            if paragraph and not is_boilerplate(paragraph) and not is_wire_trailer(paragraph):
                kept.append((paragraph, pages[i] if pages else None))
                quoted.append(part.quoted)
    found = _keep_tables_with_their_paragraph(kept, quoted)
    title = record.title or header.get("title")
    if title is None and len(found) > 1 and _looks_like_headline(found[0][0]) and not found[0][2]:
        title, found = found[0][0], found[1:]
    if title is not None:
        title = " ".join(_MD_HEADING.sub("", title).split())
        if len(found) > 1 and found[0][0] == title:
            found = found[1:]
    meta = dict(record.meta)
    if pages:
        meta["pages"] = [page for _, page, _ in found]
    if any(level for _, _, level in found):
        meta["quoted"] = [level for _, _, level in found]
    return Cleaned(
        paragraphs=tuple(p for p, _, _ in found),
        title=title or None,
        date=(record.date or header.get("date") or None),
        source=(record.source or header.get("source") or None),
        url=(record.url or header.get("url") or None),
        meta=meta,
    )


def is_wire_trailer(paragraph: str) -> bool:
    """A news agency's sign-off or credit line (`REUTER`, `(Reporting by …; Editing by …)`): not the story."""
    return bool(_WIRE_SIGNOFF.match(paragraph) or (len(paragraph.split()) <= 40 and _WIRE_CREDIT.match(paragraph)))


def is_table_line(paragraph: str) -> bool:
    """A line of figures from wire copy (`Shr 1.45 dlrs vs 1.37 dlrs`, `Pay March 31`): a table row, not prose."""
    words = paragraph.split()
    if len(words) > 16 or (_TERMINAL.search(paragraph) and not paragraph.endswith(")")):
        return False
    numeric = sum(1 for w in words if any(c.isdigit() for c in w))
    return bool(_VERSUS.search(paragraph) and numeric) or (numeric > 0 and numeric * 3 >= len(words))


def _keep_tables_with_their_paragraph(
    found: list[tuple[str, int | None]], quoted: list[int]
) -> list[tuple[str, int | None, int]]:
    """Runs of table lines (with a short label such as `Year` before them) become one paragraph, joined to the
    paragraph before them when there is one, so no row of figures is a search hit on its own. Each paragraph
    comes with its page and its quote level."""
    result: list[tuple[str, int | None, int]] = []
    run: list[tuple[str, int | None, int]] = []

    def flush() -> None:
        if not run:
            return
        joined = "; ".join(p for p, _, _ in run)
        if result and result[-1][2] == run[0][2]:
            result[-1] = (result[-1][0] + " " + joined, result[-1][1], result[-1][2])
        else:
            result.append((joined, run[0][1], run[0][2]))
        run.clear()

    for i, (paragraph, page) in enumerate(found):
        label = (
            len(paragraph.split()) <= 3
            and not _TERMINAL.search(paragraph)
            and i + 1 < len(found)
            and is_table_line(found[i + 1][0])
        )
        if is_table_line(paragraph) or label:
            run.append((paragraph, page, quoted[i]))
        else:
            flush()
            result.append((paragraph, page, quoted[i]))
    flush()
    return result


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    return _CONTROL.sub(" ", text)


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """Leading `key value` metadata lines (or a key at the start of a line that goes on with the body)."""
    found: dict[str, str] = {}
    while True:
        match = _HEADER.match(text)
        if not match:
            return found, text
        key = match.group("key").lower()
        rest = text[match.end() :]
        if key in {"date", "dated", "published", "updated"}:
            value = _DATE_VALUE.match(rest)
            if not value or "date" in found:
                return found, text
            found["date"] = value.group(0)
            text = rest[value.end() :]
        else:
            line, _, remainder = rest.partition("\n")
            if ":" not in text[: match.end()] or not line.strip() or key in found:
                return found, text
            found[{"headline": "title", "link": "url"}.get(key, key)] = line.strip()
            text = remainder


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: blank lines separate them; inside a block, lines are paragraphs of their own
    (scraped text) or wrapped lines of one (hard-wrapped text, see `archive.reflow`)."""
    width = text_wrap_width(text)
    return [p.text for block in _BLOCK_BREAK.split(text) for p in reflow(block, width)]


def _clean_paragraph(paragraph: str) -> str:
    paragraph = _MD_IMAGE.sub(" ", paragraph)
    paragraph = _MD_LINK.sub(r"\1", paragraph)
    paragraph = _MD_EMPHASIS.sub(r"\2", paragraph)
    paragraph = _JOINED_QUOTE_STOP.sub(r"\1\2", paragraph)
    paragraph = _QUOTE_THEN_WORD.sub(r"\1 ", paragraph)
    if re.fullmatch(r"[-*_=#\s]+", paragraph):
        return ""
    return " ".join(paragraph.split())


def is_boilerplate(paragraph: str) -> bool:
    """Captions, photo credits, appeals and sharing prompts: text about the page, not the story."""
    words = paragraph.split()
    if _CAPTION_START.match(paragraph):
        return True
    if len(words) <= 30 and _CREDIT_END.search(paragraph):
        return True
    hits = sum(1 for pattern in _APPEAL_PATTERNS if pattern.search(paragraph))
    if hits >= 2 and len(_SECOND_PERSON.findall(paragraph)) >= 2:
        return True
    return hits >= 1 and len(words) <= 12 and bool(_SECOND_PERSON.search(paragraph))


def _looks_like_headline(paragraph: str) -> bool:
    """Short, unpunctuated, not a quote and not a salutation ("Jeff,")."""
    return (
        len(paragraph.split()) <= 20
        and not _TERMINAL.search(paragraph)
        and not paragraph.startswith(("“", '"'))
        and not paragraph.endswith(",")
    )


def derive_title(paragraphs: tuple[str, ...], limit: int = 90) -> str:
    """A title for a document that has none: its first sentence, shortened on a word boundary."""
    if not paragraphs:
        return "(untitled)"
    first = re.split(r"(?<=[.!?])\s", paragraphs[0], maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
