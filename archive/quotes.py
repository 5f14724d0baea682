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
    CORPORATE_SUFFIXES,
    FUNCTION_WORDS,
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
    strip_lead,
)

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|warned|warns|suggested|suggests|insisted|insists|argued|argues|claimed|"
    "claims|stated|wrote|writes|announced|announces|gloated|declared|explained|noted|replied|responded|urged|"
    "accused|condemned|described|called|pledged|promised|denied|confirmed|admitted|stressed|continued|tweeted|"
    "posted|asked|commented|revealed|acknowledged|conceded|vowed|branded"
)
REPORTING_VERBS = set(
    """
    acknowledged added adds admitted announced argued claimed conceded confirmed denied explained insisted noted
    revealed said says stated stressed suggested suggests tells told warned warns
    """.split()
)
_VERB = re.compile(rf"\b(?:has |have |had |had been |was |were )?(?:now |also |later |previously )?({SPEECH_VERBS})\b")
PRONOUNS = {"he", "she", "it"}
_MASK = "\ue000"
_WORDS = re.compile(r"[\w’'-]+")
_TICKER = re.compile(r"\s*<(?:[A-Z0-9.-]+(?: [A-Z]{1,3})?|(?=[^>]*[A-Z][^>]*[A-Z])[A-Za-z0-9.-]{2,8})>")
_POSSESSIVE = re.compile(
    r"([A-Z][\w-]+(?: [A-Z][\w-]+)?)[’']s (?:previous |earlier |election |own )?"
    r"(?:pledge|promise|words|vow|claim|description|call|slogan|warning)\b[^\ue000]*$"
)
_ADVERBIAL = re.compile(
    r"(?:,?\s+(?:today|yesterday|tonight|earlier|later|also|again|previously|separately|recently|"
    r"on \w+day|last \w+|this \w+|in a (?:printed |written |separate )?statement|in an interview|"
    r"in (?:a|its|the|his|her) [\w -]{0,40}?(?:report|review|letter|statement|speech|interview|release))\s*)+$"
)
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
_DESCRIPTORS = set(
    """
    agency airline bank broadcaster carrier charity company concern consultancy daily firm group insurer journal
    lender magazine maker network newspaper paper producer publication regulator retailer studio subsidiary unit
    watchdog website weekly
    """.split()
)
_OFFICE_HOLDERS = set("chairman chief director governor head minister president secretary spokesman".split())
HONORIFICS = set("dame dr lady lord miss mr mrs ms prof professor sir".split())
_PARTICLES = set("al bin da de del der di dos du el la le van von".split())
_CLAUSE_WORDS = set(
    """
    after although are be because been before but by can could from had has have however if is may might said said.
    says should since so than that then though to until was were when where whereas which while will with would yet
    """.split()
)
_SENTENCE_BREAK = re.compile(r"(?<=[A-Za-z]{2})\. ")
_RUN = re.compile(
    r"(?:[A-Z][\w&’'.-]*)(?:\s+(?:(?:and|of|&|de|du|des|for|la|del|the)\s+){0,2}(?:\(?[A-Z][\w&’'.-]*\)?|&|co\b|inc\b))*"
)


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


_SAYS = re.compile(r"\b(?:said|says|told|added|adds)\b")


