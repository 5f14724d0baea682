"""OpenAPI parts for the e-mail views (web/mail.py) and originals (web/originals.py): the `mail` and `original`
objects of a document, the correspondents endpoints, the original and PDF page images. `web/openapi.py` merges them
into the one document."""

from __future__ import annotations

_STRING_OR_NULL = {"type": ["string", "null"]}
_LINK = {
    "type": "object",
    "required": ["doc_id", "title"],
    "properties": {"doc_id": {"type": "string"}, "title": {"type": "string"}},
}
MAIL = {
    "type": ["object", "null"],
    "description": "For an e-mail or an attachment (null otherwise): its thread, oldest first, the current message "
    "marked; the attachment documents of a message and the attachments that could not be read; the message an "
    "attachment came with. `linked_by` is `message-id` (In-Reply-To / References) or `subject` (fallback: a reply "
    "naming no message, joined by subject and a correspondent in common).",
    "required": ["thread_id", "thread", "attachments", "unreadable_attachments", "message"],
    "properties": {
        "thread_id": _STRING_OR_NULL,
        "thread": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["doc_id", "title", "date", "from", "name", "parent", "linked_by", "current"],
                "properties": {
                    "doc_id": {"type": "string"},
                    "title": {"type": "string"},
                    "date": _STRING_OR_NULL,
                    "from": _STRING_OR_NULL,
                    "name": _STRING_OR_NULL,
                    "parent": _STRING_OR_NULL,
                    "linked_by": {"type": ["string", "null"], "enum": ["message-id", "subject", None]},
                    "current": {"type": "boolean"},
                },
            },
        },
        "attachments": {"type": "array", "items": _LINK},
        "unreadable_attachments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
        "message": {"oneOf": [_LINK, {"type": "null"}]},
    },
}
ORIGINAL = {
    "type": ["object", "null"],
    "description": "The bytes the document was read from, when kept (ARCHIVE_KEEP_ORIGINALS): null otherwise.",
    "required": ["url", "media_type", "name", "size", "pages"],
    "properties": {
        "url": {"type": "string"},
        "media_type": {"type": "string"},
        "name": {"type": "string", "description": "A safe file name for the download."},
        "size": {"type": "integer"},
        "pages": {
            "type": ["string", "null"],
            "description": "For a PDF, the address of a page's image with `{n}` for the page number (from 1).",
        },
    },
}
CORRESPONDENCE = {
    "type": "object",
    "required": ["who", "addresses", "names", "sent", "received", "months", "correspondents"],
    "properties": {
        "who": {"type": "string"},
        "addresses": {"type": "array", "items": {"type": "string"}},
        "names": {"type": "array", "items": {"type": "string"}},
        "sent": {"type": "integer"},
        "received": {"type": "integer"},
        "months": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["month", "sent", "received"],
                "properties": {
                    "month": {"type": "string"},
                    "sent": {"type": "integer"},
                    "received": {"type": "integer"},
                },
            },
        },
        "correspondents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["address", "name", "wrote_to", "heard_from", "months"],
                "properties": {
                    "address": {"type": "string"},
                    "name": _STRING_OR_NULL,
                    "wrote_to": {"type": "integer", "description": "Messages the person sent to this address."},
                    "heard_from": {"type": "integer", "description": "Messages this address sent to the person."},
                    "months": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    },
}
ADDRESSES = {
    "type": "object",
    "required": ["q", "addresses"],
    "properties": {
        "q": {"type": "string"},
        "addresses": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["address", "name", "messages", "sent"],
                "properties": {
                    "address": {"type": "string"},
                    "name": _STRING_OR_NULL,
                    "messages": {"type": "integer"},
                    "sent": {"type": "integer"},
                },
            },
        },
    },
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BATCH = {
    "type": "object",
    "required": ["queries"],
    "properties": {
        "queries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "query", "total", "total_relation", "error", "results"],
                "properties": {
                    "number": {"type": "integer"},
                    "query": {"type": "string"},
                    "total": {"type": "integer"},
                    "total_relation": {"type": "string", "enum": ["eq", "gte"]},
                    "error": _STRING_OR_NULL,
                    "results": {"type": "array", "items": {"type": "object"}, "description": "As /api/search."},
                },
            },
        }
    },
}


def mail_paths(error: dict) -> dict:
    doc_id = {"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/batch": {
            "post": {
                "summary": "Batch search: every query's hits and a count per query (the same hits as single searches).",
                "description": "Queries as a file (multipart `file`) or body: one a line, or CSV with a `query` column "
                "and optional columns mode, k, source, date_from, date_to, speaker, org, group, sort, meta.<field>; "
                'or JSON {"queries": ["text", {"query": "text", "source": "…"}]}. The search parameters of '
                "/api/search in the query string are every query's defaults. A query refused (a bad date) has its "
                "`error` and no results; the others still run. At most 1,000 queries.",
                "parameters": [
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["json", "csv", "jsonl"], "default": "json"},
                        "description": "CSV and JSON lines: one row per hit with query_number, query, query_total; "
                        "a query without hits gives one row with its count.",
                    }
                ],
                "responses": {
                    "200": {
                        "description": "Every query's hits.",
                        "content": {
                            "application/json": {"schema": BATCH},
                            "text/csv": {"schema": {"type": "string"}},
                            "application/x-ndjson": {"schema": {"type": "string"}},
                        },
                    },
                    "400": _json(error, "No queries, an unknown column, too many queries, or a bad format."),
                },
            }
        },
        "/api/documents/{doc_id}/original": {
            "get": {
                "summary": "The bytes the document was read from (file, attachment, mail message, web archive page).",
                "parameters": [doc_id],
                "responses": {
                    "200": {
                        "description": "The bytes, with their media type, as a download with a safe file name.",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "404": _json(error, "No such document, or its original was not kept."),
                },
            }
        },
        "/api/documents/{doc_id}/pages/{number}.png": {
            "get": {
                "summary": "A page of a PDF document as an image (rendered once, then cached).",
                "parameters": [
                    doc_id,
                    {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {
                    "200": {
                        "description": "PNG image of the page.",
                        "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    "404": _json(error, "No such document or page, not a PDF, or its original was not kept."),
                },
            }
        },
        "/api/correspondents": {
            "get": {
                "summary": "E-mail addresses with the most messages, sent or received.",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": "Only addresses or names containing this.",
                    }
                ],
                "responses": {"200": _json(ADDRESSES, "Up to 100 addresses, busiest first.")},
            }
        },
        "/api/correspondents/{who}": {
            "get": {
                "summary": "Who a person or address wrote to and heard from (From / To / Cc / Bcc), per month.",
                "parameters": [
                    {
                        "name": "who",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": "An e-mail address, or a name as the mail shows it (all its addresses).",
                    }
                ],
                "responses": {
                    "200": _json(CORRESPONDENCE, "Messages sent and received, per month and per correspondent."),
                    "404": _json(error, "No message from or to this address or name."),
                },
            }
        },
    }
