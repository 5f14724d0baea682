"""Facet counts: how many results each value of a field has, so a researcher sees where the results come from.

In keyword mode the indexes count exactly (tantivy aggregations over every match). Semantic and hybrid results
have no fixed end, so their facets count the ranked candidates the page is drawn from: a lower bound, like their
total.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


def facet_values(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    return {name: [FacetValue(value, count) for value, count in values] for name, values in facets.items()}


def values_of(row: Any, name: str) -> list[str]:
    """The values a stored document (a row with source, date, speakers, meta) has for one facet."""
    if name == "source":
        return [row["source"].lower()] if row["source"] else []
    if name == "year":
        return [row["date"][:4]] if row["date"] else []
    if name == "month":
        return [row["date"][:7]] if row["date"] else []
    if name == "speaker":
        return sorted(set(filter(None, (row["speakers"] or "").split(","))))
    try:
        meta = json.loads(row["meta"] or "{}")
    except (TypeError, ValueError):
        return []
    value = meta.get(name.removeprefix("meta."))
    values = value if isinstance(value, list) else [value]
    return sorted({str(v) for v in values if isinstance(v, str | int | float) and str(v) != ""})


def count_facets(rows: Iterable[Any], names: Iterable[str], limit: int = 50) -> dict[str, list[tuple[str, int]]]:
    """Facet counts over the given rows (one per result counted): most first, years and months in time order."""
    rows = list(rows)
    result: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        counts = Counter(value for row in rows for value in values_of(row, name))
        if name in ("year", "month"):
            result[name] = sorted(counts.items())
        else:
            result[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return result


def with_source_names(facets: dict[str, list[tuple[str, int]]], names: dict[str, str]) -> None:
    """Sources are counted case-insensitively (as they filter); show each as it is most often written."""
    if "source" in facets:
        facets["source"] = [(names.get(value, value), count) for value, count in facets["source"]]
