"""Who a speaker named only by role or surname is, from what other documents say: links with their evidence.

A document that calls its speaker "the Home Secretary", "Ms Cooper" or "Cooper" without naming her in full keeps
that speaker as written (archive.quote_rules). Here such a speaker is linked to a full name found in *other*
documents, and only when the evidence is unambiguous: a near-duplicate copy of the document names exactly one
such person, or, failing a copy, exactly one person is named with that role or surname in the documents dated
within the window of it (the `link_window_days` setting, 60 by default; an undated document: in the whole archive,
the stricter test). Two Home Secretaries or two Coopers in the window: no link. A document that names someone of
that surname in full itself is never linked (its own rules already found it ambiguous). A title that is a rank
("President Reagan", "Gov. Davis") needs a person named with that rank. A single word the archive's people have as
a first name more often than as a surname ("Ken", "John") is a first name: it links only to a person whose first
given name it is ("Ken Lay"), never to one whose last word it happens to be.

Each link is stored as such (`speaker_links`): the speaker as written, the person, the rule, the other document
and its words; the quote keeps what its own document says. Links are computed from the stored documents, not
from arrival order: `link_speakers` runs after every ingest or removal, notes which documents changed since it
last ran, and recomputes every link those documents' people or roles could change. So the links of an archive
are the same whatever order its documents came in. The same pass types the bare-word speakers the links leave,
person or organisation, by what the archive writes of each word (archive.kinds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import TYPE_CHECKING

from archive.entities import (
    FUNCTION_WORDS,
    GENERIC_SPEAKERS,
    HONORIFICS,
    ORG_WORDS,
    ROLE_WORDS,
    TITLES,
    bare,
    is_acronym,
    is_name_token,
    is_speaker_name,
    kind_of,
    rank_of,
)
from archive.kinds import CUES_VERSION, document_cues, type_speakers
from archive.names import Registry, normal_role
from archive.quote_rules import DESCRIPTORS, SURNAME_BY_SHAPE
from archive.quotes import extract_quotes, learn_names
from archive.settings import Settings

if TYPE_CHECKING:
    from archive.store import Store

WINDOW_DAYS: int = Settings.link_window_days  # the default; the archive's setting is what ingest passes
ROLE_LINK = "role→name across documents"
TITLE_LINK = "title+surname→name across documents"
SURNAME_LINK = "surname→name across documents"
FIRST_NAME_LINK = "first name→name across documents"
COPY = " (near-duplicate copy)"
# the in-document rules that leave a speaker as written, and which kind of link can name them
LINKABLE = {
    "role as written": ROLE_LINK,
    "title+surname as written": TITLE_LINK,
    "single name as written (no person named so)": SURNAME_LINK,
    "surname as written": SURNAME_LINK,
    SURNAME_BY_SHAPE: SURNAME_LINK,
    "spokesperson of X: surname as written": SURNAME_LINK,
}


# days, months that are nobody's given name, and what describes an organisation ("Rival Sony")
_NO_GIVEN_NAME = (
    set("monday tuesday wednesday thursday friday saturday sunday".split())
    | set("january february march july september october november december".split())
    | DESCRIPTORS
    | {"rival", "giant", "county"}
)


@dataclass(frozen=True)
class NamedPerson:
    """A person one document names in full, with a role it gives them (or none) and its words."""

    doc_id: str
    name: str
    role: str
    words: str

    @property
    def surname(self) -> str:
        return self.name.split()[-1]

    @property
    def given(self) -> str:
        """The first given name ("Ken" of "Ken Lay"); "" where the name opens with a title, a role or an initial."""
        first = self.name.split()[0]
        plain = bare(first).rstrip(".")
        if len(self.name.split()) < 2 or not is_surname(first) or plain in HONORIFICS:
            return ""
        return first


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker as one document writes it, linked to a full name by what another document says (`evidence`, the
    words of `evidence_doc`, titled `evidence_title` when read back from the store)."""

    doc_id: str
    written: str
    person: str
    method: str
    evidence_doc: str
    evidence: str
    evidence_title: str | None = None


def people_named(doc_id: str, paragraphs: list[str], roles: Sequence[tuple[str, str]] = ()) -> list[NamedPerson]:
    """The people a document names in full, each with every role it names them with, and the words that do: the
    names its quotes were attributed with (the same rules, so "Home Secretary Yvette Cooper said" gives the role),
    and `roles`: (person, words) where its stored quotes say a role meant that person ("the home secretary" named
    in a caption that cleaning removed)."""
    names, text = Registry(), "\n\n".join(paragraphs)
    learn_names(text, names)
    speakers = {quote.speaker for quote in extract_quotes(paragraphs, names)}
    for person, words in roles:
        names.add_person(person, normal_role(words))
    found = []
    for name in names.full_names():
        # evidence is a person quoted or named with a role, not any two capitalised words ("Rhapsodic Lawmakers")
        if not is_person_name(name) or not (name in speakers or names.people[name]["roles"]):
            continue
        said = dict((normal_role(words), f"{words} ({name})") for person, words in roles if person == name)
        for role in names.people[name]["roles"] or [""]:
            words = said.get(role) or evidence_words(text, name, role)
            found.append(NamedPerson(doc_id, name, role, words))
    return found