class _FullNames:
    """The full names of a registry of a given size, indexed by last word and (three-word names) middle word."""

    def __init__(self, size: tuple[int, int], names: list[str]):
        self.size, self.names = size, names
        self.by_last: dict[str, list[str]] = {}
        self.by_middle: dict[str, list[str]] = {}
        for name in names:
            words = name.split()
            self.by_last.setdefault(bare(words[-1]), []).append(name)
            if len(words) == 3:
                self.by_middle.setdefault(words[1], []).append(name)


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
    _full: _FullNames | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, list[str], list[str]]], quoted: Iterable[str]) -> Registry:
        """A registry from stored (name, kind, roles, orgs) rows and the names that were quoted."""
        registry = cls()
        for name, kind, roles, orgs in rows:
            name = name_of(name)
            if not name:
                continue
            if kind == "org":
                registry.orgs.add(name)
            elif kind == "place":
                registry.places.add(name)
            else:
                registry.people[name] = {"roles": list(roles), "orgs": list(orgs)}
        registry.dirty.clear()
        registry.quoted = set(quoted)
        return registry

    def take_changes(self) -> list[tuple[str, str, list[str], list[str]]]:
        """(name, kind, roles, orgs) of every name added or changed since the last call, to be saved; a name met
        both as a person and as an organisation is an organisation, whatever order documents came in."""
        changed = []
        for name in sorted(self.dirty):
            entry = self.people.get(name, {"roles": [], "orgs": []})
            changed.append((name, self.kind(name), entry["roles"], entry["orgs"]))
        self.dirty.clear()
        return changed

    def add_person(self, name: str, role: str | None = None, org: str | None = None) -> None:
        name = name_of(re.sub(r"[’']s$", "", name))
        if not name:
            return
        if name not in self.people:
            self.dirty.add(name)
        entry = self.people.setdefault(name, {"roles": [], "orgs": []})
        for key, value in (("roles", role), ("orgs", org)):
            if value and value not in entry[key]:
                entry[key] = sorted([*entry[key], value])
                self.dirty.add(name)

    def add_org(self, name: str) -> None:
        name = name_of(name)
        if name and name not in self.orgs:
            self.orgs.add(name)
            self.dirty.add(name)

    def add_place(self, name: str) -> None:
        name = name_of(name)
        if name and name not in self.places:
            self.places.add(name)
            self.dirty.add(name)

    def kind(self, name: str) -> str:
        """A name's kind; one named both ways is an organisation (the evidence for that is stronger)."""
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
        """People named in full (not by title and surname), in the order first met. Names are only ever added,
        so the list is kept until the number of people or organisations changes (a long mail asks for it often)."""
        return list(self._full_names().names)

    def _full_names(self) -> _FullNames:
        size = (len(self.people), len(self.orgs))
        if self._full is None or self._full.size != size:
            full = [
                n
                for n in self.people
                if " " in n
                and bare(n.split()[0]).rstrip(".") not in TITLES
                and kind_of(n) == "person"
                and n not in self.orgs
            ]
            self._full = _FullNames(size, full)
        return self._full

    def by_surname(self, surname: str, title: str | None = None) -> str | None:
        """The one full name with this surname, if exactly one is known and nothing says the surname may mean
        someone else: "President Reagan" is Nancy Reagan only if she was named as president, and a bare "Reagan"
        is nobody's full name where a "President Reagan" not named in full is also about."""
        known = self._full_names()
        matches = sorted(set(known.by_last.get(bare(surname), ())), key=len)
        if not matches:
            matches = sorted(set(known.by_middle.get(surname, ())))
        if not matches or not all(matches[-1].endswith(m) for m in matches):
            return None
        full = matches[-1]
        roles = " ".join(self.people[full]["roles"]).split()
        if title is not None:
            return full if bare(title).rstrip(".") in HONORIFICS or bare(title).rstrip(".") in roles else None
        for other in self.people:
            words = other.split()
            rank = bare(words[0]).rstrip(".")
            if len(words) == 2 and words[1] == surname and rank in TITLES - HONORIFICS and rank not in roles:
                return None
        return full

    def by_role(self, role: str) -> str | None:
        role = _normal_role(role)
        matches = {n for n, e in self.people.items() if any(r == role or r.endswith(" " + role) for r in e["roles"])}
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
                # "Mr Farage" and "Nigel Farage" are one person; "Yvette Cooper" and "Andrew Cooper" are not
                firsts = {name.split()[0].lower().rstrip(".") for name in names}
                given, titles = firsts - HONORIFICS, firsts & HONORIFICS
                if len(given) <= 1 and len(titles) <= 1 and surname not in lookup:
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
    text = plain_text(text)
    for run in (
        piece for m in _RUN.finditer(text) for part in _SENTENCE_BREAK.split(m.group(0)) for piece in _owner_split(part)
    ):
        run = strip_lead(run.rstrip(".,’'"))
        words = run.split()
        if len(words) == 2 and bare(words[0]).rstrip(".") in TITLES and is_name_token(words[1]):
            registry.add_person(run.replace(".", "", 1) if words[0].endswith(".") else run)
        elif len(words) >= 2 and kind_of(run) == "org" and not _person_tail(words):
            registry.add_org(_org_name(run))
        elif len(_person_tail(words)) >= 2 and kind_of(" ".join(_person_tail(words))) == "person":
            registry.add_person(" ".join(_person_tail(words)))
    for match in re.finditer(r"((?:[A-Z][a-z]+ ){1,4})?([A-Z][a-z]+(?:-[A-Z][a-z]+)? [A-Z][a-zA-Z’'-]+)", text):
        role_words, name = (match.group(1) or "").split(), re.sub(r"[’']s$", "", match.group(2)).strip()
        first, last = name.split()[0], name.split()[-1]
        if {first.lower(), last.lower()} & (ORG_WORDS | ROLE_WORDS | TITLES | FUNCTION_WORDS):
            continue
        if bare(first) in PLACES or bare(last) in PRONOUNS or kind_of(name) != "person":
            continue
        if any(o.startswith(name) for o in registry.orgs):
            continue
        role = " ".join(role_words)
        if role and all(w.lower() in ROLE_WORDS for w in role_words):
            registry.add_person(name, _normal_role(role))
        elif name.endswith(("’s", "'s")) or not role_words or role_words[-1].lower() in {"by", "and"}:
            registry.add_person(name)


