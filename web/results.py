"""What the search page draws beside its results, built from a SearchResponse: the date histogram, who speaks in
each passage, the titles of "also in" copies, an article's meta highlights. Plain data; the templates draw it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

from archive.documents import PARAGRAPH_META, StoredQuote
from indexer.facets import FacetValue

BAR_STEPS = 20
MONTHS_UP_TO_YEARS = 3
SKIPPED_META = PARAGRAPH_META | {"dateline", "references", "attachments"}


@dataclass(frozen=True)
class Bar:
    """One bar of the date histogram: a year ("2024") or a month ("2024-03"), how many results it holds, its
    height as a step of BAR_STEPS (CSS classes h-0..h-20: inline styles are blocked by the CSP), its date range."""

    value: str
    label: str
    count: int
    step: int
    date_from: str
    date_to: str


@dataclass(frozen=True)
class Histogram:
    unit: str
    bars: list[Bar]


def histogram(facets: dict[str, list[FacetValue]]) -> Histogram | None:
    """Bars per month when the results span up to three calendar years, per year otherwise; the empty months or
    years between the first and the last are drawn too (as zero bars), so the time axis is not bent."""
    years = {int(v.value): v.count for v in facets.get("year", []) if v.value.isdigit()}
    if not years:
        return None
    first, last = min(years), max(years)
    months = {v.value: v.count for v in facets.get("month", [])}
    if last - first < MONTHS_UP_TO_YEARS and months:
        start, end = min(months), max(months)
        values = []
        year, month = int(start[:4]), int(start[5:7])
        while f"{year:04d}-{month:02d}" <= end:
            values.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        counts = [months.get(value, 0) for value in values]
        unit = "month"
    else:
        values = [str(year) for year in range(first, last + 1)]
        counts = [years.get(int(value), 0) for value in values]
        unit = "year"
    top = max(counts) or 1
    bars = []
    for value, count in zip(values, counts, strict=True):
        step = 0 if count == 0 else max(1, round(BAR_STEPS * count / top))
        bars.append(Bar(value, _label(value), count, step, *date_range(value)))
    return Histogram(unit, bars)


def date_range(value: str) -> tuple[str, str]:
    """The first and last day of a year ("2024") or a month ("2024-02")."""
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    year, month = int(value[:4]), int(value[5:7])
    return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"


def _label(value: str) -> str:
    if len(value) == 4:
        return value
    return f"{calendar.month_abbr[int(value[5:7])]} {value[:4]}"


def speakers_by_chunk(quotes: list[StoredQuote]) -> dict[int, list[str]]:
    """Who speaks in each passage, for the line under a quoted snippet: "Enver Solomon, Refugee Council"."""
    found: dict[int, list[str]] = {}
    for quote in quotes:
        if quote.chunk_id is None or not quote.speaker:
            continue
        name = quote.speaker + (f", {quote.org}" if quote.org and quote.org != quote.speaker else "")
        names = found.setdefault(quote.chunk_id, [])
        if name not in names:
            names.append(name)
    return found


def meta_highlights(meta: dict[str, Any], limit: int = 6) -> list[tuple[str, list[str]]]:
    """The fields of an article's meta worth a glance (topics, places, people...): list values and short words,
    not page numbers or a dateline."""
    shown = []
    for name, value in meta.items():
        if name in SKIPPED_META:
            continue
        values = value if isinstance(value, list) else [value]
        words = [str(v) for v in values if isinstance(v, str | int | float) and str(v).strip()]
        if words and all(len(word) <= 40 for word in words):
            shown.append((name, words[:limit]))
    return shown
