"""Who said what: quotes and reported statements in a document and the person or organisation each is attributed to.

A careful rule set, no model: quote spans (curly or straight marks, a quote that runs on into the next paragraph),
the sentence around each quote with the quotes masked, a speech verb in it and its subject ("X said: “…”",
"“…”, X said", "X said on Tuesday that …", "according to X", "X told reporters"), pronouns ("he said", "it said")
resolved to the last person or organisation named, and surnames, titles and roles ("Reagan", "Ms Cooper", "the home
secretary") resolved to a full name only when this document names that person in full. Nothing is resolved from
other documents, so the speakers of a document never depend on what else was ingested, or in what order; a name
that cannot be resolved is kept as written ("President Reagan"), and a quote whose speaker cannot be found is kept
unattributed. Each attribution carries its evidence (the words naming the speaker) and the rule that used them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.chunking import split_sentences
from archive.entities import (
    FUNCTION_WORDS,
    ORG_WORDS,
    ROLE_WORDS,
    TITLES,
    bare,
    is_acronym,
    is_name_token,
    is_speaker_name,
    kind_of,
    strip_lead,
)

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|warned|warns|suggested|suggests|insisted|insists|argued|argues|claimed|"
    "claims|stated|wrote|writes|announced|announces|gloated|declared|explained|noted|replied|responded|urged|"
    "accused|condemned|described|called|pledged|promised|denied|confirmed|admitted|stressed|continued|tweeted|"
    "posted|asked|commented|revealed|acknowledged|conceded|vowed|branded"
)
REPORTING_VERBS = {
    "said",
    "says",
    "told",
    "tells",
    "added",
    "adds",
    "warned",
    "warns",
    "stated",
    "argued",
    "claimed",
    "insisted",
    "explained",
    "noted",
    "announced",
    "confirmed",
    "denied",
    "stressed",
    "suggested",
    "suggests",
}
_VERB = re.compile(rf"\b(?:has |have |had |had been |was |were )?(?:now |also |later |previously )?({SPEECH_VERBS})\b")
PRONOUNS = {"he", "she", "it"}
_MASK = "\ue000"
_WORDS = re.compile(r"[\w’'-]+")
_TICKER = re.compile(r"\s*<[^>]*>")
_POSSESSIVE = re.compile(
    r"([A-Z][\w-]+(?: [A-Z][\w-]+)?)[’']s (?:previous |earlier |election |own )?"
    r"(?:pledge|promise|words|vow|claim|description|call|slogan|warning)\b[^\ue000]*$"
)
_ADVERBIAL = re.compile(
    r"(?:,?\s+(?:today|yesterday|tonight|earlier|later|also|again|previously|separately|recently|"
    r"on \w+day|last \w+|this \w+|in a (?:printed |written |separate )?statement|in an interview|"
    r"in (?:a|its|the|his|her) [\w -]{0,40}?(?:report|review|letter|statement|speech|interview|release))\s*)+$"
)
_ORG_REFERENCE = re.compile(
    r"^(?:[Tt]he|[Tt]his|[Tt]hat) (?:[a-z-]+ ){0,2}(company|bank|group|firm|corporation|concern|agency|ministry|"
    r"association|organisation|organization|union|maker|producer|exporter|unit|subsidiary|utility|airline|"
    r"insurer|retailer|bank's board|board|council|commission|department|exchange|fund|government)$"
)
_SPOKESPERSON = re.compile(
    r"(?i)^(?:a|an|the|one) (?:(.+?) )?(?:spokes(?:person|man|woman)|official|officials?|representative|"
    r"statement|source|executive|director)(?: (?:for|of|at|from|with) (?:the )?(.+))?$"
)
_RUN = re.compile(r"(?:[A-Z][\w&’'.-]*)(?:\s+(?:(?:and|of|&|de|du|des|for|la|del|the)\s+)?(?:[A-Z][\w&’'.-]*|&))*")


@dataclass(frozen=True)
class Quote:
    paragraph: int
    text: str
    speaker: str | None
    org: str | None = None
    mention: str | None = None
    kind: str = "direct"
    evidence: str | None = None
    method: str | None = None


@dataclass
class Registry:
    """People and organisations named: full names, the roles and organisations they were named with.

    Filled per document while quotes are extracted (attribution only ever looks at one document's names), then
    merged into the archive's registry, which answers "who is this speaker?" for search and the speaker pages.
    Merging is a union of sorted lists, so the archive's registry does not depend on ingest order either."""

    people: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    quoted: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set, repr=False, compare=False)
    _names: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    def add_person(self, name: str, role: str | None = None, org: str | None = None) -> None:
        if name not in self.people:
            self.dirty.add(name)
        entry = self.people.setdefault(name, {"roles": [], "orgs": []})
        for key, value in (("roles", role), ("orgs", org)):
            if value and value not in entry[key]:
                entry[key] = sorted([*entry[key], value])
                self.dirty.add(name)

    def add_org(self, name: str) -> None:
        if name not in self.orgs:
            self.orgs.add(name)
            self.dirty.add(name)

    def add_place(self, name: str) -> None:
        if name not in self.places:
            self.places.add(name)
            self.dirty.add(name)

    def kind(self, name: str) -> str:
        if name in self.people:
            return "person"
        return "org" if name in self.orgs else "place" if name in self.places else "person"

    def merge(self, other: Registry) -> None:
        """Add another registry's names (one document's) to this one."""
        for name, entry in sorted(other.people.items()):
            self.add_person(name)
            for role in entry["roles"]:
                self.add_person(name, role=role)
            for org in entry["orgs"]:
                self.add_person(name, org=org)
        for name in sorted(other.orgs):
            self.add_org(name)
        for name in sorted(other.places):
            self.add_place(name)
        self.quoted |= other.quoted
        self._names = None

    def full_names(self) -> list[str]:
        return [n for n in self.people if " " in n and bare(n.split()[0]).rstrip(".") not in TITLES]

    def by_surname(self, surname: str) -> str | None:
        """The one full name with this surname, if exactly one is known."""
        matches = {n for n in self.full_names() if bare(n.split()[-1]) == bare(surname)}
        return matches.pop() if len(matches) == 1 else None

    def by_role(self, role: str) -> str | None:
        role = _normal_role(role)
        matches = {n for n, e in self.people.items() if role in e["roles"]}
        return matches.pop() if len(matches) == 1 else None

    def resolve(self, name: str) -> list[str]:
        """Every known speaker a user's name could mean: full name, surname, role ("the home secretary") or
        organisation, case-insensitively."""
        wanted = " ".join(name.lower().replace("’", "'").split())
        wanted = re.sub(r"^(the|mr|mrs|ms|miss|dr|sir) ", "", wanted)
        found = [n for n in self.people if n.lower() == wanted or (" " in n and n.split()[-1].lower() == wanted)]
        found += [o for o in self.orgs | self.places if o.lower() == wanted or o.lower().removeprefix("the ") == wanted]
        found += [n for n, e in self.people.items() if _normal_role(wanted) in e["roles"]]
        return sorted(set(found))

    def mentioned_in(self, text: str) -> list[str]:
        """Speakers a query names: a full name, an unambiguous surname, or an organisation. Only speakers who
        were actually quoted count (`quoted`), looked up by the query's word n-grams."""
        words = _WORDS.findall(text.lower().replace("’s", "").replace("'s", ""))
        grams = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
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
    """Names met in one document's raw text (captions included): "Home Secretary Yvette Cooper", "Nigel
    Farage's", "Texaco Inc", "President Reagan"."""
    text = _TICKER.sub("", text)
    for match in re.finditer(r"((?:[A-Z][a-z]+ ){1,4})?([A-Z][a-z]+(?:-[A-Z][a-z]+)? [A-Z][a-zA-Z’'-]+)", text):
        role_words, name = (match.group(1) or "").split(), match.group(2).rstrip("’'s").strip()
        first, last = name.split()[0], name.split()[-1]
        if {first.lower(), last.lower()} & (ORG_WORDS | ROLE_WORDS | TITLES | FUNCTION_WORDS):
            continue
        if last.lower() in PRONOUNS or kind_of(name) != "person":
            continue
        role = " ".join(role_words)
        if role and all(w.lower() in ROLE_WORDS for w in role_words):
            registry.add_person(name, _normal_role(role))
        elif name.endswith(("’s", "'s")) or not role_words or role_words[-1].lower() in {"by", "and"}:
            registry.add_person(name.removesuffix("’s").removesuffix("'s"))
    for match in _RUN.finditer(text):
        run = strip_lead(match.group(0).rstrip(".,’'"))
        words = run.split()
        if len(words) == 2 and bare(words[0]).rstrip(".") in TITLES and is_name_token(words[1]):
            registry.add_person(run.replace(".", "", 1) if words[0].endswith(".") else run)
        elif len(words) >= 2 and kind_of(run) == "org" and not _person_tail(words):
            registry.add_org(_org_name(run))


