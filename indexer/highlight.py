"""Snippets with the query's terms marked, for keyword and semantic hits alike.

Words are compared after the keyword index's own analysis (stemming, stop words), so "riots" marks "riot".
The result is HTML: the text is escaped and only <mark> elements are added.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_WORD = re.compile(r"\w+", re.UNICODE)
# Question words and fillers that BM25 weighs down by itself but that would only clutter a snippet.
QUIET_WORDS = frozenset(
    "a about above after again all also am an and any are as at be been before being between both but by can "
    "could did do does doing done during each few for from further had has have having he her here hers him his "
    "how i if in into is it its just me more most my no nor not now of off on once only or other our out over own "
    "said same say says she should so some such than that the their them then there these they this those "
    "through to too under until up very was we were what when where which while who whom why will with would "
    "you your".split()
)


def highlight(text: str, terms: set[str], analyze, max_chars: int = 320) -> Markup:
    """The part of `text` with the most query terms (whole text if short), terms wrapped in <mark>."""
    spans = []
    terms = {t for t in terms if t not in QUIET_WORDS}
    if terms:
        for match in _WORD.finditer(text):
            stems = analyze(match.group(0))
            if stems and stems[0] in terms:
                spans.append((match.start(), match.end()))
    start, end = _window(text, spans, max_chars)
    out, cursor = ["… " if start > 0 else ""], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [str(escape(text[cursor:s])), "<mark>", str(escape(text[s:e])), "</mark>"]
        cursor = e
    out += [str(escape(text[cursor:end])), " …" if end < len(text) else ""]
    return Markup("".join(out))  # every piece of the text escaped above


def _window(text: str, spans: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    if len(text) <= max_chars:
        return 0, len(text)
    best_start, best_count = 0, -1
    for s, _ in spans or [(0, 0)]:
        start = max(0, s - max_chars // 4)
        count = sum(1 for a, b in spans if a >= start and b <= start + max_chars)
        if count > best_count:
            best_start, best_count = start, count
    start = best_start
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end
