"""Who said what on real news: measured on hand-labelled Reuters and BBC passages, and the rules a journalist relies
on (a name is never someone else's, a statement keeps the words that name its speaker)."""

import json
import sys
from pathlib import Path

import pytest

from archive.documents import RawRecord
from archive.entities import kind_of
from archive.quotes import Registry, extract_quotes, learn_names
from archive.store import Store
from indexer.build import store_path
from indexer.ingest import ingest_records

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from attribution import MAIL_LABELS, evaluate, load_labels  # noqa: E402


def attribute(*paragraphs: str) -> tuple[list, Registry]:
    names = Registry()
    learn_names("\n\n".join(paragraphs), names)
    return extract_quotes(list(paragraphs), names), names


def test_hand_labelled_reuters_and_bbc_statements_are_attributed_precisely():
    labels = load_labels()
    scores = evaluate(labels)
    assert len(labels) >= 150 and scores.named >= 120
    assert scores.precision >= 0.95, scores.errors
    assert scores.recall >= 0.80, scores.errors
    for kind in ("person", "org"):
        assert scores.kind_precision(kind) >= 0.95 and scores.kind_recall(kind) >= 0.90


def test_the_bank_of_england_speaks_for_itself_in_reported_speech():
    (quote,), names = attribute("The Bank of England said it had provided the money market with 100 mln stg help.")
    assert (quote.speaker, quote.kind, quote.evidence) == ("Bank of England", "reported", "The Bank of England")
    assert names.kind("Bank of England") == "org" and quote.method == "X said/organisation name"


def test_a_surname_or_title_is_never_resolved_to_someone_else_who_shares_it():
    quotes, _ = attribute(
        "President Reagan said the accord would stand.",
        "Nancy Reagan attended the dinner. Reagan told reporters he would veto the bill.",
    )
    assert [q.speaker for q in quotes] == ["President Reagan", "Reagan"]
    quotes, _ = attribute("President Ronald Reagan said the accord would stand.", "Mr Reagan told reporters so.")
    assert [q.speaker for q in quotes] == ["Ronald Reagan", "Ronald Reagan"]
    quotes, _ = attribute("Sport England said it would fund pools.", "The Bank of England said rates would hold.")
    assert [q.speaker for q in quotes] == ["Sport England", "Bank of England"]


def test_a_surname_resolves_to_the_full_name_met_in_the_same_document_only():
    quotes, _ = attribute(
        "Nigerian Oil Minister Rilwanu Lukman said output would rise.",
        "But Lukman said on Tuesday that prices were firm.",
    )
    assert [(q.speaker, q.method) for q in quotes] == [
        ("Rilwanu Lukman", "X said/full name"),
        ("Rilwanu Lukman", "X said/surname->full name in document"),
    ]
    (alone,), _ = attribute("Lukman said prices were firm.")
    assert alone.speaker == "Lukman"


@pytest.mark.parametrize(
    "sentence, speaker",
    [
        ("The company said on Tuesday that sales rose, Texaco Inc said.", "Texaco Inc"),
        (
            "Prices will rise, according to the Organisation of Petroleum Exporting Countries.",
            "Organisation of Petroleum Exporting Countries",
        ),
        ("Finance Minister Dilson Funaro told reporters the lines were renewed.", "Dilson Funaro"),
        ("Utilization was unchanged at 35.6 pct, Offshore Data Services said.", "Offshore Data Services"),
        ('"We will strike," said William Reynolds, GenCorp chairman, in a statement.', "William Reynolds"),
    ],
)
def test_reported_speech_on_wire_copy_names_its_speaker(sentence, speaker):
    quotes, _ = attribute(sentence)
    assert quotes and quotes[-1].speaker == speaker and quotes[-1].evidence and quotes[-1].method


@pytest.mark.parametrize(
    "sentence",
    [
        "Rates firmed in quiet trading, dealers said.",
        "Bank officials have said that 70 pct was written off.",
        "The talks will resume, they said.",
        "- said the figures were wrong.",
        '"We will win," the crowd chanted.',
    ],
)
def test_nobody_is_guessed_when_no_speaker_is_named(sentence):
    quotes, _ = attribute(sentence)
    assert all(q.speaker is None for q in quotes)


def test_an_unattributed_quote_is_kept_without_a_speaker():
    (quote,), _ = attribute('"We will win," the crowd chanted.')
    assert quote.text == "We will win" and quote.speaker is quote.evidence is quote.method is None


@pytest.mark.parametrize(
    "name, kind",
    [
        ("German Embassy", "org"),
        ("Nippon Oil and Fats Co Ltd", "org"),
        ("Duff and Phelps", "org"),
        ("Moody's Investors Service Inc", "org"),
        ("OPEC", "org"),
        ("Banca Commerciale Italiana", "org"),
        ("Rilwanu Lukman", "person"),
        ("President Reagan", "person"),
        ("Barend du Plessis", "person"),
        ("Japan", "place"),
        ("New South Wales", "place"),
    ],
)
def test_names_are_typed_by_their_words(name, kind):
    assert kind_of(name) == kind


def test_speakers_do_not_depend_on_the_order_documents_are_ingested(tmp_path, embedder):
    from archive.settings import Settings

    first = RawRecord(
        "a.txt",
        "The Senate voted. Senator Robert Dole said the bill would pass.\n\nDole told reporters it was a good bill.",
        doc_id="a",
        title="Bill",
    )
    second = RawRecord(
        "b.txt", 'Elizabeth Dole said the plan was sound.\n\n"It works," Dole said.', doc_id="b", title="Plan"
    )
    results = []
    for order, records in (("ab", [first, second]), ("ba", [second, first])):
        settings = Settings.from_env({}, data_dir=tmp_path / order)
        ingest_records(settings, records, embedder=embedder)
        store = Store(store_path(settings))
        quotes = sorted((q.doc_id, q.text, q.speaker) for q in store.quotes())
        names = sorted(tuple(row) for row in store.db.execute("SELECT name, kind, roles, orgs FROM names"))
        results.append((quotes, names, store.speaker_counts()))
        store.close()
    assert results[0] == results[1]
    speakers = {speaker for _, _, speaker in results[0][0]}
    assert speakers == {"Robert Dole", "Elizabeth Dole"}


