"""Upload in the page: a form that sends files to the write API (`POST /api/documents`, the same path as any
client) with the token the user types; without a token the API refuses, as it does for any client. The page only
says whether this server's write API is on."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for

from archive.readers import SUPPORTED_SUFFIXES

bp = Blueprint("upload", __name__)


@bp.get("/upload")
def upload_page():
    settings = current_app.extensions["archive.settings"]
    return render_template(
        "upload.html",
        json_url=None,
        enabled=bool(settings.api_token),
        endpoint=url_for("api.add_documents"),
        accept=",".join(sorted(SUPPORTED_SUFFIXES)),
        limit=settings.max_upload_bytes,
    )
