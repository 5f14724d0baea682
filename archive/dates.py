"""Publication dates: the forms news sources use, read one way, and never guessed.

Accepted: ISO 8601 (`1987-03-02`, `1987-03-02T10:15:00Z`), RFC 2822 (`Mon, 2 Mar 1987 10:15:00 GMT`), written
dates (`2 March 1987`, `March 2, 1987`, `2 Mar 1987`), and numeric dates whose order cannot be mistaken
(`1987/03/02`, `25/02/1987`). A numeric date that reads both ways (`03/02/1987`) is refused rather than read
day-first or month-first, and an impossible one (`2025-02-30`) is refused rather than dropped.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

ACCEPTED_FORMS = 'ISO 8601 (1987-03-02), RFC 2822 (Mon, 2 Mar 1987 10:15:00 GMT) or "2 March 1987"'

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ]\d)")
_NUMERIC = re.compile(r"(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})")
_WRITTEN = ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%b %d %Y", "%d %b. %Y", "%b. %d, %Y")


class DateError(ValueError):
    """A date that cannot be read without guessing; the message says why and what is accepted."""


def parse_date(value: str) -> str:
    """The ISO date (YYYY-MM-DD) a date string means, or DateError saying why it cannot be read."""
    text = " ".join(value.split())
    if not text:
        raise DateError(f"the date is empty; use {ACCEPTED_FORMS}")
    iso = _ISO.match(text)
    if iso:
        return _checked(int(iso[1]), int(iso[2]), int(iso[3]), text)
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        return _numeric(numeric, text)
    for fmt in _WRITTEN:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    raise DateError(f"{value!r} is not a date this archive can read; use {ACCEPTED_FORMS}")


def _checked(year: int, month: int, day: int, text: str) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise DateError(f"{text!r} is not a real date ({exc}); use {ACCEPTED_FORMS}") from exc


def _numeric(match: re.Match, text: str) -> str:
    a, b, c = (int(part) for part in match.groups())
    if len(match[1]) == 4:
        return _checked(a, b, c, text)
    if len(match[3]) != 4:
        raise DateError(f"{text!r} has no four-digit year; use {ACCEPTED_FORMS}")
    if a > 12 >= b:
        return _checked(c, b, a, text)
    if b > 12 >= a:
        return _checked(c, a, b, text)
    if a == b:
        return _checked(c, a, b, text)
    raise DateError(f"{text!r} is ambiguous (day/month or month/day?); write it as {ACCEPTED_FORMS}")
