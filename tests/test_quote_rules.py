"""Each attribution rule on its own: the subject of a speech verb, what the document named before it, and who the
rule says is speaking (its name is the `method` stored with the quote)."""

# ruff: noqa: E501  (the tables read best one case a line)

import pytest

from archive.names import Names
from archive.quote_rules import (
    NOBODY,
    SUBJECT_RULES,
    WORD_RULES,
    Context,
    Subject,
    person_of_organisation,
    resolve_subject,
    resolve_word,
)


def names(*people: str, orgs: tuple[str, ...] = ()) -> Names:
    """Names a document gave: "Yvette Cooper/home secretary" is a person named with a role."""
    found = Names()
    for person in people:
        name, _, role = person.partition("/")
        found.add_person(name, role or None)
    for org in orgs:
        found.add_org(org)
    return found


LUKMAN = ("Rilwanu Lukman",)
COOPER = ("Yvette Cooper/home secretary",)

SUBJECTS = [
    # rule, subject, people named, organisations named, context, (speaker, method) or None
    ("pronoun_person", "he", LUKMAN, (), {"person": "Rilwanu Lukman"}, ("Rilwanu Lukman", "pronoun->last person")),
    ("pronoun_person", "she", ("Yvette Cooper", "Angela Eagle"), (), {"seen": "Yvette Cooper Angela Eagle"}, None),
    ("reference_organisation", "the company", (), ("Texaco Inc",), {"last_org": "Texaco Inc"}, ("Texaco Inc", "reference->last organisation")),
    ("reference_organisation", "it", (), (), {}, None),
    ("unnamed_people", "traders", LUKMAN, (), {"person": "Rilwanu Lukman"}, None),
    ("unnamed_people", "Bank officials", (), ("Bank of England",), {}, None),
    ("described_person", "the home secretary", COOPER, (), {}, ("Yvette Cooper", "role->person named with it in document")),
    ("described_person", "a senior official", COOPER, (), {}, None),
    ("spokesperson", "a spokesman for Texaco Inc", (), (), {}, ("Texaco Inc", "spokesperson of X")),
    ("spokesperson", "a spokeswoman", (), ("Texaco Inc",), {"last_org": "Texaco Inc"}, ("Texaco Inc", "spokesperson->last organisation")),
    ("spokesperson", "a spokesman for Lukman", LUKMAN, (), {}, ("Rilwanu Lukman", "spokesperson of X->full name in document")),
    ("spokesperson", "a spokesman for Davis", ("Gray Davis", "Ron Davis"), (), {}, ("Davis", "spokesperson of X: surname as written")),
    ("spokesperson", "a spokesman for Reliant", (), (), {}, ("Reliant", "spokesperson of X")),
    ("person_of_organisation", "Smith of Texaco Inc", ("John Smith",), (), {}, ("John Smith", "surname->full name in document")),
    ("person_of_organisation", "Smith of Texaco Inc", (), (), {}, None),
    ("owned_person", "Texaco Inc's John Smith", (), (), {}, ("John Smith", "person of organisation")),
    ("organisation_described", "the Refugee Council charity", (), (), {}, ("Refugee Council", "organisation named by what it is")),
    ("full_name", "Home Secretary Yvette Cooper", (), (), {}, ("Yvette Cooper", "full name")),
    ("titled_surname", "Ms Cooper", COOPER, (), {}, ("Yvette Cooper", "title+surname->full name in document")),
    ("titled_surname", "Ms Cooper", (), (), {}, ("Ms Cooper", "title+surname as written")),
    ("office_of_organisation", "Bank of England Governor", (), (), {}, None),
    ("organisation_or_place", "Texaco Inc", (), (), {}, ("Texaco Inc", "organisation name")),
    ("organisation_or_place", "Texaco", (), ("Texaco Inc",), {}, ("Texaco Inc", "first word->organisation in document")),
    ("organisation_or_place", "Japan", (), (), {}, ("Japan", "place")),
    ("organisation_or_place", "Senate President Pro Tem John", ("John Burton",), (), {}, ("John Burton", "family name first->full name in document")),
    ("single_name", "Lukman", LUKMAN, (), {}, ("Rilwanu Lukman", "surname->full name in document")),
    ("descriptor_and_name", "the carrier Lufthansa", (), (), {}, ("Lufthansa", "organisation named by what it is")),
    ("role_and_word", "spokesman Smith", ("John Smith",), (), {}, ("John Smith", "surname->full name in document")),
    ("role_and_word", "lead manager Kidder", (), (), {}, ("Kidder", "organisation named by what it is")),
    ("role", "the Home Secretary", COOPER, (), {}, ("Yvette Cooper", "role->person named with it in document")),
    ("role", "the Home Secretary", (), (), {}, ("Home Secretary", "role as written")),
]  # fmt: skip


@pytest.mark.parametrize("rule, subject, people, orgs, context, expected", SUBJECTS)
def test_each_subject_rule_names_the_speaker_or_nobody(rule, subject, people, orgs, context, expected):
    assert rule in [r.__name__ for r in SUBJECT_RULES]
    found = resolve_subject(subject, names(*people, orgs=orgs), Context("", **context))
    assert (found and (found.speaker, found.method)) == expected or (found is None and expected is None)


def test_every_rule_has_a_case_and_says_what_it_does():
    covered = {case[0] for case in SUBJECTS}
    assert covered == {r.__name__ for r in SUBJECT_RULES}
    assert all(rule.__doc__ for rule in [*SUBJECT_RULES, *WORD_RULES])


