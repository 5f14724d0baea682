"""Queries that try to break search: through the service, the API, the page and the CLI, never a 500."""

from contextlib import suppress

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.errors import InvalidRequestError
from cli import main
from indexer.search import SearchRequest


def FUZZ(max_examples: int):
    """Deterministic property tests: the same examples on every run."""
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


HOSTILE = [
    'title:"unclosed',
    "AND",
    "OR OR OR",
    "NOT",
    "-",
    "+",
    "(((",
    ")))",
    "a AND (b OR",
    '"',
    "''",
    "\\",
    "nosuchfield:riots",
    "date:[2020 TO",
    "source:",
    "*",
    "?",
    "~2",
    "^3",
    "riots^",
    "riots~",
    "/.*/",
    "[a-z]+$",
    "(?i)riots|refugees",
    "{}",
    "<script>alert(1)</script>",
    "\x00riots\x00",
    "riots\x07\x1b[31m",
    "\u202eriots",
    "مجلس اللاجئين",
    "שלום",
    "难民理事会",
    "🔥🚒 riots 🔥",
    "\ufeff",
    "%00",
    "../../etc/passwd",
    "' OR 1=1 --",
    "x" * 1000,
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_hostile_queries_get_results_or_a_clear_refusal(service, query, mode):
    try:
        response = service.search(SearchRequest(query, mode=mode))
    except InvalidRequestError as exc:
        assert exc.param == "q" and "query" in exc.message
    else:
        assert response.query.strip() and len(response.results) <= response.total
        assert all(hit.rank == number for number, hit in enumerate(response.results, start=1))


@pytest.mark.parametrize("query", HOSTILE + ["x" * 10_000])
def test_hostile_queries_through_the_api_and_the_page_are_never_a_500(client, query):
    api = client.get("/api/search", query_string={"q": query})
    assert api.status_code in (200, 400)
    if api.status_code == 400:
        assert set(api.get_json()["error"]) == {"status", "message"}
    page = client.get("/", query_string={"q": query})
    assert page.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


@pytest.mark.parametrize("query", ["AND OR (", '"unbalanced', "x" * 10_000, "nosuchfield:riots"])
def test_hostile_queries_through_the_cli_are_answers_or_one_line_errors(runner, seed_settings, query):
    result = runner.invoke(main, ["--data-dir", str(seed_settings.data_dir), "search", query])
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: ")


@FUZZ(max_examples=150)
@given(query=st.text(max_size=120), mode=st.sampled_from(["hybrid", "keyword", "semantic"]))
def test_any_text_is_an_answer_or_an_invalid_request(service, query, mode):
    try:
        response = service.search(SearchRequest(query, mode=mode, k=5))
    except InvalidRequestError:
        return
    assert len(response.results) <= 5


@FUZZ(max_examples=100)
@given(query=st.text(alphabet=st.sampled_from(list('ab "():+-*^~[]{}!AND OR NOT:\\/')), max_size=40))
def test_query_syntax_soup_never_raises(service, query):
    with suppress(InvalidRequestError):
        assert len(service.search(SearchRequest(query, mode="keyword", k=3)).results) <= 3


def test_document_ids_cannot_reach_files(client):
    for path in (
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/../../etc/passwd",
        "/api/documents/%2e%2e%2fREADME.md",
        "/api/documents/..%5c..%5cREADME.md",
    ):
        response = client.get(path)
        assert response.status_code == 404 and b"root:" not in response.data
        if path.startswith("/api/"):
            assert response.get_json()["error"]["status"] == 404
        else:
            assert b"News archive" in response.data


def test_no_open_redirects(client):
    for path in ("//evil.example/", "/\\evil.example", "/?next=https://evil.example"):
        response = client.get(path)
        assert response.status_code in (200, 404) and "Location" not in response.headers
