"""Who said what: quotes and reported statements in a document and the person or organisation each is attributed to.

A careful rule set, no model: quote spans (curly or straight marks, a quote that runs on into the next paragraph),
the sentence around each quote with the quotes masked, a speech verb in it and its subject ("X said: “…”",
"“…”, X said", "X said on Tuesday that …", "according to X", "X told reporters"), pronouns ("he said", "it said")
resolved to the last person or organisation named, and surnames, titles and roles ("Reagan", "Ms Cooper", "the home
secretary") resolved to a full name only when this document names that person in full (the rules are in
archive.quote_rules). Nothing here is resolved from other documents, so what a document says of its speakers never
depends on what else was ingested, or in what order; a name that cannot be resolved is kept as written ("President
Reagan"), and a quote whose speaker cannot be found is kept unattributed. Each attribution carries its evidence (the
words naming the speaker) and the rule that used them. Linking a name kept as written to a person other documents
name, with that evidence, is archive.linking's job, done after ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from archive.chunking import split_sentences
from archive.entities import (
    FUNCTION_WORDS,
    HONORIFICS,
    ORG_WORDS,
    PLACES,
    ROLE_WORDS,
    TITLES,
    bare,
    is_name_token,
    is_speaker_name,
    kind_of,
    rank_of,
    strip_lead,
)
from archive.names import Registry, normal_role
from archive.quote_rules import (
    DESCRIPTORS,
    HEADLINE_VERB,
    NAME_RUN,
    SENTENCE_BREAK,
    Context,
    full_name_of,
    org_name,
    person_tail,
    resolve_subject,
    unnamed_person,
)

__all__ = ["HONORIFICS", "Quote", "Registry", "extract_quotes", "learn_names", "place_quotes", "quote_spans"]

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
_CLAUSE_WORDS = set(
    """
    after although are be because been before but by can could from had has have however if is may might said said.
    says should since so than that then though to until was were when where whereas which while will with would yet
    """.split()
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
    """Each quote with the position of the chunk that holds it: of the chunks of its paragraph (or of the chunk a
    short paragraph was joined into, which starts at an earlier one), the one containing its words."""
    placed = []
    for quote in quotes:
        starts = [c.paragraph for c in chunks if c.paragraph <= quote.paragraph]
        candidates = [c for c in chunks if starts and c.paragraph == max(starts)]
        holder = next((c for c in candidates if quote.text[:40] in c.text), candidates[0] if candidates else None)
        placed.append((holder.position if holder is not None else None, quote))
    return placed


def learn_names(text: str, registry: Registry) -> None:
    """Names met in one document's raw text (captions included): "Home Secretary Yvette Cooper", "Nigel
    Farage's", "Texaco Inc", "President Reagan"."""
    text = plain_text(text)
    for run in (
        piece
        for m in NAME_RUN.finditer(text)
        for part in SENTENCE_BREAK.split(m.group(0))
        for headline in HEADLINE_VERB.split(part)
        for piece in _owner_split(headline)
    ):
        run = strip_lead(re.sub(r"\s*\([^()]*\)$", "", run.rstrip(".,’'")))  # "John Burton (D-San Francisco)"
        of_place = re.match(r"^(.+?) (?:of|from) (?:the )?(.+)$", run)  # "Olivier Rochus of Belgium"
        if of_place and of_place.group(2).lower() in PLACES and kind_of(of_place.group(1)) == "person":
            run = of_place.group(1)
        words = run.split()
        tail = person_tail(words)
        if len(words) == 2 and bare(words[0]).rstrip(".") in TITLES and is_name_token(words[1]):
            registry.add_person(run.replace(".", "", 1) if words[0].endswith(".") else run)
        elif len(words) >= 2 and kind_of(run) == "org" and not tail:
            registry.add_org(org_name(run))
        elif len(tail) >= 2 and kind_of(" ".join(tail)) == "person":
            # "Gov. Gray Davis": the rank is a role, so "Gov. Davis" and "the governor" can mean him
            rank = bare(words[len(words) - len(tail) - 1]).rstrip(".") if len(words) > len(tail) else ""
            registry.add_person(" ".join(tail), rank_of(rank) if rank in TITLES - HONORIFICS else None)
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
            registry.add_person(name, normal_role(role))
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


def extract_quotes(
    paragraphs: Iterable[str], registry: Registry, entities: dict[str, str] | None = None
) -> list[Quote]:
    """Quotes and reported statements of one document in reading order, each with its speaker (None where no
    rule finds one). `registry` holds this document's names (learn_names); speakers found are added to it.
    `entities`: what a trained model calls the document's names (archive.ner), for single names the rules
    cannot type."""
    quotes: list[Quote] = []
    paragraphs = list(paragraphs)
    state = Context("\n\n".join(paragraphs), entities=entities or {})
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
            state.seen += " " + paragraph[begin:end]
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
                    who = full_name_of(registry, owner.group(1).split()[-1]) or owner.group(1)
                    who_org, how, rule = registry.org_of(who), owner.group(0), "possessive"
                # a quote continues the last speaker's words only if its sentence names no other speaker we failed
                # to read ("..., said Berliner Handels- und Frankfurter Bank economist Hermann Remsperger")
                if who is None and paragraph.lstrip().startswith(("“", '"')) and quotes and not _SAYS.search(sentence):
                    who, who_org, how, rule = quotes[-1].speaker, quotes[-1].org, "continued", "continued quote"
                evidence = (quotes[-1].evidence if how == "continued" and quotes else how) if who else None
                quotes.append(Quote(number, text, who, who_org, how, "direct", evidence, rule if who else None))
    return quotes


def _attribute(
    sentence: str, registry: Registry, state: Context, reported: bool
) -> tuple[str, str | None, str, str] | None:
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
        state.according = True
        found = resolve_subject(phrase, registry, state)
        state.according = False
        if found and found.speaker is not None:
            return found.speaker, found.org, according.group(1).strip(), "according to X/" + found.method
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
        state.after = after
        found = resolve_subject(subject, registry, state)
        if found is None:
            if re.match(r"(?i)^(?:a|an|one|the)\b", subject) and unnamed_person(subject.split()):
                state.person = None
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
        len(person_tail(titled.group(1).split())) >= 2
        or (titled.group(2) in ROLE_WORDS and len(person_tail(titled.group(1).split())) == 1)
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
        lead_in = (clean.lower() in ROLE_WORDS or clean.lower() in DESCRIPTORS or (i < 2 and clean.islower())) and (
            is_name_token(following.rstrip(",.;:")) or following.lower().rstrip(",.;:") in ROLE_WORDS | DESCRIPTORS
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


def _opening_name(sentence: str, registry: Registry, state: Context) -> None:
    """A sentence that opens with a person or organisation this document named makes it the one a following "he"
    or "it" most likely means."""
    words = plain_text(sentence).split()[:4]
    for n in range(min(4, len(words)), 0, -1):
        name = re.sub(r"[’']s$", "", " ".join(words[:n])).rstrip(",.")
        if name in registry.orgs and kind_of(name) == "org":
            state.last_org = name
            return
        full = registry.indexed_full_names().names
        person = name if name in full else full_name_of(registry, name) if n == 1 else None
        if person and kind_of(person) == "person":
            state.person = person
            return
