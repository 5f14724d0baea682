"""Plain text (mail bodies, .txt) to paragraphs that read as paragraphs.

Mail and plain-text files are hard-wrapped at a fixed width, quote the message they answer with `>`, and carry
the headers of forwarded messages in their body. Read line by line, every wrapped line would be a passage of its
own ("crisis the", "Scott,"). Here:

- a line is joined to the next when the next line's first word would not have fitted after it within the text's
  wrap width (measured from the text itself: most lines of a hard-wrapped text end close to one width);
- `>` quoted lines are unquoted, reflowed the same way, and kept with their quote level, so a reply and the text
  it quotes stay told apart;
- forwarded and replied-to headers (`-----Original Message-----`, `From: … Sent: … To: … Subject:`, Lotus Notes'
  `Forwarded by …` lines) and separator lines are boundaries between paragraphs, never paragraphs.

Text whose lines are paragraphs already (scraped pages, one paragraph a line) has no wrap width and is left as it
is. The module knows nothing of formats: `archive.cleaning` applies it to every record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_PREFIX = re.compile(r"^((?:[ \t]*>)+)[ \t]?")
_SEPARATOR = re.compile(r"^[-=_*~#\s]{4,}$")
_FORWARD_LINE = re.compile(
    r"^[-\s]*(-{2,}\s*(original message|forwarded message|forwarded by\b.*|begin forwarded message)[^\n]*"
    r"|begin forwarded message:?|-{2,}\s*forwarded by\b.*)$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(r"^(from|sent|date|to|cc|bcc|subject|reply-to)\s*:", re.IGNORECASE)
_NOTES_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(:\d{2})?\s*(AM|PM)?$", re.IGNORECASE)
_NOTES_SENDER = re.compile(r"^[\w .,'\"-]+(@[\w.-]+|/[\w/.-]+)$")
_LIST_ITEM = re.compile(r"^([-*•·o]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")
_TERMINAL = re.compile(r"[.!?:;\"”’)…]$")

MIN_WIDTH, MAX_WIDTH = 30, 100


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text and its quote level (0: the author's own words; 1: quoted once with `>`)."""

    text: str
    quoted: int = 0


def reflow(text: str, width: int | None = None) -> list[Paragraph]:
    """The paragraphs of plain text, in order. Blank lines, quote-level changes, forwarded headers and separator
    lines end a paragraph; inside one, wrapped lines are joined. `width` is the text's wrap width when the text is
    part of a larger one (see `text_wrap_width`); measured on `text` itself otherwise."""
    runs = _runs(_lines(text))
    if width is None:
        width = wrap_width([line for run, _ in runs for line in run[:-1]])
    return [Paragraph(part, level) for run, level in runs for part in _join_wrapped(run, width)]


def text_wrap_width(text: str) -> int | None:
    """The wrap width of a whole text (see `wrap_width`), measured on all its paragraphs' lines."""
    return wrap_width([line for run, _ in _runs(_lines(text)) for line in run[:-1]])


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line with its quote level and without its `>` marks. A short unquoted line between two lines quoted
    at one level is a piece of the quoted line that a reply's re-wrapping pushed out of it."""
    raw = [(_quote_level(line), _unquoted(line).rstrip()) for line in text.split("\n")]
    lines: list[tuple[int, str]] = []
    for i, (level, line) in enumerate(raw):
        before = lines[-1][0] if lines else 0
        after = raw[i + 1][0] if i + 1 < len(raw) else 0
        if level == 0 and before and before == after and line.strip() and len(line.split()) <= 3 and lines[-1][1]:
            lines[-1] = (before, lines[-1][1] + " " + line.strip())
        else:
            lines.append((level, line))
    return lines


def _quote_level(line: str) -> int:
    match = _QUOTE_PREFIX.match(line)
    return match.group(1).count(">") if match else 0


def _unquoted(line: str) -> str:
    return _QUOTE_PREFIX.sub("", line, count=1)


def _runs(lines: list[tuple[int, str]]) -> list[tuple[list[str], int]]:
    """Runs of non-blank lines at one quote level, separators removed: the candidates for paragraphs (a run
    may still hold several one-line paragraphs)."""
    runs: list[tuple[list[str], int]] = []
    current: list[str] = []
    level = 0
    for line_level, line in lines:
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(stripped):
            if current:
                runs.append((current, level))
            current = []
            continue
        if line_level != level and current:
            runs.append((current, level))
            current = []
        level = line_level
        current.append(stripped)
    if current:
        runs.append((current, level))
    return runs


