"""Who a speech verb's subject is: small named rules over a typed state, tried in order.

A subject phrase ("the Home Secretary", "Ms Cooper", "a spokesman for Texaco", "he") becomes a speaker by the
first rule that decides about it. A rule answers with a `Found` (speaker, organisation and the rule's name, stored
with the quote as its `method`), refuses with `NOBODY` (the phrase names nobody we may name, and no later rule
may guess), restates the subject for the rules after it (`Subject`), or passes (None). Every rule looks only at
this document's names (`Names`) and what reading it so far has shown (`Context`): the last person and organisation
quoted, the text read. `SUBJECT_RULES` are tried on a phrase, `WORD_RULES` on a single name word ("Lukman").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from archive.entities import (
    CORPORATE_SUFFIXES,
    FUNCTION_WORDS,
    HONORIFICS,
    ORG_WORDS,
    PLACES,
    ROLE_WORDS,
    TITLES,
    bare,
    is_acronym,
    is_name_token,
    is_speaker_name,
    kind_of,
    name_of,
    rank_of,
    strip_lead,
)
from archive.names import Names, normal_role

_COMPANY_WORDS = set("bancorp company enterprises group holdings industries partners trust".split())
_COMPANY_NOUNS = set(
    """
    airline company concern corporation exporter firm group insurer maker partnership producer retailer subsidiary
    trust unit utility
    """.split()
)
_ORG_REFERENCE = re.compile(
    r"^(?:[Tt]he|[Tt]his|[Tt]hat) (?:[a-z-]+ ){0,2}(company|bank|group|firm|corporation|concern|agency|ministry|"
    r"partnership|trust|"
    r"association|organisation|organization|union|maker|producer|exporter|unit|subsidiary|utility|airline|"
    r"insurer|retailer|bank's board|board|council|commission|department|exchange|fund|government)$"
)
_SPOKESPERSON = re.compile(
    r"(?i)^(?:a|an|the|one) (?:(.+?) )?(?:spokes(?:person|man|woman)|official|officials?|representative|"
    r"statement|source|executive|director)(?: (?:for|of|at|from|with) (?:the )?(.+))?$"
)
_ANONYMOUS = set(
    """
    aides analysts bankers brokers critics dealers delegates diplomats economists executives experts insiders
    investors lawyers members observers officials organisers organizers others people reports residents sources
    traders witnesses
    """.split()
)
DESCRIPTORS = set(
    """
    agency airline bank broadcaster carrier charity company concern consultancy daily firm group insurer journal
    lender magazine maker network newspaper paper producer publication regulator retailer studio subsidiary unit
    watchdog website weekly
    """.split()
)
_OFFICE_HOLDERS = set("chairman chief director governor head minister president secretary spokesman".split())
_PARTICLES = set("al bin da de del der di dos du el la le van von".split())
# a full stop and a space end a sentence, not a title's abbreviation ("Gov. Gray Davis", "Mr. Glynn")
SENTENCE_BREAK = re.compile(
    r"(?<=[A-Za-z]{2})(?<!\bGov)(?<!\bSen)(?<!\bRep)(?<!\bGen)(?<!\bMrs)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bProf)\. "
)
_GAP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"  # spaces, or one line break: a name never runs over a blank line
NAME_RUN = re.compile(
    rf"(?:[A-Z][\w&’'.-]*)(?:{_GAP}(?:(?:and|of|&|de|du|des|for|la|del|the){_GAP}){{0,2}}"
    rf"(?:\(?[A-Z][\w&’'.-]*\)?|&|co\b|inc\b))*"
)
# a headline's verb ends the name before it: "Davis Says LA Times" is two names
HEADLINE_VERB = re.compile(r"\s+(?:Says|Said|Tells|Told|Warns|Urges|Admits|Denies|Claims|Vows|Blasts|OKs|Signs)\s+")
_OF_SPLIT = re.compile(r"^(.*?[A-Z][\w’'-]+) (?:of|at|from|with) (?:the )?([A-Z].*)$")
_OWNED = re.compile(r"^(.+?)[’']s ([A-Z][\w-]+(?: [A-Z][\w-]+){0,2})$")
_DESCRIBED = re.compile(r"^(?:[Tt]he )?((?:[A-Z][\w&’'.-]* ?)+)((?: [a-z][\w-]*){1,3})$")


@dataclass
class Context:
    """What reading one document so far tells the rules."""

    text: str  # the whole document ("firm Dynegy", "Dynegy's shares" say Dynegy is a company)
    person: str | None = None  # the last person quoted or opening a sentence: who a "he" or "she" means
    last_org: str | None = None  # the last organisation quoted or opening a sentence: what an "it" means
    seen: str = ""  # the text read so far
    after: str = ""  # the words after the speech verb being read ("…, said Dynegy, which …")
    according: bool = False  # the subject came from "according to X"
    entities: dict[str, str] = field(default_factory=dict)  # what a trained model calls names here (archive.ner)


class Found(NamedTuple):
    speaker: str | None
    org: str | None
    method: str


NOBODY = Found(None, None, "nobody")
SURNAME_BY_SHAPE = "single name, no organisation named so: surname as written"


@dataclass(frozen=True)
class Subject:
    """A speech verb's subject phrase, with the role an apposition gave it ("Jane Smith, the minister,")."""

    text: str
    role: str | None = None

    @classmethod
    def parse(cls, subject: str) -> Subject:
        text, _, role = subject.partition("|")
        return cls(" ".join(text.split()), role if "|" in subject else None)

    @cached_property
    def words(self) -> list[str]:
        return self.text.split()

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    @cached_property
    def tail(self) -> list[str]:
        """The words that end the phrase and are a person's name."""
        return person_tail(self.words)

    @cached_property
    def prefix(self) -> list[str]:
        """The words before the name: roles, titles, descriptions."""
        return self.words[: len(self.words) - len(self.tail)]

    @cached_property
    def named(self) -> str:
        """The organisation the phrase would name, if it has a capital."""
        return org_name(self.text) if any(w[:1].isupper() for w in self.words) else ""


