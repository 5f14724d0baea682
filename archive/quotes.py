"""Who said what: direct quotes in a document and the person or organisation each is attributed to.

A careful rule set, no model: quote spans (curly or straight marks, a quote that runs on into the next paragraph),
the sentence around each quote with the quotes masked, a speech verb in it and its subject ("X said: “…”",
"“…”, X said", "X said it was “…”", "Asked …, X said"), pronouns ("he said") resolved to the last speaker, role and
title references ("Ms Cooper", "the home secretary") resolved to a full name met in this document or earlier ones,
and a person introduced by a bare role ("Enver Solomon, the chief executive, …") linked to the organisation that
spoke just before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.chunking import split_sentences

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|warned|warns|suggested|suggests|insisted|insists|argued|argues|claimed|"
    "claims|stated|states|wrote|writes|announced|announces|gloated|declared|explained|noted|replied|responded|urged|"
    "accused|condemned|described|called|pledged|promised|denied|confirmed|admitted|stressed|continued|tweeted|"
    "posted|asked|commented|revealed|acknowledged|conceded|vowed|branded"
)
_VERB = re.compile(rf"\b(?:has |have |had |had been |was |were )?(?:now |also |later |previously )?({SPEECH_VERBS})\b")
TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "professor"}
PRONOUNS = {"he", "she", "they", "it"}
ORG_WORDS = {
    "council", "office", "government", "party", "greens", "ministry", "department", "union", "committee",
    "commission", "association", "agency", "police", "court", "trust", "foundation", "institute", "bank",
    "company", "group", "society", "charity", "campaign", "labour", "conservatives", "tories", "reform",
    "board", "service", "federation", "organisation", "organization", "network", "alliance", "coalition",
}
ROLE_WORDS = {
    "secretary", "minister", "leader", "co-leader", "chief", "executive", "spokesperson", "spokesman",
    "spokeswoman", "president", "chairman", "chairwoman", "chair", "director", "mp", "mayor", "prime", "home",
    "shadow", "former", "deputy", "head", "chancellor", "general", "justice", "foreign", "office", "party",
    "green", "of", "the", "for", "and", "senior", "official", "officer", "commissioner", "founder", "boss", "ceo",
}
_NAME_TOKEN = re.compile(r"^[A-Z][a-zA-Z’'-]+$")
_MASK = "\ue000"
_WORDS = re.compile(r"[\w’'-]+")
_POSSESSIVE = re.compile(
    r"([A-Z][\w-]+(?: [A-Z][\w-]+)?)[’']s (?:previous |earlier |election |own )?"
    r"(?:pledge|promise|words|vow|claim|description|call|slogan|warning)\b[^\ue000]*$"
)


@dataclass(frozen=True)
class Quote:
    paragraph: int
    text: str
    speaker: str | None
    org: str | None = None
    mention: str | None = None
    kind: str = "direct"


@dataclass
class Registry:
    """People and organisations known so far: full names, the roles and organisations they were named with."""

    people: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    quoted: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set, repr=False, compare=False)
    _names: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, list[str], list[str]]], quoted: Iterable[str]) -> Registry:
        """A registry from stored (name, kind, roles, orgs) rows and the names that were quoted."""
        registry = cls()
        for name, kind, roles, orgs in rows:
            if kind == "org":
                registry.orgs.add(name)
            else:
                registry.people[name] = {"roles": list(roles), "orgs": list(orgs)}
        registry.quoted = set(quoted)
        return registry

    def take_changes(self) -> list[tuple[str, str, list[str], list[str]]]:
        """(name, kind, roles, orgs) of every name added or changed since the last call, to be saved."""
        changed = []
        for name in sorted(self.dirty):
            if name in self.people:
                entry = self.people[name]
                changed.append((name, "person", entry["roles"], entry["orgs"]))
            if name in self.orgs:
                changed.append((name, "org", [], []))
        self.dirty.clear()
        return changed

    def add_person(self, name: str, role: str | None = None, org: str | None = None) -> None:
        if name not in self.people:
            self.dirty.add(name)
        entry = self.people.setdefault(name, {"roles": [], "orgs": []})
        if role and role not in entry["roles"]:
            entry["roles"].append(role)
            self.dirty.add(name)
        if org and org not in entry["orgs"]:
            entry["orgs"].append(org)
            self.dirty.add(name)

    def add_org(self, name: str) -> None:
        if name not in self.orgs:
            self.orgs.add(name)
            self.dirty.add(name)

    def by_surname(self, surname: str) -> str | None:
        matches = [n for n in self.people if n.split()[-1].lower() == surname.lower() and " " in n]
        return matches[-1] if matches else None

    def by_role(self, role: str) -> str | None:
        role = _normal_role(role)
        matches = [n for n, e in self.people.items() if role in e["roles"]]
        return matches[-1] if matches else None

    def resolve(self, name: str) -> list[str]:
        """Every known speaker a user's name could mean: full name, surname, role ("the home secretary") or
        organisation, case-insensitively."""
        wanted = " ".join(name.lower().replace("’", "'").split())
        wanted = re.sub(r"^(the|mr|mrs|ms|miss|dr|sir) ", "", wanted)
        found = [n for n in self.people if n.lower() == wanted or n.split()[-1].lower() == wanted]
        found += [o for o in self.orgs if o.lower() == wanted or o.lower().removeprefix("the ") == wanted]
        found += [n for n, e in self.people.items() if _normal_role(wanted) in e["roles"]]
        return sorted(set(found))

    def mentioned_in(self, text: str) -> list[str]:
        """Speakers a query names: a full name, an unambiguous surname, or an organisation. Only speakers who
        were actually quoted count (`quoted`), looked up by the query's word n-grams."""
        words = _WORDS.findall(text.lower().replace("’s", "").replace("'s", ""))
        grams = {" ".join(words[i:i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
        lookup = self._lookup()
        return sorted({name for gram in grams for name in lookup.get(gram, ())})

    def _lookup(self) -> dict[str, list[str]]:
        if self._names is None:
            surnames: dict[str, list[str]] = {}
            for name in self.people:
                if " " in name and name in self.quoted:
                    surnames.setdefault(name.split()[-1].lower(), []).append(name)
            lookup: dict[str, list[str]] = {}
            for name in self.quoted:
                lookup.setdefault(name.lower(), []).append(name)
                if name in self.orgs and name.lower().startswith("the "):
                    lookup.setdefault(name.lower()[4:], []).append(name)
            for surname, names in surnames.items():
                if len(names) == 1 and surname not in lookup:
                    lookup[surname] = names
            self._names = lookup
        return self._names

    def org_of(self, name: str) -> str | None:
        orgs = self.people.get(name, {}).get("orgs", [])
        return orgs[0] if orgs else None


def _normal_role(role: str) -> str:
    return " ".join(w for w in role.lower().replace("’s", "").split() if w not in {"the", "a", "an"})


def quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each quote's inner text. Curly or straight marks; an unclosed quote runs to the end."""
    spans, start = [], None
    for i, ch in enumerate(paragraph):
        before = paragraph[i - 1] if i else " "
        after = paragraph[i + 1] if i + 1 < len(paragraph) else " "
        if start is None:
            if ch == "“" or (ch == '"' and not before.isalnum()):
                start = i + 1
        elif ch == "”" or (ch == '"' and not after.isalnum()):
            if i > start:
                spans.append((start, i))
            start = None
    if start is not None and len(paragraph) - start > 1:
        spans.append((start, len(paragraph)))
    return spans


def place_quotes(quotes: list[Quote], chunks: list) -> list[tuple[int | None, Quote]]:
    """Each quote with the position of the chunk that holds it (its paragraph's chunk containing its words)."""
    placed = []
    for quote in quotes:
        candidates = [c for c in chunks if c.paragraph == quote.paragraph]
        holder = next((c for c in candidates if quote.text[:40] in c.text), candidates[0] if candidates else None)
        placed.append((holder.position if holder is not None else None, quote))
    return placed


def learn_names(text: str, registry: Registry) -> None:
    """Names met in the raw text (captions included): "Home Secretary Yvette Cooper", "Nigel Farage's"."""
    for match in re.finditer(r"((?:[A-Z][a-z]+ ){1,4})?([A-Z][a-z]+(?:-[A-Z][a-z]+)? [A-Z][a-zA-Z’'-]+)", text):
        role_words, name = (match.group(1) or "").split(), match.group(2).rstrip("’'s").strip()
        first, last = name.split()[0], name.split()[-1]
        if {first.lower(), last.lower()} & (ORG_WORDS | ROLE_WORDS | TITLES) or last.lower() in PRONOUNS:
            continue
        role = " ".join(role_words)
        if role and all(w.lower() in ROLE_WORDS for w in role_words):
            registry.add_person(name, _normal_role(role))
        elif name.endswith(("’s", "'s")) or not role_words or role_words[-1].lower() in {"by", "and"}:
            registry.add_person(name.removesuffix("’s").removesuffix("'s"))


def extract_quotes(paragraphs: Iterable[str], registry: Registry) -> list[Quote]:
    """Quotes of one document in reading order, each with its speaker (None where no rule finds one)."""
    quotes: list[Quote] = []
    state = {"speaker": None, "org": None, "last_org": None}
    for number, paragraph in enumerate(paragraphs):
        spans = quote_spans(paragraph)
        masked = paragraph
        for start, end in reversed(spans):
            inner = paragraph[start:end].rstrip()
            keep = inner[-1] if inner and inner[-1] in ".!?…" else ""
            masked = masked[:start] + _MASK * (end - start - len(keep)) + keep + masked[end:]
        offset = 0
        for sentence in split_sentences(masked) if masked.strip() else []:
            begin = masked.find(sentence, offset)
            end = begin + len(sentence)
            offset = end
            inside = [(s, e) for s, e in spans if begin <= s < end]
            speaker, org, mention = _attribute(sentence, registry, state)
            if not inside and speaker is not None:
                quotes.append(Quote(number, paragraph[begin:end].strip(), speaker, org, mention, "reported"))
            for s, e in inside:
                text = paragraph[s:e].strip().rstrip(",")
                in_question = sentence.startswith("Asked") and _MASK in sentence.split(",")[0]
                if in_question and (s - begin) < len(sentence.split(",")[0]):
                    quotes.append(Quote(number, text, None))
                    continue
                who, who_org, how = speaker, org, mention
                owner = _POSSESSIVE.search(masked[max(begin, s - 90):s])
                if owner:
                    who = registry.by_surname(owner.group(1).split()[-1]) or owner.group(1)
                    who_org, how = registry.org_of(who), owner.group(0)
                if who is None and paragraph.lstrip().startswith(("“", '"')) and quotes:
                    who, who_org, how = quotes[-1].speaker, quotes[-1].org, "continued"
                quotes.append(Quote(number, text, who, who_org, how))
    return quotes


def _attribute(sentence: str, registry: Registry, state: dict) -> tuple[str | None, str | None, str | None]:
    """The speaker of a sentence's speech verb, resolved; updates the running state (last speaker, last org)."""
    outside = sentence.replace(_MASK, " ")
    for match in _VERB.finditer(outside):
        before = outside[: match.start()].rstrip()
        after = outside[match.end():]
        subject = _subject_before(before)
        if subject is None and re.match(r"^[\s,]*$", before[-3:] if before else "") and after.strip():
            subject = _subject_after(after)
        if subject is None:
            continue
        speaker, org = _resolve(subject, registry, state)
        if speaker is None:
            continue
        state["speaker"], state["org"] = speaker, org
        if speaker in registry.orgs:
            state["last_org"] = speaker
        return speaker, org, subject
    return None, None, None


def _subject_before(before: str) -> str | None:
    apposition = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,3}), (?:the|a|an|its|their) [^,]+,$", before)
    if apposition:
        role = before[apposition.end(1):].strip(" ,")
        return f"{apposition.group(1)}|{role}"
    before = re.sub(r"\s*\([^)]*\)$", "", before.rstrip(" ,"))
    relative = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,5}), who$", before)
    if relative:
        return relative.group(1)
    tail = re.search(
        r"((?:(?:[Tt]he|A|An|[Ff]ormer|[Ss]hadow) )?(?:[\w’'-]+ ){0,6}?[\w’'-]+)$", before.split(",")[-1].strip()
    )
    if not tail:
        return None
    phrase = tail.group(1).strip()
    words = phrase.split()
    if words and words[-1].lower() in PRONOUNS:
        return words[-1].lower()
    if not any(w[0].isupper() for w in words) and not re.match(r"(?i)^(the|a|an) ", phrase):
        return None
    return phrase


