"""The page and the API side by side: same search, same answers; every error in one shape."""

import csv
import io
import re
from html import unescape

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
    articles = client.get("/api/search", query_string={"q": QUESTION, "group": "document"}).get_json()
    page = client.get("/", query_string={"q": QUESTION}).get_data(as_text=True)
    first, second = articles["results"][:2]
    assert page.index(f"?chunk={first['passages'][0]['chunk_id']}#p-{first['passages'][0]['paragraph']}") < page.index(
        f"/documents/{second['doc_id']}?chunk="
    )
    assert f'value="{QUESTION}"' in page
    assert "<mark>riots</mark>" in page and "also in" in page

    api = client.get("/api/search", query_string={"q": QUESTION}).get_json()
    paragraphs = client.get("/", query_string={"q": QUESTION, "group": "passage"}).get_data(as_text=True)
    hits = api["results"]
    assert paragraphs.index(f"?chunk={hits[0]['chunk_id']}#p-{hits[0]['paragraph']}") < paragraphs.index(
        f"?chunk={hits[1]['chunk_id']}#"
    )


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
        "error": {"status": 404, "message": "no document with id 'nope'"}
    }
    page = client.get("/documents/nope")
    assert page.status_code == 404 and "Not found" in page.get_data(as_text=True)
    assert client.get("/api/no-such-endpoint").get_json()["error"]["status"] == 404


def test_health_stats_and_openapi_match_the_contract(app, client):
    jsonschema.validate(client.get("/api/health").get_json(), schema_for("/api/health"))
    stats = client.get("/api/stats").get_json()
    jsonschema.validate(stats, schema_for("/api/stats"))
    assert stats["documents"] == 3
    spec = client.get("/api/openapi.json").get_json()
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, operations in spec["paths"].items() for method in operations}
    assert served == documented
    params = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params == {
        "q",
        "mode",
        "k",
        "offset",
        "source",
        "date_from",
        "date_to",
        "speaker",
        "org",
        "group",
        "facets",
        "sort",
        "meta.{field}",
    }


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
    ingest_records(
        settings,
        [
            RawRecord(
                "api",
                "Before <script>alert(1)</script> after the storm.",
                doc_id="xss",
                title="<script>alert(2)</script>",
            )
        ],
        embedder=embedder,
    )
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
    record = RawRecord(
        "wire.jsonl:1",
        "Showers continued in the Bahia cocoa zone this week.",
        doc_id="wire-1",
        title="COCOA",
        meta={"dateline": "SALVADOR, Feb 26", "topics": ["cocoa", "coffee"]},
    )
    ingest_records(settings, [record], embedder=embedder)
    client = create_app(settings, service=_empty_service(settings, embedder)).test_client()
    data = client.get("/api/documents/wire-1").get_json()
    jsonschema.validate(data, schema_for("/api/documents/{doc_id}"))
    assert data["meta"] == {"dateline": "SALVADOR, Feb 26", "topics": ["cocoa", "coffee"]}
    page = client.get("/documents/wire-1").get_data(as_text=True)
    assert '<dt>Dateline</dt><dd class="meta-dateline">SALVADOR, Feb 26</dd>' in page
    assert '<dt>Topics</dt><dd class="meta-topics">cocoa, coffee</dd>' in page


# -- the search page: articles, totals, facets, histogram, export; the browse page ---------------------------

VARIED = [
    (
        "reuters-1",
        "Reuters",
        "2024-01-15",
        ["cocoa"],
        ["brazil"],
        "Cocoa growers riot in Bahia as prices collapse and warehouses burn through a long night of unrest",
    ),
    ("reuters-2", "Reuters", "2024-03-02", ["cocoa", "trade"], ["ghana"], "Ghana port riots delay cocoa shipments"),
    ("reuters-3", "Reuters", "2025-02-20", ["trade"], ["brazil"], "Riots over fuel prices spread to Sao Paulo"),
    ("bbc-1", "BBC", "2018-06-01", ["politics"], ["uk"], "Police prepare for riots after the football final"),
    ("bbc-2", "BBC", "2025-02-11", ["politics"], ["uk"], "Council leaders meet after summer riots"),
]
CHIP = '{} <span aria-hidden="true">×</span>'