Outcome = Found | Subject | None
SubjectRule = Callable[[Subject, Names, Context], Outcome]
WordRule = Callable[[str, Names, Context], Found | None]


def resolve_subject(subject: str, names: Names, context: Context) -> Found | None:
    """A subject phrase to (speaker, organisation, rule) using only this document's names; None if nobody."""
    phrase = Subject.parse(subject)
    if not phrase.text:
        return None
    for rule in SUBJECT_RULES:
        outcome = rule(phrase, names, context)
        if isinstance(outcome, Subject):
            phrase = outcome
        elif outcome is not None:
            return None if outcome is NOBODY else outcome
    return None


def resolve_word(word: str, names: Names, context: Context) -> Found | None:
    """One name word: a surname of a person named in full here, the first word of an organisation named here, a
    title form named here ("President Reagan"), or the word as written when it names someone."""
    word = word.removesuffix("’s").removesuffix("'s") if not word.endswith(("'s", "’s")) else word
    if not name_of(word):
        return None
    for rule in WORD_RULES:
        found = rule(word, names, context)
        if found is not None:
            return None if found is NOBODY else found
    return None


def _person(person: str, names: Names, context: Context, method: str) -> Found:
    context.person = person
    return Found(person, names.org_of(person), method)


def _org(org: str, names: Names, context: Context, method: str) -> Found:
    remember_org(org, names, context)
    return Found(org, org, method)


# The rules for a subject phrase, in the order they are tried.


def pronoun_person(s: Subject, names: Names, context: Context) -> Outcome:
    """ "he said", "she said": the last person quoted or opening a sentence."""
    if s.lowered not in {"he", "she"}:
        return None
    person = last_person(names, context)
    return Found(person, names.org_of(person), "pronoun->last person") if person else NOBODY


def reference_organisation(s: Subject, names: Names, context: Context) -> Outcome:
    """ "it said", "the company said": the last organisation that fits the noun."""
    reference = _ORG_REFERENCE.match(s.text)
    if s.lowered != "it" and not reference:
        return None
    org = last_org(names, context, reference.group(1) if reference else None)
    return Found(org, org, "reference->last organisation") if org else NOBODY


def unnamed_people(s: Subject, names: Names, context: Context) -> Outcome:
    """ "they said", "traders said", "Bank officials said": nobody named."""
    if s.lowered in {"they", "we", "i", "you"} or anonymous(s.words):
        return NOBODY
    return None


