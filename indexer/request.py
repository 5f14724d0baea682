"""A search request and its validation: the same checks and the same messages for the CLI and the API.

Errors name the API's parameter (`date_from`) through `InvalidRequestError.about`, so the CLI can put its
own flag (`--date-from`) in their place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from archive.errors import InvalidRequestError
from archive.settings import Settings
from indexer.facets import FIXED_FACETS

MODES = ("hybrid", "keyword", "semantic")
GROUPS = ("passage", "document")
SORTS = ("relevance", "date", "-date")
MAX_K = 100
MAX_CANDIDATES = 1000
MAX_EXPORT = 10_000
_META_FIELD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")
_FIELD_FILTER = re.compile(r'(?i)\b(speaker|org):(?:"([^"]+)"|([^\s"]+))')


@dataclass(frozen=True)
class SearchRequest:
    query: str
    mode: str = "hybrid"
    k: int = 10
    offset: int = 0
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speaker: str | None = None
    org: str | None = None
    group: str = "passage"
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    meta: tuple[tuple[str, str], ...] = ()


def validate(request: SearchRequest, settings: Settings) -> SearchRequest:
    """Check a request the same way for the CLI and the API; errors say what would be accepted.

    `speaker:` and `org:` written in the query become filters, and the rest of the query is searched.
    """
    query = (request.query or "").strip()
    if not query:
        raise InvalidRequestError("the query is empty: give some words to search for (parameter q)", param="q")
    if len(query) > settings.max_query_chars:
        raise InvalidRequestError(
            f"the query is {len(query)} characters long; the limit is {settings.max_query_chars}. Shorten it.",
            param="q",
        )
    query = query.replace("\x00", " ").strip()
    speaker, org = request.speaker, request.org
    for field_name, quoted, bare in _FIELD_FILTER.findall(query):
        value = (quoted or bare).strip()
        if field_name.lower() == "speaker":
            speaker = speaker or value
        else:
            org = org or value
    stripped = " ".join(_FIELD_FILTER.sub(" ", query).split())
    query = stripped or " ".join(filter(None, (speaker, org))) or query
    if request.mode not in MODES:
        raise InvalidRequestError(f"unknown mode {request.mode!r}: use one of {', '.join(MODES)}", param="mode")
    if not 1 <= request.k <= MAX_K:
        raise InvalidRequestError.about("k", f"must be between 1 and {MAX_K}, got {request.k}")
    if not 0 <= request.offset <= MAX_CANDIDATES - request.k:
        raise InvalidRequestError.about(
            "offset", f"must be between 0 and {MAX_CANDIDATES - request.k}, got {request.offset}"
        )
    if request.group not in GROUPS:
        raise InvalidRequestError.about("group", f"must be one of {', '.join(GROUPS)}, got {request.group!r}")
    if request.sort not in SORTS:
        raise InvalidRequestError.about("sort", f"must be one of {', '.join(SORTS)}, got {request.sort!r}")
    for name in request.facets:
        if name not in FIXED_FACETS and not (name.startswith("meta.") and _META_FIELD.fullmatch(name[5:])):
            raise InvalidRequestError.about(
                "facets", f"has {name!r}; facets are {', '.join(FIXED_FACETS)} and meta.<field>"
            )
    for name, _ in request.meta:
        if not _META_FIELD.fullmatch(name):
            raise InvalidRequestError.about("meta", f"field {name!r} is not a metadata field name")
    date_from = _iso_date("date_from", request.date_from)
    date_to = _iso_date("date_to", request.date_to)
    if date_from and date_to and date_from > date_to:
        raise InvalidRequestError.about("date_from", f"{date_from} is after date_to {date_to}")
    return SearchRequest(
        query,
        request.mode,
        request.k,
        request.offset,
        (request.source or "").strip() or None,
        date_from,
        date_to,
        (speaker or "").strip() or None,
        (org or "").strip() or None,
        request.group,
        tuple(dict.fromkeys(request.facets)),
        request.sort,
        tuple((name, value.strip()) for name, value in request.meta if value.strip()),
    )


def _iso_date(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InvalidRequestError.about(name, f"must be a date like 2025-02-10, got {value!r}") from exc
