"""The JSON API. Every view builds its data with the same helpers the pages use."""

from __future__ import annotations

import csv
import hmac
import io
import json
from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from archive.dates import DateError, parse_date
from archive.documents import IngestReport, Problem
from archive.errors import ArchiveError, BadInputError, ForbiddenError, InvalidRequestError, UnauthorizedError
from archive.readers import read_data, records_from_value, within_limit
from indexer.ingest import Incoming, ingest, remove_documents
from web.mail import mail_view
from web.openapi import openapi_document
from web.originals import original_view
from web.searching import (
    browse_from_args,
    document_view,
    request_from_args,
    run_search,
    service,
    speakers_from_args,
)

bp = Blueprint("api", __name__)


@bp.get("/search")
def search():
    return jsonify(run_search(request.args).to_json())


@bp.get("/documents")
def documents():
    return jsonify(browse_from_args(request.args))


EXPORT_FIELDS = ("rank", "doc_id", "title", "source", "date", "url", "score", "chunk_id", "paragraph", "text")


@bp.get("/export")
def export():
    """Every result of a search (up to 10,000), streamed as CSV with a header row or as JSON lines."""
    form = request.args.get("format", "csv")
    if form not in ("csv", "jsonl"):
        raise InvalidRequestError.about("format", f"must be csv or jsonl, got {form!r}")
    response = service().export(request_from_args(request.args))
    rows = [row for result in response.results for row in export_rows(result)]

    def lines():
        if form == "jsonl":
            for row in rows:
                yield json.dumps(row, ensure_ascii=False) + "\n"
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for number, row in enumerate(rows, start=1):
            writer.writerow(row)
            if number % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    kind = "text/csv" if form == "csv" else "application/x-ndjson"
    name = f"archive-export.{form}"
    return Response(
        stream_with_context(lines()), mimetype=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def export_rows(result) -> list[dict]:
    """One row per passage: an article gives one row per passage shown (its best passage first)."""
    data = result.to_json()
    if "passages" not in data:
        return [data]
    common = {key: data[key] for key in ("rank", "doc_id", "title", "source", "date", "url", "score")}
    return [
        {**common, "chunk_id": p["chunk_id"], "paragraph": p["paragraph"], "text": p["text"]} for p in data["passages"]
    ] or [common]


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    view = document_view(doc_id)
    return jsonify(
        {**view.to_json(), "mail": mail_view(view.document) or None, "original": original_view(view.document.doc_id)}
    )


def quote_json(quote) -> dict:
    return {
        "text": quote.text,
        "speaker": quote.speaker,
        "org": quote.org,
        "kind": quote.kind,
        "doc_id": quote.doc_id,
        "chunk_id": quote.chunk_id,
        "paragraph": quote.paragraph,
        "date": quote.date,
        "sources": quote.sources,
        "evidence": quote.evidence,
        "method": quote.method,
        "linked": getattr(quote, "link", None) and asdict(quote.link),  # speaker named from another document
        "typed": getattr(quote, "typed", None) and asdict(quote.typed),  # bare word typed by the archive
    }


def linked_json(link, quotes: int) -> dict:
    """A speaker as one document writes it, linked to a person by another document's words, and how many
    statements it names them in."""
    return {**asdict(link), "quotes": quotes}


@bp.get("/quotes")
def quotes():
    args = request.args
    if not any(args.get(name, "").strip() for name in ("speaker", "org", "q")):
        raise InvalidRequestError("give speaker=, org= or q= (a topic) to list quotes; /api/speakers lists speakers")
    found = service().quotes(args.get("speaker") or None, args.get("org") or None, args.get("q") or None)
    return jsonify({"quotes": [quote_json(q) for q in found]})


@bp.get("/speakers")
def speakers():
    found = speakers_from_args(request.args, page_size=100 if "page" in request.args else None)
    listed = [
        {
            "name": name,
            "kind": kind,
            "quotes": count,
            "linked": [linked_json(*link) for link in found["linked"].get(name, [])],
        }
        for name, kind, count in found["speakers"]
    ]
    return jsonify({"speakers": listed, "total": found["total"], "page": found["page"], "pages": found["last"]})


@bp.get("/health")
def health():
    try:
        generation = service().generation
    except ArchiveError as exc:
        return jsonify({"status": "unavailable", "message": exc.message}), 503
    return jsonify(
        {
            "status": "ok",
            "generation": generation.manifest.generation,
            "chunks": generation.manifest.counts.get("chunks", 0),
        }
    )


@bp.get("/stats")
def stats():
    return jsonify(asdict(service().stats()))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _require_token() -> None:
    token = current_app.extensions["archive.settings"].api_token
    if not token:
        raise ForbiddenError(
            "the write API is disabled on this server: set ARCHIVE_API_TOKEN on the server (restart it), then send "
            "`Authorization: Bearer <token>`"
        )
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise UnauthorizedError("this needs the server's token: send `Authorization: Bearer <token>`")
    given = header.removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        raise UnauthorizedError("wrong token: send `Authorization: Bearer <token>` with the server's token")


def _incoming_from_request() -> tuple[list[Incoming], list[Problem]]:
    """What a write request holds: an uploaded file (multipart `file`) or a JSON document or list of them."""
    limit = current_app.extensions["archive.settings"].max_document_bytes
    upload = request.files.get("file")
    if upload is not None:
        name = Path(upload.filename or "upload.txt").name
        try:
            records, problems = read_data(upload.read(), f"upload:{name}", limit)
        except BadInputError as exc:
            raise InvalidRequestError(f"the uploaded file {name!r} cannot be ingested: {exc.reason}") from exc
        return [Incoming(record, label=Path(name).stem) for record in records], problems
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidRequestError(
            "send a JSON document (or a list of them) with Content-Type: application/json, or a file as "
            "multipart form field `file`"
        )
    if isinstance(data, list) and not data:
        raise InvalidRequestError("the list of documents is empty")
    try:
        records, problems = within_limit(*records_from_value(data, "api"), limit)
    except BadInputError as exc:
        raise InvalidRequestError(exc.message) from exc
    for record in records:
        if record.date:
            try:
                parse_date(record.date)
            except DateError as exc:
                raise InvalidRequestError(f"{record.origin}: field 'date': {exc}", param="date") from exc
    return [Incoming(record) for record in records], problems


@bp.post("/documents")
def add_documents():
    _require_token()
    incoming, problems = _incoming_from_request()
    report = IngestReport(skipped=list(problems))
    ingest(current_app.extensions["archive.settings"], incoming, embedder=service().embedder, report=report)
    service().refresh(force=True)
    status = 201 if report.added or report.updated else 200
    if not (report.added or report.updated or report.unchanged):
        status = 400
    return jsonify(
        {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "duplicates": [{"doc_id": d, "copy_of": c} for d, c in report.duplicates],
            "skipped": [{"origin": p.origin, "reason": p.reason} for p in report.skipped],
            "warnings": [{"origin": p.origin, "reason": p.reason} for p in report.warnings],
            "chunks_embedded": report.chunks_embedded,
        }
    ), status


@bp.delete("/documents/<path:doc_id>")
def delete_document(doc_id: str):
    _require_token()
    removed = remove_documents(current_app.extensions["archive.settings"], [doc_id], embedder=service().embedder)
    service().refresh(force=True)
    return jsonify({"removed": removed})