def test_quotes_api_explains_each_attribution(client):
    quotes = client.get("/api/quotes", query_string={"speaker": "Enver Solomon"}).get_json()["quotes"]
    assert quotes and all(q["evidence"] and q["method"] for q in quotes)
    burn = next(q for q in quotes if q["text"].startswith("It was not long ago"))
    assert (burn["evidence"], burn["method"]) == ("he", "X said/pronoun->last person")


def test_every_listed_speaker_has_a_page_and_the_list_can_be_searched_and_filtered(client):
    everyone = client.get("/api/speakers").get_json()
    assert everyone["total"] == len(everyone["speakers"]) > 5
    for speaker in everyone["speakers"]:
        assert client.get(f"/speakers/{speaker['name']}").status_code == 200, speaker
    orgs = client.get("/api/speakers", query_string={"kind": "org"}).get_json()["speakers"]
    assert orgs and {s["kind"] for s in orgs} == {"org"}
    page = client.get("/speakers", query_string={"q": "cooper"}).get_data(as_text=True)
    assert "Yvette Cooper" in page and "Refugee Council" not in page
    assert client.get("/speakers", query_string={"kind": "robots"}).status_code == 400


def test_an_organisation_page_lists_its_peoples_statements_too(client):
    page = client.get("/speakers/Refugee Council").get_data(as_text=True)
    assert "performative" in page and "It was not long ago" in page


def test_labelled_passages_are_short_and_carry_their_provenance():
    for line in (Path(__file__).parent / "data" / "attribution.jsonl").read_text().splitlines():
        label = json.loads(line)
        assert label["doc_id"].startswith(("reuters21578-", "bbc-")) and label["anchor"] in "".join(label["context"])


def test_a_bare_surname_that_says_something_is_a_person_unless_the_document_makes_it_an_organisation():
    (davis,), names = attribute("Davis said the bill was fair.")
    assert (davis.speaker, davis.org, names.kind("Davis")) == ("Davis", None, "person")
    for lead in (
        "Dynegy Inc. agreed to buy its rival on Friday.",
        "Houston-based Dynegy, which owns power plants, agreed to buy its rival.",
        "Shares of rival Dynegy fell on Friday.",
    ):
        quotes, names = attribute(lead, "Dynegy said the deal would close next year.")
        assert quotes[-1].speaker in {"Dynegy", "Dynegy Inc"} and names.kind(quotes[-1].speaker) == "org", lead
    (said_it,), names = attribute("Dynegy said it would close the deal next year.")
    assert names.kind(said_it.speaker) == "org"


def test_he_is_never_a_company_nor_a_word_read_as_a_person_only_by_its_shape():
    for lead in ("Dynegy Inc said on Friday the deal would close.", "Dynegy said on Friday the deal would close."):
        quotes, _ = attribute(lead, "He said the merger sets the best course for Enron.")
        merger = [q for q in quotes if q.text.startswith("He said the merger")]
        assert not merger or merger[0].speaker is None, lead


def test_the_governor_named_in_full_is_who_his_surname_title_and_spokesman_mean():
    # as the forwarded California news digests of the Enron mail write him
    quotes, names = attribute(
        "Gov. Gray Davis signed the bill on Tuesday.",
        "A spokesman for Davis said the state would pay.",
        "Gov. Davis said he would not wait.",
        "Davis said the contracts were fair.",
    )
    assert [q.speaker for q in quotes] == ["Gray Davis"] * 3
    assert names.people["Gray Davis"]["roles"] == ["governor"] and names.kind("Davis") == "person"
    # another Davis in the same story: the surname stays as written, a person, and no organisation
    quotes, names = attribute("Gov. Gray Davis and Ron Davis met.", "A spokesman for Davis said the state would pay.")
    assert (quotes[0].speaker, quotes[0].org, names.kind("Davis")) == ("Davis", None, "person")


def test_a_role_before_a_first_name_does_not_make_a_full_name():
    # a hard-wrapped digest line: "said Senate President\nPro Tem John\nBurton (D-San Francisco)"
    text = '"The Legislature should have known," said Senate President\nPro Tem John\nBurton (D-San Francisco).'
    names = Registry()
    learn_names(text, names)
    assert "John Burton" in names.people and not any(n.startswith(("Pro Tem", "Tem ")) for n in names.people)
    quotes = extract_quotes(['"The Legislature should have known," said Senate President Pro Tem John'], names)
    assert quotes[0].speaker == "John Burton"
    # a name never runs over a blank line: "Sen Kinder" then "Ken talked to …" is not "Kinder Ken"
    names = Registry()
    learn_names("Subject: call to Sen Kinder\n\nKen talked to Sen Kinder. He made the points.", names)
    assert not any("Kinder Ken" in n for n in names.people)


def test_hand_labelled_enron_mail_statements_are_attributed_and_typed():
    scores = evaluate(load_labels(MAIL_LABELS))
    assert scores.labels >= 35 and scores.precision >= 0.9 and scores.recall >= 0.7, scores.errors
    assert scores.kind_precision("person") == scores.kind_precision("org") == 1.0
