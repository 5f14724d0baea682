"""Facets: how many results each value of a field has, so a researcher sees where the results come from.

One `Facet` class per kind owns its field in the indexes, its values for a document, its label, its order and the
filter one of its values applies; `FACETS` registers them (Datasette's `register_facet_classes`), so a new facet
is one class added there. `meta.<field>` facets are `MetaFacet`s made on demand.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from archive.documents import PARAGRAPH_META

MAX_FACET_VALUES = 50
# meta fields never offered as facets (a mail's references and attachment names among them)
SKIPPED_META = PARAGRAPH_META | {"dateline", "references", "attachments"}
_FIELD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
MAX_META_VALUES = 50


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


def parse_meta(meta: Any) -> dict[str, Any]:
    """A document's meta as a dict, from its JSON text or a dict; anything else is no meta."""
    if isinstance(meta, str):
        try:
            meta = json.loads(meta) if meta else {}
        except ValueError:
            return {}
    return meta if isinstance(meta, dict) else {}


def meta_values(meta: Any) -> dict[str, list[str]]:
    """A document's meta as facet values: lists stay lists, scalars become one value; page numbers and nested
    values (a mail's `names`) are not facets."""
    found: dict[str, list[str]] = {}
    for key, value in parse_meta(meta).items():
        values = value if isinstance(value, list) else [value]
        kept = [str(v) for v in values if isinstance(v, str | int | float) and str(v) != ""]
        if kept and key not in PARAGRAPH_META:
            found[key] = kept[:MAX_META_VALUES]
    return found


@dataclass(frozen=True)
class Facts:
    """What facets are drawn from, whichever index or table holds the document."""

    source: str | None
    date: str | None
    speakers: tuple[str, ...]
    meta: dict[str, list[str]]

    @classmethod
    def of_row(cls, row: Mapping[str, Any] | Any) -> Facts:
        """From a stored document row (source, date, speakers as a comma list, meta JSON)."""
        speakers = tuple(sorted(set(filter(None, (row["speakers"] or "").split(",")))))
        return cls(row["source"], row["date"], speakers, meta_values(row["meta"]))


class Facet:
    """One kind of facet. `field` is its field in both tantivy indexes; `by_value` orders values by value
    (time) instead of by count."""

    name = ""
    label = ""
    field = ""
    by_value = False

    def values(self, facts: Facts) -> list[str]:
        raise NotImplementedError

    def ordered(self, counts: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
        if self.by_value:
            return sorted(counts)
        return sorted(counts, key=lambda item: (-item[1], item[0]))[:MAX_FACET_VALUES]

    def size(self) -> int:
        """Values an index aggregation returns."""
        return 10_000 if self.by_value else MAX_FACET_VALUES


class SourceFacet(Facet):
    name, label, field = "source", "Source", "source"

    def values(self, facts: Facts) -> list[str]:
        return [facts.source.lower()] if facts.source else []


class YearFacet(Facet):
    name, label, field, by_value = "year", "Year", "year", True

    def values(self, facts: Facts) -> list[str]:
        return [facts.date[:4]] if facts.date else []


class MonthFacet(Facet):
    name, label, field, by_value = "month", "Month", "month", True

    def values(self, facts: Facts) -> list[str]:
        return [facts.date[:7]] if facts.date else []


class SpeakerFacet(Facet):
    name, label, field = "speaker", "Who is quoted", "speaker_facet"

    def values(self, facts: Facts) -> list[str]:
        return list(facts.speakers)


class MetaFacet(Facet):
    """`meta.<field>`: the values of one metadata field (a document's topics, places, a mail's `from`...)."""

    def __init__(self, meta_field: str):
        self.meta_field = meta_field
        self.name = self.field = f"meta.{meta_field}"
        self.label = meta_field.replace("_", " ").capitalize()

    def values(self, facts: Facts) -> list[str]:
        return sorted(set(facts.meta.get(self.meta_field, [])))


class FileTypeFacet(MetaFacet):
    """What kind of file a document came from (email, pdf, web page, word, text): `meta.file_type`."""

    name = "meta.file_type"

    def __init__(self) -> None:
        super().__init__("file_type")
        self.label = "File type"


class SenderFacet(MetaFacet):
    """Who sent a message: `meta.from`, one address (a list field like `meta.to` is offered by itself)."""

    name = "meta.from"

    def __init__(self) -> None:
        super().__init__("from")
        self.label = "From"


def register_facet_classes(*classes: type[Facet]) -> dict[str, Facet]:
    return {cls.name: cls() for cls in classes}


FACETS = register_facet_classes(SourceFacet, YearFacet, MonthFacet, SpeakerFacet, FileTypeFacet, SenderFacet)
FIXED_FACETS = tuple(FACETS)


def facet(name: str) -> Facet:
    """The facet a name means: a registered one, or `meta.<field>`."""
    return FACETS.get(name) or MetaFacet(name.removeprefix("meta."))


def facet_values(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    return {name: [FacetValue(value, count) for value, count in values] for name, values in facets.items()}


def values_of(row: Any, name: str) -> list[str]:
    """The values a stored document (a row with source, date, speakers, meta) has for one facet."""
    return facet(name).values(Facts.of_row(row))


def count_facets(facts: Iterable[Facts], names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Facet counts over the given documents (one per result counted), each facet in its own order."""
    facts = list(facts)
    result: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        kind = facet(name)
        result[name] = kind.ordered(Counter(value for each in facts for value in kind.values(each)).items())
    return result


def added(counts: dict[str, list[tuple[str, int]]], more: dict[str, list[tuple[str, int]]]) -> dict:
    """Two facet counts over disjoint sets, summed, each facet in its own order."""
    result = {}
    for name in dict.fromkeys([*counts, *more]):
        total = Counter(dict(counts.get(name, [])))
        total.update(dict(more.get(name, [])))
        result[name] = facet(name).ordered(total.items())
    return result


def with_source_names(facets: dict[str, list[tuple[str, int]]], names: dict[str, str]) -> None:
    """Sources are counted case-insensitively (as they filter); show each as it is most often written."""
    if "source" in facets:
        facets["source"] = [(names.get(value, value), count) for value, count in facets["source"]]


def facet_fields(rows: Iterable[Any]) -> list[str]:
    """The meta fields worth a facet, from documents' rows (with a `meta` JSON column): those holding lists of
    words in any of them (topics, places, a mail's recipients), as `meta.<field>` facet names."""
    fields: dict[str, None] = {}
    for row in rows:
        for name, value in parse_meta(row["meta"]).items():
            if (
                name not in SKIPPED_META
                and _FIELD.fullmatch(name)
                and isinstance(value, list)
                and value
                and all(isinstance(v, str) for v in value)
            ):
                fields.setdefault(name, None)
    return [f"meta.{name}" for name in sorted(fields)]


def facet_label(name: str) -> str:
    """A facet's label on the page."""
    return facet(name).label