def _owner_split(run: str) -> list[str]:
    """A person's possessive ends a name: "Nigel Farage's Reform UK" is two names; "Moody's Investors" is one."""
    owner = re.match(r"^(.+?)[’']s (.+)$", run)
    if owner and kind_of(owner.group(1)) == "person":
        return [owner.group(1), owner.group(2)]
    return [run]


def plain_text(text: str) -> str:
    """Reuters marks tickers (<XON>) and unlisted companies (<Techniclone International>): drop the one, keep
    the other's name."""
    return re.sub(r"<([^<>]*)>", r"\1", _TICKER.sub("", text)).replace("REUTER", " ")


def extract_quotes(paragraphs: Iterable[str], registry: Registry) -> list[Quote]:
    """Quotes and reported statements of one document in reading order, each with its speaker (None where no
    rule finds one). `registry` holds this document's names (learn_names); speakers found are added to it."""
    quotes: list[Quote] = []
    paragraphs = list(paragraphs)
    state: dict = {"person": None, "org": None, "last_org": None, "seen": "", "text": "\n\n".join(paragraphs)}
    for number, paragraph in enumerate(paragraphs):
        spans = quote_spans(paragraph)
        masked = paragraph
        for start, end in reversed(spans):
            inner = paragraph[start:end].rstrip()
            keep = inner[-1] if inner and inner[-1] in ".!?…" else ""
            masked = masked[:start] + _MASK * (end - start - len(keep)) + keep + masked[end:]
        probe = masked
        for start, end in spans:
            if end > start and probe[start] == _MASK:
                probe = probe[:start] + "Q" + probe[start + 1 :]
        offset = 0
        for piece in split_sentences(probe) if probe.strip() else []:
            begin = probe.find(piece, offset)
            end = begin + len(piece)
            offset = end
            sentence = masked[begin:end]
            inside = [(s, e) for s, e in spans if begin <= s < end]
            found = _attribute(sentence, registry, state, reported=not inside)
            state["seen"] += " " + paragraph[begin:end]
            if not found:
                _opening_name(paragraph[begin:end], registry, state)
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
                # a quote continues the last speaker's words only if its sentence names no other speaker we failed
                # to read ("..., said Berliner Handels- und Frankfurter Bank economist Hermann Remsperger")
                if who is None and paragraph.lstrip().startswith(("“", '"')) and quotes and not _SAYS.search(sentence):
                    who, who_org, how, rule = quotes[-1].speaker, quotes[-1].org, "continued", "continued quote"
                evidence = (quotes[-1].evidence if how == "continued" and quotes else how) if who else None
                quotes.append(Quote(number, text, who, who_org, how, "direct", evidence, rule if who else None))
    return quotes


