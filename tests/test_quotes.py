"""Who said what in the seeds: every quote's expected speaker, stated here and compared."""

import pytest

from archive.cleaning import clean
from archive.quotes import HONORIFICS, Registry, extract_quotes, learn_names, quote_spans
from archive.readers import read_file
from indexer.fusion import asks_what_was_said, rrf, subject_of, with_statements
from indexer.search import SearchRequest

# (seed, opening words of the quote) -> expected speaker; None = nobody (the words of a question put to Cooper).
# A speaker is resolved from its own document only: 001 never names Farage in full and 002 names Cooper only as
# "Cooper" and "the Home Secretary", so those are the speakers as written (never guessed from another document).
EXPECTED = {
    ("000", "terrified"): "Nigel Farage",
    ("000", "smashed"): "Yvette Cooper",
    ("000", "To rebuild public confidence"): "Yvette Cooper",
    ("000", "performative"): "Refugee Council",
    ("000", "It was not long ago"): "Enver Solomon",
    ("000", "Communities are still healing"): "Enver Solomon",
    ("000", "sickening"): "Caroline Lucas",
    ("000", "They are terrified"): "Nigel Farage",
    ("000", "We have put significant"): "Yvette Cooper",
    ("000", "I want to pay tribute"): "Yvette Cooper",
    ("000", "Only 1 in every 4"): "Chris Philp",
    ("000", "This is hardly a tough stance"): "Chris Philp",
    ("001", "terrified"): "Nigel Farage",
    ("001", "smashed"): "Yvette Cooper",
    ("001", "To rebuild public confidence"): "Yvette Cooper",
    ("001", "performative"): "Refugee Council",
    ("001", "It was not long ago"): "Enver Solomon",
    ("001", "Communities are still healing"): "Enver Solomon",
    ("001", "sickening"): "Caroline Lucas",
    ("001", "They are terrified"): "Mr Farage",
    ("001", "We have put significant"): "Yvette Cooper",
    ("002", "hostile environment"): None,
    ("002", "The rules need to be respected"): "Cooper",
    ("002", "The asylum and immigration systems"): "Cooper",
    ("002", "That’s why we’re boosting"): "Cooper",
    ("002", "Nineteen thousand people"): "Cooper",
    ("002", "The UK has always done its bit"): "Home Secretary",
    ("002", "But we have to tackle"): "Home Secretary",
    ("002", "This Labour government are plumbing"): "Carla Denyer",
    ("002", "Those involved should be searching"): "Carla Denyer",
    ("002", "The bitter irony"): "Carla Denyer",
    ("002", "based on compassion and dignity"): "Keir Starmer",
    ("002", "I don’t believe for one minute"): "Angela Eagle",
    ("002", "We have to have a system"): "Angela Eagle",
    ("002", "rubbing his hands together"): "Scottish Greens",
    ("002", "Even by the disgraceful standards"): "Scottish Greens",
    ("002", "How did the Labour leader"): "Scottish Greens",
    ("002", "It is the oldest and most cynical"): "Scottish Greens",
    ("002", "Nigel Farage will be rubbing"): "Scottish Greens",
    ("002", "The policies and the practices"): "Scottish Greens",
}


@pytest.fixture(scope="module")
def seed_quotes(seeds):
    archive, found = Registry(), {}
    for path in sorted(seeds.glob("*.txt")):
        (record,), _ = read_file(path)
        names = Registry()
        learn_names(record.text, names)
        found[path.name[:3]] = extract_quotes(clean(record).paragraphs, names)
        archive.merge(names)
    return found, archive


def test_every_direct_quote_in_the_seeds_is_found(seed_quotes):
    found, _ = seed_quotes
    got = {(seed, q.text) for seed, quotes in found.items() for q in quotes if q.kind == "direct"}
    for seed, opening in EXPECTED:
        assert any(s == seed and text.startswith(opening) for s, text in got), (seed, opening)
    assert len(got) == len(EXPECTED)


def test_attribution_precision_and_recall_over_the_seeds(seed_quotes):
    found, _ = seed_quotes
    attributed = correct = 0
    expected_speakers = sum(1 for speaker in EXPECTED.values() if speaker)
    for (seed, opening), speaker in EXPECTED.items():
        quote = next(q for q in found[seed] if q.kind == "direct" and q.text.startswith(opening))
        if quote.speaker is not None:
            attributed += 1
            correct += quote.speaker == speaker
    precision, recall = correct / attributed, correct / expected_speakers
    print(f"\nattribution over {len(EXPECTED)} seed quotes: precision {precision:.3f}, recall {recall:.3f}")
    assert precision == 1.0 and recall >= 0.94


def test_cooper_is_one_speaker_however_a_document_that_names_her_in_full_calls_her(seed_quotes):
    found, _ = seed_quotes
    ways = {q.mention for quotes in found.values() for q in quotes if q.speaker == "Yvette Cooper"}
    assert {"Ms Cooper", "The home secretary", "continued"} <= ways


