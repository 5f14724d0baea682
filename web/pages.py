"""HTML pages: the search page and document pages. They render what the API's helpers return."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup, escape

from archive.documents import StoredQuote
from archive.errors import ArchiveError, IndexMissingError, InvalidRequestError, NotFoundError
from indexer.request import MAX_CANDIDATES
from indexer.search import MODES
from web.searching import SPEAKER_KINDS, document_view, request_from_args, service, speakers_from_args

bp = Blueprint("pages", __name__)
PAGE_SIZE = 10


def render(template: str, json_url: str | None, status: int = 200, **context):
    """A page, with its JSON twin linked (`<link rel="alternate">` and a visible link) from one place."""
    return render_template(template, json_url=json_url, **context), status


@bp.get("/")
def search_page():
    args = request.args
    form = {name: args.get(name, "") for name in ("q", "mode", "source", "date_from", "date_to", "speaker", "org")}
    form["mode"] = form["mode"] or "hybrid"
    context = {"form": form, "modes": MODES, "response": None, "error": None, "empty_archive": False,
               "sources": [], "pages": None}
    try:
        context["sources"] = service().store.sources()
        context["empty_archive"] = service().store.is_empty()
    except ArchiveError:
        context["empty_archive"] = True
    status = 200
    if form["q"].strip() and not context["empty_archive"]:
        try:
            search_request = request_from_args(args, PAGE_SIZE)
            if search_request.k != PAGE_SIZE:
                raise InvalidRequestError("the search page shows 10 results a page; use /api/search for k")
            past_end = search_request.offset > MAX_CANDIDATES - PAGE_SIZE
            response = service().search(replace(search_request, offset=0) if past_end else search_request)
            if past_end or (search_request.offset and not response.results):
                last = max(1, -(-min(response.total, MAX_CANDIDATES) // PAGE_SIZE))
                raise InvalidRequestError(
                    f"page {search_request.offset // PAGE_SIZE + 1} is past the end: these results fill "
                    f"{last} page{'s' if last != 1 else ''}"
                )
            context["response"] = response
            context["pages"] = _pages(response, form)
        except IndexMissingError as exc:
            context["empty_archive"] = True
            context["error"] = exc.message
        except InvalidRequestError as exc:
            context["error"] = exc.message
            status = 400
    elif "q" in args and not form["q"].strip():
        context["error"] = "Type some words to search for."
    json_url = url_for("api.search", **request.args) if form["q"].strip() else None
    return render("search.html", json_url, status, **context)


def _pages(response, form) -> dict:
    current = response.offset // PAGE_SIZE + 1
    last = max(1, -(-min(response.total, MAX_CANDIDATES) // PAGE_SIZE))
    base = {k: v for k, v in form.items() if v}

    def link(page: int) -> str:
        return url_for("pages.search_page", **base, page=page)

    return {"current": current, "last": last,
            "previous": link(current - 1) if current > 1 else None,
            "next": link(current + 1) if current < last else None}


@bp.get("/speakers")
def speakers_page():
    found = speakers_from_args(request.args, page_size=50)
    base = {k: v for k, v in (("q", found["q"]), ("kind", found["kind"])) if v}

    def link(page: int) -> str:
        return url_for("pages.speakers_page", **base, page=page)

    return render("speakers.html", url_for("api.speakers", **base), found=found, speakers=found["speakers"],
                  kinds=SPEAKER_KINDS, previous=link(found["page"] - 1) if found["page"] > 1 else None,
                  next=link(found["page"] + 1) if found["page"] < found["last"] else None)


@bp.get("/speakers/<path:name>")
def speaker_page(name: str):
    """One speaker's quotes. A name listed on /speakers shows exactly that speaker (and, for an organisation, its
    people); any other name shows everyone it could mean ("Reagan"), each quote saying who said it."""
    registry = service().registry()
    if name in registry.quoted:
        known = [name]
    else:
        known = registry.resolve(name)
    if not known:
        raise NotFoundError(f"no speaker or organisation known as {name!r}")
    if len(known) == 1 and registry.kind(known[0]) == "org":
        quotes = service().store.quotes(orgs=known)
    else:
        quotes = service().store.quotes(speakers=known)
    entry = registry.people.get(known[0], {}) if len(known) == 1 else {}
    return render("speaker.html", url_for("api.quotes", speaker=name), name=known[0] if len(known) == 1 else name,
                  quotes=quotes, roles=entry.get("roles", []), orgs=entry.get("orgs", []))


def attribution_note(quote) -> str:
    """Who said it and why we think so, for the hover on a quote: "Enver Solomon (Refugee Council) · named as
    “he” · X said/pronoun->last person"."""
    note = (quote.speaker or "") + (f" ({quote.org})" if quote.org and quote.org != quote.speaker else "")
    if quote.evidence:
        note += f" · named as “{quote.evidence}”"
    if quote.method:
        note += f" · {quote.method}"
    return note


def marked_paragraphs(doc, quotes) -> list[Markup]:
    """Paragraphs as HTML with each attributed quote wrapped in <q> naming its speaker; everything escaped."""
    by_paragraph: dict[int, list] = {}
    for quote in quotes:
        by_paragraph.setdefault(quote.paragraph, []).append(quote)
    result = []
    for number, text in enumerate(doc.paragraphs):
        spans: list[tuple[int, int, StoredQuote]] = []
        for quote in by_paragraph.get(number, []):
            start = text.find(quote.text)
            if start >= 0 and not any(s < start + len(quote.text) and start < e for s, e, _ in spans):
                spans.append((start, start + len(quote.text), quote))
        html, cursor = Markup(""), 0
        for start, end, quote in sorted(spans, key=lambda s: s[0]):
            html += escape(text[cursor:start])
            html += Markup('<span class="quote {}" title="{}">{}</span>').format(
                quote.kind, attribution_note(quote), text[start:end])
            cursor = end
        result.append(html + escape(text[cursor:]))
    return result


@bp.get("/documents/<path:doc_id>")
def document_page(doc_id: str):
    view = document_view(doc_id)
    doc = view.document
    hit_chunk = request.args.get("chunk", type=int)
    focus = next((c for c in doc.chunks if c.chunk_id == hit_chunk), None) if hit_chunk is not None else None
    similar_to = focus or (doc.chunks[0] if doc.chunks else None)
    similar = service().similar(similar_to.chunk_id) if similar_to and similar_to.chunk_id is not None else []
    return render("document.html", url_for("api.document", doc_id=doc.doc_id), doc=doc,
                  hit_paragraph=focus.paragraph if focus else None, similar=similar, focus=focus,
                  paragraphs=marked_paragraphs(doc, view.quotes), quotes=view.quotes)
