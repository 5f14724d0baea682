"""Batch search: many queries in, every query's hits out with a count per query; the same hits as one search each."""

from __future__ import annotations

import csv
import io
import json

from cli import main
from indexer.batch import FIELDS, read_batch, run_batch
from indexer.search import SearchRequest

QUERIES = [
    "what did the Refugee Council say about riots",
    "migrant removals footage",
    "Farage terrified",
    "immigration enforcement staff",
    "deportation flights",
    "Home Office images",
    "race riots",
    "foreign criminals returned",
    "Yvette Cooper",
    "asylum",
    "Labour government",
    "border security crackdown",
    "illegal workers raids",
    "reproductive rights",
    "Ukip leader",
    "planes",
    "South America",
    "targets smashed",
    "significant additional resource",
    "zebra crossing quantum",
]


def hits(response) -> list[tuple[str, int, int]]:
    return [(hit.doc_id, hit.chunk_id, hit.rank) for hit in response.results]


def test_twenty_queries_in_a_batch_give_the_same_hits_as_twenty_single_searches(service):
    results = list(run_batch(service, read_batch("\n".join(QUERIES), SearchRequest(""))))
    assert [r.query.request.query for r in results] == QUERIES
    for result in results:
        single = service.search(SearchRequest(result.query.request.query))
        assert hits(result.response) == hits(single)
        assert result.count == single.total


def test_a_csv_batch_carries_filters_per_query(service):
    text = (
        "query,mode,k,meta.author\n"
        "race riots,keyword,2,\n"
        "migrant removals,semantic,,\n"
        '"immigration, enforcement",,3,\n'
        "Farage,keyword,,Nobody At All\n"
    )
    results = list(run_batch(service, read_batch(text, SearchRequest("", k=5))))
    expected = [
        SearchRequest("race riots", mode="keyword", k=2),
        SearchRequest("migrant removals", mode="semantic", k=5),
        SearchRequest("immigration, enforcement", k=3),
        SearchRequest("Farage", mode="keyword", k=5, meta=(("author", "Nobody At All"),)),
    ]
    for result, request in zip(results, expected, strict=True):
        assert result.query.request == request
        assert hits(result.response) == hits(service.search(request))
    assert results[3].count == 0


def test_the_cli_writes_every_querys_hits_as_csv_and_a_count_per_query(runner, seed_settings, tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("race riots\n\n# a comment\nxyzzyq plughh\n")
    result = runner.invoke(
        main, ["--data-dir", str(seed_settings.data_dir), "search", "--batch", str(batch), "--mode", "keyword"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == FIELDS
    riots = [row for row in rows if row["query"] == "race riots"]
    assert 1 <= len(riots) <= min(10, int(riots[0]["query_total"]))  # copies of a paragraph are shown once
    assert riots[0]["rank"] == "1" and "race riots" in riots[0]["text"]
    (empty,) = [row for row in rows if row["query_number"] == "2"]
    assert (empty["query_total"], empty["doc_id"]) == ("0", "")
    assert result.stderr.splitlines()[1] == "2\t0\txyzzyq plughh"


def test_the_api_takes_a_batch_as_text_csv_or_json_and_answers_in_each_format(client, service):
    answer = client.post("/api/batch?mode=keyword&k=3", data="race riots\nFarage terrified\n")
    assert answer.status_code == 200
    queries = answer.get_json()["queries"]
    assert [q["query"] for q in queries] == ["race riots", "Farage terrified"]
    single = service.search(SearchRequest("race riots", mode="keyword", k=3))
    assert [r["chunk_id"] for r in queries[0]["results"]] == [hit.chunk_id for hit in single.results]
    assert queries[0]["total"] == single.total
    as_json = client.post("/api/batch?format=jsonl", json={"queries": ["asylum", {"query": "planes", "k": 1}]})
    lines = [json.loads(line) for line in as_json.get_data(as_text=True).splitlines()]
    assert {line["query"] for line in lines} == {"asylum", "planes"}
    assert sum(1 for line in lines if line["query"] == "planes") == 1
    as_csv = client.post("/api/batch?format=csv", data={"file": (io.BytesIO(b"query,k\nasylum,2\n"), "q.csv")})
    assert as_csv.mimetype == "text/csv" and as_csv.get_data(as_text=True).startswith(",".join(FIELDS))
    bad = client.post("/api/batch", data="query,colour\nasylum,red\n")
    assert bad.status_code == 400 and "unknown batch column(s) 'colour'" in bad.get_json()["error"]["message"]
    refused = client.post("/api/batch", data="race riots\n", query_string={"date_from": "yesterday"})
    assert refused.status_code == 200 and "date_from" in refused.get_json()["queries"][0]["error"]


def test_the_batch_page_shows_each_querys_count_and_first_hits_and_exports_the_same_batch(client, service):
    queries = "Refugee Council riots\nHome Secretary\nno such words xqzv"
    page = client.post("/batch", data={"queries": queries, "mode": "keyword"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for number, query in enumerate(queries.splitlines(), start=1):
        single = service.search(SearchRequest(query, mode="keyword"))
        assert f"<td>{number}</td>" in html
        assert f'<td class="count">{single.total}</td>' in html
        for hit in single.results[:3]:
            assert f"/documents/{hit.doc_id}?chunk={hit.chunk_id}" in html
    exported = client.post("/api/batch?mode=keyword&format=jsonl", data={"queries": queries})
    assert exported.status_code == 200
    rows = [json.loads(line) for line in exported.get_data(as_text=True).splitlines()]
    assert {row["query"] for row in rows} >= {"Refugee Council riots", "Home Secretary"}
    assert client.post("/batch", data={"queries": "  ", "mode": "keyword"}).status_code == 400
    assert 'href="/batch"' in client.get("/").get_data(as_text=True)