def is_person_name(name: str) -> bool:
    """A full name that can be a person's: not role or title words before its last word ("Home Secretary", "Pro Tem
    John"), no organisation word, and no day, month or description opening it where a sentence began ("Until December
    Microsoft said", "On Thursday Rangers said", "Rival Sony has said")."""
    words = [bare(w) for w in name.split()]
    if all(w in ROLE_WORDS | TITLES for w in words[:-1]) or any(w in ORG_WORDS for w in words):
        return False  # "Home Secretary", "Pro Tem John": a role, or a role before a first name
    return words[0] not in _NO_GIVEN_NAME and kind_of(name) == "person"


def is_surname(word: str) -> bool:
    """A single word that can be a surname: a name word, not a role, organisation or generic word ("Lawmakers")."""
    plain = bare(word)
    return (
        is_name_token(word)
        and not is_acronym(word)
        and is_speaker_name(word)
        and plain not in ROLE_WORDS | ORG_WORDS | TITLES | GENERIC_SPEAKERS | FUNCTION_WORDS
    )


def evidence_words(text: str, name: str, role: str) -> str:
    """The words of a document that name a person (with the role, when it gives one): "Home Secretary Yvette
    Cooper"."""
    if role:
        pattern = r"\W+".join(re.escape(w) for w in role.split())
        found = re.search(rf"(?i)\b{pattern}\W+(?:\w+\W+){{0,2}}?{re.escape(name)}", text)
        if found:
            return " ".join(found.group(0).split())
    found = re.search(rf"(?:[\w’'.-]+\s+){{0,3}}{re.escape(name)}", text)
    return " ".join(found.group(0).split()) if found else name


def link_key(written: str, method: str) -> tuple[str, str, str | None] | None:
    """What other documents must say to name a speaker as written: ("role", "home secretary", None),
    ("surname", "Cooper", "ms"), ("surname", "Cooper", None); None when nothing can link it."""
    rule = method.split("/")[-1]
    words = written.split()
    if rule not in LINKABLE or not words:
        return None
    if LINKABLE[rule] == ROLE_LINK:
        return ("role", normal_role(written), None)
    if LINKABLE[rule] == TITLE_LINK and len(words) == 2:
        return ("surname", words[1], bare(words[0]).rstrip("."))
    if LINKABLE[rule] == SURNAME_LINK and len(words) == 1 and is_surname(words[0]):
        return ("surname", words[0], None)
    return None


def _day(value: str | None) -> Date | None:
    try:
        return Date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def find_link(
    doc_id: str,
    written: str,
    method: str,
    own: list[NamedPerson],
    copies: list[NamedPerson],
    others: list[tuple[NamedPerson, str | None]],
    when: str | None,
    first_name: bool = False,
    window_days: int = WINDOW_DAYS,
) -> SpeakerLink | None:
    """The link for one speaker as written in one document, or None: from its near-duplicate copies' people,
    else from the other documents' people (each with its document's date) within `window_days` of the document's
    date. `own` are the people the document itself names in full; `first_name`: the single word written is a
    first name (see `is_first_name`), to be matched with a person's first given name, not their surname."""
    key = link_key(written, method)
    if key is None:
        return None
    kind, value, title = key
    by_first = first_name and kind == "surname" and title is None
    if kind == "surname" and any((p.given if by_first else p.surname) == value for p in own):
        return None

    def fits(person: NamedPerson) -> bool:
        if kind == "role":
            return person.role == value
        if by_first:
            return person.given == value
        if person.surname != value:
            return False
        return title is None or title in HONORIFICS or rank_of(title) in person.role.split()

    base = ROLE_LINK if kind == "role" else TITLE_LINK if title else FIRST_NAME_LINK if by_first else SURNAME_LINK
    day = _day(when)
    near = [p for p in copies if fits(p)]
    if near:
        candidates, method_name = [(p, 0) for p in near], base + COPY
    else:
        candidates, method_name = [], base
        for person, other in others:
            if not fits(person):
                continue
            other_day = _day(other)
            if day is None:
                candidates.append((person, 0 if other_day is None else 1))
            elif other_day is not None and abs((other_day - day).days) <= window_days:
                candidates.append((person, abs((other_day - day).days)))
    if len({p.name for p, _ in candidates}) != 1:
        return None
    evidence, _ = min(candidates, key=lambda c: (c[1], c[0].doc_id, c[0].role == "", c[0].words))
    return SpeakerLink(doc_id, written, evidence.name, method_name, evidence.doc_id, evidence.words)