@pytest.fixture(scope="module")
def varied(tmp_path_factory, embedder):
    """An archive with sources, dates over seven years, topics and places (the seeds have none of these)."""
    from archive.settings import Settings
    from indexer.search import SearchService

    settings = Settings.from_env({}, data_dir=tmp_path_factory.mktemp("varied") / "archive")
    records = [
        RawRecord(
            f"test:{doc_id}",
            f"{title}.\n\nWitnesses said the riots began at dusk in {places[0]}.\n\n"
            f"Officials of the {topics[0]} board met on Monday.",
            doc_id=doc_id,
            title=title,
            date=day,
            source=source,
            meta={"topics": topics, "places": places, "pages": [1, 2, 2]},
        )
        for doc_id, source, day, topics, places, title in VARIED
    ]
    ingest_records(settings, records, embedder=embedder)
    return create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()


def links(page: str, css_class: str) -> list[str]:
    """The hrefs of the <a> elements with this class, unescaped."""
    return [unescape(href) for href in re.findall(rf'<a class="{css_class}[^"]*" href="([^"]+)"', page)]


def test_search_page_shows_articles_by_default_with_best_passages_speakers_and_copies_by_title(client):
    page = client.get("/", query_string={"q": QUESTION}).get_data(as_text=True)
    first = page.split('<li class="hit article">')[1]
    assert "race <mark>riots</mark>" in first
    assert '<p class="speaking">— Enver Solomon, Refugee Council</p>' in first
    assert '<details class="ranks"><summary>ranks</summary>' in first and "keyword #1" in first
    assert 'class="view-document current"' in page and 'class="view-passage"' in page
    also = re.search(r'<p class="also">also in (.*?)</p>', first).group(1)
    assert "Home Office has released images" in also and ">001_b1430c0bef034883<" not in also
    assert 'href="/documents/001_b1430c0bef034883"' in also
    twin = unescape(re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page).group(1))
    assert "group=document" in twin and "facets=source,year,month,speaker" in twin
    assert client.get(twin).get_json()["results"][0]["doc_id"] == "000_ac5b891913291307"


def test_the_paragraph_switch_shows_one_passage_a_result(client):
    page = client.get("/", query_string={"q": QUESTION, "group": "passage"}).get_data(as_text=True)
    assert 'class="view-passage current"' in page and '<li class="hit article">' not in page
    assert page.count('<li class="hit">') == 10 and " paragraphs</span>" in page
    assert '<input type="hidden" name="group" value="passage">' in page


def test_totals_say_about_when_they_are_a_lower_bound(client):
    hybrid = client.get("/api/search", query_string={"q": QUESTION, "group": "document"}).get_json()
    assert hybrid["total_relation"] == "gte"
    page = client.get("/", query_string={"q": QUESTION}).get_data(as_text=True)
    assert f'<span class="total">about {hybrid["total"]} articles</span>' in page
    keyword = client.get("/api/search", query_string={"q": "riots", "mode": "keyword", "group": "document"})
    exact = keyword.get_json()
    assert exact["total_relation"] == "eq"
    page = client.get("/", query_string={"q": "riots", "mode": "keyword"}).get_data(as_text=True)
    expected = f"{exact['total']} article{'s' if exact['total'] != 1 else ''}"
    assert f'<span class="total">{expected}</span>' in page


def test_facets_show_counts_and_each_value_links_to_the_query_narrowed_by_it(varied):
    page = varied.get("/", query_string={"q": "riots", "mode": "keyword"}).get_data(as_text=True)
    sidebar = page[page.index('<aside class="facets"') :]
    assert re.search(r'>Reuters</a> <span class="count">3</span>', sidebar)
    assert re.search(r'>BBC</a> <span class="count">2</span>', sidebar)
    assert re.search(r'>cocoa</a> <span class="count">2</span>', sidebar)
    assert re.search(r'>brazil</a> <span class="count">2</span>', sidebar)
    hrefs = [unescape(h) for h in re.findall(r'<a href="([^"]+)">', sidebar)]
    by_source = next(h for h in hrefs if "source=Reuters" in h)
    assert "q=riots" in by_source and "mode=keyword" in by_source
    narrowed = varied.get(by_source.replace("/?", "/api/search?") + "&group=document").get_json()
    assert {r["source"] for r in narrowed["results"]} == {"Reuters"} and narrowed["total"] == 3
    by_topic = next(h for h in hrefs if "meta.topics=cocoa" in h)
    topic_page = varied.get(by_topic).get_data(as_text=True)
    assert CHIP.format("topics: cocoa") in topic_page and topic_page.count('<li class="hit article">') == 2
    by_year = next(h for h in hrefs if "date_from=2018-01-01" in h)
    assert "date_to=2018-12-31" in by_year and "q=riots" in by_year


