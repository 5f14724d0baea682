"""E-mail views: what a message's or attachment's page shows of its thread and attachments (`mail_view`, used by
the document page and /api/documents/<id>), and the correspondents of a person or address (page and API)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for

from web.searching import service

bp = Blueprint("mail", __name__)
api_bp = Blueprint("mail_api", __name__)

MAIL_META = (
    "attachment_of",
    "sent_at",
    "from",
    "to",
    "cc",
    "bcc",
    "names",
    "references",
    "in_reply_to",
    "unreadable_attachments",
    "attachments",
)
ROLE_LABELS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc"))


def render(template: str, json_url: str, **context):
    """A page with its JSON twin linked, as `web.pages.render` does."""
    return render_template(template, json_url=json_url, **context)


def mail_view(doc) -> dict[str, Any]:
    """The thread (oldest first, the document itself marked), the attachment documents of a message with the
    attachments that could not be read, and the message an attachment came with; empty for other documents."""
    reading = service()
    thread_id, entries = reading.thread(doc.doc_id)
    parent = reading.message_of(doc.doc_id) if "attachment_of" in doc.meta else None
    if not thread_id and parent is None and "message_id" not in doc.meta:
        return {}
    return {
        "thread_id": thread_id,
        "thread": [entry.to_json() for entry in entries],
        "attachments": [{"doc_id": d, "title": t} for d, t in reading.attachments(doc.doc_id)],
        "unreadable_attachments": list(doc.meta.get("unreadable_attachments") or []),
        "message": {"doc_id": parent[0], "title": parent[1]} if parent else None,
    }


def people(meta: dict) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """(label, [(address, name)]) for From, To, Cc and Bcc, as the page lists them."""
    names: dict = meta["names"] if isinstance(meta.get("names"), dict) else {}
    shown = []
    for role, label in ROLE_LABELS:
        found = meta.get(role) or []
        found = [found] if isinstance(found, str) else found
        if found and "attachment_of" not in meta:
            shown.append((label, [(address, names.get(address)) for address in found]))
    return shown


@bp.app_template_global()
def mail_people(meta: dict) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return people(meta)


@bp.app_template_global()
def mail_meta_keys() -> tuple[str, ...]:
    return MAIL_META


@bp.get("/correspondents")
def correspondents_page():
    query = request.args.get("q", "")
    return render(
        "correspondents.html",
        url_for("mail_api.correspondents", q=query or None),
        query=query,
        found=service().correspondents(query),
    )


@bp.get("/correspondents/<path:who>")
def correspondent_page(who: str):
    found = service().correspondence(who)
    return render(
        "correspondent.html",
        url_for("mail_api.correspondent", who=who),
        found=found,
        peak=max([m["sent"] + m["received"] for m in found.months] or [1]),
    )


@api_bp.get("/correspondents")
def correspondents():
    query = request.args.get("q", "")
    return jsonify({"q": query, "addresses": service().correspondents(query)})


@api_bp.get("/correspondents/<path:who>")
def correspondent(who: str):
    return jsonify(service().correspondence(who).to_json())