def is_first_name(word: str, people: Sequence[NamedPerson]) -> bool | None:
    """Whether a single word is a first name: the archive's people have it as their first given name ("Ken Lay",
    "Ken Rice") more often than as their surname ("Elton John"); False where it is more often a surname; None
    (nothing may be linked) where both are as often."""
    firsts = len({p.name for p in people if p.given == word})
    lasts = len({p.name for p in people if p.surname == word})
    return None if firsts == lasts and firsts else firsts > lasts


def link_speakers(store: Store, window_days: int = WINDOW_DAYS) -> int:
    """Bring the archive's speaker links up to its documents (see the module's docstring), with the window of
    `window_days` (a window other than the last run's recomputes every link); returns the number of speakers whose
    link was recomputed."""
    changed, gone = store.documents_changed_since_linked()
    everything = store.get_meta("link_window_days", str(WINDOW_DAYS)) != str(window_days)
    keys: set[tuple[str, str]] = set()
    for person in store.named_people(doc_ids=sorted(changed | gone)):
        keys |= _keys(person)
    with store.transaction():
        store.forget_named_people(sorted(changed | gone))
        for doc_id in sorted(changed):
            found = people_named(doc_id, store.document_paragraphs(doc_id), store.roles_attributed(doc_id))
            store.save_named_people(doc_id, found)
            for person in found:
                keys |= _keys(person)
        cue_docs = changed
        if store.get_meta("word_cues", "") != CUES_VERSION:  # an archive that kept no cues, or other ones: all again
            cue_docs = set(store.document_dates())
            store.set_meta("word_cues", CUES_VERSION)
        store.forget_word_cues(sorted(cue_docs | gone))
        for doc_id in sorted(cue_docs):
            store.save_word_cues(document_cues(doc_id, store.document_paragraphs(doc_id)))
        pending: list[tuple[str, str, str, tuple[str, str, str | None]]] = []
        seen: set[tuple[str, str]] = set()
        for doc_id, written, method in store.speakers_as_written():  # in order: the first method that links wins
            key = link_key(written, method)
            if key is None or (doc_id, written) in seen:
                continue
            touched = key[:2] in keys or (key[0] == "surname" and ("first", key[1]) in keys)
            if everything or doc_id in changed or touched:
                pending.append((doc_id, written, method, key))
                seen.add((doc_id, written))
        dates = store.document_dates()
        everyone = store.named_people()
        by_doc: dict[str, list[NamedPerson]] = {}
        by_key: dict[tuple[str, str], list[NamedPerson]] = {}
        for person in everyone:
            by_doc.setdefault(person.doc_id, []).append(person)
            for person_key in _keys(person):
                by_key.setdefault(person_key, []).append(person)
        word_people: dict[str, list[NamedPerson]] = {}
        for doc_id, written, method, (kind, value, title) in pending:
            members = set(store.group_members(doc_id)) - {doc_id}
            first_name: bool | None = False
            if kind == "surname" and title is None:
                if value not in word_people:
                    word_people[value] = by_key.get(("surname", value), []) + by_key.get(("first", value), [])
                first_name = is_first_name(value, word_people[value])
            if first_name is None:  # as often a first name as a surname: "Ken" of "Ken Lay" and of "Kinder Ken"
                store.set_speaker_link(doc_id, written, None)
                continue
            named = by_key.get(("first" if first_name else kind, value), [])
            copies = [p for p in named if p.doc_id in members]
            others = [(p, dates.get(p.doc_id)) for p in named if p.doc_id != doc_id]
            link = find_link(
                doc_id,
                written,
                method,
                by_doc.get(doc_id, []),
                copies,
                others,
                dates.get(doc_id),
                first_name=first_name,
                window_days=window_days,
            )
            store.set_speaker_link(doc_id, written, link)
        store.replace_speaker_kinds(type_speakers(store, everyone))  # bare words the links leave: what kind
        store.mark_linked(changed, gone)
        store.set_meta("link_window_days", str(window_days))
    return len(pending)


def _keys(person: NamedPerson) -> set[tuple[str, str]]:
    """What a named person can be linked by: their role, surname and first given name."""
    keys = {("surname", person.surname)}
    if person.role:
        keys.add(("role", person.role))
    if person.given:
        keys.add(("first", person.given))
    return keys