def _subject_after(after: str) -> str | None:
    match = re.match(r"^\s*((?:[A-Z][\w’'-]+ ?){1,4}|he|she|they)\b", after)
    return match.group(1).strip() if match else None


def _resolve(subject: str, registry: Registry, state: dict) -> tuple[str | None, str | None]:
    """A subject phrase to (speaker, organisation)."""
    role = None
    if "|" in subject:
        subject, role = subject.split("|", 1)
    lowered = subject.lower()
    if lowered in PRONOUNS:
        return state["speaker"], state["org"]
    words = subject.split()
    if re.match(r"(?i)^(a|the) (spokes(?:person|man|woman)|representative)\b", subject):
        org = _org_in(subject, registry, state)
        return (org, org) if org else (None, None)
    if any(_bare(w) in ORG_WORDS for w in words[-2:]) and words[-1][0].isupper():
        org = re.sub(r"^(?:[Tt]he) ", "", subject).strip()
        registry.add_org(org)
        state["last_org"] = org
        return org, org
    if len(words) >= 2 and words[-2].lower().rstrip(".") in TITLES:
        person = registry.by_surname(words[-1]) or words[-1]
        return person, registry.org_of(person)
    trailing: list[str] = []
    for w in reversed(words):
        if _NAME_TOKEN.match(w) and w.lower() not in ROLE_WORDS | ORG_WORDS | TITLES:
            trailing.insert(0, w)
        else:
            break
    prefix = words[: len(words) - len(trailing)]
    if len(trailing) >= 2:
        person = " ".join(trailing[-3:])
        role_text = role or " ".join(prefix)
        org = None
        if role and not re.search(r"\b(of|for|at)\b", role) and state.get("last_org"):
            org = state["last_org"]
        registry.add_person(person, _normal_role(role_text) if role_text else None, org)
        return person, org or registry.org_of(person)
    person = registry.by_surname(trailing[0]) if len(trailing) == 1 else None
    if person is None and prefix:
        person = registry.by_role(subject)
    return (person, registry.org_of(person)) if person else (None, None)


def _bare(word: str) -> str:
    return word.lower().removesuffix("’s").removesuffix("'s")


def _org_in(subject: str, registry: Registry, state: dict) -> str | None:
    match = re.search(r"\bfor (?:the )?(.+)$", subject)
    if match:
        named = match.group(1).strip()
        if named[0].isupper():
            registry.add_org(named)
            return named
    return state.get("last_org")