def extract_quotes(paragraphs: Iterable[str], registry: Registry) -> list[Quote]:
    """Quotes and reported statements of one document in reading order, each with its speaker (None where no
    rule finds one). `registry` holds this document's names (learn_names); speakers found are added to it."""
    quotes: list[Quote] = []
    state: dict = {"person": None, "org": None, "last_org": None, "seen": "", "person_end": 0}
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
            found = _attribute(sentence, registry, state, reported=not inside)
            state["seen"] += " " + paragraph[begin:end]
            if found and found[0] in registry.people:
                state["person_end"] = len(state["seen"])
            speaker, org, mention, method = found if found else (None, None, None, None)
            if not inside and speaker is not None:
                quotes.append(
                    Quote(number, paragraph[begin:end].strip(), speaker, org, mention, "reported", mention, method)
                )
            for s, e in inside:
                text = paragraph[s:e].strip().rstrip(",")
                in_question = sentence.startswith("Asked") and _MASK in sentence.split(",")[0]
                if in_question and (s - begin) < len(sentence.split(",")[0]):
                    quotes.append(Quote(number, text, None))
                    continue
                who, who_org, how, rule = speaker, org, mention, method
                owner = _POSSESSIVE.search(masked[max(begin, s - 90) : s])
                if owner:
                    who = registry.by_surname(owner.group(1).split()[-1]) or owner.group(1)
                    who_org, how, rule = registry.org_of(who), owner.group(0), "possessive"
                if who is None and paragraph.lstrip().startswith(("“", '"')) and quotes:
                    who, who_org, how, rule = quotes[-1].speaker, quotes[-1].org, "continued", "continued quote"
                evidence = (quotes[-1].evidence if how == "continued" and quotes else how) if who else None
                quotes.append(Quote(number, text, who, who_org, how, "direct", evidence, rule if who else None))
    return quotes