def described_person(s: Subject, names: Names, context: Context) -> Outcome:
    """ "the home secretary said", "a senior official said": the one person named with that role here, else
    nobody."""
    if not (s.words[-1].islower() and unnamed_person(s.words) and not _SPOKESPERSON.match(s.text)):
        return None
    person = person_with_role(names, s.text)
    return _person(person, names, context, "role->person named with it in document") if person else NOBODY


def spokesperson(s: Subject, names: Names, context: Context) -> Outcome:
    """ "a spokesman for Texaco said": the organisation (or the person named in full whose surname it is); a bare
    "a spokesman said" speaks for the last organisation."""
    spokes = _SPOKESPERSON.match(s.text)
    if not spokes:
        return None
    named = spokes.group(2) or spokes.group(1) or ""
    named = org_name(named) if named and named[0].isupper() else ""
    person = full_name_of(names, named) if named and " " not in named else None
    if person:
        return _person(person, names, context, "spokesperson of X->full name in document")
    if (
        surname_shaped(named)
        and not organisation_evidence(named, names, context.text)
        and (named_as_person(named, names, context) or person_evidence(named, names, context.text))
    ):
        names.add_person(named)
        return Found(named, None, "spokesperson of X: surname as written")
    if named and kind_of(named) != "person":
        return _org(named, names, context, "spokesperson of X")
    org = last_org(names, context) if not named and re.search(r"spokes|statement", s.text) else None
    return Found(org, org, "spokesperson->last organisation") if org else NOBODY


def person_of_organisation(s: Subject, names: Names, context: Context) -> Outcome:
    """ "John Smith of Texaco": the person, with the organisation as their role (the subject is restated for the
    rules after this one); "Smith of Texaco": the surname's person named here in full, else nobody."""
    split = _OF_SPLIT.match(s.text)
    if not split:
        return None
    person, org = split.group(1), split.group(2)
    if len(person_tail(person.split())) >= 2 or bare(person.split()[-1]) in CORPORATE_SUFFIXES:
        return Subject(person, s.role or org)
    if len(person.split()) == 1 and bare(person) not in ORG_WORDS and kind_of(org_name(org)) == "org":
        found = resolve_word(person, names, context)
        return found if _named_here(found, names) else NOBODY
    return None


def owned_person(s: Subject, names: Names, context: Context) -> Outcome:
    """ "Texaco's John Smith": the person, of that organisation; "Texaco's Smith": the surname's person named
    here in full, else nobody."""
    owned = _OWNED.match(s.text)
    if not (owned and kind_of(org_name(owned.group(1))) == "org" and kind_of(owned.group(2)) != "org"):
        return None
    person = owned.group(2)
    found = resolve_word(person, names, context) if " " not in person else None
    if _named_here(found, names):
        return found
    return Found(person, org_name(owned.group(1)), "person of organisation") if " " in person else NOBODY


def organisation_described(s: Subject, names: Names, context: Context) -> Outcome:
    """ "the Refugee Council charity", "Texaco's pension board": an organisation named by what it is."""
    described = _DESCRIBED.match(s.text)
    if not (described and described.group(2).split()[-1] in DESCRIPTORS | {"service", "pool", "board"}):
        return None
    category = described.group(2).split()[-1] in DESCRIPTORS
    name = described.group(1).strip() if category else re.sub(r"^(?:[Tt]he) ", "", s.text)
    if is_speaker_name(name) and kind_of(name) != "place":
        return _org(name, names, context, "organisation named by what it is")
    return None


def full_name(s: Subject, names: Names, context: Context) -> Outcome:
    """ "Home Secretary Yvette Cooper": a person named in full, remembered with the role and organisation."""
    if not (len(s.tail) >= 2 and kind_of(" ".join(s.tail)) == "person"):
        return None
    person = " ".join(s.tail)
    role, role_text = s.role, s.role or " ".join(s.prefix)
    org = None
    if role and not re.search(r"\b(of|for|at)\b", role) and context.last_org:
        org = context.last_org
    elif role and kind_of(org_name(role)) == "org" and role[0].isupper():
        org = org_name(role)
    names.add_person(person, normal_role(role_text) if role_text else None, org)
    context.person = person
    return Found(person, org or names.org_of(person), "full name")