def _attribute(sentence: str, registry: Registry, state: dict, reported: bool):
    """(speaker, org, evidence, method) of a sentence's speech verb, resolved in this document; updates the
    running state (last person, last organisation)."""
    outside = plain_text(sentence.replace(_MASK, " "))
    according = re.search(r"\baccording to (?:a |an |the )?([^,;]+?)(?:[,;.]|$)", outside)
    if according:
        phrase = re.sub(
            r"\s+(?:statement|report|survey|figures|data|sources?|officials?|spokes\w+)$",
            "",
            according.group(1).strip(),
        )
        phrase = re.sub(r"^(?:\w+ ){0,3}(?:report|statement|survey|study|poll)s? (?:\w+ )?by ", "", phrase)
        state["according"] = True
        found = _resolve(phrase, registry, state)
        state["according"] = False
        if found:
            return found[0], found[1], according.group(1).strip(), "according to X/" + found[2]
    verbs = sorted(_VERB.finditer(outside), key=lambda m: m.group(1) not in {"said", "says", "told", "tells"})
    for match in verbs:
        if reported and match.group(1) not in REPORTING_VERBS:
            continue
        before = outside[: match.start()].rstrip()
        after = outside[match.end() :]
        subject = _subject_before(before)
        how = "X said"
        if subject is None and (not before or re.search(r"[,\"“”]$", before)) and after.strip():
            subject, how = _subject_after(after), "said X"
        if subject is None:
            continue
        state["after"] = after
        found = _resolve(subject, registry, state)
        if found is None:
            if re.match(r"(?i)^(?:a|an|one|the)\b", subject) and _unnamed_person(subject.split()):
                state["person"] = None
                return None
            continue
        speaker, org, rule = found
        if speaker is None or not is_speaker_name(speaker):
            continue
        return speaker, org, subject.split("|")[0], f"{how}/{rule}"
    return None


def _subject_before(before: str) -> str | None:
    before = _ADVERBIAL.sub("", before)
    apposition = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'.-]+){0,3}), (?:the|a|an|its|their) [^,]+,$", before)
    titled = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'.-]+){0,3}), ([A-Za-z][\w-]*)[^,]*,$", before)
    if titled and (
        len(_person_tail(titled.group(1).split())) >= 2
        or (titled.group(2) in ROLE_WORDS and len(_person_tail(titled.group(1).split())) == 1)
    ):
        apposition = titled
    if apposition:
        role = before[apposition.end(1) :].strip(" ,")
        return f"{apposition.group(1)}|{role}"
    before = re.sub(r"(^|, )\(([A-Z][^()]*)\)$", r"\1\2", before.rstrip(" ,"))
    before = re.sub(r"\s*\([^)]*\)$", "", before)
    relative = re.search(r"([A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,5}), who$", before)
    if relative:
        return relative.group(1)
    segments = [part.strip() for part in before.split(",")]
    while len(segments) > 1 and re.match(r"^(?:[a-z]+ing|[a-z]+ed|which|who|whose|\d)\b", segments[-1]):
        segments.pop()
    segment = segments[-1]
    tail = re.search(r"((?:[\w’'.&()-]+ ){0,9}[\w’'.&()-]+)$", segment)
    if not tail:
        return None
    words = tail.group(1).strip().split()
    cut = max((i for i, w in enumerate(words) if w.lower() in _CLAUSE_WORDS), default=-1)
    if cut >= 0 and words[cut].lower() in {"to", "than", "by", "from", "with"}:
        return None
    words = words[cut + 1 :]
    if not words:
        return None
    phrase = " ".join(words)
    if words[-1].lower() in PRONOUNS | {"they", "we", "i", "you"}:
        return words[-1].lower()
    if not any(w[:1].isupper() for w in words) and not re.match(r"(?i)^(the|a|an|this) ", phrase):
        return None
    return phrase


def _subject_after(after: str) -> str | None:
    match = re.match(r"^\s*(he|she|it)\b", after)
    if match:
        return match.group(1)
    words: list[str] = []
    tokens = after.split()
    for i, word in enumerate(tokens):
        clean = word.rstrip(",.;:")
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        lead_in = (clean.lower() in ROLE_WORDS or clean.lower() in _DESCRIPTORS or (i < 2 and clean.islower())) and (
            is_name_token(following.rstrip(",.;:")) or following.lower().rstrip(",.;:") in ROLE_WORDS | _DESCRIPTORS
        )
        if not (is_name_token(clean) or clean in {"and", "of", "&", "de", "for", "the", "a", "an"} or lead_in):
            if not (words and words[-1].lower() in {"a", "an", "the"}):
                break
        words.append(clean)
        if clean != word and not (word.endswith(",") and clean.lower() in ROLE_WORDS and is_name_token(following)):
            break
    while words and words[-1].lower() in {"and", "of", "&", "de", "for", "the", "a", "an"}:
        words.pop()
    rest = tokens[len(words) :]
    ended = bool(words) and tokens[len(words) - 1][-1:] in ",.;:"
    if words and rest and not ended and rest[0].lower() not in {"as", "in", "on", "at", "of", "for", "told", "who"}:
        return None
    return " ".join(words) if words and any(w[:1].isupper() for w in words) else None


