"""Whether a speaker one document names by a bare word ("Microsoft said", "Davis said") is a person or an
organisation, from what the whole archive writes of that word, when the document itself says nothing either way.

A document types such a word on thin evidence (archive.quote_rules): a person by its shape ("Davis"), or an
organisation because no person is named so ("Campaigners"). Other documents often say more: "Microsoft Corp",
"Microsoft's shares", "software giant Microsoft", "Microsoft said it" (an organisation's cues), or a person quoted
in full whose surname it is, "Gray Davis", or "Davis said he" (a person's). The evidence is weighed in order:

1. the document's own cues, where they say one thing;
2. a near-duplicate copy's, where they say one thing;
3. a speaker the archive links to a person (archive.linking) is that person: not typed here;
4. the other documents' cues: the kind more documents give the word (a document giving both counts for both).

Undecided (as many documents each way, or none): the document's own typing stands, and no row claims more. Each
decision is stored (`speaker_kinds`) with its rule, the document and the words that decided it; the quote keeps
what its own document says. Like the links, the kinds are recomputed from the stored documents after every ingest
or removal, so they do not depend on the order documents came in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.entities import CORPORATE_SUFFIXES, ORG_WORDS, PLACES, bare
from archive.names import Registry
from archive.quote_rules import ORGANISATION_CUES, SURNAME_BY_SHAPE
from archive.quotes import learn_names, plain_text

if TYPE_CHECKING:
    from archive.linking import NamedPerson
    from archive.store import Store

ORG_RULE = "single name: an organisation, as other documents write it"
PERSON_RULE = "single name: a person, as other documents name them"
OWN = " (its own document's words)"
COPY = " (near-duplicate copy)"
CUES_VERSION = "2"  # what `word_cues` reads: a store keeping cues of another version reads every document again
# the in-document rules that type a bare word on thin evidence, and the kind each gives
THIN = {SURNAME_BY_SHAPE: "person", "single name as written (no person named so)": "org"}

_WORD = r"[A-Z](?:[A-Za-z0-9&-]|[’'](?=[A-Z]))*"
# and what the in-document rule `organisation_used_so` reads: "Rover bosses", "Dynegy spokesman", "the Dynegy board"
_USED_SO = r"\b{w}(?:[’']s)? (?:spokes\w+|chief|boss|bosses|statement|executives|officials|management|board)\b"
_ORG_CUE = re.compile(
    # the whole name, not the first word of a longer one ("an economist at High Frequency Economics")
    "|".join(cue.replace("{w}", f"(?P<w{i}>{_WORD})(?! [A-Z])") for i, cue in enumerate([*ORGANISATION_CUES, _USED_SO]))
)
_PERSON_CUE = re.compile(
    rf"\b({_WORD}) (?:[a-z]+ ){{0,2}}(?:said|says|told|added|insisted|argued|announced) (?:that )?(?:he|she)\b"
)


@dataclass(frozen=True)
class WordCue:
    """One document's words that write a name word as an organisation's or a person's."""

    doc_id: str
    word: str
    kind: str  # "org" or "person"
    words: str


@dataclass(frozen=True)
class SpeakerKind:
    """A bare-word speaker as one document writes it, typed by what the archive says (`evidence`, the words of
    `evidence_doc`)."""

    doc_id: str
    written: str
    kind: str
    method: str
    evidence_doc: str
    evidence: str


def word_cues(doc_id: str, text: str, orgs: Iterable[str]) -> list[WordCue]:
    """The cues one document gives its name words: an organisation's ("Microsoft Corp", "Microsoft's shares",
    "rival Dynegy", "Dynegy said it", "Dynegy, which", "Rover bosses", a name it opens made of organisation words
    ending with a corporate suffix: "Nintendo Co Ltd", "Ford Motor Co", not "High Court" nor "Davis Wright Tremaine
    LLP"), or a person's ("Davis said he"). `orgs`: the organisations the document names (its learned names). One
    cue per word and kind, the first in the text."""
    found: dict[tuple[str, str], WordCue] = {}

    def add(word: str, kind: str, words: str) -> None:
        word = re.sub(r"[’']s$", "", word)
        if word.lower() not in PLACES:
            found.setdefault((word, kind), WordCue(doc_id, word, kind, " ".join(words.split())))

    for match in _ORG_CUE.finditer(text):
        word = next(value for key, value in match.groupdict().items() if value is not None)
        add(word, "org", match.group(0))
    for org in sorted(orgs):
        words = org.split()
        rest = [bare(w).rstrip(".") for w in words[1:]]
        if rest and rest[-1] in CORPORATE_SUFFIXES and all(w in CORPORATE_SUFFIXES | ORG_WORDS for w in rest):
            if bare(words[0]) not in ORG_WORDS | CORPORATE_SUFFIXES:
                add(words[0], "org", org)
    for match in _PERSON_CUE.finditer(text):
        add(match.group(1), "person", match.group(0))
    return sorted(found.values(), key=lambda c: (c.word, c.kind))