def titled_surname(s: Subject, names: Names, context: Context) -> Outcome:
    """ "Ms Cooper", "President Reagan": the person named in full here, if the title fits; else as written."""
    if not (len(s.tail) == 1 and s.prefix and bare(s.prefix[-1]).rstrip(".") in TITLES):
        return None
    person = full_name_of(names, s.tail[0], title=s.prefix[-1])
    if person:
        return _person(person, names, context, "title+surname->full name in document")
    written = f"{s.prefix[-1].rstrip('.')} {s.tail[0]}"
    names.add_person(written)
    context.person = written
    return Found(written, None, "title+surname as written")


def office_of_organisation(s: Subject, names: Names, context: Context) -> Outcome:
    """ "the Bank's governor": an office, not the organisation, and no person named: nobody."""
    words = s.named.split()
    if words and bare(words[-1]) in _OFFICE_HOLDERS and kind_of(s.named) == "org":
        return NOBODY
    return None


def organisation_or_place(s: Subject, names: Names, context: Context) -> Outcome:
    """ "Texaco Inc said", "the Bank of England said": an organisation by its words (the fullest form this
    document names); a place speaks only as itself ("Japan said")."""
    named, tail = s.named, s.tail
    if not (named and len(tail) < 2 and kind_of(named) in {"org", "place"} and (not tail or named.endswith(tail[0]))):
        return None
    if tail and s.prefix and bare(s.prefix[-1]) in ROLE_WORDS:
        return None  # "Senate President Pro Tem John": a role and a name, not an organisation
    if kind_of(named) == "place":
        if re.sub(r"^(?:[Tt]he) ", "", s.text) != named:
            return NOBODY
        names.add_place(named)
        return Found(named, None, "place")
    fuller = sorted(
        (
            o
            for o in names.orgs
            if o.startswith(named + " ")
            and " and " not in o[len(named) :]
            and bare(o.split()[-1]) in CORPORATE_SUFFIXES
        ),
        key=len,
    )
    if fuller and all(o.startswith(fuller[0]) for o in fuller):
        named = fuller[0]
    return _org(named, names, context, "organisation name")


def single_name(s: Subject, names: Names, context: Context) -> Outcome:
    """ "Lukman said": one name word (see WORD_RULES)."""
    if len(s.tail) == 1 and not s.prefix:
        return resolve_word(s.tail[0], names, context) or NOBODY
    return None


def descriptor_and_name(s: Subject, names: Names, context: Context) -> Outcome:
    """ "the carrier Lufthansa said": an organisation named after what it is."""
    if s.tail and s.prefix and s.prefix[-1] in DESCRIPTORS:
        return _org(" ".join(s.tail), names, context, "organisation named by what it is")
    return None


def role_and_word(s: Subject, names: Names, context: Context) -> Outcome:
    """ "spokesman Smith said": the name word, as a single name; "said lead manager Kidder": a bank leading a
    bond issue."""
    if (
        len(s.tail) == 1
        and len(s.prefix) >= 2
        and s.lowered.split()[-3:-1] in (["lead", "manager"], ["sole", "manager"])
    ):
        return _org(s.tail[0], names, context, "organisation named by what it is")
    if len(s.tail) == 1 and s.prefix and bare(s.prefix[-1]) in ROLE_WORDS:
        return resolve_word(s.tail[0], names, context) or NOBODY
    return None


def role(s: Subject, names: Names, context: Context) -> Outcome:
    """ "the Home Secretary said": the one person named with that role here; a capitalised office ("Home
    Secretary") is kept as written."""
    if not (s.prefix and not s.tail):
        return None
    person = person_with_role(names, s.text)
    if person:
        return _person(person, names, context, "role->person named with it in document")
    role_words = [w for w in s.words if w.lower() not in {"the", "a", "an"}]
    if len(role_words) >= 2 and all(w[:1].isupper() and w.lower() in ROLE_WORDS for w in role_words):
        written = " ".join(role_words)
        names.add_person(written)
        context.person = written
        return Found(written, None, "role as written")
    return None


SUBJECT_RULES: list[SubjectRule] = [
    pronoun_person,
    reference_organisation,
    unnamed_people,
    described_person,
    spokesperson,
    person_of_organisation,
    owned_person,
    organisation_described,
    full_name,
    titled_surname,
    office_of_organisation,
    organisation_or_place,
    single_name,
    descriptor_and_name,
    role_and_word,
    role,
]


# The rules for one name word, in the order they are tried.