def test_solomon_is_linked_to_the_refugee_council(seed_quotes):
    found, registry = seed_quotes
    assert registry.people["Enver Solomon"]["orgs"] == ["Refugee Council"]
    solomon = [q for q in found["000"] if q.speaker == "Enver Solomon"]
    assert {q.org for q in solomon} == {"Refugee Council"}
    assert any(q.kind == "reported" and "race riots" in q.text for q in solomon)


def test_quote_spans_handle_curly_straight_and_run_on_quotes():
    text = 'He said: “One.” Then "two words" and “an open quote that runs on'
    assert [text[s:e] for s, e in quote_spans(text)] == ["One.", "two words", "an open quote that runs on"]


def test_names_resolve_by_surname_role_and_organisation(service):
    registry = service.registry()
    assert registry.resolve("Cooper") == ["Cooper", "Ms Cooper", "Yvette Cooper"]
    assert registry.resolve("the home secretary") == ["Home Secretary", "Yvette Cooper"]
    assert registry.resolve("Yvette Cooper") == ["Yvette Cooper"]
    assert registry.resolve("refugee council") == ["Refugee Council"]


def test_naming_an_organisation_in_the_question_ranks_its_statements_first(service):
    results = service.search(SearchRequest("what did the Refugee Council say about riots")).results
    assert "race riots" in results[0].text and "burn refugees alive" in results[1].text
    assert results[0].ranks["quotes"] == 1


def test_a_surname_asked_about_means_the_person_however_titled(service):
    # 001 calls him only "Mr Farage"; its near-duplicate 000 names him in full, so that is who he is (archive.linking)
    assert service.registry().mentioned_in("what did Farage say") == ["Nigel Farage"]
    results = service.search(SearchRequest("what did Farage say")).results
    assert results[0].text.startswith("Mr Farage said") and results[0].ranks["quotes"] == 1


def test_a_query_that_only_names_someone_is_ranked_by_its_words_and_meaning(service):
    results = service.search(SearchRequest("Keir Starmer former human rights lawyer")).results
    assert all("quotes" not in hit.ranks for hit in results)
    assert results[0].ranks == {"keyword": 1, "semantic": 1}


@pytest.mark.parametrize(
    ("query", "asks"),
    [
        ("what did the Refugee Council say about riots", True),
        ("Refugee Council statement on riots", True),
        ("Powell said rates", True),
        ("according to the Home Office", True),
        ("Farage warns of more crossings", True),
        ("Powell claims rates will hold", True),
        ("Keir Starmer former human rights lawyer", False),
        ("Refugee Council riots", False),
        ("state of the NHS Starmer", False),
        ("tell me about Starmer", False),
    ],
)
def test_only_questions_about_what_was_said_add_the_statements_list(query, asks):
    assert asks_what_was_said(query) is asks


def test_the_statements_list_never_demotes_the_passage_both_lists_put_first():
    lists = {"keyword": [7, 3, 5], "semantic": [7, 5, 3]}
    reordered = with_statements(lists, [3, 5], k=60, weights={})
    assert [cid for cid, *_ in rrf({**lists, "quotes": [3, 5]}, k=60)][0] == 3  # what plain RRF would do
    assert [cid for cid, *_ in reordered] == [7, 3, 5] and reordered[0][2]["quotes"] is None
    # without agreement the statements may lead
    split = {"keyword": [7, 3, 5], "semantic": [5, 7, 3]}
    assert with_statements(split, [5, 3], k=60, weights={})[0][0] == 5


def test_a_question_about_what_someone_said_is_about_its_subject():
    assert subject_of("what did the Refugee Council say about riots", ["Refugee Council"]) == "riots"
    assert subject_of("Yvette Cooper's statement on immigration raids", ["Yvette Cooper"]) == "immigration raids"
    assert subject_of("what did Cooper say", ["Cooper"]) == ""
    farage = ["Mr Farage", "Nigel Farage"]
    assert subject_of("what has Mr Farage said about immigration", farage, HONORIFICS) == "immigration"
    assert subject_of("Farage's comments on immigration", farage, HONORIFICS) == "immigration"


def test_only_statements_about_the_asked_subject_are_lifted(service):
    off_topic = service.search(SearchRequest("what did Farage say about cricket")).results
    assert all("quotes" not in hit.ranks for hit in off_topic)
    on_topic = service.search(SearchRequest("what did Farage say about the Channel")).results
    assert on_topic[0].text.startswith("Mr Farage said") and on_topic[0].ranks["quotes"] == 1


def test_the_statements_list_keeps_to_the_filters(service):
    unfiltered = service.search(SearchRequest("what did Yvette Cooper say about asylum", k=50))
    response = service.search(SearchRequest("what did Yvette Cooper say about asylum", k=50, date_from="2025-01-01"))
    assert any(hit.date is None for hit in unfiltered.results)
    assert response.results and all(hit.date and hit.date >= "2025-01-01" for hit in response.results)
    assert len(response.results) <= response.total


