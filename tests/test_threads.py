"""E-mail threads, attachments both ways and correspondents: computed from headers, the same in any ingest order,
shown on the document page and in the API."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import jsonschema
import pytest

from archive.threads import MessageLinks, thread_ids
from indexer.ingest import ingest_paths
from web import create_app
from web.openapi import openapi_document


def links(doc_id, message_id, subject, date, reply_to=None, references=(), people=("a@x.org", "b@x.org")):
    return MessageLinks(
        doc_id,
        message_id,
        reply_to,
        tuple(references),
        subject.lower().removeprefix("re: "),
        subject.lower().startswith("re:"),
        date,
        frozenset(people),
    )


CHAIN = [
    links("1", "<a@x>", "Pier budget", "2024-03-01"),
    links("2", "<b@x>", "Re: Pier budget", "2024-03-02", reply_to="<a@x>"),
    links("3", "<c@x>", "Re: Pier budget", "2024-03-03", reply_to="<b@x>"),
    links("4", "<d@x>", "Harbour dues", "2024-03-04"),
]


def test_replies_share_their_parents_thread_whatever_the_order():
    answers = {tuple(sorted(thread_ids(order).items())) for order in itertools.permutations(CHAIN)}
    assert len(answers) == 1
    placed = thread_ids(CHAIN)
    assert placed["1"].thread == placed["2"].thread == placed["3"].thread != placed["4"].thread
    assert (placed["2"].parent, placed["3"].parent, placed["1"].parent) == ("1", "2", None)
    assert placed["3"].how == "message-id"
    assert placed["4"].how is None


def test_two_replies_to_a_missing_message_are_one_thread():
    placed = thread_ids(
        [
            links("r1", "<r1@x>", "Re: Pier", "2024-03-02", references=["<root@x>"]),
            links("r2", "<r2@x>", "Re: Pier", "2024-03-03", reply_to="<root@x>"),
        ]
    )
    assert placed["r1"].thread == placed["r2"].thread
    assert placed["r1"].parent is None


def test_subject_joins_only_replies_that_name_no_message_and_says_so():
    placed = thread_ids(
        [
            links("1", "<a@x>", "Pier budget", "2024-03-01"),
            links("2", "<b@x>", "Re: Pier budget", "2024-03-02"),
            links("3", "<c@x>", "Pier budget", "2024-04-01"),
            links("4", "<d@x>", "Re: Pier budget", "2024-03-05", people=("z@elsewhere.org",)),
        ]
    )
    assert placed["2"].thread == placed["1"].thread
    assert (placed["2"].parent, placed["2"].how) == ("1", "subject")
    assert placed["3"].thread != placed["1"].thread  # not a reply: a new message with the same subject
    assert placed["4"].thread != placed["1"].thread  # no correspondent in common


def mail(subject, body, message_id, sender="Ana Ruiz <ana@example.org>", to="Bo Lee <bo@example.org>", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = headers.pop("date", "Tue, 05 Mar 2024 10:00:00 +0000")
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def parent_mail() -> EmailMessage:
    return mail(
        "Pier budget",
        "The harbour board will vote on the pier budget on Friday, after the inspectors report.\n",
        "<p1@example.org>",
    )


REPLY = mail(
    "Re: Pier budget",
    "Thanks. The inspectors found corrosion in three of the ten pier supports, so the vote may move.\n",
    "<p2@example.org>",
    sender="Bo Lee <bo@example.org>",
    to="Ana Ruiz <ana@example.org>",
    date="Wed, 06 Mar 2024 09:00:00 +0000",
    In_Reply_To="<p1@example.org>",
    Cc="Carl Ng <carl@example.org>",
)


@pytest.fixture
def thread_archive(tmp_path, settings, embedder):
    """A reply ingested before the message it answers, then the message with an attachment."""
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    (tmp_path / "first" / "reply.eml").write_bytes(REPLY.as_bytes())
    parent = parent_mail()
    parent.add_attachment(
        "The inspectors list corrosion on supports 2, 5 and 9 of the pier, and rust on the railings.",
        filename="inspection.txt",
    )
    parent.add_attachment(b"\x89PNG\r\n", maintype="image", subtype="png", filename="photo.png")
    (tmp_path / "second" / "budget.eml").write_bytes(parent.as_bytes())
    ingest_paths(settings, [tmp_path / "first"], embedder=embedder)
    ingest_paths(settings, [tmp_path / "second"], embedder=embedder)
    return settings


@pytest.fixture
def thread_client(thread_archive, embedder):
    from indexer.search import SearchService

    app = create_app(thread_archive, SearchService(thread_archive, embedder=embedder), {"TESTING": True})
    return app.test_client()


def test_a_reply_stored_first_joins_its_parents_thread_and_the_api_lists_it(thread_client):
    reply = thread_client.get("/api/documents/reply").get_json()
    jsonschema.validate(reply, schema_for("/api/documents/{doc_id}"))
    parent = thread_client.get("/api/documents/budget").get_json()
    assert reply["meta"]["thread"] == parent["meta"]["thread"]
    listed = reply["mail"]["thread"]
    assert [(m["doc_id"], m["from"], m["name"], m["current"]) for m in listed] == [
        ("budget", "ana@example.org", "Ana Ruiz", False),
        ("reply", "bo@example.org", "Bo Lee", True),
    ]
    assert listed[1]["parent"] == "budget" and listed[1]["linked_by"] == "message-id"


def test_attachments_inherit_date_sender_and_thread_and_link_both_ways(thread_client):
    parent = thread_client.get("/api/documents/budget").get_json()
    (attachment,) = parent["mail"]["attachments"]
    assert parent["mail"]["unreadable_attachments"] == [
        {"name": "photo.png", "reason": "attachment type .png is not supported; it was skipped"}
    ]
    child = thread_client.get(f"/api/documents/{attachment['doc_id']}").get_json()
    assert (child["date"], child["source"]) == (parent["date"], "ana@example.org")
    assert child["meta"]["thread"] == parent["meta"]["thread"]
    assert child["mail"]["message"] == {"doc_id": "budget", "title": "Pier budget"}
    page = thread_client.get(f"/documents/{attachment['doc_id']}").get_data(as_text=True)
    assert 'href="/documents/budget"' in page
    parent_page = thread_client.get("/documents/budget").get_data(as_text=True)
    assert f'href="/documents/{attachment["doc_id"]}"' in parent_page
    assert "photo.png: not readable (attachment type .png is not supported" in parent_page


def test_the_document_page_shows_the_thread_with_the_current_message_marked(thread_client):
    page = thread_client.get("/documents/reply").get_data(as_text=True)
    assert '<section class="thread">' in page
    assert 'aria-current="true"' in page
    assert "Ana Ruiz" in page and 'href="/documents/budget"' in page
    assert "Carl Ng &lt;carl@example.org&gt;" in page


def test_the_thread_filter_is_the_generic_meta_filter(thread_client):
    thread = thread_client.get("/api/documents/reply").get_json()["meta"]["thread"]
    found = thread_client.get(f"/api/search?q=pier+inspectors&meta.thread={thread}&group=document").get_json()
    assert {r["doc_id"] for r in found["results"]} >= {"budget", "reply"}
    browse = thread_client.get(f"/api/documents?meta.thread={thread}").get_json()
    assert browse["total"] == 3  # the two messages and the readable attachment


def test_a_reply_whose_thread_was_found_later_is_filtered_by_it_as_passages_too(thread_client):
    thread = thread_client.get("/api/documents/reply").get_json()["meta"]["thread"]
    found = thread_client.get(f"/api/search?q=corrosion+pier+supports&meta.thread={thread}&mode=keyword").get_json()
    assert "reply" in {r["doc_id"] for r in found["results"]}


def test_correspondents_of_an_address_and_of_a_name(thread_client):
    ana = thread_client.get("/api/correspondents/ana@example.org").get_json()
    jsonschema.validate(ana, schema_for("/api/correspondents/{who}"))
    assert (ana["names"], ana["sent"], ana["received"]) == (["Ana Ruiz"], 1, 1)
    assert ana["months"] == [{"month": "2024-03", "sent": 1, "received": 1}]
    bo = next(c for c in ana["correspondents"] if c["address"] == "bo@example.org")
    assert (bo["name"], bo["wrote_to"], bo["heard_from"], bo["months"]) == ("Bo Lee", 1, 1, {"2024-03": 2})
    by_name = thread_client.get("/api/correspondents/Ana Ruiz").get_json()
    assert by_name["addresses"] == ["ana@example.org"]
    page = thread_client.get("/correspondents/ana@example.org").get_data(as_text=True)
    assert "Bo Lee &lt;bo@example.org&gt;" in page and 'rel="alternate"' in page
    missing = thread_client.get("/api/correspondents/nobody@example.org")
    assert missing.status_code == 404 and "no message from or to" in missing.get_json()["error"]["message"]
    listed = thread_client.get("/api/correspondents?q=ruiz").get_json()
    jsonschema.validate(listed, schema_for("/api/correspondents"))
    assert listed["addresses"][0]["address"] == "ana@example.org"


def schema_for(path: str) -> dict:
    return openapi_document()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


def test_each_document_has_a_file_type_for_the_facet(thread_client):
    found = thread_client.get("/api/search?q=pier&mode=keyword&group=document&facets=meta.file_type").get_json()
    counts = {f["value"]: f["count"] for f in found["facets"]["meta.file_type"]}
    assert counts == {"email": 2, "text": 1}  # the two messages and the .txt attachment
    only = thread_client.get("/api/search?q=pier&mode=keyword&group=document&meta.file_type=text").get_json()
    assert [r["title"] for r in only["results"]] == ["inspection.txt"]


def test_the_upload_page_posts_to_the_write_api_and_says_when_it_is_off(thread_client):
    page = thread_client.get("/upload").get_data(as_text=True)
    assert 'data-endpoint="/api/documents"' in page and "The write API is off on this server" in page
