"""Who a speaker named only by role or surname is, from what other documents say: links with their evidence.

A document that calls its speaker "the Home Secretary", "Ms Cooper" or "Cooper" without naming her in full keeps
that speaker as written (archive.quote_rules). Here such a speaker is linked to a full name found in *other*
documents, and only when the evidence is unambiguous: a near-duplicate copy of the document names exactly one
such person, or, failing a copy, exactly one person is named with that role or surname in the documents dated
within `WINDOW_DAYS` of it (an undated document: in the whole archive, the stricter test). Two Home Secretaries or
two Coopers in the window: no link. A document that names someone of that surname in full itself is never
linked (its own rules already found it ambiguous). A title that is a rank ("President Reagan") needs a person
named with that rank.

Each link is stored as such (`speaker_links`): the speaker as written, the person, the rule, the other document
and its words; the quote keeps what its own document says. Links are computed from the stored documents, not
from arrival order: `link_speakers` runs after every ingest or removal, notes which documents changed since it
last ran, and recomputes every link those documents' people or roles could change. So the links of an archive
are the same whatever order its documents came in.
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
)
from archive.names import Registry, normal_role
from archive.quote_rules import SURNAME_BY_SHAPE
from archive.quotes import extract_quotes, learn_names

if TYPE_CHECKING:
    from archive.store import Store

WINDOW_DAYS = 60
ROLE_LINK = "role→name across documents"
TITLE_LINK = "title+surname→name across documents"
SURNAME_LINK = "surname→name across documents"
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


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker as one document writes it, linked to a full name by what another document says."""

    doc_id: str
    written: str
    person: str
    method: str
    evidence_doc: str
    evidence: str


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
    """A full name that can be a person's: not all role or title words ("Home Secretary"), no organisation word."""
    words = [bare(w) for w in name.split()]
    if all(w in ROLE_WORDS | TITLES for w in words) or any(w in ORG_WORDS for w in words):
        return False
    return kind_of(name) == "person"


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
) -> SpeakerLink | None:
    """The link for one speaker as written in one document, or None: from its near-duplicate copies' people,
    else from the other documents' people (each with its document's date) in the window around the document's
    date. `own` are the people the document itself names in full."""
    key = link_key(written, method)
    if key is None:
        return None
    kind, value, title = key
    if kind == "surname" and any(p.surname == value for p in own):
        return None

    def fits(person: NamedPerson) -> bool:
        if kind == "role":
            return person.role == value
        if person.surname != value:
            return False
        return title is None or title in HONORIFICS or title in person.role.split()

    base = ROLE_LINK if kind == "role" else TITLE_LINK if title else SURNAME_LINK
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
            elif other_day is not None and abs((other_day - day).days) <= WINDOW_DAYS:
                candidates.append((person, abs((other_day - day).days)))
    if len({p.name for p, _ in candidates}) != 1:
        return None
    evidence, _ = min(candidates, key=lambda c: (c[1], c[0].doc_id, c[0].role == "", c[0].words))
    return SpeakerLink(doc_id, written, evidence.name, method_name, evidence.doc_id, evidence.words)


def link_speakers(store: Store) -> int:
    """Bring the archive's speaker links up to its documents (see the module's docstring); returns the number of
    speakers whose link was recomputed."""
    changed, gone = store.documents_changed_since_linked()
    keys: set[tuple[str, str]] = set()
    for person in store.named_people(doc_ids=sorted(changed | gone)):
        keys |= {("role", person.role), ("surname", person.surname)}
    with store.transaction():
        store.forget_named_people(sorted(changed | gone))
        for doc_id in sorted(changed):
            found = people_named(doc_id, store.document_paragraphs(doc_id), store.roles_attributed(doc_id))
            store.save_named_people(doc_id, found)
            keys |= {("role", p.role) for p in found} | {("surname", p.surname) for p in found}
        pending, seen = [], set()
        for doc_id, written, method in store.speakers_as_written():  # in order: the first method that links wins
            key = link_key(written, method)
            if key is not None and (doc_id, written) not in seen and (doc_id in changed or key[:2] in keys):
                pending.append((doc_id, written, method, key))
                seen.add((doc_id, written))
        dates = store.document_dates()
        by_doc: dict[str, list[NamedPerson]] = {}
        by_key: dict[tuple[str, str], list[NamedPerson]] = {}
        for person in store.named_people():
            by_doc.setdefault(person.doc_id, []).append(person)
            by_key.setdefault(("surname", person.surname), []).append(person)
            if person.role:
                by_key.setdefault(("role", person.role), []).append(person)
        for doc_id, written, method, key in pending:
            members = set(store.group_members(doc_id)) - {doc_id}
            named = by_key.get(key[:2], [])
            copies = [p for p in named if p.doc_id in members]
            others = [(p, dates.get(p.doc_id)) for p in named if p.doc_id != doc_id]
            link = find_link(doc_id, written, method, by_doc.get(doc_id, []), copies, others, dates.get(doc_id))
            store.set_speaker_link(doc_id, written, link)
        store.mark_linked(changed, gone)
    return len(pending)