def test_surnames_with_two_titles_and_no_given_name_stay_apart():
    names = ["Mr Smith", "Mrs Smith", "Mr. Jones", "Alan Jones"]
    registry = Registry.from_rows([(name, "person", [], []) for name in names], names)
    assert registry.mentioned_in("what did Smith say") == []
    assert registry.mentioned_in("what did Jones say") == ["Alan Jones", "Mr. Jones"]


def test_speaker_filter_in_the_query_box_and_as_a_parameter(service):
    boxed = service.search(SearchRequest("speaker:cooper enforcement", k=20)).results
    param = service.search(SearchRequest("enforcement", k=20, speaker="Cooper")).results
    assert boxed and [h.chunk_id for h in boxed] == [h.chunk_id for h in param]
    for hit in boxed:
        assert hit.chunk_id in set(service.store.chunk_ids_quoting(["Yvette Cooper", "Cooper"], []).tolist())
    quoting = service.store.chunk_ids_quoting(["Yvette Cooper", "Cooper"], []).tolist()
    some = [*quoting[:2], max(quoting) + 1000]  # two that quote her and one that does not exist
    assert service.store.chunk_ids_quoting(["Yvette Cooper", "Cooper"], [], among=some).tolist() == quoting[:2]
    assert service.store.chunk_ids_quoting(["Yvette Cooper"], [], among=[]).tolist() == []
    unknown = service.search(SearchRequest("riots", speaker="Nobody Known"))
    assert unknown.results == [] and "No speaker" in unknown.notices[0]


def test_quotes_api_matches_however_the_speaker_is_named(client):
    full = client.get("/api/quotes", query_string={"speaker": "Yvette Cooper"}).get_json()["quotes"]
    short = client.get("/api/quotes", query_string={"speaker": "Cooper"}).get_json()["quotes"]
    assert all(q["speaker"] == "Yvette Cooper" for q in full)
    assert full == [q for q in short if q["speaker"] == "Yvette Cooper"]
    # 002 calls her only "Cooper" and "the Home Secretary": linked to her from the other seeds, with the evidence
    assert {q["speaker"] for q in short} == {"Yvette Cooper"}
    linked = [q for q in short if q["linked"]]
    assert {q["linked"]["written"] for q in linked} == {"Cooper", "Home Secretary"}
    assert all(q["doc_id"] == "002_f99659502e8c69ca" and q["org"] is None for q in linked)
    rebuild = next(q for q in full if q["text"].startswith("To rebuild public confidence"))
    assert sorted(rebuild["sources"]) == ["000_ac5b891913291307", "001_b1430c0bef034883"]
    farage = client.get("/api/quotes", query_string={"speaker": "Farage"}).get_json()["quotes"]
    assert any(q["text"].startswith("They are terrified") for q in farage)
    org = client.get("/api/quotes", query_string={"org": "Refugee Council", "q": "riots"}).get_json()["quotes"]
    assert {q["speaker"] for q in org} <= {"Refugee Council", "Enver Solomon"} and org
    assert client.get("/api/quotes").status_code == 400


def test_speaker_pages_list_quotes_and_the_document_page_marks_them(client):
    speakers = client.get("/speakers").get_data(as_text=True)
    assert "Yvette Cooper" in speakers and "Refugee Council" in speakers
    page = client.get("/speakers/Yvette Cooper").get_data(as_text=True)
    assert "To rebuild public confidence" in page and "The rules need to be respected" in page
    assert 'title="surname→name across documents: ' in page and "named “Cooper” there, linked" in page
    page = client.get("/speakers/Cooper").get_data(as_text=True)
    assert "The rules need to be respected" in page and "To rebuild public confidence" in page
    anyone = client.get("/speakers/cooper").get_data(as_text=True)
    assert "To rebuild public confidence" in anyone and "Yvette Cooper ·" in anyone
    assert client.get("/speakers/Nobody").status_code == 404
    doc = client.get("/documents/000_ac5b891913291307").get_data(as_text=True)
    hover = "Enver Solomon (Refugee Council) · named as “he” · X said/pronoun-&gt;last person"
    assert f'<span class="quote direct" title="{hover}">It was not long ago' in doc


def test_a_quote_naming_a_speaker_we_cannot_read_does_not_continue_the_last_one():
    paragraphs = [
        'Bundesbank President Karl Otto Poehl said: "The change is purely technical."',
        '"With the help of this instrument liquidity steering will be refined," said Berliner Handels- und '
        "Frankfurter Bank economist Hermann Remsperger.",
        '"It will take some weeks to see the effect."',
    ]
    registry = Registry()
    learn_names("\n\n".join(paragraphs), registry)
    speakers = [quote.speaker for quote in extract_quotes(paragraphs, registry)]
    assert speakers[0] == "Karl Otto Poehl" and speakers[1] != "Karl Otto Poehl"