def _attribute(sentence: str, registry: Registry, state: dict, reported: bool):
    """(speaker, org, evidence, method) of a sentence's speech verb, resolved in this document; updates the
    running state (last person, last organisation)."""
    outside = _TICKER.sub("", sentence.replace(_MASK, " "))
    according = re.search(r"\baccording to (?:a |an |the )?([^,;]+?)(?:[,;.]|$)", outside)
    if according:
        phrase = re.sub(
            r"\s+(?:statement|report|survey|figures|data|sources?|officials?|spokes\w+)$",
            "",
            according.group(1).strip(),
        )
        found = _resolve(phrase, registry, state)
        if found:
            return found[0], found[1], according.group(1).strip(), "according to X/" + found[2]
    for match in _VERB.finditer(outside):
        if reported and match.group(1) not in REPORTING_VERBS:
            continue
        before = outside[: match.start()].rstrip()
        after = outside[match.end() :]
        subject = _subject_before(before)
        how = "X said"
        if subject is None and re.match(r"^[\s,]*$", before[-3:] if before else "") and after.strip():
            subject, how = _subject_after(after), "said X"
        if subject is None:
            continue
        state["after"] = after
        found = _resolve(subject, registry, state)
        if found is None:
            continue
        speaker, org, rule = found
        return speaker, org, subject.split("|")[0], f"{how}/{rule}"
    return None


