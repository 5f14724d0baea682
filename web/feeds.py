"""Saved searches as Atom feeds (alerts): `/feeds/search?<the arguments of any search URL>` lists the articles that
search finds, the newest in the archive first, so a feed reader says when a new document matches.

Entries are articles (documents). An entry's id is a `urn:uuid:` made from the document's id alone, so it never
changes with the host, the query or the document's rank; `updated` is when the archive last stored the document
and `published` its own date. At most FEED_ENTRIES entries, taken from the first FEED_DEPTH articles the search
finds (in keyword mode: every article matching the words, up to that depth).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timezone
from xml.etree import ElementTree

from flask import Blueprint, Response, request, url_for

from archive.errors import InvalidRequestError
from web.searching import request_from_args, service

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
FEED_DEPTH = 1000
_NAMESPACE = uuid.UUID("6f1f6c2e-6e1a-4c7e-9d0b-3a1b2c3d4e5f")


def entry_id(doc_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'document:' + doc_id)}"


@bp.get("/feeds/search")
def search_feed():
    args = request.args.copy()
    if not args.get("q", "").strip():
        raise InvalidRequestError("a feed needs a search: give q= (and any filters of the search page)")
    for name in ("page", "offset", "k", "facets", "sort"):
        args.pop(name, None)
    args["group"] = "document"
    search = replace(request_from_args(args), facets=())
    found = service().export(search, limit=FEED_DEPTH)
    stored = ingested_at(found.results)
    articles = sorted(found.results, key=lambda a: (stored.get(a.doc_id, ""), a.date or "", a.doc_id), reverse=True)
    articles = articles[:FEED_ENTRIES]
    state = sorted((key, value) for key in args for value in args.getlist(key) if value and key != "group")
    search_page = url_for("pages.search_page", _external=True, **{k: args.getlist(k) for k in args if k != "group"})
    feed = ElementTree.Element("feed", xmlns=ATOM)
    _text(feed, "id", f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'search:' + repr(state))}")
    _text(feed, "title", f"Archive search: {search.query}")
    _text(feed, "subtitle", f"The newest of the articles a {search.mode} search finds ({found.total} in all)")
    times = [stored[a.doc_id] for a in articles if a.doc_id in stored]
    _text(feed, "updated", max(times) if times else _rfc3339(None))
    ElementTree.SubElement(feed, "link", rel="self", href=request.url)
    ElementTree.SubElement(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=search_page,
    )
    ElementTree.SubElement(ElementTree.SubElement(feed, "author"), "name").text = "Archive"
    ElementTree.SubElement(feed, "generator").text = "archive"
    for article in articles:
        entry = ElementTree.SubElement(feed, "entry")
        _text(entry, "id", entry_id(article.doc_id))
        _text(entry, "title", article.title or article.doc_id)
        _text(entry, "updated", stored.get(article.doc_id) or _rfc3339(None))
        if article.date:
            _text(entry, "published", _rfc3339(article.date))
        ElementTree.SubElement(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=url_for("pages.document_page", doc_id=article.doc_id, _external=True),
        )
        if article.source:
            ElementTree.SubElement(ElementTree.SubElement(entry, "author"), "name").text = article.source
        best = article.passages[0].text if getattr(article, "passages", None) else ""
        if best:
            _text(entry, "summary", best[:1000])
    body = ElementTree.tostring(feed, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def ingested_at(articles) -> dict[str, str]:
    """When the archive last stored each article, as RFC 3339 times."""
    doc_ids = [a.doc_id for a in articles]
    return {doc_id: _rfc3339(stamp) for doc_id, stamp in service().ingested_times(doc_ids).items()}


def _text(parent: ElementTree.Element, tag: str, value: str) -> None:
    ElementTree.SubElement(parent, tag).text = value


def _rfc3339(value: str | None) -> str:
    """An ISO date or time as RFC 3339 (a day alone is its midnight UTC; a time without zone is taken as UTC)."""
    if not value:
        return "1970-01-01T00:00:00Z"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
