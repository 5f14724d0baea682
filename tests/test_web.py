"""The page and the API side by side: same search, same answers; every error in one shape."""

import re

import jsonschema
import pytest

from archive.documents import RawRecord
from indexer.ingest import ingest_records
from web import create_app
from web.openapi import openapi_document

QUESTION = "what did the Refugee Council say about riots"


def schema_for(path, status="200"):
    operation = openapi_document()["paths"][path]["get"]
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_search_api_returns_every_field_of_the_contract(client):
    response = client.get("/api/search", query_string={"q": QUESTION, "k": 5})
    assert response.status_code == 200
    data = response.get_json()
    jsonschema.validate(data, schema_for("/api/search"))
    assert data["query"] == QUESTION and data["mode"] == "hybrid" and data["total"] >= 5
    first = data["results"][0]
    assert "race riots" in first["text"] and first["duplicates"] == ["001_b1430c0bef034883"]
    assert first["ranks"]["keyword"] and first["ranks"]["semantic"] and "<mark>" in first["snippet"]


def test_page_and_api_show_the_same_first_result(client):
    api = client.get("/api/search", query_string={"q": QUESTION}).get_json()
    page = client.get("/", query_string={"q": QUESTION}).get_data(as_text=True)
    first = api["results"][0]
    assert page.index(f'?chunk={first["chunk_id"]}#p-{first["paragraph"]}') < page.index(
        f'?chunk={api["results"][1]["chunk_id"]}#')
    assert f'value="{QUESTION}"' in page
    assert "<mark>riots</mark>" in page and "also in" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "the query is empty"),
        ({"q": "  "}, "the query is empty"),
        ({"q": "x", "mode": "fuzzy"}, "unknown mode"),
        ({"q": "x", "k": "0"}, "k must be between 1 and 100"),
        ({"q": "x", "k": "101"}, "k must be between 1 and 100"),
        ({"q": "x", "k": "ten"}, "k must be a whole number"),
        ({"q": "x", "date_from": "2025-13-01"}, "date_from must be a date"),
        ({"q": "x", "date_to": "yesterday"}, "date_to must be a date"),
        ({"q": "x" * 1001}, "limit is 1000"),
    ],
)
def test_search_api_errors_are_json_400_with_a_message(client, query, message):
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 400
    body = response.get_json()
    jsonschema.validate(body, schema_for("/api/search", "400"))
    assert body["error"]["status"] == 400 and message in body["error"]["message"]


def test_document_api_has_metadata_chunks_and_duplicate_group(client):
    data = client.get("/api/documents/000_ac5b891913291307").get_json()
    jsonschema.validate(data, schema_for("/api/documents/{doc_id}"))
    assert data["date"] == "2025-02-10" and data["duplicates"] == ["001_b1430c0bef034883"]
    assert {c["paragraph"] for c in data["chunks"]} == set(range(len(data["paragraphs"])))


def test_unknown_documents_are_404_as_json_and_as_a_page(client):
    api = client.get("/api/documents/nope")
    assert api.status_code == 404 and api.get_json() == {
        "error": {"status": 404, "message": "no document with id 'nope'"}}
    page = client.get("/documents/nope")
    assert page.status_code == 404 and "Not found" in page.get_data(as_text=True)
    assert client.get("/api/no-such-endpoint").get_json()["error"]["status"] == 404


def test_health_stats_and_openapi_match_the_contract(app, client):
    jsonschema.validate(client.get("/api/health").get_json(), schema_for("/api/health"))
    stats = client.get("/api/stats").get_json()
    jsonschema.validate(stats, schema_for("/api/stats"))
    assert stats["documents"] == 3
    spec = client.get("/api/openapi.json").get_json()
    served = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert served == documented
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {"q", "mode", "k", "offset", "source", "date_from", "date_to", "speaker", "org", "group",
                      "facets", "sort", "meta.{field}"}


def test_document_page_highlights_the_hit_paragraph_and_lists_copies_and_similar_passages(client):
    hit = client.get("/api/search", query_string={"q": QUESTION}).get_json()["results"][0]
    page = client.get(f"/documents/{hit['doc_id']}?chunk={hit['chunk_id']}").get_data(as_text=True)
    assert f'id="p-{hit["paragraph"]}" class="paragraph hit"' in page
    assert "001_b1430c0bef034883" in page and "Similar passages" in page


def test_search_page_states(client):
    assert "Type some words" in client.get("/?q=").get_data(as_text=True)
    none = client.get("/", query_string={"q": "zzzzqqq", "mode": "keyword"}).get_data(as_text=True)
    assert "No results for" in none
    bad = client.get("/", query_string={"q": "x", "date_from": "nope"})
    assert bad.status_code == 400 and "date_from must be a date" in bad.get_data(as_text=True)


def test_empty_archive_page_says_so(settings, embedder):
    client = create_app(settings, service=_empty_service(settings, embedder)).test_client()
    assert "The archive is empty" in client.get("/?q=riots").get_data(as_text=True)
    assert client.get("/api/health").status_code == 503


def _empty_service(settings, embedder):
    from indexer.search import SearchService

    return SearchService(settings, embedder=embedder)


def test_a_script_in_a_document_is_shown_inert_on_both_pages(settings, embedder):
    ingest_records(settings, [RawRecord("api", "Before <script>alert(1)</script> after the storm.",
                                        doc_id="xss", title="<script>alert(2)</script>")], embedder=embedder)
    client = create_app(settings, service=_empty_service(settings, embedder)).test_client()
    for url in ("/?q=storm", "/documents/xss"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "script-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_optional_rate_limit_answers_429_in_the_error_shape(seed_settings, service):
    from dataclasses import replace

    client = create_app(replace(seed_settings, rate_limit="2/minute"), service=service).test_client()
    statuses = [client.get("/api/health").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/health").get_json()["error"]["status"] == 429
    assert client.get("/").status_code == 200


def test_a_documents_meta_is_in_its_json_and_in_an_aligned_table_on_its_page(settings, embedder):
    record = RawRecord("wire.jsonl:1", "Showers continued in the Bahia cocoa zone this week.", doc_id="wire-1",
                       title="COCOA", meta={"dateline": "SALVADOR, Feb 26", "topics": ["cocoa", "coffee"]})
    ingest_records(settings, [record], embedder=embedder)
    client = create_app(settings, service=_empty_service(settings, embedder)).test_client()
    data = client.get("/api/documents/wire-1").get_json()
    jsonschema.validate(data, schema_for("/api/documents/{doc_id}"))
    assert data["meta"] == {"dateline": "SALVADOR, Feb 26", "topics": ["cocoa", "coffee"]}
    page = client.get("/documents/wire-1").get_data(as_text=True)
    assert "<dt>Dateline</dt><dd class=\"meta-dateline\">SALVADOR, Feb 26</dd>" in page
    assert "<dt>Topics</dt><dd class=\"meta-topics\">cocoa, coffee</dd>" in page