def mark_headers(text: str) -> str:
    """The text with each line of a forwarded or replied-to message header replaced by a separator line, so it
    ends a paragraph without becoming one (the number of lines, and of blank-line blocks, is unchanged).

    A header is a `-----Original Message-----` or `Forwarded by` line, or a run of two or more different
    `From:`/`Sent:`/`To:`/`Cc:`/`Subject:` lines (blank lines and indented continuations allowed between them)
    with the sender and date lines Lotus Notes puts above them."""
    lines = text.split("\n")
    texts = [_unquoted(line).strip() for line in lines]
    skip: set[int] = set()
    i = 0
    while i < len(texts):
        if _FORWARD_LINE.match(texts[i]):
            skip.add(i)
        elif _HEADER_LINE.match(texts[i]):
            end, named = _header_run(lines, texts, i)
            if len(named) >= 2 and named & {"to", "from", "subject"}:
                skip.update(range(i, end))
                back = [j for j in range(max(0, i - 3), i) if texts[j]][-2:]
                skip.update(j for j in back if _NOTES_DATE.match(texts[j]) or _NOTES_SENDER.match(texts[j]))
                if len(back) == 2 and _NOTES_DATE.match(texts[back[1]]) and len(texts[back[0]].split()) <= 5:
                    skip.add(back[0])  # Lotus Notes: the sender's name, then the date, above the header
                i = end
                continue
        i += 1
    if not skip:
        return text
    return "\n".join("-----" if i in skip else line for i, line in enumerate(lines))


_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)*|[\w][\w .'&-]*/[\w/ .&-]*@[\w.&-]+(?: [\w.&-]+)*")


def _is_address_list(text: str) -> bool:
    """A line of addresses only (`Steve Walton/HOU/ECT@ECT, Susan J Mara/NA/Enron@ENRON,` or `a@x.com; b@y.org`):
    a To or Cc list wrapped onto lines of its own."""
    return "@" in text and len(_ADDRESS.sub("", text).strip(" ,;<>\"'")) <= 3


def _header_run(lines: list[str], texts: list[str], start: int) -> tuple[int, set[str]]:
    named: set[str] = set()
    j = start
    while j < len(texts):
        match = _HEADER_LINE.match(texts[j])
        if match:
            named.add(match.group(1).lower())
        elif not texts[j]:
            following = next((t for t in texts[j + 1 : j + 3] if t), "")
            if not _HEADER_LINE.match(following):
                break
        elif not ((lines[j][:1] in (" ", "\t") or _is_address_list(texts[j])) and j > start):
            break
        j += 1
    return j, named


def wrap_width(lines: list[str]) -> int | None:
    """The width a text was hard-wrapped at, or None when its lines do not end near one width.

    `lines` are the lines followed by another line of their paragraph. A wrapped text has most of them close to
    the width (each ends where the next word would not fit), few longer than it, and a width of 30 to 100
    characters; one paragraph a line (scraped text) has lines of every length, most of them longer."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 3:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    near = sum(1 for n in lengths if width - 20 <= n <= width + 2)
    longer = sum(1 for n in lengths if n > width + 10)
    if near < 0.35 * len(lengths) or longer > 0.1 * len(lengths):
        return None
    return width


def _join_wrapped(run: list[str], width: int | None) -> list[str]:
    """One run of lines as paragraphs: a line is joined to the next when the text is wrapped and the next line's
    first word would not have fitted after it, when the next line goes on with a sentence the line left open
    (starts in lower case), or when the whole run reads as wrapped text (short lines, none ending a sentence);
    list items and salutations ("Dave,") start lines of their own."""
    if len(run) == 1:
        return run
    uniform = (
        len(run) > 2
        and sum(len(line) for line in run[:-1]) / (len(run) - 1) < 90
        and not any(_TERMINAL.search(line) for line in run[:-1])
    )
    paragraphs = [run[0]]
    for previous, line in zip(run, run[1:], strict=False):
        if _joins(previous, line, width, uniform):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
    return paragraphs


def _joins(previous: str, line: str, width: int | None, uniform: bool) -> bool:
    if _LIST_ITEM.match(line) or _HEADER_LINE.match(line):
        return False
    words = previous.split()
    if len(words) <= 3 and previous.endswith(","):
        return False
    if uniform:
        return True
    first_word = line.split()[0] if line.split() else ""
    if first_word[:1].islower() and not _TERMINAL.search(previous):
        return True  # a sentence going on: text wrapped twice leaves short pieces ("record --", "cop, even")
    if width is None:
        return False
    return len(previous) + 1 + len(first_word) > width - 2