def surname_of_full_name(word: str, names: Names, context: Context) -> Found | None:
    """ "Lukman" after "Rilwanu Lukman": the one person named in full with that surname here."""
    person = full_name_of(names, word)
    return _person(person, names, context, "surname->full name in document") if person else None


def first_word_of_organisation(word: str, names: Names, context: Context) -> Found | None:
    """ "Texaco" after "Texaco Inc": the organisation named here in full that it begins."""
    orgs = sorted({o for o in names.orgs if o.split()[0] == word and o != word and strong_org(o)}, key=len)
    if orgs and all(o.startswith(orgs[0]) for o in orgs):
        return _org(orgs[0], names, context, "first word->organisation in document")
    return None


def surname_of_title_form(word: str, names: Names, context: Context) -> Found | None:
    """ "Reagan" after "President Reagan" (and nobody else of that name): that title form."""
    titled = _titled(word, names)
    if len(titled) == 1 and not _namesakes(word, names):
        context.person = titled.pop()
        return Found(context.person, None, "surname->title form in document")
    return None


def family_name_first(word: str, names: Names, context: Context) -> Found | None:
    """ "Li" after "Li Peng": the one full name that starts with it."""
    family_first = {n for n in names.full_names() if n.split()[0] == word}
    if len(family_first) == 1 and not _namesakes(word, names) and not _titled(word, names):
        return _person(family_first.pop(), names, context, "family name first->full name in document")
    return None


def not_a_name(word: str, names: Names, context: Context) -> Found | None:
    """ "Monday", "Analysts": not a name anyone is quoted under."""
    return None if is_speaker_name(word) else NOBODY


def typed_by_the_model(word: str, names: Names, context: Context) -> Found | None:
    """A name word no person here shares and no organisation word marks: a person or an organisation as the trained
    model reads this document ("Davis" after "Gray Davis said", "Dynegy"), when a model was asked (archive.ner)."""
    kind = context.entities.get(word)
    if kind not in {"person", "org"} or _titled(word, names) or _namesakes(word, names) or bare(word) in ORG_WORDS:
        return None
    if kind == "org":
        return _org(word, names, context, "single name as written, an organisation (the model)")
    names.add_person(word)
    context.person = word
    return Found(word, None, "surname as written (a person, the model)")


def surname_as_written(word: str, names: Names, context: Context) -> Found | None:
    """A name word this document uses for a person: others here share it as a surname ("Gray Davis"), it has a
    title form ("Gov. Davis"), "he" or "she" follows it, or the document writes "Davis, who", "Davis, 45,": a
    person, kept as written."""
    if named_as_person(word, names, context) or re.search(r"\b(?:he|she|his|her|him)\b", context.after):
        names.add_person(word)
        context.person = word
        return Found(word, None, "surname as written")
    return None


def organisation_that_said_it(word: str, names: Names, context: Context) -> Found | None:
    """ "Dynegy said it would", "according to Dynegy", "Dynegy, which", or the document elsewhere: "rival Dynegy",
    "Houston-based Dynegy", "Dynegy's shares", "Dynegy has said it", "an executive at Dynegy", "Dynegy Inc",
    "TimeWarner": an organisation, as written."""
    if (
        context.according
        or re.match(r"^\s*(?:that )?(?:it|its)\b|^, which\b", context.after)
        or word.endswith(("'s", "’s"))
        or bare(word) in ORG_WORDS
        or organisation_evidence(word, names, context.text)
    ):
        return _org(word, names, context, "single name as written, an organisation (said it)")
    return None


def surname_used_so(word: str, names: Names, context: Context) -> Found | None:
    """ "Licht" where the document writes "F.O. Licht" or "Anthony Licht" (and no organisation by that name), or
    "Licht said he" elsewhere: a person, kept as written."""
    if person_evidence(word, names, context.text):
        names.add_person(word)
        context.person = word
        return Found(word, None, "surname as written")
    return None


def organisation_used_so(word: str, names: Names, context: Context) -> Found | None:
    """ "Dynegy spokesman", "Dynegy officials", "the Dynegy statement", with nothing saying it is a person: an
    organisation, as written."""
    after = r"(?:spokes\w+|chief|boss|statement|executives|officials|management|board)\b"
    if re.search(rf"\b{re.escape(word)}(?:[’']s)? {after}", context.text):
        return _org(word, names, context, "single name as written, an organisation (its spokesman, officials)")
    return None


