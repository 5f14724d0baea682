"""The JSON API. Every view builds its data with the same helpers the pages use."""

from __future__ import annotations

import hmac
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from archive.documents import Problem, RawRecord
from archive.errors import ArchiveError, ForbiddenError, InvalidRequestError
from archive.readers import SUPPORTED_SUFFIXES, read_file, record_from_mapping
from indexer.ingest import ingest_records, remove_documents
from web.openapi import openapi_document
from web.searching import run_search, service, speakers_from_args

bp = Blueprint("api", __name__)


def hit_json(hit) -> dict:
    data = asdict(hit)
    data.pop("context")
    return data


@bp.get("/search")
def search():
    response = run_search(request.args)
    return jsonify({
        "query": response.query,
        "mode": response.mode,
        "total": response.total,
        "offset": response.offset,
        "k": response.k,
        "took_ms": response.took_ms,
        "notices": response.notices,
        "results": [hit_json(hit) for hit in response.results],
    })


def document_json(doc_id: str) -> dict:
    doc = service().document(doc_id)
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "url": doc.url,
        "origin": doc.origin,
        "ingested_at": doc.ingested_at,
        "paragraphs": list(doc.paragraphs),
        "chunks": [{"chunk_id": c.chunk_id, "position": c.position, "paragraph": c.paragraph, "text": c.text}
                   for c in doc.chunks],
        "duplicates": list(doc.duplicates),
    }


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    return jsonify(document_json(doc_id))


def quote_json(quote) -> dict:
    return {"text": quote.text, "speaker": quote.speaker, "org": quote.org, "kind": quote.kind,
            "doc_id": quote.doc_id, "chunk_id": quote.chunk_id, "paragraph": quote.paragraph, "date": quote.date,
            "sources": quote.sources, "evidence": quote.evidence, "method": quote.method}


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
    listed = [{"name": name, "kind": kind, "quotes": count} for name, kind, count in found["speakers"]]
    return jsonify({"speakers": listed, "total": found["total"], "page": found["page"], "pages": found["last"]})


@bp.get("/health")
def health():
    try:
        generation = service().generation
    except ArchiveError as exc:
        return jsonify({"status": "unavailable", "message": exc.message}), 503
    return jsonify({"status": "ok", "generation": generation.manifest.generation,
                    "chunks": generation.manifest.counts.get("chunks", 0)})


@bp.get("/stats")
def stats():
    return jsonify(service().stats())


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _require_token() -> None:
    """The write API is off unless ARCHIVE_API_TOKEN is set; then it needs `Authorization: Bearer <token>`."""
    token = current_app.extensions["archive.settings"].api_token
    if not token:
        raise ForbiddenError(
            "the write API is disabled: set ARCHIVE_API_TOKEN on the server and send "
            "`Authorization: Bearer <token>`"
        )
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        raise ForbiddenError("missing or wrong token: send `Authorization: Bearer <token>`")


def _records_from_request() -> tuple[list[RawRecord], list[Problem]]:
    upload = request.files.get("file")
    if upload is not None:
        name = Path(upload.filename or "upload.txt").name
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise InvalidRequestError(f"unsupported file type {suffix or '(none)'} for {name!r}")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            upload.save(path)
            records, problems = read_file(path, current_app.extensions["archive.settings"].max_document_bytes)
        origin = f"upload:{name}"
        stem = Path(name).stem
        records = [replace(r, origin=origin if len(records) == 1 else f"{origin}[{i}]",
                           doc_id=r.doc_id or (stem if len(records) == 1 else f"{stem}-{i}"))
                   for i, r in enumerate(records)]
        return records, problems
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidRequestError(
            "send a JSON document (or a list of them) with Content-Type: application/json, or a file as "
            "multipart form field `file`"
        )
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidRequestError("the list of documents is empty")
    limit = current_app.extensions["archive.settings"].max_document_bytes
    records, problems = [], []
    for i, item in enumerate(items):
        try:
            record = record_from_mapping(item, f"api[{i}]")
        except ArchiveError as exc:
            problems.append(Problem(f"api[{i}]", exc.message.removeprefix(f"api[{i}]: ")))
            continue
        if len(record.text.encode("utf-8")) > limit:
            problems.append(Problem(f"api[{i}]", f"document is over the {limit} byte limit; split it into articles"))
        else:
            records.append(record)
    return records, problems


@bp.post("/documents")
def add_documents():
    _require_token()
    records, problems = _records_from_request()
    report = ingest_records(current_app.extensions["archive.settings"], records, embedder=service().embedder)
    report.skipped[:0] = problems
    service().refresh(force=True)
    status = 201 if report.added or report.updated else 200
    if not (report.added or report.updated or report.unchanged):
        status = 400
    return jsonify({
        "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
        "duplicates": [{"doc_id": d, "copy_of": c} for d, c in report.duplicates],
        "skipped": [{"origin": p.origin, "reason": p.reason} for p in report.skipped],
        "chunks_embedded": report.chunks_embedded,
    }), status


@bp.delete("/documents/<path:doc_id>")
def delete_document(doc_id: str):
    _require_token()
    remove_documents(current_app.extensions["archive.settings"], [doc_id], embedder=service().embedder)
    service().refresh(force=True)
    return jsonify({"removed": [doc_id]})
