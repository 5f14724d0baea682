"""The OpenAPI description of the JSON API; tests check real responses against it."""

from __future__ import annotations

from indexer.request import GROUPS, MAX_K, MODES
from web.openapi_mail import MAIL, ORIGINAL, mail_paths

_NULLABLE_STRING = {"type": ["string", "null"]}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        }
    },
}
_RANKS = {
    "type": "object",
    "required": ["keyword", "semantic"],
    "properties": {
        "keyword": {"type": ["integer", "null"]},
        "semantic": {"type": ["integer", "null"]},
        "quotes": {"type": ["integer", "null"], "description": "Place among a named speaker's statements."},
        "rerank": {"type": "integer", "description": "Place in the reranked head (only with ARCHIVE_RERANKER)."},
    },
}
HIT = {
    "type": "object",
    "required": [
        "rank",
        "score",
        "doc_id",
        "chunk_id",
        "position",
        "paragraph",
        "title",
        "source",
        "date",
        "url",
        "text",
        "snippet",
        "ranks",
        "duplicates",
    ],
    "properties": {
        "rank": {"type": "integer", "minimum": 1},
        "score": {"type": "number"},
        "doc_id": {"type": "string"},
        "chunk_id": {"type": "integer"},
        "position": {"type": "integer", "description": "Chunk number in the document, from 0."},
        "paragraph": {"type": "integer", "description": "Paragraph number in the document, from 0."},
        "title": {"type": "string"},
        "source": _NULLABLE_STRING,
        "date": _NULLABLE_STRING,
        "url": _NULLABLE_STRING,
        "text": {"type": "string"},
        "snippet": {"type": "string", "description": "HTML: escaped text, query terms in <mark>."},
        "ranks": _RANKS,
        "duplicates": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Other documents holding a copy of this paragraph.",
        },
        "page": {"type": ["integer", "null"], "description": "Page of the paragraph, for PDFs (from 1)."},
    },
}
PASSAGE = {
    "type": "object",
    "required": ["chunk_id", "paragraph", "text", "snippet", "ranks"],
    "properties": {
        "chunk_id": {"type": "integer"},
        "paragraph": {"type": "integer"},
        "text": {"type": "string"},
        "snippet": {"type": "string"},
        "ranks": _RANKS,
        "page": {"type": ["integer", "null"]},
    },
}
ARTICLE = {
    "type": "object",
    "required": ["rank", "doc_id", "title", "source", "date", "url", "score", "meta", "duplicates", "passages"],
    "properties": {
        "rank": {"type": "integer", "minimum": 1},
        "doc_id": {"type": "string"},
        "title": {"type": "string"},
        "source": _NULLABLE_STRING,
        "date": _NULLABLE_STRING,
        "url": _NULLABLE_STRING,
        "score": {"type": "number"},
        "meta": {"type": "object", "description": "Extra fields of the document (lists stay lists)."},
        "duplicates": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Near-duplicate copies of this article, folded into it.",
        },
        "passages": {
            "type": "array",
            "items": PASSAGE,
            "minItems": 1,
            "maxItems": 3,
            "description": "The article's best passages for the query, best first.",
        },
    },
}
FACETS = {
    "type": "object",
    "description": "For each facet asked for, its values with how many results each has (keyword mode: exact, "
    "the total you get with that filter; otherwise counted over the ranked candidates).",
    "additionalProperties": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["value", "count"],
            "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
        },
    },
}
SEARCH = {
    "type": "object",
    "required": [
        "query",
        "mode",
        "group",
        "total",
        "total_relation",
        "counted",
        "offset",
        "k",
        "took_ms",
        "notices",
        "results",
    ],
    "properties": {
        "query": {"type": "string"},
        "mode": {"type": "string", "enum": list(MODES)},
        "group": {"type": "string", "enum": list(GROUPS)},
        "total": {"type": "integer", "description": "Matching passages or articles; the same on every page."},
        "total_relation": {
            "type": "string",
            "enum": ["eq", "gte"],
            "description": "`eq`: exact (keyword mode); `gte`: at least this many (semantic and "
            "hybrid rank candidates and have no fixed end).",
        },
        "counted": {
            "type": "string",
            "enum": ["matches", "matches+nearest", "nearest"],
            "description": "The set that `total`, the facets and the date histogram all count: `matches` (keyword: "
            "every passage or article matching the words), `matches+nearest` (hybrid: those plus the semantic "
            "candidates that do not match the words), `nearest` (semantic: the semantic candidates).",
        },
        "offset": {"type": "integer"},
        "k": {"type": "integer"},
        "took_ms": {"type": "number"},
        "notices": {"type": "array", "items": {"type": "string"}},
        "results": {"type": "array", "items": {"oneOf": [HIT, ARTICLE]}},
        "facets": FACETS,
    },
}
BROWSE = {
    "type": "object",
    "required": ["documents", "total", "offset", "limit", "sort"],
    "properties": {
        "documents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["doc_id", "title", "source", "date", "url", "meta"],
                "properties": {
                    "doc_id": {"type": "string"},
                    "title": {"type": "string"},
                    "source": _NULLABLE_STRING,
                    "date": _NULLABLE_STRING,
                    "url": _NULLABLE_STRING,
                    "meta": {"type": "object"},
                },
            },
        },
        "total": {"type": "integer"},
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "sort": {"type": "string"},
    },
}
DOCUMENT = {
    "type": "object",
    "required": [
        "doc_id",
        "title",
        "date",
        "source",
        "url",
        "origin",
        "ingested_at",
        "paragraphs",
        "chunks",
        "duplicates",
    ],
    "properties": {
        "doc_id": {"type": "string"},
        "title": {"type": "string"},
        "date": _NULLABLE_STRING,
        "source": _NULLABLE_STRING,
        "url": _NULLABLE_STRING,
        "origin": {"type": "string"},
        "ingested_at": {"type": "string"},
        "paragraphs": {"type": "array", "items": {"type": "string"}},
        "chunks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["chunk_id", "position", "paragraph", "text"],
                "properties": {
                    "chunk_id": {"type": "integer"},
                    "position": {"type": "integer"},
                    "paragraph": {"type": "integer"},
                    "text": {"type": "string"},
                },
            },
        },
        "duplicates": {"type": "array", "items": {"type": "string"}},
        "meta": {
            "type": "object",
            "description": "Every other field the source carried (author, site_name, "
            "topics, places, pages: the page of each paragraph of a PDF, attachment_of: the mail it came in).",
        },
        "mail": MAIL,
        "original": ORIGINAL,
    },
}
QUOTES = {
    "type": "object",
    "required": ["quotes"],
    "properties": {
        "quotes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["text", "speaker", "org", "kind", "doc_id", "chunk_id", "sources", "evidence", "method"],
                "properties": {
                    "text": {"type": "string"},
                    "speaker": {"type": "string"},
                    "org": _NULLABLE_STRING,
                    "kind": {"type": "string", "enum": ["direct", "reported"]},
                    "doc_id": {"type": "string"},
                    "chunk_id": {"type": ["integer", "null"]},
                    "paragraph": {"type": "integer"},
                    "date": _NULLABLE_STRING,
                    "sources": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Every document carrying this quote (near-duplicate copies).",
                    },
                    "evidence": {**_NULLABLE_STRING, "description": "The words of the document that name the speaker."},
                    "method": {
                        **_NULLABLE_STRING,
                        "description": "The rule that attributed it, e.g. `X said/surname->full name in document`.",
                    },
                    "linked": {
                        "type": ["object", "null"],
                        "description": "When `speaker` was named from another document: the speaker as this document "
                        "writes it (`written`), `person`, `method` (`role→name across documents`), `evidence_doc`, its "
                        "title (`evidence_title`) and its words (`evidence`); null when the document names its speaker "
                        "itself.",
                    },
                    "typed": {
                        "type": ["object", "null"],
                        "description": 'When `speaker` is one bare word its document does not type ("Nintendo said") '
                        "and the archive does: `kind` (`org` or `person`), the rule (`method`, also ending `method` "
                        "above), the document whose words decided it (`evidence_doc`) and those words (`evidence`); "
                        "null otherwise.",
                    },
                },
            },
        }
    },
}
SPEAKERS = {
    "type": "object",
    "required": ["speakers"],
    "properties": {
        "speakers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "kind", "quotes"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"type": "string", "enum": ["person", "org", "place"]},
                    "quotes": {"type": "integer"},
                    "linked": {
                        "type": "array",
                        "description": "Documents that name this speaker only as written there (`written`: a role, "
                        "surname or first name), linked by another document (`evidence_doc`, `evidence_title`, its "
                        "words `evidence`) with `method`; `quotes`: the statements each link names them in.",
                        "items": {"type": "object"},
                    },
                },
            },
        },
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
    },
}
HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "generation": {"type": "string"},
        "chunks": {"type": "integer"},
        "message": {"type": "string"},
    },
}
STATS = {
    "type": "object",
    "required": ["documents", "chunks", "embedded", "sources", "duplicate_groups", "generation", "model"],
    "properties": {
        "documents": {"type": "integer"},
        "chunks": {"type": "integer"},
        "embedded": {"type": "integer"},
        "indexed_chunks": {"type": ["integer", "null"]},
        "sources": {"type": "object", "additionalProperties": {"type": "integer"}},
        "duplicate_groups": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        "first_date": _NULLABLE_STRING,
        "last_date": _NULLABLE_STRING,
        "quotes": {"type": "integer", "description": "Distinct attributed quotes and statements."},
        "speakers": {"type": "integer"},
        "generation": _NULLABLE_STRING,
        "model": {"type": ["object", "null"]},
        "chunker": _NULLABLE_STRING,
    },
}