def surname_by_its_shape(word: str, names: Names, context: Context) -> Found | None:
    """A word shaped like a surname ("Davis", "O'Sullivan", "McCall") that nothing here calls an organisation, and
    that the document does not also write in lower case ("Lawmakers"): a person, kept as written. It is not taken
    for the "he" of the sentences after it: the evidence is thin."""
    if not surname_shaped(word) or re.search(rf"\b{re.escape(word.lower())}\b", context.text):
        return None
    names.add_person(word)
    return Found(word, None, SURNAME_BY_SHAPE)


def single_name_as_written(word: str, names: Names, context: Context) -> Found | None:
    """Any other name word (a title, a role, a word the document also writes in lower case: "Campaigners"): kept
    as written, counted an organisation (no person was named so)."""
    return _org(word, names, context, "single name as written (no person named so)")


WORD_RULES: list[WordRule] = [
    surname_of_full_name,
    first_word_of_organisation,
    surname_of_title_form,
    family_name_first,
    not_a_name,
    typed_by_the_model,
    surname_as_written,
    organisation_that_said_it,
    surname_used_so,
    organisation_used_so,
    surname_by_its_shape,
    single_name_as_written,
]


def _named_here(found: Found | None, names: Names) -> bool:
    """A word read as a person this document names (in full, or with a title or namesake), not as a person only
    by its shape."""
    return found is not None and found.speaker in names.people and found.method != SURNAME_BY_SHAPE


def _titled(word: str, names: Names) -> set[str]:
    return {n for n in names.people if n.split()[-1] == word and bare(n.split()[0]) in TITLES}


def _namesakes(word: str, names: Names) -> list[str]:
    return [n for n in names.indexed_full_names().by_last.get(bare(word), []) if n.split()[-1] == word]


# What the rest of a document says a single name word is.

_SURNAME_SHAPE = re.compile(r"^(?:Mc|Mac|O[’']|D[’']|Di|De|La|Le|Van)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?$")
_ORG_BEFORE = "|".join(
    sorted(
        DESCRIPTORS
        | set(
            """
            analysts band body brand broker chain club companies consultants developer firms giant groups label
            manufacturer office operator outfit publisher rival service side site supermarket supplier team union
            utility generator
            """.split()
        )
    )
)
_ORG_AFTER = (
    r"(?:shares|stock|profits?|revenues?|sales|earnings|customers|subsidiary|subsidiaries|plants?|employees|"
    r"shareholders|stake|group|nominees|president|chairman|founder|ceo)"
)
_STAFF = (
    "analyst|chairman|director|economist|employee|engineer|executive|founder|head|manager|officer|official|president"
)


_SAID_IT = r"(?:has |had )?(?:said|says|announced|confirmed|added)(?: that| on \w+| in a statement)? (?:it|its)\b"
# the words that write a name word ({w}) as an organisation's, one alternative each (archive.kinds reads them too)
ORGANISATION_CUES = [
    rf"\b(?:{_ORG_BEFORE}|\w+maker)s?,? {{w}}\b",
    r"-based {w}\b",
    rf"\b{{w}}(?:[’']s)? {_ORG_AFTER}\b",
    rf"\b{{w}} {_SAID_IT}",
    r"\b{w}, which\b",
    r"\b{w} (?:reported|posted) (?:a |an )?(?:net|profit|loss|earnings)",
    r"\bshares? (?:in|of) {w}\b",
    r"(?<!and )(?<!, )\b{w} (?:have|are|were)\b",
    rf"\b(?:{_STAFF}|spokes\w+)s? (?:at|of) {{w}}\b",
]


def organisation_evidence(word: str, names: Names, text: str) -> bool:
    """Whether this document writes of a name word as an organisation: "rival Dynegy", "the statistics office,
    Eurostat", "Houston-based Dynegy", "Dynegy's shares", "Dynegy has said it", "Dynegy, which", "Charter reported
    net", "shares in Pharmacia", "a manager at Microsoft", an organisation's name it is part of ("Charter Federal
    Savings", "Eastman Kodak Co"), "Halifax have" (a name taking a plural verb), or a company's shape ("TimeWarner",
    "T-Mobile")."""
    if not _SURNAME_SHAPE.match(word):
        return True
    w = re.escape(word)
    pattern = "|".join(cue.replace("{w}", w) for cue in ORGANISATION_CUES)
    return bool(re.search(pattern, text)) or any(_in_organisation(word, org) for org in names.orgs)