def _person_tail(words: list[str]) -> list[str]:
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


def _org_name(phrase: str) -> str:
    """The organisation a phrase ends with: "lead manager Algemene Bank Nederland" -> "Algemene Bank Nederland"."""
    runs = [part for m in _RUN.finditer(phrase) for part in _SENTENCE_BREAK.split(m.group(0))]
    name = strip_lead(runs[-1]) if runs else phrase
    name = re.sub(r"\s*\([A-Z]{2,}\)$", "", name)
    owner = re.match(r"^([\w.]+(?: [\w.]+)?)[’']s (.+)$", name)
    if owner and bare(owner.group(1)) in PLACES:
        name = owner.group(2)
    return re.sub(r"^(?:The|the) ", "", name).rstrip(".,").removesuffix("'s").removesuffix("’s")


def _resolve(subject: str, registry: Registry, state: dict) -> tuple[str | None, str | None, str] | None:
    """A subject phrase to (speaker, organisation, rule) using only this document's names; None if nobody."""
    role = None
    if "|" in subject:
        subject, role = subject.split("|", 1)
    subject = " ".join(subject.split())
    if not subject:
        return None
    lowered = subject.lower()
    if lowered in {"he", "she"}:
        person = _last_person(registry, state)
        return (person, registry.org_of(person), "pronoun->last person") if person else None
    reference = _ORG_REFERENCE.match(subject)
    if lowered == "it" or reference:
        org = _last_org(registry, state, reference.group(1) if reference else None)
        return (org, org, "reference->last organisation") if org else None
    if lowered in {"they", "we", "i", "you"} or _anonymous(subject.split()):
        return None
    if subject.split()[-1].islower() and _unnamed_person(subject.split()) and not _SPOKESPERSON.match(subject):
        person = registry.by_role(subject)
        if person:
            state["person"] = person
            return person, registry.org_of(person), "role->person named with it in document"
        return None
    spokes = _SPOKESPERSON.match(subject)
    if spokes:
        named = spokes.group(2) or spokes.group(1) or ""
        named = _org_name(named) if named and named[0].isupper() else ""
        person = registry.by_surname(named) if named and " " not in named else None
        if person:
            state["person"] = person
            return person, registry.org_of(person), "spokesperson of X->full name in document"
        if named and kind_of(named) != "person":
            _remember_org(named, registry, state)
            return named, named, "spokesperson of X"
        if not named and re.search(r"spokes|statement", subject) and _last_org(registry, state):
            org = _last_org(registry, state)
            return org, org, "spokesperson->last organisation"
        if False:
            return state["last_org"], state["last_org"], "spokesperson->last organisation"
        return None
    of_split = re.match(r"^(.*?[A-Z][\w’'-]+) (?:of|at|from|with) (?:the )?([A-Z].*)$", subject)
    if of_split and (
        len(_person_tail(of_split.group(1).split())) >= 2 or bare(of_split.group(1).split()[-1]) in CORPORATE_SUFFIXES
    ):
        subject, role = of_split.group(1), role or of_split.group(2)
    elif (
        of_split
        and len(of_split.group(1).split()) == 1
        and bare(of_split.group(1)) not in ORG_WORDS
        and kind_of(_org_name(of_split.group(2))) == "org"
    ):
        found = _resolve_single(of_split.group(1), registry, state)
        return found if found and found[0] in registry.people else None
    owned = re.match(r"^(.+?)[’']s ([A-Z][\w-]+(?: [A-Z][\w-]+){0,2})$", subject)
    if owned and kind_of(_org_name(owned.group(1))) == "org" and kind_of(owned.group(2)) != "org":
        found = _resolve_single(owned.group(2), registry, state) if " " not in owned.group(2) else None
        if found and found[0] in registry.people:
            return found
        return (owned.group(2), _org_name(owned.group(1)), "person of organisation") if " " in owned.group(2) else None
    described = re.match(r"^(?:[Tt]he )?((?:[A-Z][\w&’'.-]* ?)+)((?: [a-z][\w-]*){1,3})$", subject)
    if described and described.group(2).split()[-1] in _DESCRIPTORS | {"service", "pool", "board"}:
        category = described.group(2).split()[-1] in _DESCRIPTORS
        name = described.group(1).strip() if category else re.sub(r"^(?:[Tt]he) ", "", subject)
        if is_speaker_name(name) and kind_of(name) != "place":
            _remember_org(name, registry, state)
            return name, name, "organisation named by what it is"
    words = subject.split()
    tail = _person_tail(words)
    prefix = words[: len(words) - len(tail)]
    if len(tail) >= 2 and kind_of(" ".join(tail)) == "person":
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
        person = registry.by_surname(tail[0], title=prefix[-1])
        if person:
            state["person"] = person
            return person, registry.org_of(person), "title+surname->full name in document"
        written = f"{prefix[-1].rstrip('.')} {tail[0]}"
        registry.add_person(written)
        state["person"] = written
        return written, None, "title+surname as written"
    named = _org_name(subject) if any(w[:1].isupper() for w in words) else ""
    if named and bare(named.split()[-1]) in _OFFICE_HOLDERS and kind_of(named) == "org":
        return None
    if named and len(tail) < 2 and kind_of(named) in {"org", "place"} and (not tail or named.endswith(tail[0])):
        if kind_of(named) == "place":
            if re.sub(r"^(?:[Tt]he) ", "", subject) != named:
                return None
            registry.add_place(named)
            return named, None, "place"
        fuller = sorted(
            (
                o
                for o in registry.orgs
                if o.startswith(named + " ")
                and " and " not in o[len(named) :]
                and bare(o.split()[-1]) in CORPORATE_SUFFIXES
            ),
            key=len,
        )
        if fuller and all(o.startswith(fuller[0]) for o in fuller):
            named = fuller[0]
        _remember_org(named, registry, state)
        return named, named, "organisation name"
    if len(tail) == 1 and not prefix:
        return _resolve_single(tail[0], registry, state)
    if tail and prefix and prefix[-1] in _DESCRIPTORS:
        name = " ".join(tail)
        _remember_org(name, registry, state)
        return name, name, "organisation named by what it is"
    if len(tail) == 1 and prefix and bare(prefix[-1]) in ROLE_WORDS:
        return _resolve_single(tail[0], registry, state)
    if prefix and not tail:
        person = registry.by_role(subject)
        if person:
            state["person"] = person
            return person, registry.org_of(person), "role->person named with it in document"
        role_words = [w for w in words if w.lower() not in {"the", "a", "an"}]
        if len(role_words) >= 2 and all(w[:1].isupper() and w.lower() in ROLE_WORDS for w in role_words):
            written = " ".join(role_words)
            registry.add_person(written)
            state["person"] = written
            return written, None, "role as written"
    return None


