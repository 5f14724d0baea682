from io import BytesIO

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import BadInputError
from archive.readers import iter_files, read_file

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{text} The committee will publish its findings later this month, officials said.</p>
<p>Residents have until Friday to send their comments to the town hall.</p></article></body></html>"""


def write_warc(path, responses, gzip=True):
    """A crawl as a crawler writes it: each response with its URL, status, content type and date."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for url, status, content_type, body, date in responses:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
            )
            writer.write_record(record)
            record.raw_stream.close()


def test_every_html_response_in_a_web_archive_is_a_document_and_every_other_capture_is_named(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(
        path,
        [
            (
                "https://news.example/bridge",
                "200 OK",
                "text/html; charset=utf-8",
                PAGE.format(title="Bridge closed", text="The old bridge closed on Monday.").encode(),
                "2024-03-05T10:00:00Z",
            ),
            ("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n", "2024-03-05T10:00:01Z"),
            (
                "https://news.example/moved",
                "301 Moved Permanently",
                "text/html",
                b"<p>moved</p>",
                "2024-03-05T10:00:02Z",
            ),
            (
                "https://news.example/park",
                "200 OK",
                "text/html",
                PAGE.format(title="Park reopens", text="The park reopened on Tuesday.").encode(),
                "2024-03-06T09:00:00Z",
            ),
        ],
    )
    assert list(iter_files([tmp_path])) == [path]
    records, problems = read_file(path)
    assert [(p.origin, p.reason) for p in problems] == [
        (f"{path}#https://news.example/logo.png", "response record not stored: not an HTML page (image/png)"),
        (f"{path}#https://news.example/moved", "response record not stored: HTTP status 301"),
    ]
    assert [(r.origin, r.url, r.date, r.title) for r in records] == [
        (f"{path}#https://news.example/bridge", "https://news.example/bridge", "2024-03-05T10:00:00Z", "Bridge closed"),
        (f"{path}#https://news.example/park", "https://news.example/park", "2024-03-06T09:00:00Z", "Park reopens"),
    ]
    assert records[0].text.startswith("The old bridge closed on Monday.")
    assert records[0].meta["crawled_at"] == "2024-03-05T10:00:00Z"


def test_an_uncompressed_warc_is_read_too(tmp_path):
    path = tmp_path / "crawl.warc"
    write_warc(
        path,
        [
            (
                "https://news.example/a",
                "200 OK",
                "text/html",
                PAGE.format(title="A", text="Story A.").encode(),
                "2024-03-05T10:00:00Z",
            )
        ],
        gzip=False,
    )
    (record,), _ = read_file(path)
    assert record.url == "https://news.example/a"


def test_a_file_named_warc_that_is_not_one_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "fake.warc"
    path.write_bytes(b"hello, not a warc\n")
    with pytest.raises(BadInputError, match="not a readable web archive"):
        read_file(path)


def test_a_capture_without_an_http_response_is_named_not_dropped(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        dns = writer.create_warc_record("dns:news.example", "response", payload=BytesIO(b"news.example 1 IN A 1.2.3.4"))
        writer.write_record(dns)
        dns.raw_stream.close()
        page = PAGE.format(title="A", text="Story A.").encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        response = writer.create_warc_record(
            "https://news.example/a", "response", payload=BytesIO(page), http_headers=headers
        )
        writer.write_record(response)
        response.raw_stream.close()
    records, problems = read_file(path)
    assert [r.url for r in records] == ["https://news.example/a"]
    assert [(p.origin, p.reason) for p in problems] == [
        (f"{path}#dns:news.example", "response record not stored: not an HTTP response (only http(s) pages are read)")
    ]
