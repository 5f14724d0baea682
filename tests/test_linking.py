"""A speaker a document names only by role or surname is linked to a full name from other documents when, and only
when, the evidence is unambiguous: one such person in the ±60-day window, or in a near-duplicate copy."""

import pytest

from archive.documents import RawRecord
from archive.linking import ROLE_LINK, SURNAME_LINK, TITLE_LINK, NamedPerson, find_link, link_key
from archive.settings import Settings
from archive.store import Store
from indexer.build import store_path
from indexer.ingest import ingest_records, remove_documents

COOPER = NamedPerson("a", "Yvette Cooper", "home secretary", "Home Secretary Yvette Cooper")
BRAVERMAN = NamedPerson("b", "Suella Braverman", "home secretary", "Home Secretary Suella Braverman")
ANDREW = NamedPerson("c", "Andrew Cooper", "", "pollster Andrew Cooper")
REAGAN = NamedPerson("d", "Ronald Reagan", "president", "President Ronald Reagan")
NANCY = NamedPerson("e", "Nancy Reagan", "", "Nancy Reagan")


def link(written, method, others, when="2025-02-10", copies=(), own=()):
    return find_link("x", written, method, list(own), list(copies), list(others), when)


def test_a_role_is_linked_to_the_one_person_named_with_it_in_the_window():
    found = link("Home Secretary", "X said/role as written", [(COOPER, "2025-02-01")])
    assert (found.person, found.method, found.evidence_doc, found.evidence) == (
        "Yvette Cooper",
        ROLE_LINK,
        "a",
        "Home Secretary Yvette Cooper",
    )


def test_two_people_with_the_role_in_the_window_leave_it_unlinked():
    assert link("Home Secretary", "X said/role as written", [(COOPER, "2025-02-01"), (BRAVERMAN, "2025-03-01")]) is None
    # outside the window the other one does not count
    found = link("Home Secretary", "X said/role as written", [(COOPER, "2025-02-01"), (BRAVERMAN, "2023-03-01")])
    assert found.person == "Yvette Cooper"


def test_evidence_outside_the_window_links_nothing():
    assert link("Home Secretary", "X said/role as written", [(COOPER, "2024-10-01")]) is None
    assert link("Home Secretary", "X said/role as written", [(COOPER, None)]) is None


def test_a_surname_needs_one_person_of_that_name_and_none_named_in_the_document_itself():
    method = "X said/single name as written (no person named so)"
    assert link("Cooper", method, [(COOPER, "2025-02-01")]).method == SURNAME_LINK
    assert link("Cooper", method, [(COOPER, "2025-02-01"), (ANDREW, "2025-02-20")]) is None
    assert link("Cooper", method, [(COOPER, "2025-02-01")], own=[ANDREW]) is None


def test_a_rank_links_only_to_someone_named_with_it_an_honorific_to_anyone_of_that_name():
    method = "X said/title+surname as written"
    assert link("President Reagan", method, [(REAGAN, "2025-02-01")]).person == "Ronald Reagan"
    assert link("President Reagan", method, [(NANCY, "2025-02-01")]) is None
    assert link("Mrs Reagan", method, [(NANCY, "2025-02-01")]).method == TITLE_LINK


def test_a_near_duplicate_copy_names_the_speaker_whatever_the_dates():
    found = link("Cooper", "X said/surname as written", [], copies=[COOPER], when=None)
    assert found.person == "Yvette Cooper" and found.method == SURNAME_LINK + " (near-duplicate copy)"


def test_an_undated_document_links_only_what_the_whole_archive_agrees_on():
    method = "X said/role as written"
    assert link("Home Secretary", method, [(COOPER, "2025-02-01")], when=None).person == "Yvette Cooper"
    assert link("Home Secretary", method, [(COOPER, "2025-02-01"), (BRAVERMAN, "2019-01-01")], when=None) is None