def _in_organisation(word: str, org: str) -> bool:
    """ "Charter Federal Savings", "Eastman Kodak Co", "Tiffany and Co": an organisation by the words that follow
    the word, up to an "and" ("Davis and Edison International" is two names, "Joseph Fichera of Saber Partners" a
    person and an organisation)."""
    words = org.split()
    if word not in words[:-1]:
        return False
    rest = words[words.index(word) + 1 :]
    if rest[0] in {"and", "&"}:
        return bare(words[-1]) in CORPORATE_SUFFIXES
    if not rest[0][:1].isupper():
        return False
    own = rest[: rest.index("and")] if "and" in rest else rest
    return any(bare(w) in ORG_WORDS | CORPORATE_SUFFIXES for w in own)


def named_as_person(word: str, names: Names, context: Context) -> bool:
    """Whether this document names a word as a person's: others share it as a surname ("Gray Davis"), it has a
    title form ("Gov. Davis"), or "Davis, who", "Davis, 45,"."""
    return bool(
        _titled(word, names)
        or _namesakes(word, names)
        or re.search(rf"\b{re.escape(word)}, (?:who\b|\d{{2}},)", context.text)
    )


def person_evidence(word: str, names: Names, text: str) -> bool:
    """Whether this document writes a name word as a person's: after a given name or initials ("F.O. Licht",
    "Anthony Bird", unless that is an organisation's name: "Eastman Kodak Co"), or "Licht said he"."""
    w = re.escape(word)
    if re.search(
        rf"\b{w} (?:[a-z]+ ){{0,2}}(?:said|says|told|added|insisted|argued|announced) (?:that )?(?:he|she)\b", text
    ):
        return True
    for match in re.finditer(rf"\b((?:[A-Z]\.\s?)+|[A-Z][a-z]+(?: [A-Z]\.)?) {w}\b", text):
        given = match.group(1).strip()
        first = given.split()[0]
        if "." not in given and bare(first) in ROLE_WORDS | TITLES | ORG_WORDS | FUNCTION_WORDS | PLACES:
            continue
        if bare(first) in PLACES or any(match.group(0) in org for org in names.orgs):
            continue
        return True
    return False


def surname_shaped(word: str) -> bool:
    """One capital and lower-case letters, with the usual prefixes and one hyphen ("Davis", "McCall",
    "O'Sullivan", "Merriam-Webster"); not "TimeWarner", "T-Mobile", "3Com", nor a title or a role ("Mr")."""
    plain = bare(word).rstrip(".")
    return bool(_SURNAME_SHAPE.match(word)) and plain not in TITLES | ROLE_WORDS | ORG_WORDS | FUNCTION_WORDS


# What the rules look up in a document's names and running state.


def full_name_of(names: Names, surname: str, title: str | None = None) -> str | None:
    """The one full name with this surname, if exactly one is known and nothing says the surname may mean
    someone else: "President Reagan" is Nancy Reagan only if she was named as president, and a bare "Reagan"
    is nobody's full name where a "President Reagan" not named in full is also about."""
    known = names.indexed_full_names()
    matches = sorted(set(known.by_last.get(bare(surname), ())), key=len)
    if not matches:
        matches = sorted(set(known.by_middle.get(surname, ())))
    if not matches or not all(matches[-1].endswith(m) for m in matches):
        return None
    full = matches[-1]
    roles = " ".join(names.people[full]["roles"]).split()
    if title is not None:
        return full if bare(title).rstrip(".") in HONORIFICS or rank_of(title) in roles else None
    for other in names.people:
        words = other.split()
        rank = bare(words[0]).rstrip(".")
        if len(words) == 2 and words[1] == surname and rank in TITLES - HONORIFICS and rank_of(rank) not in roles:
            return None
    return full


def person_with_role(names: Names, role: str) -> str | None:
    """The one person named with this role ("home secretary", or a longer one ending with it)."""
    role = normal_role(role)
    people = names.people
    matches = {n for n, e in people.items() if any(r == role or r.endswith(" " + role) for r in e["roles"])}
    return matches.pop() if len(matches) == 1 else None