def _resolve_single(word: str, registry: Registry, state: dict) -> tuple[str | None, str | None, str] | None:
    """One name word: a surname of a person named in full here, the first word of an organisation named here, a
    title form named here ("President Reagan"), or the word as written when it names someone."""
    word = word.removesuffix("’s").removesuffix("'s") if not word.endswith(("'s", "’s")) else word
    if not name_of(word):
        return None
    person = registry.by_surname(word)
    if person:
        state["person"] = person
        return person, registry.org_of(person), "surname->full name in document"
    orgs = sorted({o for o in registry.orgs if o.split()[0] == word and o != word and _strong_org(o)}, key=len)
    if orgs and all(o.startswith(orgs[0]) for o in orgs):
        _remember_org(orgs[0], registry, state)
        return orgs[0], orgs[0], "first word->organisation in document"
    titled = {n for n in registry.people if n.split()[-1] == word and bare(n.split()[0]) in TITLES}
    namesakes = [n for n in registry.full_names() if n.split()[-1] == word]
    if len(titled) == 1 and not namesakes:
        person = titled.pop()
        state["person"] = person
        return person, None, "surname->title form in document"
    family_first = {n for n in registry.full_names() if n.split()[0] == word}
    if len(family_first) == 1 and not namesakes and not titled:
        person = family_first.pop()
        state["person"] = person
        return person, registry.org_of(person), "family name first->full name in document"
    if not is_speaker_name(word):
        return None
    if titled or namesakes or re.search(r"\b(?:he|she|his|her|him)\b", state.get("after", "")):
        registry.add_person(word)
        state["person"] = word
        return word, None, "surname as written"
    company = re.compile(
        rf"\b(?:firm|company|giant|maker|group|supplier|manufacturer|rival|retailer|bank|union|agency) "
        rf"{re.escape(word)}\b"
        rf"|\b{re.escape(word)}(?:[’']s)? (?:shares|profits?|revenues?|sales|chief|boss|spokes\w+|statement)\b"
    )
    if (
        state.get("according")
        or re.match(r"^\s*(?:that )?(?:it|its)\b", state.get("after", ""))
        or word.endswith(("'s", "’s"))
        or company.search(state.get("text", ""))
        or bare(word) in ORG_WORDS
    ):
        _remember_org(word, registry, state)
        return word, word, "single name as written, an organisation (said it)"
    _remember_org(word, registry, state)
    return word, word, "single name as written (no person named so)"