def _subject_before(before: str) -> str | None:
    before = _ADVERBIAL.sub("", before)
    apposition = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,3}), (?:the|a|an|its|their) [^,]+,$", before)
    if apposition:
        role = before[apposition.end(1) :].strip(" ,")
        return f"{apposition.group(1)}|{role}"
    before = re.sub(r"\s*\([^)]*\)$", "", before.rstrip(" ,"))
    relative = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,5}), who$", before)
    if relative:
        return relative.group(1)
    segment = before.split(",")[-1].strip()
    tail = re.search(r"((?:[\w’'.&-]+ ){0,9}[\w’'.&-]+)$", segment)
    if not tail:
        return None
    phrase = tail.group(1).strip()
    words = phrase.split()
    if words[-1].lower() in PRONOUNS | {"they", "we", "i", "you"}:
        return words[-1].lower()
    if not any(w[0].isupper() for w in words) and not re.match(r"(?i)^(the|a|an|this) ", phrase):
        return None
    return phrase


def _subject_after(after: str) -> str | None:
    match = re.match(r"^\s*(he|she|it)\b", after)
    if match:
        return match.group(1)
    words = []
    for word in after.split():
        clean = word.rstrip(",.;:")
        if not (is_name_token(clean) or clean in {"and", "of", "&", "de", "for", "the", "a", "an"}):
            if not (words and words[-1].lower() in {"a", "an", "the"}):
                break
        words.append(clean)
        if clean != word:
            break
    while words and words[-1].lower() in {"and", "of", "&", "de", "for", "the", "a", "an"}:
        words.pop()
    return " ".join(words) if words and any(w[0].isupper() for w in words) else None


def _person_tail(words: list[str]) -> list[str]:
    """The trailing words of a phrase that are a person's name (none of them a role, title or organisation word)."""
    tail: list[str] = []
    for w in reversed(words):
        if is_name_token(w) and not is_acronym(w) and bare(w) not in ROLE_WORDS | ORG_WORDS | TITLES | FUNCTION_WORDS:
            tail.insert(0, w)
        else:
            break
    return tail[-3:]


def _org_name(phrase: str) -> str:
    """The organisation a phrase ends with: "lead manager Algemene Bank Nederland" -> "Algemene Bank Nederland"."""
    runs = [m.group(0) for m in _RUN.finditer(phrase)]
    name = strip_lead(runs[-1]) if runs else phrase
    return re.sub(r"^(?:The|the) ", "", name).rstrip(".,")


