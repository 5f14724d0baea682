"""The one helper both the page and the API call to run a search from request arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from archive.documents import StoredDocument, StoredQuote
from archive.errors import InvalidRequestError
from indexer.articles import meta_of
from indexer.search import SearchRequest, SearchResponse, SearchService


def service() -> SearchService:
    return current_app.extensions["archive.search"]


def request_from_args(args, default_k: int = 10) -> SearchRequest:
    """A SearchRequest from query-string arguments; malformed numbers are a 400 with a message."""

    k = whole(args, "k", default_k)
    offset = whole(args, "offset", 0)
    if "page" in args:
        offset = (page_number(args) - 1) * k
    return SearchRequest(
        query=args.get("q", ""),
        mode=args.get("mode", "hybrid") or "hybrid",
        k=k,
        offset=offset,
        source=args.get("source") or None,
        date_from=args.get("date_from") or None,
        date_to=args.get("date_to") or None,
        speaker=args.get("speaker") or None,
        org=args.get("org") or None,
        group=args.get("group") or "passage",
        facets=tuple(name.strip() for name in (args.get("facets") or "").split(",") if name.strip()),
        sort=args.get("sort") or "relevance",
        meta=meta_filters(args),
    )


def meta_filters(args) -> tuple[tuple[str, str], ...]:
    """`meta.<field>=value` arguments (repeatable) as (field, value) pairs."""
    return tuple((key[5:], value) for key in args if key.startswith("meta.") for value in args.getlist(key) if value)


def run_search(args, default_k: int = 10) -> SearchResponse:
    return service().search(request_from_args(args, default_k))


@dataclass(frozen=True)
class DocumentView:
    """One document with its quotes: what the document page shows and /api/documents/<id> returns."""

    document: StoredDocument
    quotes: list[StoredQuote]

    def to_json(self) -> dict[str, Any]:
        doc = self.document
        return {
            "doc_id": doc.doc_id,
            "title": doc.title,
            "date": doc.date,
            "source": doc.source,
            "url": doc.url,
            "origin": doc.origin,
            "ingested_at": doc.ingested_at,
            "paragraphs": list(doc.paragraphs),
            "chunks": [
                {"chunk_id": c.chunk_id, "position": c.position, "paragraph": c.paragraph, "text": c.text}
                for c in doc.chunks
            ],
            "duplicates": list(doc.duplicates),
            "meta": doc.meta,
        }


def document_view(doc_id: str) -> DocumentView:
    return DocumentView(service().document(doc_id), service().quotes_in([doc_id]))


SPEAKER_KINDS = ("person", "org", "place")


def speakers_from_args(args, page_size: int | None = 50) -> dict:
    """Quoted speakers, most quoted first, filtered by a name search (`q`) and a kind (`kind`), one page of them
    (all of them where page_size is None), with the links that name them from other documents; the speakers page
    and /api/speakers show the same list."""
    query = " ".join(args.get("q", "").lower().split())
    kind = args.get("kind", "") or None
    if kind is not None and kind not in SPEAKER_KINDS:
        raise InvalidRequestError(f"kind must be one of {', '.join(SPEAKER_KINDS)}, got {kind!r}")
    page = page_number(args)
    found = [
        (name, speaker_kind, count)
        for name, speaker_kind, count in service().speaker_counts()
        if (not query or query in name.lower()) and (kind is None or speaker_kind == kind)
    ]
    size = page_size or max(len(found), 1)
    last = max(1, -(-len(found) // size))
    shown = found[(page - 1) * size : page * size]
    return {
        "q": query,
        "kind": kind,
        "page": page,
        "last": last,
        "total": len(found),
        "speakers": shown,
        # who of them other documents name, as written there, with the evidence (archive.linking)
        "linked": service().links_of([name for name, _, _ in shown] if page_size else None),
    }


BROWSE_SORTS = ("date", "-date", "title", "id")
MAX_BROWSE = 500


def browse_from_args(args) -> dict[str, Any]:
    """One page of documents passing `source`, `date_from`/`date_to` and `meta.<field>` filters, in `sort` order
    (`date`, `-date`, `title`, `id`), with how many pass in all: the /documents page and /api/documents."""
    sort = args.get("sort") or "-date"
    if sort not in BROWSE_SORTS:
        raise InvalidRequestError.about("sort", f"must be one of {', '.join(BROWSE_SORTS)}, got {sort!r}")
    offset, limit = whole(args, "offset", 0), whole(args, "limit", 50)
    if not 1 <= limit <= MAX_BROWSE:
        raise InvalidRequestError.about("limit", f"must be between 1 and {MAX_BROWSE}, got {limit}")
    if offset < 0:
        raise InvalidRequestError.about("offset", f"must be 0 or more, got {offset}")
    dates = {}
    for name in ("date_from", "date_to"):
        value = args.get(name) or None
        if value:
            try:
                value = date.fromisoformat(value).isoformat()
            except ValueError as exc:
                raise InvalidRequestError.about(name, f"must be a date like 2025-02-10, got {value!r}") from exc
        dates[name] = value
    rows, total = service().list_documents(
        args.get("source") or None, dates["date_from"], dates["date_to"], meta_filters(args), sort, offset, limit
    )
    documents = [
        {
            "doc_id": r["doc_id"],
            "title": r["title"],
            "source": r["source"],
            "date": r["date"],
            "url": r["url"],
            "meta": meta_of(r),
        }
        for r in rows
    ]
    return {"documents": documents, "total": total, "offset": offset, "limit": limit, "sort": sort}


def whole(args, name: str, default: int) -> int:
    """The one integer parser of the web app: an argument as a whole number (its default when absent); anything
    else is a 400 naming the argument."""
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidRequestError.about(name, f"must be a whole number, got {raw!r}") from exc


def page_number(args) -> int:
    """The `page` argument: a whole number from 1."""
    page = whole(args, "page", 1)
    if page < 1:
        raise InvalidRequestError.about("page", f"must be a whole number from 1, got {page}")
    return page