INGEST = {
    "type": "object",
    "required": ["added", "updated", "unchanged", "duplicates", "skipped", "chunks_embedded"],
    "properties": {
        "added": {"type": "array", "items": {"type": "string"}},
        "updated": {"type": "array", "items": {"type": "string"}},
        "unchanged": {"type": "array", "items": {"type": "string"}},
        "duplicates": {
            "type": "array",
            "items": {"type": "object", "properties": {"doc_id": {"type": "string"}, "copy_of": {"type": "string"}}},
        },
        "skipped": {
            "type": "array",
            "items": {"type": "object", "properties": {"origin": {"type": "string"}, "reason": {"type": "string"}}},
        },
        "chunks_embedded": {"type": "integer"},
    },
}
NEW_DOCUMENT = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "text": {"type": "string"},
        "date": {"type": "string"},
        "source": {"type": "string"},
        "url": {"type": "string"},
    },
}
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_DOC_ID = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _param(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


_META_PARAM = {
    "name": "meta.{field}",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Only documents whose metadata field has this value (or holds it in its list), e.g. "
    "`meta.topics=coffee`; repeatable.",
}
_LIST_PARAMS = [
    _param(
        "group",
        {"type": "string", "enum": list(GROUPS), "default": "passage"},
        "`passage`: paragraphs; `document`: articles with their best 1-3 passages.",
    ),
    _param("facets", {"type": "string"}, "Comma-separated: source, year, month, speaker, meta.<field>."),
    _param("sort", {"type": "string", "enum": ["relevance", "date", "-date"], "default": "relevance"}, "Order."),
    _META_PARAM,
]


def openapi_document() -> dict:
    error_responses = {
        "400": _json(ERROR, "Invalid parameters; the message says which and why."),
        "503": _json(ERROR, "No index to search yet, or it was built with another model."),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "News archive API",
            "version": "1",
            "description": "Hybrid (BM25 + vector) search over a news archive.",
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search chunks by keyword, meaning, or both fused by reciprocal rank fusion.",
                    "parameters": [
                        _param(
                            "q",
                            {"type": "string", "minLength": 1, "maxLength": 1000},
                            "The query; tantivy query syntax is accepted and repaired when invalid.",
                            True,
                        ),
                        _param("mode", {"type": "string", "enum": list(MODES), "default": "hybrid"}, "Which lists."),
                        _param(
                            "k", {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10}, "Results per page."
                        ),
                        _param("offset", {"type": "integer", "minimum": 0, "default": 0}, "Results to skip."),
                        _param("source", {"type": "string"}, "Only this source (case-insensitive)."),
                        _param("date_from", {"type": "string", "format": "date"}, "Only dated on or after."),
                        _param("date_to", {"type": "string", "format": "date"}, "Only dated on or before."),
                        _param(
                            "speaker",
                            {"type": "string"},
                            "Only chunks quoting this person, however named (full name, surname, role). "
                            "`speaker:name` in q does the same.",
                        ),
                        _param("org", {"type": "string"}, "Only chunks quoting this organisation or its people."),
                        *_LIST_PARAMS,
                    ],
                    "responses": {"200": _json(SEARCH, "Results, best first."), **error_responses},
                }
            },
            "/api/export": {
                "get": {
                    "summary": "Every result of a search (up to 10,000), streamed: CSV with a header row, or JSON "
                    "lines.",
                    "parameters": [
                        _param("q", {"type": "string", "minLength": 1, "maxLength": 1000}, "The query.", True),
                        _param("format", {"type": "string", "enum": ["csv", "jsonl"], "default": "csv"}, "Format."),
                        _param("mode", {"type": "string", "enum": list(MODES), "default": "hybrid"}, "Which lists."),
                        _param("source", {"type": "string"}, "Only this source (case-insensitive)."),
                        _param("date_from", {"type": "string", "format": "date"}, "Only dated on or after."),
                        _param("date_to", {"type": "string", "format": "date"}, "Only dated on or before."),
                        *_LIST_PARAMS,
                    ],
                    "responses": {
                        "200": {
                            "description": "One row per passage (rank, doc_id, title, source, date, url, "
                            "score, chunk_id, paragraph, text).",
                            "content": {"text/csv": {}, "application/x-ndjson": {}},
                        },
                        **error_responses,
                    },
                }
            },
            "/api/documents": {
                "get": {
                    "summary": "Browse documents: filtered by source, dates and metadata, sorted, paged.",
                    "parameters": [
                        _param("source", {"type": "string"}, "Only this source (case-insensitive)."),
                        _param("date_from", {"type": "string", "format": "date"}, "Only dated on or after."),
                        _param("date_to", {"type": "string", "format": "date"}, "Only dated on or before."),
                        _META_PARAM,
                        _param(
                            "sort",
                            {"type": "string", "enum": ["date", "-date", "title", "id"], "default": "-date"},
                            "Order.",
                        ),
                        _param("offset", {"type": "integer", "minimum": 0, "default": 0}, "Documents to skip."),
                        _param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "Page size."),
                    ],
                    "responses": {
                        "200": _json(BROWSE, "A page of documents and how many pass the filters."),
                        "400": error_responses["400"],
                    },
                },
                "post": {
                    "summary": "Add or update documents (needs ARCHIVE_API_TOKEN); searchable when this returns.",
                    "security": _AUTH,
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"oneOf": [NEW_DOCUMENT, {"type": "array", "items": NEW_DOCUMENT}]}
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"file": {"type": "string", "format": "binary"}},
                                }
                            },
                        }
                    },
                    "responses": {
                        "201": _json(INGEST, "Documents added or updated."),
                        "200": _json(INGEST, "Nothing changed."),
                        "400": _json(ERROR, "Nothing could be ingested; the message or `skipped` says why."),
                        "401": _json(ERROR, "Missing or wrong token (WWW-Authenticate: Bearer)."),
                        "403": _json(ERROR, "Write API disabled on this server."),
                        "409": _json(ERROR, "Another writer is running."),
                        "413": _json(ERROR, "Request body too large."),
                    },
                },
            },
            "/api/documents/{doc_id}": {
                "get": {
                    "summary": "A document with its metadata, paragraphs, chunks and near-duplicate copies.",
                    "parameters": [_DOC_ID],
                    "responses": {
                        "200": _json(DOCUMENT, "The document."),
                        "404": _json(ERROR, "No document with this id."),
                    },
                },
                "delete": {
                    "summary": "Remove a document from the store and both indexes (needs ARCHIVE_API_TOKEN).",
                    "security": _AUTH,
                    "parameters": [_DOC_ID],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"removed": {"type": "array", "items": {"type": "string"}}},
                            },
                            "Removed.",
                        ),
                        "403": _json(ERROR, "Write API disabled, or wrong token."),
                        "404": _json(ERROR, "No document with this id."),
                    },
                },
            },
            "/api/quotes": {
                "get": {
                    "summary": "Quotes (direct and reported) by a speaker or organisation, optionally about a topic.",
                    "parameters": [
                        _param("speaker", {"type": "string"}, "Full name, surname or role, e.g. `Cooper`."),
                        _param("org", {"type": "string"}, "An organisation, e.g. `Refugee Council`."),
                        _param("q", {"type": "string"}, "A topic: only quotes whose chunk matches it, best first."),
                    ],
                    "responses": {
                        "200": _json(QUOTES, "Quotes, oldest first (or best first with q)."),
                        "400": _json(ERROR, "None of speaker, org, q given."),
                    },
                }
            },
            "/api/speakers": {
                "get": {
                    "summary": "People and organisations quoted, with their number of distinct quotes.",
                    "parameters": [
                        _param("q", {"type": "string"}, "Only speakers whose name contains these words."),
                        _param("kind", {"type": "string", "enum": ["person", "org", "place"]}, "Only this kind."),
                        _param("page", {"type": "integer", "minimum": 1}, "100 speakers a page; all without it."),
                    ],
                    "responses": {
                        "200": _json(SPEAKERS, "Speakers, most quoted first."),
                        "400": _json(ERROR, "An unknown kind or a bad page."),
                    },
                }
            },
            "/api/health": {
                "get": {
                    "summary": "Whether an index is being served.",
                    "responses": {"200": _json(HEALTH, "Serving."), "503": _json(HEALTH, "No index yet.")},
                }
            },
            "/api/stats": {
                "get": {
                    "summary": "Counts of documents, chunks, sources and duplicate groups; the served generation.",
                    "responses": {"200": _json(STATS, "Figures.")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document.",
                    "responses": {"200": {"description": "OpenAPI 3.1 document."}},
                }
            },
            **mail_paths(ERROR),
        },
    }
