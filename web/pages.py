"""HTML pages: the search page (articles or paragraphs, facets, date histogram, export), the documents browser,
document and speaker pages. They render what the API's helpers return, and link their JSON twin."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup, escape

from archive.documents import StoredQuote
from archive.errors import ArchiveError, IndexMissingError, InvalidRequestError, NotFoundError
from indexer.facets import FIXED_FACETS, facet_label
from indexer.filters import Filter
from indexer.request import MAX_CANDIDATES
from indexer.search import MODES
from web.mail import mail_view
from web.originals import original_view
from web.results import date_range, histogram, meta_highlights, speakers_by_chunk
from web.searching import (
    SPEAKER_KINDS,
    browse_from_args,
    document_view,
    meta_filters,
    page_number,
    request_from_args,
    service,
    speakers_from_args,
)

bp = Blueprint("pages", __name__)
bp.add_app_template_global(meta_highlights)
PAGE_SIZE = 10


def render(template: str, json_url: str | None, status: int = 200, **context):
    """A page, with its JSON twin linked (`<link rel="alternate">` and a visible link) from one place."""
    return render_template(template, json_url=json_url, **context), status


SEARCH_ARGS = ("q", "mode", "group", "sort", "source", "date_from", "date_to", "speaker", "org")
PEOPLE_FACETS = ("meta.from", "meta.to", "meta.cc", "meta.bcc")  # shown with the names mail gives the addresses
SORTS = (("relevance", "relevance"), ("-date", "newest"), ("date", "oldest"))


def search_state(args) -> dict[str, str | list[str]]:
    """The search on screen as query arguments (no page): every link on the page starts from it."""
    state: dict[str, str | list[str]] = {name: args[name] for name in SEARCH_ARGS if args.get(name)}
    for key in args:
        values = [value for value in args.getlist(key) if value] if key.startswith("meta.") else []
        if values:
            state[key] = values
    return state


def search_link(state: dict, **changes) -> str:
    """The search page for this search with some arguments changed (None drops one), from its first page."""
    return url_for("pages.search_page", **{**state, "page": None, **changes})


def page_facets() -> tuple[str, ...]:
    """Source, year, month (for the histogram), speaker, and the meta fields this archive's documents have
    (topics, places...)."""
    return FIXED_FACETS + service().meta_facets()


@bp.get("/")
def search_page():
    args = request.args
    form = {name: args.get(name, "") for name in SEARCH_ARGS}
    form["mode"] = form["mode"] or "hybrid"
    form["group"] = form["group"] or "document"
    form["sort"] = form["sort"] or "relevance"
    state = search_state(args)
    context = {
        "form": form,
        "modes": MODES,
        "sorts": SORTS,
        "response": None,
        "error": None,
        "empty_archive": False,
        "sources": [],
        "pages": None,
        "meta_filters": meta_filters(args),
        "chips": filter_chips(state),
    }
    try:
        context["sources"] = service().sources()
        context["empty_archive"] = service().is_empty()
    except ArchiveError:
        context["empty_archive"] = True
    status = 200
    json_url = None
    if form["q"].strip() and not context["empty_archive"]:
        try:
            search_args = args.copy()
            search_args["group"] = form["group"]
            search_args["facets"] = ",".join(page_facets())
            json_url = url_for("api.search", **{**state, "group": form["group"], "facets": search_args["facets"]})
            search_request = request_from_args(search_args, PAGE_SIZE)
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
            context.update(results_context(response, state))
            context["pages"] = _pages(response, state)
        except IndexMissingError as exc:
            context["empty_archive"] = True
            context["error"] = exc.message
        except InvalidRequestError as exc:
            context["error"] = exc.message
            status = 400
    elif "q" in args and not form["q"].strip():
        context["error"] = "Type some words to search for."
    return render("search.html", json_url, status, **context)


# What the total, the facets and the histogram count, in words (`SearchResponse.counted`).
COUNTED_WORDS = {
    "matches": "matching the words",
    "matches+nearest": "matching the words, or among the closest in meaning",
    "nearest": "among the closest in meaning",
}


def results_context(response, state: dict) -> dict:
    """Everything the page draws around one page of results: the views, the histogram, the facets, who speaks
    in each passage, the titles of copies, the export links."""
    doc_ids = list(dict.fromkeys(result.doc_id for result in response.results))
    quotes = service().quotes_in(doc_ids)
    titles = service().titles(sorted({d for result in response.results for d in result.duplicates}))
    export = {**state, "group": response.group}
    return {
        "response": response,
        "counted_words": COUNTED_WORDS,
        "views": {"document": search_link(state, group="document"), "passage": search_link(state, group="passage")},
        "histogram": histogram(response.facets),
        "facets": facet_panels(response.facets, state),
        "speakers": speakers_by_chunk(quotes),
        "titles": titles,
        "exports": {form: url_for("api.export", **export, format=form) for form in ("csv", "jsonl")},
        "bar_link": lambda bar: search_link(state, date_from=bar.date_from, date_to=bar.date_to),
        "meta_link": lambda name, value: search_link(
            state, **{f"meta.{name}": list(dict.fromkeys([*state.get(f"meta.{name}", []), value]))}
        ),
    }


def facet_panels(facets: dict, state: dict) -> list[dict]:
    """The sidebar: each facet's values with their counts and a link applying that value as a filter (or, for
    the value in force, removing it); the query and the other filters stay."""
    panels = []
    for name, values in facets.items():
        if name == "month" or not values:
            continue
        names = service().display_names([f.value for f in values]) if name in PEOPLE_FACETS else {}
        shown = []
        for facet in values:
            if name == "year":
                date_from, date_to = date_range(facet.value)
                active = state.get("date_from") == date_from and state.get("date_to") == date_to
                href = search_link(state, date_from=None if active else date_from, date_to=None if active else date_to)
            elif name.startswith("meta."):
                current = list(state.get(name) or [])
                active = facet.value in current
                values_after = [v for v in current if v != facet.value] if active else [*current, facet.value]
                href = search_link(state, **{name: values_after or None})
            else:
                active = str(state.get(name, "")).lower() == facet.value.lower()
                href = search_link(state, **{name: None if active else facet.value})
            label = f"{names[facet.value]} <{facet.value}>" if facet.value in names else facet.value
            shown.append({"value": facet.value, "label": label, "count": facet.count, "href": href, "active": active})
        panels.append({"name": name, "label": facet_label(name), "entries": shown})
    return panels


def filter_chips(state: dict) -> list[tuple[str, str]]:
    """The filters in force (`Filter.chips`), each with a link to the same search without it."""
    meta = tuple((key[5:], value) for key, values in state.items() if key.startswith("meta.") for value in values)
    where = Filter(
        source=state.get("source"),
        date_from=state.get("date_from"),
        date_to=state.get("date_to"),
        meta=meta,
        speaker=state.get("speaker"),
        org=state.get("org"),
    )
    return [(chip.label, search_link(state, **chip.without)) for chip in where.chips()]


def _pages(response, state) -> dict:
    current = response.offset // PAGE_SIZE + 1
    last = max(1, -(-min(response.total, MAX_CANDIDATES) // PAGE_SIZE))

    def link(page: int) -> str:
        return url_for("pages.search_page", **state, page=page)

    return {
        "current": current,
        "last": last,
        "previous": link(current - 1) if current > 1 else None,
        "next": link(current + 1) if current < last else None,
    }


DOCUMENTS_PAGE_SIZE = 50


@bp.get("/documents")
def documents_page():
    """Browse the archive without a query: documents filtered by source, dates and meta fields, in an order."""
    page = page_number(request.args)
    args = request.args.copy()
    args["limit"] = str(DOCUMENTS_PAGE_SIZE)
    args["offset"] = str((page - 1) * DOCUMENTS_PAGE_SIZE)
    found = browse_from_args(args)
    state = {
        key: value
        for key, value in search_state(request.args).items()
        if key in ("source", "date_from", "date_to") or key.startswith("meta.")
    }
    if request.args.get("sort"):
        state["sort"] = found["sort"]
    last = max(1, -(-found["total"] // DOCUMENTS_PAGE_SIZE))
    if page > last:
        raise InvalidRequestError.about(
            "page", f"{page} is past the end: these documents fill {last} page{'s' if last != 1 else ''}"
        )

    def link(**changes) -> str:
        return url_for("pages.documents_page", **{**state, "page": None, **changes})

    chips = [
        (f"{key.removeprefix('meta.')}: {value}", link(**{key: [v for v in values if v != value] or None}))
        for key, values in state.items()
        if key.startswith("meta.")
        for value in values
    ]
    return render(
        "documents.html",
        url_for("api.documents", **state, offset=found["offset"], limit=found["limit"]),
        found=found,
        page=page,
        last=last,
        state=state,
        chips=chips,
        sources=service().sources(),
        sorts=(("-date", "newest"), ("date", "oldest"), ("title", "title"), ("id", "id")),
        previous=link(page=page - 1) if page > 1 else None,
        next=link(page=page + 1) if page < last else None,
        source_link=lambda source: link(source=source),
        meta_link=lambda name, value: link(
            **{f"meta.{name}": list(dict.fromkeys([*state.get(f"meta.{name}", []), value]))}
        ),
    )


@bp.get("/speakers")
def speakers_page():
    found = speakers_from_args(request.args, page_size=50)
    base = {k: v for k, v in (("q", found["q"]), ("kind", found["kind"])) if v}

    def link(page: int) -> str:
        return url_for("pages.speakers_page", **base, page=page)

    return render(
        "speakers.html",
        url_for("api.speakers", **base),
        found=found,
        speakers=found["speakers"],
        kinds=SPEAKER_KINDS,
        previous=link(found["page"] - 1) if found["page"] > 1 else None,
        next=link(found["page"] + 1) if found["page"] < found["last"] else None,
    )


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
        quotes = service().quotes_by(orgs=known)
    else:
        quotes = service().quotes_by(speakers=known)
    entry = registry.people.get(known[0], {}) if len(known) == 1 else {}
    return render(
        "speaker.html",
        url_for("api.quotes", speaker=name),
        name=known[0] if len(known) == 1 else name,
        quotes=quotes,
        roles=entry.get("roles", []),
        orgs=entry.get("orgs", []),
    )


def attribution_note(quote) -> str:
    """Who said it and why we think so, for the hover on a quote: "Enver Solomon (Refugee Council) · named as
    “he” · X said/pronoun->last person"."""
    note = (quote.speaker or "") + (f" ({quote.org})" if quote.org and quote.org != quote.speaker else "")
    if quote.evidence:
        note += f" · named as “{quote.evidence}”"
    if quote.method:
        note += f" · {quote.method}"
    link = getattr(quote, "link", None)
    if link is not None:  # named here only as written; who that is, another document says (archive.linking)
        where = link.evidence_title or link.evidence_doc
        note += f" · named “{link.written}” here, linked by {link.method}: “{link.evidence}” in {where}"
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
                quote.kind, attribution_note(quote), text[start:end]
            )
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
    titles = service().titles(list(doc.duplicates))
    return render(
        "document.html",
        url_for("api.document", doc_id=doc.doc_id),
        doc=doc,
        titles=titles,
        hit_paragraph=focus.paragraph if focus else None,
        similar=similar,
        focus=focus,
        paragraphs=marked_paragraphs(doc, view.quotes),
        quotes=view.quotes,
        mail=mail_view(doc),
        original=original_view(doc.doc_id),
    )