def type_speaker(
    doc_id: str, written: str, cues: list[WordCue], copies: set[str], surnames: list[WordCue]
) -> SpeakerKind | None:
    """The kind the archive gives a bare word a document types on thin evidence, or None (undecided: the
    document's typing stands). `cues`: every document's cues for the word; `surnames`: a person cue for each
    person named in full with it as surname (archive.linking's people); `copies`: the document's near-duplicates."""
    named = set(surnames)

    def decide(among: list[WordCue], suffix: str) -> SpeakerKind | None:
        """One document's or its copies' cues: a person named in full with that surname wins, else one kind."""
        kinds = {c.kind for c in among}
        if any(c in named for c in among):
            kinds = {"person"}
        return _kind(doc_id, written, kinds.pop(), among, suffix) if len(kinds) == 1 else None

    evidence = cues + surnames
    own = [c for c in evidence if c.doc_id == doc_id]
    near = [c for c in evidence if c.doc_id in copies]
    others = [c for c in evidence if c.doc_id != doc_id and c.doc_id not in copies]
    found = decide(own, OWN) if own else None
    found = found or (decide(near, COPY) if near else None)
    if found or not others:
        return found
    votes = {k: len({c.doc_id for c in others if c.kind == k}) for k in ("org", "person")}
    if votes["org"] == votes["person"]:
        return None
    kind = "org" if votes["org"] > votes["person"] else "person"
    count = f" (documents: {votes['org']} write it as an organisation, {votes['person']} as a person)"
    return _kind(doc_id, written, kind, others, "", count)


def _kind(doc_id: str, written: str, kind: str, among: list[WordCue], suffix: str, count: str = "") -> SpeakerKind:
    """The decision, with the first document (by id) whose words gave that kind as its evidence."""
    first = min((c for c in among if c.kind == kind), key=lambda c: (c.doc_id, c.words))
    rule = (ORG_RULE if kind == "org" else PERSON_RULE) + suffix
    return SpeakerKind(doc_id, written, kind, rule, first.doc_id, first.words + count)


def document_cues(doc_id: str, paragraphs: list[str]) -> list[WordCue]:
    """The cues a stored document gives its name words (its names learned as ingest learns them)."""
    names = Registry()
    text = "\n\n".join(paragraphs)
    learn_names(text, names)
    return word_cues(doc_id, plain_text(text), names.orgs)


def type_speakers(store: Store, people: Sequence[NamedPerson]) -> list[SpeakerKind]:
    """The kind of every bare-word speaker a document types on thin evidence and the archive does not link to a
    person, where the archive decides one (see the module's docstring); `people`: everyone documents name in full."""
    linked = {(link.doc_id, link.written) for link in store.speaker_links()}
    pending = sorted(
        {
            (doc_id, written)
            for doc_id, written, method in store.speakers_as_written()
            if method.split("/")[-1] in THIN and " " not in written and (doc_id, written) not in linked
        }
    )
    words = sorted({written for _, written in pending})
    wanted = set(words)
    cues: dict[str, list[WordCue]] = {}
    for cue in store.word_cues(words):
        cues.setdefault(cue.word, []).append(cue)
    surnames: dict[str, list[WordCue]] = {}
    for person in people:
        if person.surname in wanted:
            surnames.setdefault(person.surname, []).append(
                WordCue(person.doc_id, person.surname, "person", person.words)
            )
    found = []
    for doc_id, written in pending:
        copies = set(store.group_members(doc_id)) - {doc_id}
        kind = type_speaker(doc_id, written, cues.get(written, []), copies, surnames.get(written, []))
        if kind is not None:
            found.append(kind)
    return found
