import json

import pytest

from archive.documents import Problem
from archive.errors import BadInputError
from archive.readers import decode, iter_files, read_file


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_plain_text_is_one_record_with_the_file_as_origin(tmp_path):
    path = write(tmp_path, "story.txt", "Headline here\n\nFirst paragraph.")
    records, problems = read_file(path)
    assert problems == []
    assert [r.text for r in records] == ["Headline here\n\nFirst paragraph."]
    assert records[0].origin == str(path)


def test_html_keeps_article_text_and_metadata_and_drops_scripts_and_figures(tmp_path):
    html = """<html><head><title>Ignored title</title>
      <meta property="og:title" content="Storm hits coast">
      <meta property="article:published_time" content="2024-03-05T10:00:00Z">
      <meta property="og:site_name" content="Daily Example">
      <link rel="canonical" href="https://example.org/storm">
      <script>var tracking = 1;</script><style>p {color: red}</style></head>
      <body><nav>Home | World</nav><article><h1>Storm hits coast</h1>
      <p>Winds of 100 mph hit the coast on Tuesday.</p>
      <figure><img src="x.jpg"><figcaption>A wave (Photo: Agency)</figcaption></figure>
      <p>Thousands lost <b>power</b>.</p></article><footer>Copyright</footer></body></html>"""
    (record,), _ = read_file(write(tmp_path, "page.html", html))
    assert record.title == "Storm hits coast"
    assert record.date == "2024-03-05T10:00:00Z"
    assert record.source == "Daily Example"
    assert record.url == "https://example.org/storm"
    assert record.text == "Winds of 100 mph hit the coast on Tuesday.\n\nThousands lost power."


def test_json_reads_one_object_or_a_list(tmp_path):
    one = write(tmp_path, "one.json", json.dumps({"id": "a1", "headline": "H", "body": "Text.", "date": "2020-01-02"}))
    many = write(tmp_path, "many.json", json.dumps([{"_id": "b1", "text": "One."}, {"_id": "b2", "text": "Two."}]))
    (record,), _ = read_file(one)
    assert (record.doc_id, record.title, record.text, record.date) == ("a1", "H", "Text.", "2020-01-02")
    records, _ = read_file(many)
    assert [r.doc_id for r in records] == ["b1", "b2"]


def test_jsonl_in_beir_layout_keeps_ids_and_reports_broken_lines(tmp_path):
    lines = [
        json.dumps({"_id": "1", "title": "T1", "text": "First."}),
        "{not json",
        "",
        json.dumps({"_id": "2", "title": "T2", "text": "Second."}),
        json.dumps({"_id": "3", "title": "no text"}),
    ]
    records, problems = read_file(write(tmp_path, "corpus.jsonl", "\n".join(lines)))
    assert [r.doc_id for r in records] == ["1", "2"]
    assert [p.origin.rsplit(":", 1)[1] for p in problems] == ["2", "5"]
    assert "not JSON" in problems[0].reason
    assert "no text" in problems[1].reason


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
        ("archive.txt", b"\x1f\x8b\x08\x00" + bytes(50), "gzip"),
        ("nul.txt", b"abc\x00\x00def" * 10, "binary"),
        ("bad.txt", b"caf\x81\x8d broken", "not valid UTF-8"),
        ("shape.json", b"5", "expected a JSON object"),
        ("broken.json", b'{"text": ', "not valid JSON"),
        ("scripts.html", b"<html><script>x()</script><style>a{}</style></html>", "no readable text"),
    ],
)
def test_bad_files_raise_a_message_naming_the_problem(tmp_path, name, data, message):
    with pytest.raises(BadInputError, match=message):
        read_file(write(tmp_path, name, data))


def test_windows_1252_and_utf16_are_decoded():
    assert decode("café “quoted”".encode("cp1252"), "x") == "café “quoted”"
    assert decode("naïve text".encode("utf-16"), "x") == "naïve text"
    assert decode("\ufeffbom text".encode("utf-8"), "x") == "bom text"


def test_folders_are_walked_recursively_and_symlink_loops_reported(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path / "a", "one.txt", "x")
    write(tmp_path / "a" / "b", "two.md", "y")
    write(tmp_path / "a", "skip.png", "z")
    (tmp_path / "a" / "b" / "loop").symlink_to(tmp_path / "a")
    items = list(iter_files([tmp_path / "a", tmp_path / "missing.txt"]))
    files = [i.name for i in items if not isinstance(i, Problem)]
    problems = [i.reason for i in items if isinstance(i, Problem)]
    assert files == ["two.md", "one.txt"]
    assert any("symlink loop" in p for p in problems)
    assert any("unsupported file type .png" in p for p in problems)
    assert any("no such file" in p for p in problems)


def test_html_author_and_site_name_are_kept_as_meta(tmp_path):
    html = """<html><head><title>Budget vote delayed | The Example Times</title>
      <meta name="author" content="Jane Reporter"><meta property="og:site_name" content="The Example Times"></head>
      <body><article><h1>Budget vote delayed</h1>
      <p>The council postponed its budget vote to next week after a long debate on Monday night.</p>
      <p>Members said they needed more time to read the amended figures before they could decide.</p>
      </article></body></html>"""
    (record,), _ = read_file(write(tmp_path, "budget.html", html))
    assert record.meta == {"author": "Jane Reporter", "site_name": "The Example Times"}
    assert record.source == "The Example Times"
    assert record.text.startswith("The council postponed")


def test_every_extra_field_of_a_json_record_is_kept_as_meta(tmp_path):
    line = {
        "id": "r1",
        "title": "COCOA",
        "text": "Showers continued.",
        "date": "1987-02-26",
        "source": "Reuters",
        "dateline": "SALVADOR, Feb 26",
        "author": None,
        "topics": ["cocoa"],
        "places": ["el-salvador", "usa"],
    }
    (record,), _ = read_file(write(tmp_path, "wire.jsonl", json.dumps(line)))
    assert record.meta == {"dateline": "SALVADOR, Feb 26", "topics": ["cocoa"], "places": ["el-salvador", "usa"]}


def test_a_page_that_is_not_utf8_is_read_in_the_charset_it_declares(tmp_path):
    html = (
        '<html><head><meta charset="shift_jis"><title>東京</title></head><body><article>'
        "<p>東京で大雨が降りました。交通機関に大きな影響が出ています。</p>"
        "<p>気象庁は明日も注意するよう呼びかけています。</p></article></body></html>"
    )
    (record,), _ = read_file(write(tmp_path, "tokyo.html", html.encode("shift_jis")))
    assert "東京で大雨が降りました" in record.text