def remember_org(name: str, names: Names, context: Context) -> None:
    names.add_org(name)
    context.last_org = name


def last_org(names: Names, context: Context, noun: str | None = None) -> str | None:
    """The organisation an "it" or "the company" means: the last one quoted or opening a sentence, else the first
    one this document names; for "the bank" or "the union", one whose name says it is one."""

    def fits(org: str) -> bool:
        if noun is None or noun in _COMPANY_NOUNS:
            words = {bare(w) for w in org.split()}
            return noun is None or bare(org.split()[-1]) in CORPORATE_SUFFIXES or bool(words & _COMPANY_WORDS)
        return noun in org.lower() or (noun == "government" and "ministry" in org.lower())

    if context.last_org and fits(context.last_org):
        return context.last_org
    seen = context.seen
    named = sorted((seen.find(o), o) for o in names.orgs if o in seen and kind_of(o) == "org" and fits(o))
    if noun is not None and noun not in _COMPANY_NOUNS:
        return named[-1][1] if named else None
    return named[0][1] if named and not context.last_org else None


def last_person(names: Names, context: Context) -> str | None:
    """The person a "he" or "she" most likely means: the last one quoted or opening a sentence; failing that, the
    one person this document has named so far, if only one."""
    if context.person:
        return context.person
    named = {n for n in names.full_names() if n in context.seen}
    return named.pop() if len(named) == 1 else None


# What a phrase's words are.


def unnamed_person(words: list[str]) -> bool:
    """ "a senior British official", "A former TRW Inc controller": someone described, not named."""
    last = words[-1].lower().strip(",.") if words else ""
    return last in ROLE_WORDS | _ANONYMOUS | {"aide", "source", "controller", "prosecutor"} and not last.startswith(
        "spokes"
    )


def anonymous(words: list[str]) -> bool:
    """ "traders", "Bank officials", "Dealers in Japan": people who are not named."""
    if any(w.islower() and bare(w) in _ANONYMOUS for w in words):
        return True
    return bool(words) and bare(words[0]) in _ANONYMOUS and (len(words) == 1 or words[1].islower())


def strong_org(name: str) -> bool:
    """An organisation by its own words (an organisation word or suffix), not only by its shape."""
    return " and " not in name and any(bare(w) in ORG_WORDS | CORPORATE_SUFFIXES for w in name.split()[1:])


def person_tail(words: list[str]) -> list[str]:
    """The trailing words of a phrase that are a person's name (none of them a role, title or organisation word)."""
    tail: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        particle = w in _PARTICLES and tail and i > 0 and is_name_token(words[i - 1])
        if particle or (
            is_name_token(w)
            and not is_acronym(w)
            and bare(w) not in ROLE_WORDS | ORG_WORDS | TITLES | FUNCTION_WORDS | CORPORATE_SUFFIXES
        ):
            tail.insert(0, w)
        else:
            break
    tail = tail[-4:] if any(w in _PARTICLES for w in tail) else tail[-3:]
    if len(tail) == 3 and len(words) > 3 and words[len(words) - 4].lower() in {"the", "of", "for"}:
        tail = tail[1:]
    while tail and bare(tail[0]) in PLACES:
        tail = tail[1:]
    if " ".join(tail).lower() in PLACES:
        return []
    before = words[len(words) - len(tail) - 1].lower() if len(words) > len(tail) else ""
    if before in {"of", "for", "and", "&", "de"} or before in {"banca", "banco", "banque", "compagnie", "societe"}:
        return []
    return tail


def org_name(phrase: str) -> str:
    """The organisation a phrase ends with: "lead manager Algemene Bank Nederland" -> "Algemene Bank Nederland"."""
    runs = [part for m in NAME_RUN.finditer(phrase) for part in SENTENCE_BREAK.split(m.group(0))]
    name = strip_lead(runs[-1]) if runs else phrase
    name = re.sub(r"\s*\([A-Z]{2,}\)$", "", name)
    owner = re.match(r"^([\w.]+(?: [\w.]+)?)[’']s (.+)$", name)
    if owner and bare(owner.group(1)) in PLACES:
        name = owner.group(2)
    return re.sub(r"^(?:The|the) ", "", name).rstrip(".,").removesuffix("'s").removesuffix("’s")
