"""Batch search over HTTP: `POST /api/batch` with the queries (a file `file`, a text or CSV body, or JSON
`{"queries": [...]}`), every query's hits back as JSON, CSV or JSON lines (`format=`), each with its query's count.
Query-string arguments (`mode`, `k`, `source`, `date_from`, `date_to`, `meta.<field>` …) are every query's
defaults; a CSV's columns or a JSON object's fields override them per query (`indexer/batch.py`)."""

from __future__ import annotations

import io
from dataclasses import replace

from flask import Blueprint, Response, render_template, request, url_for

from archive.errors import InvalidRequestError
from indexer.batch import FORMATS, queries_from_rows, read_batch, run_batch, write_batch
from web.searching import request_from_args, service

bp = Blueprint("batch", __name__)
page_bp = Blueprint("batch_page", __name__)
MODES = ("hybrid", "keyword", "semantic")
KINDS = {"csv": "text/csv", "jsonl": "application/x-ndjson", "json": "application/json"}


@bp.post("/batch")
def batch():
    form = request.args.get("format", "json")
    if form not in FORMATS:
        raise InvalidRequestError.about("format", f"must be one of {', '.join(FORMATS)}, got {form!r}")
    defaults = replace(request_from_args(request.args), query="")
    queries = _queries(defaults)
    out = io.StringIO()
    write_batch(run_batch(service(), queries), form, out)
    headers = {} if form == "json" else {"Content-Disposition": f'attachment; filename="archive-batch.{form}"'}
    return Response(out.getvalue(), mimetype=KINDS[form], headers=headers)


def _queries(defaults):
    upload = request.files.get("file")
    if upload is not None:
        return read_batch(_text(upload.read()), defaults)
    if request.form.get("queries", "").strip():
        return read_batch(request.form["queries"], defaults)
    if request.is_json:
        data = request.get_json(silent=True)
        items = data.get("queries") if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise InvalidRequestError('send {"queries": ["first query", {"query": "second", "source": "…"}]}')
        rows = [item if isinstance(item, dict) else {"query": str(item)} for item in items]
        return queries_from_rows(rows, defaults)
    body = request.get_data()
    if not body.strip():
        raise InvalidRequestError(
            "send the queries: a file as multipart field `file`, a text body (one query a line, or CSV with a "
            'query column), or JSON {"queries": [...]}'
        )
    return read_batch(_text(body), defaults)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError("the batch is not UTF-8 text; save it as UTF-8") from exc


@page_bp.route("/batch", methods=["GET", "POST"])
def batch_page():
    """The batch page: queries typed or pasted (one a line, or CSV with a query column), each query's count and
    first hits, and the whole batch as CSV or JSON lines through `POST /api/batch` (the same queries, the same
    hits)."""
    text = request.form.get("queries", "") if request.method == "POST" else ""
    mode = request.values.get("mode", "hybrid")
    if mode not in MODES:
        raise InvalidRequestError.about("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    results = []
    if text.strip():
        defaults = replace(request_from_args({"mode": mode}), query="")
        results = list(run_batch(service(), read_batch(text, defaults)))
    elif request.method == "POST":
        raise InvalidRequestError("type or paste the queries: one a line, or CSV with a query column")
    return render_template(
        "batch.html",
        queries=text,
        mode=mode,
        modes=MODES,
        results=results,
        export=url_for("batch.batch", mode=mode),
        json_url=None,
    )