@pytest.mark.parametrize(
    "written, method, key",
    [
        ("Home Secretary", "X said/role as written", ("role", "home secretary", None)),
        ("Ms Cooper", "said X/title+surname as written", ("surname", "Cooper", "ms")),
        ("Cooper", "X said/surname as written", ("surname", "Cooper", None)),
        ("Dynegy", "X said/single name as written, an organisation (said it)", None),
        ("Yvette Cooper", "X said/full name", None),
    ],
)
def test_only_speakers_kept_as_written_can_be_linked(written, method, key):
    assert link_key(written, method) == key


def test_only_people_quoted_or_named_with_a_role_are_evidence():
    from archive.linking import people_named

    found = people_named(
        "m", ["Rhapsodic Lawmakers met in Sacramento.", "Assemblyman Juan Vargas said the bill would pass."]
    )
    assert [(p.name, p.role) for p in found] == [("Juan Vargas", "assemblyman")]
    assert link_key("Davis", "X said/single name as written (no person named so)") == ("surname", "Davis", None)


STORIES = [
    RawRecord(
        "a.txt",
        "Home Secretary Yvette Cooper said the plan would work.\n\nShe said it was fair.",
        doc_id="a",
        title="Plan",
        date="2025-02-01",
    ),
    RawRecord(
        "b.txt",
        "The Home Secretary said the gangs would be stopped.\n\nCooper said the rules were clear.",
        doc_id="b",
        title="Gangs",
        date="2025-02-20",
    ),
    RawRecord(
        "c.txt",
        "Home Secretary Suella Braverman said the boats would stop.",
        doc_id="c",
        title="Boats",
        date="2023-03-01",
    ),
]


def linked(settings) -> list[tuple]:
    store = Store(store_path(settings))
    try:
        return sorted((q.doc_id, q.text, q.speaker, q.link and q.link.method) for q in store.quotes())
    finally:
        store.close()


def test_links_do_not_depend_on_the_order_documents_are_ingested(tmp_path, embedder):
    results = []
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        settings = Settings.from_env({}, data_dir=tmp_path / "".join(map(str, order)))
        for i in order:  # one ingest per document: the links are redone after each
            ingest_records(settings, [STORIES[i]], embedder=embedder)
        results.append(linked(settings))
    assert results[0] == results[1] == results[2]
    gangs = next(q for q in results[0] if q[1].startswith("The Home Secretary said the gangs"))
    assert gangs[2:] == ("Yvette Cooper", ROLE_LINK)
    assert {speaker for doc, _, speaker, _ in results[0] if doc == "b"} == {"Yvette Cooper"}


def test_removing_the_evidence_removes_the_link_and_the_document_keeps_its_own_words(tmp_path, embedder):
    settings = Settings.from_env({}, data_dir=tmp_path)
    ingest_records(settings, STORIES[:2], embedder=embedder)
    assert {speaker for doc, _, speaker, _ in linked(settings) if doc == "b"} == {"Yvette Cooper"}
    remove_documents(settings, ["a"], embedder=embedder)
    assert {speaker for doc, _, speaker, _ in linked(settings) if doc == "b"} == {"Home Secretary", "Cooper"}


def test_the_home_secretary_of_the_seeds_is_yvette_cooper_with_the_evidence(client):
    quotes = client.get("/api/quotes", query_string={"speaker": "Yvette Cooper"}).get_json()["quotes"]
    gangs = next(q for q in quotes if q["text"].startswith("But we have to tackle the criminal gangs"))
    assert gangs["speaker"] == "Yvette Cooper" and gangs["method"] == "continued quote"
    assert gangs["linked"]["written"] == "Home Secretary" and gangs["linked"]["method"] == ROLE_LINK
    assert "Yvette Cooper" in gangs["linked"]["evidence"] and gangs["linked"]["evidence_doc"] != gangs["doc_id"]
    own = next(q for q in quotes if q["text"].startswith("To rebuild public confidence"))
    assert own["linked"] is None
    page = client.get("/speakers/Yvette Cooper").get_data(as_text=True)
    assert "But we have to tackle the criminal gangs" in page and "role→name across documents" in page