def test_a_full_name_is_remembered_with_its_role_and_organisation():
    known = names()
    found = resolve_subject("John Smith|Texaco Inc chairman", known, Context(""))
    assert found == ("John Smith", "Texaco Inc", "full name")
    assert known.people["John Smith"] == {"roles": ["texaco inc chairman"], "orgs": ["Texaco Inc"]}


def test_a_person_of_an_organisation_is_restated_for_the_rules_after_it():
    restated = person_of_organisation(Subject("John Smith of Texaco Inc"), names(), Context(""))
    assert restated == Subject("John Smith", "Texaco Inc")


def test_a_rule_that_refuses_stops_the_rules_after_it():
    # "Smith of Texaco Inc" with no Smith named in full: not "Texaco Inc", not "Smith" as written
    assert person_of_organisation(Subject("Smith of Texaco Inc"), names(), Context("")) is NOBODY
    assert resolve_subject("Smith of Texaco Inc", names(), Context("")) is None


WORDS = [
    # rule, word, people named, organisations named, context, (speaker, method) or None
    ("surname_of_full_name", "Lukman", LUKMAN, (), {}, ("Rilwanu Lukman", "surname->full name in document")),
    ("first_word_of_organisation", "Texaco", (), ("Texaco Inc",), {}, ("Texaco Inc", "first word->organisation in document")),
    ("surname_of_title_form", "Reagan", ("President Reagan",), (), {}, ("President Reagan", "surname->title form in document")),
    ("family_name_first", "Li", ("Li Peng",), (), {}, ("Li Peng", "family name first->full name in document")),
    ("not_a_name", "Monday", (), (), {}, None),
    ("typed_by_the_model", "Davis", (), (), {"entities": {"Davis": "person"}}, ("Davis", "surname as written (a person, the model)")),
    ("typed_by_the_model", "Dynegy", (), (), {"entities": {"Dynegy": "org"}}, ("Dynegy", "single name as written, an organisation (the model)")),
    ("typed_by_the_model", "Bank", (), (), {"entities": {"Bank": "person"}}, None),
    ("surname_as_written", "Dole", ("Robert Dole", "Elizabeth Dole"), (), {}, ("Dole", "surname as written")),
    ("surname_as_written", "Davis", (), (), {"after": " he would sign"}, ("Davis", "surname as written")),
    ("surname_as_written", "Davis", (), (), {"text": "Davis, who signed the bill, said so."}, ("Davis", "surname as written")),
    ("organisation_that_said_it", "Dynegy", (), (), {"after": " it would merge"}, ("Dynegy", "single name as written, an organisation (said it)")),
    ("organisation_that_said_it", "Dynegy", (), (), {"text": "shares of rival Dynegy fell"}, ("Dynegy", "single name as written, an organisation (said it)")),
    ("organisation_that_said_it", "Dynegy", (), (), {"text": "Houston-based Dynegy, which owns plants"}, ("Dynegy", "single name as written, an organisation (said it)")),
    ("organisation_that_said_it", "Charter", (), ("Charter Federal Savings and Loan",), {}, ("Charter", "single name as written, an organisation (said it)")),
    ("organisation_that_said_it", "Halifax", (), (), {"text": "Halifax have indicated rates will rise."}, ("Halifax", "single name as written, an organisation (said it)")),
    ("organisation_that_said_it", "CompTIA", (), (), {}, ("CompTIA", "single name as written, an organisation (said it)")),
    ("surname_used_so", "Licht", (), (), {"text": "said German statistician F.O. Licht."}, ("Licht", "surname as written")),
    ("surname_used_so", "Bird", (), (), {"text": "analyst Anthony Bird expects more"}, ("Bird", "surname as written")),
    ("organisation_that_said_it", "Kodak", (), ("Eastman Kodak Co",), {"text": "Eastman Kodak Co rose"}, ("Kodak", "single name as written, an organisation (said it)")),
    ("organisation_used_so", "Dynegy", (), (), {"text": "a Dynegy spokesman said"}, ("Dynegy", "single name as written, an organisation (its spokesman, officials)")),
    ("surname_by_its_shape", "Davis", (), (), {}, ("Davis", "single name, no organisation named so: surname as written")),
    ("surname_by_its_shape", "O'Sullivan", (), (), {}, ("O'Sullivan", "single name, no organisation named so: surname as written")),
    ("single_name_as_written", "Campaigners", (), (), {"text": "Campaigners said so; the campaigners met."}, ("Campaigners", "single name as written (no person named so)")),
    ("not_a_name", "Lawmakers", (), (), {}, None),
]  # fmt: skip


@pytest.mark.parametrize("rule, word, people, orgs, context, expected", WORDS)
def test_each_word_rule_names_the_speaker_or_nobody(rule, word, people, orgs, context, expected):
    assert rule in [r.__name__ for r in WORD_RULES]
    context = {"text": "", **context}
    found = resolve_word(word, names(*people, orgs=orgs), Context(**context))
    assert (found and (found.speaker, found.method)) == expected or (found is None and expected is None)
    assert {case[0] for case in WORDS} == {r.__name__ for r in WORD_RULES}


def test_the_last_person_and_organisation_follow_the_speakers_found():
    context = Context("")
    known = names(*LUKMAN, orgs=("Texaco Inc",))
    resolve_subject("Lukman", known, context)
    resolve_subject("Texaco", known, context)
    assert (context.person, context.last_org) == ("Rilwanu Lukman", "Texaco Inc")
