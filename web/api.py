"""The JSON API. Every view builds its data with the same helpers the pages use."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from archive.errors import ArchiveError
from web.openapi import openapi_document
from web.searching import run_search, service

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
