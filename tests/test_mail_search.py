"""Mail headers are searchable: an address typed in the box, quoted or not, finds the messages it is in (From, To,
Cc), display names find their people, and header words never turn into matches of ordinary body searches."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from archive.documents import ChunkRecord
from archive.settings import Settings
from indexer.document_index import DocumentIndex, DocumentRow
from indexer.ingest import ingest_paths
from indexer.keyword import KeywordIndex, with_addresses
from indexer.search import SearchRequest, SearchService


def message(sender: str, to: list[str], subject: str, body: str, date: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    mail["Date"] = date
    mail["Message-ID"] = f"<{abs(hash((sender, subject)))}@mail.example>"
    mail.set_content(body)
    return bytes(mail)


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("mail")
    inbox = folder / "inbox"
    inbox.mkdir()
    messages = {
        "from-jeff.eml": message(
            "Jeff Skilling <jeff.skilling@enron.com>",
            ["kenneth.lay@enron.com"],
            "Quarterly numbers",
            "Ken, the quarterly numbers for the broadband unit look weaker than the plan we agreed in January.",
            "Mon, 05 Feb 2001 09:15:00 -0800",
        ),
        "to-jeff.eml": message(
            "Sherron Watkins <sherron.watkins@enron.com>",
            ["jeff.skilling@enron.com"],
            "Accounting questions",
            "I am worried about the partnerships and how we account for them; can we meet this week?",
            "Tue, 14 Aug 2001 10:00:00 -0700",
        ),
        "unrelated.eml": message(
            "Vince Kaminski <vince.kaminski@enron.com>",
            ["research.group@enron.com"],
            "Weather derivatives seminar",
            "The research group will present weather derivatives models at the Enron seminar on Friday.",
            "Wed, 07 Mar 2001 08:30:00 -0800",
        ),
    }
    for name, raw in messages.items():
        (inbox / name).write_bytes(raw)
    settings = Settings.from_env({}, data_dir=folder / "archive")
    ingest_paths(settings, [inbox], embedder=embedder)
    return SearchService(settings, embedder=embedder)


def subjects(response) -> list[str]:
    return [result.title for result in response.results]


@pytest.mark.parametrize("query", ['"jeff.skilling@enron.com"', "jeff.skilling@enron.com", "Jeff.Skilling@Enron.com"])
def test_an_address_quoted_or_not_finds_the_messages_it_is_in(mailbox, query):
    found = mailbox.search(SearchRequest(query, "keyword", group="document"))
    assert sorted(subjects(found)) == ["Accounting questions", "Quarterly numbers"]
    assert found.total == 2
    hybrid = mailbox.search(SearchRequest(query, "hybrid", group="document"))
    assert set(subjects(hybrid)[:2]) == {"Accounting questions", "Quarterly numbers"}


def test_header_words_do_not_match_body_searches(mailbox):
    # "enron" is in every address but in the body of one message only
    found = mailbox.search(SearchRequest("enron", "keyword", group="document"))
    assert subjects(found) == ["Weather derivatives seminar"]


def test_addresses_in_a_query_become_header_and_text_clauses():
    assert with_addresses('"a.b@x.com"') == '(address:"a.b@x.com" OR "a.b@x.com")'
    assert with_addresses("mail A.B@X.com today") == 'mail (address:"a.b@x.com" OR "A.B@X.com") today'
    assert with_addresses("no address here") == "no address here"


def test_cc_bcc_and_display_names_are_searchable_in_both_indexes(tmp_path):
    meta = {
        "from": "steven.kean@enron.com",
        "to": ["a@enron.com"],
        "cc": ["rosalee.fleming@enron.com"],
        "bcc": ["hidden@enron.com"],
        "names": {"steven.kean@enron.com": "Steven J Kean", "rosalee.fleming@enron.com": "Rosalee Fleming"},
    }
    chunks = KeywordIndex(tmp_path / "kw", create=True)
    chunks.add(
        [
            ChunkRecord(
                1,
                "m1",
                0,
                0,
                "Board meeting agenda attached.",
                "",
                "Agenda",
                None,
                None,
                None,
                "",
                "",
                json.dumps(meta),
            ),
            ChunkRecord(2, "m2", 0, 0, "Lunch on Friday?", "", "Lunch", None, None, None, "", "", "{}"),
        ]
    )
    chunks.commit()
    documents = DocumentIndex(tmp_path / "docs", create=True)
    documents.add([DocumentRow("m1", "Agenda", "Board meeting agenda attached.", None, None, meta=meta)])
    documents.add([DocumentRow("m2", "Lunch", "Lunch on Friday?", None, None)])
    documents.commit()
    for query in ("rosalee.fleming@enron.com", '"hidden@enron.com"', "Kean", '"Rosalee Fleming"'):
        assert [cid for cid, _ in chunks.search(query, 10)[0]] == [1], query
        assert [doc for doc, _ in documents.search(query, None, 10)[0]] == ["m1"], query


def test_the_search_page_offers_from_and_to_facets_with_the_names_mail_gives_the_addresses(mailbox):
    from web import create_app

    app = create_app(mailbox.settings, service=mailbox, test_config={"TESTING": True})
    page = app.test_client().get("/?q=quarterly+partnerships&mode=keyword&group=document").get_data(as_text=True)
    assert '<section class="facet facet-meta-from"><h2>From</h2>' in page
    assert "Sherron Watkins &lt;sherron.watkins@enron.com&gt;" in page
    assert "Jeff Skilling &lt;jeff.skilling@enron.com&gt;" in page
    filtered = app.test_client().get(
        "/api/search?q=quarterly+partnerships&mode=keyword&meta.from=sherron.watkins@enron.com"
    )
    assert {hit["doc_id"] for hit in filtered.get_json()["results"]} == {"to-jeff"}
