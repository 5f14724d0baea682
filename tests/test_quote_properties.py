"""Whatever a document holds, finding its quotes and naming their speakers never raises: arbitrary text, names and
quote marks (curly, straight, unbalanced), empty strings, lone punctuation, any unicode and very long lines."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.entities import is_speaker_name, kind_of, name_of, strip_lead
from archive.quote_rules import Context, full_name_of, person_with_role, resolve_subject, resolve_word
from archive.quotes import Registry, extract_quotes, learn_names, quote_spans

# Words that steer the rules: speech verbs, titles, roles, organisation words, pronouns, quote marks and the
# punctuation the patterns split on; mixed with arbitrary unicode so that any path can be reached.
PIECES = [
    *"“ ” \" ' ‘ ’ ’s 's , . ; : ( ) | & < > - — … ! ?".split(),
    *"said says told added according to he she it they the a The Mr Ms Dr President Home Secretary".split(),
    *"minister spokesman spokeswoman official company bank Bank Inc Co Ltd of for at from with who".split(),
    *"Gray Davis Dynegy Enron Yvette Cooper Reagan Dow Jones (DJ) (ABC) REUTER <XON> <Texaco Inc>".split(),
    "Asked",
    "\n",
    "\n\n",
    " ",
    "",
    "\u00a0",
    "Ünïcødé",
    "李明",
    "Øresund",
    "x" * 300,
]
piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=12))
texts = st.lists(piece, max_size=60).map(" ".join) | st.text(max_size=400)
names = st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=5).map(" ".join)

fuzz = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def attribute(paragraphs: list[str]) -> tuple[list, Registry]:
    registry = Registry()
    learn_names("\n\n".join(paragraphs), registry)
    return extract_quotes(paragraphs, registry), registry


@fuzz
@given(st.lists(texts, max_size=6))
def test_any_paragraphs_give_quotes_without_raising(paragraphs):
    quotes, registry = attribute(paragraphs)
    for quote in quotes:
        assert 0 <= quote.paragraph < len(paragraphs)
        assert quote.speaker is None or quote.speaker.strip() == quote.speaker != ""
    assert all(name.strip() == name != "" for name in [*registry.people, *registry.orgs, *registry.places])


@fuzz
@given(texts)
def test_quote_spans_lie_inside_the_paragraph(paragraph):
    for start, end in quote_spans(paragraph):
        assert 0 <= start < end <= len(paragraph)


@fuzz
@given(names, st.sampled_from(["said", "told reporters", "added", "said on Tuesday that"]), texts)
def test_any_name_before_or_after_a_speech_verb_resolves_or_is_left_alone(name, verb, words):
    attribute([f"{name} {verb} {words}", f"“{words}”, {name} {verb}.", f"According to {name}, {words}"])
    attribute([f'"{words}," said {name}.', f"{name}'s spokesman {verb} {words}", f"The {name} {verb} it would."])


@fuzz
@given(names)
def test_any_name_is_typed_and_stored_without_raising(name):
    assert kind_of(name) in {"org", "place", "person", None}
    is_speaker_name(name)
    strip_lead(name)
    registry = Registry()
    registry.add_person(name, role=name, org=name)
    registry.add_org(name)
    registry.add_place(name)
    registry.quoted.add(name)
    registry.resolve(name)
    registry.mentioned_in(f"what did {name} say")
    full_name_of(registry, name)
    person_with_role(registry, name)
    registry.take_changes()
    assert all(name_of(stored) == stored != "" for stored in [*registry.people, *registry.orgs, *registry.places])


@fuzz
@given(names, names, texts)
def test_any_subject_or_word_is_resolved_or_left_alone(subject, known, text):
    registry = Registry()
    learn_names(f"{known} said. {text}", registry)
    for phrase in (
        subject,
        f"{subject}|{known}",
        f"the {subject}",
        f"a spokesman for {subject}",
        f"{subject}'s {known}",
    ):
        found = resolve_subject(phrase, registry, Context(text, after=text))
        assert found is None or (found.speaker and found.method)
    for word in subject.split():
        resolve_word(word, registry, Context(text, according=True))


def test_names_without_a_letter_or_digit_are_never_stored():
    registry = Registry()
    for nobody in ["", " ", "’s", "(", "&", "\u00a0", "—"]:
        registry.add_person(nobody)
        registry.add_org(nobody)
        registry.add_place(nobody)
    assert not registry.people and not registry.orgs and not registry.places and registry.take_changes() == []


def test_a_forwarded_wire_story_with_an_empty_organisation_name_does_not_stop_extraction():
    # the Dow Jones story that stopped an ingest: a bare "(DJ)" left an organisation with no name
    paragraphs = [
        "By John Emshwiller Of DOW JONES NEWSWIRES (DJ) said the utility would pay.",
        "(DJ) said it would not comment. The company said Gray Davis had signed the bill.",
        "“It is over,” (DJ) said.",
    ]
    quotes, registry = attribute(paragraphs)
    assert "" not in registry.orgs and quotes


def test_very_long_lines_are_read_in_reasonable_time():
    line = " ".join(["Gray Davis said the utility, PG&E Corp, would pay “everything it owes”."] * 400)
    quotes, _ = attribute([line, line[:5000]])
    assert quotes and {q.speaker for q in quotes} == {"Gray Davis"}
