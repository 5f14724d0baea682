"""A speaker named by one bare word that its own story does not type ("Nintendo said", "Davis said") is a person or
an organisation by what the rest of the archive writes of that word: its own words first, then a near-duplicate
copy's, then most documents; a person named in full with that surname wins in the story or its copy; undecided, the
story's own typing stands. The typing is kept with its evidence and does not depend on ingest order."""

from archive.documents import RawRecord
from archive.kinds import COPY, ORG_RULE, OWN, PERSON_RULE, WordCue, type_speaker, word_cues
from archive.quote_rules import SURNAME_BY_SHAPE
from archive.settings import Settings
from archive.store import Store
from indexer.build import store_path
from indexer.ingest import ingest_records, remove_documents


def cues(text: str, orgs: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    return {(c.word, c.kind) for c in word_cues("d", text, orgs)}


def test_a_story_writes_a_word_as_an_organisation_or_a_person_by_its_cues():
    # as the BBC and Reuters write them
    assert ("Microsoft", "org") in cues("Software giant Microsoft is taking the plunge into IPTV.")
    assert ("Microsoft", "org") in cues("The announcement was made by Bill Gates, Microsoft chairman.")
    assert not cues("The revamp was prompted by Microsoft's growing concern.")  # a bare possessive says nothing
    assert ("Nintendo", "org") in cues("Nintendo has said it will release the DS in Europe in March.")
    assert ("Dynegy", "org") in cues("Dynegy Inc. agreed to buy its rival.", ("Dynegy Inc",))
    assert ("Davis", "person") in cues("Davis said he would not wait for the legislature.")
    # a firm named after its partners is no cue for a surname; a place never is a speaker to type
    assert not cues("The state hired Davis Wright Tremaine LLP.", ("Davis Wright Tremaine LLP",))
    # "High told the Daily Mail": no organisation's word where a longer name begins with it
    assert not cues("It was thrown out by the High Court.", ("High Court",))
    assert not cues("said an economist at High Frequency Economics.")
    assert not {w for w, _ in cues("London, which hosts the games, said no.")} & {"London"}


MICROSOFT = WordCue("b", "Microsoft", "org", "software giant Microsoft")
NINTENDO_SAID_IT = WordCue("c", "Nintendo", "org", "Nintendo has said it")
GRAY_DAVIS = WordCue("g", "Davis", "person", "Gov. Gray Davis")
DAVIS_LLP = WordCue("h", "Davis", "org", "Davis Polk Co")


def test_other_stories_type_a_bare_word_by_most_of_their_cues():
    found = type_speaker("a", "Microsoft", [MICROSOFT], set(), [])
    assert (found.kind, found.method, found.evidence_doc) == ("org", ORG_RULE, "b")
    assert found.evidence.startswith("software giant Microsoft (documents: 1 write it as an organisation, 0 as")
    more_people = [GRAY_DAVIS, WordCue("i", "Davis", "person", "Gray Davis")]
    assert type_speaker("a", "Davis", [DAVIS_LLP], set(), more_people).method == PERSON_RULE
    # as many each way, or nothing: undecided, the story's own typing stands
    assert type_speaker("a", "Davis", [DAVIS_LLP], set(), [GRAY_DAVIS]) is None
    assert type_speaker("a", "Davis", [], set(), []) is None


def test_the_storys_own_words_come_first_then_a_near_duplicate_copy():
    own = WordCue("a", "Nintendo", "org", "Nintendo, which")
    found = type_speaker("a", "Nintendo", [own], set(), [WordCue("x", "Nintendo", "person", "Kay Nintendo")] * 3)
    assert (found.kind, found.method) == ("org", ORG_RULE + OWN)
    found = type_speaker("a", "Nintendo", [NINTENDO_SAID_IT], {"c"}, [WordCue("x", "Nintendo", "person", "K N")] * 3)
    assert (found.kind, found.method, found.evidence_doc) == ("org", ORG_RULE + COPY, "c")


def test_a_person_named_in_full_in_the_story_or_its_copy_wins_for_person():
    own_org = WordCue("a", "Davis", "org", "Davis, which")
    found = type_speaker("a", "Davis", [own_org], set(), [WordCue("a", "Davis", "person", "Gov. Gray Davis")])
    assert (found.kind, found.method) == ("person", PERSON_RULE + OWN)
    copy_org = WordCue("c", "Davis", "org", "Davis, which")
    found = type_speaker("a", "Davis", [copy_org, MICROSOFT], {"c"}, [WordCue("c", "Davis", "person", "Gray Davis")])
    assert (found.kind, found.method) == ("person", PERSON_RULE + COPY)


# from the BBC corpus: a story that names Nintendo only as "Nintendo said", and one that writes it as a company
BARE = RawRecord(
    "bbc-a.txt",
    "Handheld console goes on sale\n\nNintendo said the handheld would go on sale in Japan first.",
    doc_id="a",
    title="Handheld console goes on sale",
)
CUED = RawRecord(
    "bbc-b.txt",
    "DS launch date set\n\nJapanese giant Nintendo has said it will release the DS in Europe in March.",
    doc_id="b",
    title="DS launch date set",
)


def nintendo(settings: Settings) -> list[tuple]:
    store = Store(store_path(settings))
    try:
        quotes = [
            (q.doc_id, q.speaker, q.org, q.method, q.typed and (q.typed.kind, q.typed.evidence))
            for q in store.quotes()
            if q.speaker == "Nintendo"
        ]
        kinds = [(k.doc_id, k.kind, k.method, k.evidence_doc) for k in store.speaker_kinds()]
        counted = [row for row in store.speaker_counts() if row[0] == "Nintendo"]
        return sorted(quotes) + kinds + counted
    finally:
        store.close()


def test_a_bare_company_statement_is_typed_by_what_other_stories_write_and_order_does_not_matter(tmp_path, embedder):
    results = []
    for order in ([BARE, CUED], [CUED, BARE]):
        settings = Settings.from_env({}, data_dir=tmp_path / order[0].doc_id)
        for record in order:  # one ingest per story: the typing is redone after each
            ingest_records(settings, [record], embedder=embedder)
        results.append(nintendo(settings))
    assert results[0] == results[1]
    bare = next(q for q in results[0] if q[0] == "a")
    assert bare[1:3] == ("Nintendo", "Nintendo") and bare[3].endswith(f"{SURNAME_BY_SHAPE}/{ORG_RULE}")
    assert bare[4][0] == "org" and bare[4][1].startswith("giant Nintendo")  # the other story's words
    assert ("a", "org", ORG_RULE, "b") in results[0] and ("Nintendo", "org", 1) in results[0]  # listed as a company
    # the evidence removed, the story's own typing (a person, by the word's shape) is back
    remove_documents(settings, ["b"], embedder=embedder)
    bare = next(q for q in nintendo(settings) if q[0] == "a")
    assert bare[2] is None and bare[3].endswith(SURNAME_BY_SHAPE) and bare[4] is None


def test_bare_davis_stays_gray_davis_and_bare_dynegy_is_the_company_in_mail(tmp_path, embedder):
    # as the forwarded California news digests of the Enron mail write them
    records = [
        RawRecord("a.txt", "Gov. Gray Davis said the state would pay.", doc_id="a", title="Power", date="2001-05-01"),
        RawRecord("b.txt", "Davis said the contracts were fair.", doc_id="b", title="Deals", date="2001-05-03"),
        RawRecord("c.txt", "The state hired Davis Wright Tremaine LLP.", doc_id="c", title="Law", date="2001-05-04"),
        RawRecord("d.txt", "Dynegy said the deal would close next year.", doc_id="d", title="Bid", date="2001-11-10"),
        RawRecord("e.txt", "Dynegy Inc. agreed to buy its rival.", doc_id="e", title="Merger", date="2001-11-09"),
    ]
    settings = Settings.from_env({}, data_dir=tmp_path)
    ingest_records(settings, records, embedder=embedder)
    store = Store(store_path(settings))
    try:
        said = {q.doc_id: (q.speaker, q.org) for q in store.quotes()}
        kinds = {k.doc_id: (k.written, k.kind) for k in store.speaker_kinds()}
    finally:
        store.close()
    assert said["b"] == ("Gray Davis", None) and "b" not in kinds
    assert said["d"] == ("Dynegy", "Dynegy") and kinds["d"] == ("Dynegy", "org")