def test_the_histogram_has_a_bar_per_year_or_per_month_and_each_narrows_the_dates(varied):
    page = varied.get("/", query_string={"q": "riots", "mode": "keyword"}).get_data(as_text=True)
    bars = re.findall(r'<a class="bar h-(\d+)" href="([^"]+)" title="([^"]+)" data-value="(\d{4}(?:-\d\d)?)"', page)
    assert [value for *_, value in bars] == [str(year) for year in range(2018, 2026)]
    steps = {value: int(step) for step, *_, value in bars}
    assert steps["2025"] == 20 and steps["2019"] == 0 and 0 < steps["2018"] < 20
    only_reuters = varied.get("/", query_string={"q": "riots", "mode": "keyword", "source": "Reuters"})
    months = re.findall(
        r'<a class="bar h-(\d+)" href="([^"]+)" title="[^"]+" data-value="(\d{4}-\d\d)"',
        only_reuters.get_data(as_text=True),
    )
    assert months[0][2] == "2024-01" and months[-1][2] == "2025-02" and len(months) == 14
    href = unescape(months[1][1])
    assert "date_from=2024-02-01" in href and "date_to=2024-02-29" in href and "source=Reuters" in href


def test_the_export_link_carries_the_search_and_downloads_csv_with_a_header(varied):
    page = varied.get("/", query_string={"q": "riots", "mode": "keyword", "source": "Reuters"}).get_data(as_text=True)
    href = unescape(re.search(r'<a href="(/api/export\?[^"]+format=csv)" download>CSV</a>', page).group(1))
    assert "q=riots" in href and "source=Reuters" in href and "mode=keyword" in href
    assert re.search(r'<a href="/api/export\?[^"]+format=jsonl" download>JSONL</a>', page)
    response = varied.get(href)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and {row["source"] for row in rows} == {"Reuters"} and "title" in rows[0]


def test_articles_show_meta_highlights_and_the_page_of_a_passage(varied):
    page = varied.get("/", query_string={"q": "cocoa growers Bahia", "mode": "keyword"}).get_data(as_text=True)
    first = page.split('<li class="hit article">')[1]
    assert "Cocoa growers riot in Bahia as prices collapse and warehouses burn through a long night" in first
    assert 'topics: <a href="' in first and 'places: <a href="' in first
    assert '<span class="page">p. 1</span>' in first


def test_the_documents_page_browses_with_filters_sort_and_meta_from_the_query_string(varied):
    page = varied.get("/documents").get_data(as_text=True)
    assert 'href="/documents"' in page and "5 documents" in page
    titles = re.findall(r'<td class="title"><a href="/documents/([^"]+)">', page)
    assert titles == ["reuters-3", "bbc-2", "reuters-2", "reuters-1", "bbc-1"]
    oldest = varied.get("/documents?sort=date").get_data(as_text=True)
    assert re.findall(r'<td class="title"><a href="/documents/([^"]+)">', oldest)[0] == "bbc-1"
    narrowed = varied.get(
        "/documents", query_string={"source": "Reuters", "meta.topics": "cocoa", "date_from": "2024-02-01"}
    ).get_data(as_text=True)
    assert re.findall(r'<td class="title"><a href="/documents/([^"]+)">', narrowed) == ["reuters-2"]
    assert CHIP.format("topics: cocoa") in narrowed
    assert '<input type="hidden" name="meta.topics" value="cocoa">' in narrowed
    assert '<link rel="alternate" type="application/json" href="/api/documents?' in narrowed
    assert varied.get("/documents?page=0").status_code == 400
    past = varied.get("/documents?page=2")
    assert past.status_code == 400 and "page 2 is past the end" in past.get_data(as_text=True)
    assert 'href="/documents?source=BBC"' in page


def test_the_document_page_shows_no_server_paths(client, seeds):
    page = client.get("/documents/000_ac5b891913291307").get_data(as_text=True)
    assert str(seeds) not in page and "<dt>From</dt>" not in page
    assert client.get("/api/documents/000_ac5b891913291307").get_json()["origin"]


def test_templates_build_their_links_with_url_for():
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    for template in templates.glob("*.html"):
        assert not re.search(r'(href|action|src)="/', template.read_text()), template.name


def test_the_documents_page_pages_through_the_archive_keeping_its_filters(varied, monkeypatch):
    monkeypatch.setattr("web.pages.DOCUMENTS_PAGE_SIZE", 2)
    first = varied.get("/documents?sort=date&source=Reuters").get_data(as_text=True)
    assert "3 documents · page 1 of 2" in first
    next_page = unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))
    assert "page=2" in next_page and "source=Reuters" in next_page and "sort=date" in next_page
    second = varied.get(next_page).get_data(as_text=True)
    assert re.findall(r'<td class="title"><a href="/documents/([^"]+)">', second) == ["reuters-3"]
    assert 'rel="prev"' in second and 'rel="next"' not in second