def _unnamed_person(words: list[str]) -> bool:
    """ "a senior British official", "A former TRW Inc controller": someone described, not named."""
    last = words[-1].lower().strip(",.") if words else ""
    return last in ROLE_WORDS | _ANONYMOUS | {"aide", "source", "controller", "prosecutor"} and not last.startswith(
        "spokes"
    )


def _anonymous(words: list[str]) -> bool:
    """ "traders", "Bank officials", "Dealers in Japan": people who are not named."""
    if any(w.islower() and bare(w) in _ANONYMOUS for w in words):
        return True
    return bool(words) and bare(words[0]) in _ANONYMOUS and (len(words) == 1 or words[1].islower())


def _strong_org(name: str) -> bool:
    """An organisation by its own words (an organisation word or suffix), not only by its shape."""
    return " and " not in name and any(bare(w) in ORG_WORDS | CORPORATE_SUFFIXES for w in name.split()[1:])


def _remember_org(name: str, registry: Registry, state: dict) -> None:
    registry.add_org(name)
    state["last_org"] = name


def _last_org(registry: Registry, state: dict, noun: str | None = None) -> str | None:
    """The organisation an "it" or "the company" means: the last one quoted or opening a sentence, else the first
    one this document names; for "the bank" or "the union", one whose name says it is one."""

    def fits(org: str) -> bool:
        if noun is None or noun in _COMPANY_NOUNS:
            words = {bare(w) for w in org.split()}
            return noun is None or bare(org.split()[-1]) in CORPORATE_SUFFIXES or bool(words & _COMPANY_WORDS)
        return noun in org.lower() or (noun == "government" and "ministry" in org.lower())

    if state["last_org"] and fits(state["last_org"]):
        return state["last_org"]
    seen = state["seen"]
    named = sorted((seen.find(o), o) for o in registry.orgs if o in seen and kind_of(o) == "org" and fits(o))
    if noun is not None and noun not in _COMPANY_NOUNS:
        return named[-1][1] if named else None
    return named[0][1] if named and not state["last_org"] else None


def _opening_name(sentence: str, registry: Registry, state: dict) -> None:
    """A sentence that opens with a person or organisation this document named makes it the one a following "he"
    or "it" most likely means."""
    words = plain_text(sentence).split()[:4]
    for n in range(min(4, len(words)), 0, -1):
        name = re.sub(r"[’']s$", "", " ".join(words[:n])).rstrip(",.")
        if name in registry.orgs and kind_of(name) == "org":
            state["last_org"] = name
            return
        person = name if name in registry.full_names() else registry.by_surname(name) if n == 1 else None
        if person and kind_of(person) == "person":
            state["person"] = person
            return


def _last_person(registry: Registry, state: dict) -> str | None:
    """The person a "he" or "she" most likely means: the last one quoted or opening a sentence; failing that, the
    one person this document has named so far, if only one."""
    if state["person"]:
        return state["person"]
    named = {n for n in registry.full_names() if n in state["seen"]}
    return named.pop() if len(named) == 1 else None