def _resolve(subject: str, registry: Registry, state: dict) -> tuple[str | None, str | None, str] | None:
    """A subject phrase to (speaker, organisation, rule) using only this document's names; None if nobody."""
    role = None
    if "|" in subject:
        subject, role = subject.split("|", 1)
    lowered = subject.lower()
    if lowered in {"he", "she"}:
        person = _last_person(registry, state)
        return (person, registry.org_of(person), "pronoun->last person") if person else None
    if lowered == "it" or _ORG_REFERENCE.match(subject):
        org = state["last_org"]
        return (org, org, "reference->last organisation") if org else None
    if lowered in {"they", "we", "i", "you"}:
        return None
    spokes = _SPOKESPERSON.match(subject)
    if spokes:
        named = spokes.group(2) or spokes.group(1) or ""
        named = _org_name(named) if named and named[0].isupper() else ""
        if named and kind_of(named) != "person":
            _remember_org(named, registry, state)
            return named, named, "spokesperson of X"
        if not named and re.search(r"spokes", subject) and state["last_org"]:
            return state["last_org"], state["last_org"], "spokesperson->last organisation"
        return None
    of_split = re.match(r"^(.*?[A-Z][\w’'-]+) (?:of|at|from|with) (?:the )?([A-Z].*)$", subject)
    if of_split and len(_person_tail(of_split.group(1).split())) >= 2:
        subject, role = of_split.group(1), role or of_split.group(2)
    words = subject.split()
    tail = _person_tail(words)
    prefix = words[: len(words) - len(tail)]
    if len(tail) >= 2:
        person = " ".join(tail)
        role_text = role or " ".join(prefix)
        org = None
        if role and not re.search(r"\b(of|for|at)\b", role) and state.get("last_org"):
            org = state["last_org"]
        elif role and kind_of(_org_name(role)) == "org" and role[0].isupper():
            org = _org_name(role)
        registry.add_person(person, _normal_role(role_text) if role_text else None, org)
        state["person"] = person
        return person, org or registry.org_of(person), "full name"
    if len(tail) == 1 and prefix and bare(prefix[-1]).rstrip(".") in TITLES:
        person = registry.by_surname(tail[0])
        if person:
            state["person"] = person
            return person, registry.org_of(person), "title+surname->full name in document"
        written = f"{prefix[-1].rstrip('.')} {tail[0]}"
        registry.add_person(written)
        state["person"] = written
        return written, None, "title+surname as written"
    named = _org_name(subject) if any(w[:1].isupper() for w in words) else ""
    if named and len(tail) == 0 and kind_of(named) in {"org", "place"}:
        if kind_of(named) == "place":
            registry.add_place(named)
            return named, None, "place"
        _remember_org(named, registry, state)
        return named, named, "organisation name"
    if len(tail) == 1 and not prefix:
        return _resolve_single(tail[0], registry, state)
    if len(tail) == 1 and prefix and bare(prefix[-1]) in ROLE_WORDS:
        return _resolve_single(tail[0], registry, state)
    if prefix and not tail:
        person = registry.by_role(subject)
        if person:
            state["person"] = person
            return person, registry.org_of(person), "role->person named with it in document"
        role_words = [w for w in words if w.lower() not in {"the", "a", "an"}]
        if len(role_words) >= 2 and all(w[0].isupper() and w.lower() in ROLE_WORDS for w in role_words):
            written = " ".join(role_words)
            registry.add_person(written)
            state["person"] = written
            return written, None, "role as written"
    return None


def _resolve_single(word: str, registry: Registry, state: dict) -> tuple[str | None, str | None, str] | None:
    """One name word: a surname of a person named in full here, the first word of an organisation named here, a
    title form named here ("President Reagan"), or the word as written when it names someone."""
    word = word.removesuffix("’s").removesuffix("'s") if not word.endswith(("'s", "’s")) else word
    person = registry.by_surname(word)
    if person:
        state["person"] = person
        return person, registry.org_of(person), "surname->full name in document"
    orgs = sorted({o for o in registry.orgs if o.split()[0] == word and o != word}, key=len)
    if orgs and all(o.startswith(orgs[0]) for o in orgs):
        _remember_org(orgs[0], registry, state)
        return orgs[0], orgs[0], "first word->organisation in document"
    titled = {n for n in registry.people if n.split()[-1] == word and bare(n.split()[0]) in TITLES}
    if len(titled) == 1:
        person = titled.pop()
        state["person"] = person
        return person, None, "surname->title form in document"
    if not is_speaker_name(word):
        return None
    if re.match(r"^\s*(?:that )?(?:it|its)\b", state.get("after", "")) or word.endswith(("'s", "’s")):
        _remember_org(word, registry, state)
        return word, word, "single name as written, an organisation (said it)"
    registry.add_person(word)
    state["person"] = word
    return word, None, "surname as written"


def _remember_org(name: str, registry: Registry, state: dict) -> None:
    registry.add_org(name)
    state["last_org"] = name


def _last_person(registry: Registry, state: dict) -> str | None:
    """The person a "he" or "she" most likely means: the last one quoted, unless a sentence since names another."""
    seen = state["seen"]
    best, where = None, -1
    for name in list(registry.people):
        if name not in registry.orgs:
            at = max(seen.rfind(name), seen.rfind(" " + name.split()[-1]))
            if at > where:
                best, where = name, at
    if state["person"] and (where < state["person_end"] or best is None):
        return state["person"]
    return best
