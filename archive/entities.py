"""What a name in a news story is: a person, an organisation or a place, from the words of the name itself.

Rules, no model: an organisation is named with an organisation word ("Bank", "Embassy", "Ministry", "Council"), a
corporate suffix ("Co", "Ltd", "Inc"), an acronym ("OPEC", "GM"), a possessive agency ("Moody's") or two names
joined by "and" ("Duff and Phelps"); a place is a country or capital; a person is two or three name words none of
which is one of those. A single bare word is typed by how the document names it elsewhere (see archive.quotes).
"""

from __future__ import annotations

import re
from functools import lru_cache

ORG_WORDS = set(
    """
    countries exporting producers nations
    power tool tools co-op statistics information micro line worldwide industrial banken
    administration agency agriculture airline airlines airways alliance army associates association authorities
    authority banca banco bancorp bancshares bank banks banque beef board brands brewing broadcasting bros brothers
    bureau cabinet campaign capital chamber charity chemical chemicals chronicle church club coalition college
    commerce commission committee communications company computer computers congress conservatives consulate
    consultants corp corporation council court credit data department directorate electric electronics embassy
    energy engineering enterprises exchange facilities fed federation finance financial foods foundation fund gas
    gazette gmbh
    government greens group herald holdings hospital house inc industries industry institute institution insurance
    international investors journal laboratories labour league llc ltd magazine management markets measurements
    media mills mines mining ministry mirror motor motors navy network news newspaper office oil organisation
    organization parliament partners party petroleum pharmaceuticals plc police post press products radio railroad
    railway records reform research reserve resources review savings school sciences secretariat securities senate
    service services shipping society steel stores studios systems team technologies technology telecom telegraph
    telephone television terminal terminals times tories treasury tribune trust tv union university workers
    """.split()
)

CORPORATE_SUFFIXES = set(
    """
    ab ag bhd bv cia co corp corporation cos gmbh inc kk llc lp ltd ltda nv oy plc pty sa sae spa
    """.split()
)

PLACES = set(
    """
    u.s u.k
    atlanta chicago houston dallas boston detroit toronto sydney frankfurt zurich milan madrid rome seoul manila
    jakarta bangkok lagos nairobi johannesburg lima caracas bogota
    afghanistan algeria argentina australia austria baghdad bangladesh beijing belgium bolivia bonn brazil britain
    brussels bulgaria cairo canada canberra chile china colombia cuba delhi denmark ecuador egypt england ethiopia
    europe finland france geneva germany ghana greece hungary india indonesia iran iraq ireland israel italy japan
    jordan kenya korea kuwait lebanon libya london malaysia mexico morocco moscow netherlands nigeria norway ottawa
    pakistan paris peking peru philippines poland portugal qatar riyadh romania russia scotland singapore spain
    sweden switzerland syria taiwan tehran thailand tokyo tunisia turkey u.k. u.s. uk ukraine us venezuela vietnam
    wales washington wellington zambia zimbabwe
    """.split()
) | {
    "east asia",
    "east berlin",
    "east germany",
    "far east",
    "hong kong",
    "latin america",
    "middle east",
    "new delhi",
    "new south wales",
    "new zealand",
    "north america",
    "north korea",
    "saudi arabia",
    "south africa",
    "south america",
    "south korea",
    "soviet union",
    "sri lanka",
    "united kingdom",
    "united states",
    "west berlin",
    "west germany",
}

ROLE_WORDS = set(
    """
    lawyer attorney
    pro tem tempore assemblyman assemblywoman assemblymember councilman councilwoman congressman congresswoman
    vice-president vice-chairman accountant
    acting affiliate ambassador analyst analysts assistant attorney boss captain ceo cfo chair chairman chairperson
    chairwoman chancellor chief co-leader coach commissioner coo counsel currency delegate democrat democrats deputy
    director economist economists envoy executive foreign former founder general governor head home judge justice
    king lead leader legislator manager managing mayor minister mp officer official parent partner permanent premier
    president prime prince professor queen rep representative republican republicans secretary sen senator senior
    shadow sheikh speaker spokesman spokesperson spokeswoman staff star state striker subsidiary trade treasurer
    under undersecretary unit vice
    """.split()
)

TITLES = set(
    """
    chairman chancellor dame dr father gen general gov governor judge king lady lord minister miss mr mrs ms pope
    premier president prince prof professor queen rep rev secretary sen senator sheikh sir
    """.split()
)

HONORIFICS = set("dame dr lady lord miss mr mrs ms prof professor sir".split())
# A rank as a title abbreviates it ("Gov. Davis"); as a role it is written out ("the governor").
RANKS = {"gen": "general", "gov": "governor", "pres": "president", "rep": "representative", "sen": "senator"}

FUNCTION_WORDS = set(
    """
    one two three four five six seven eight nine ten
    about against amid among assuming despite during either except given including like neither nor unless unlike
    until whether within without
    a according addressing after all also although an and as asked at because before both but by each earlier even
    every for from further furthermore he hence her here his however i if in indeed instead it its last later many
    meanwhile moreover most my noting now of on once only or other others our reuter reuters said says separately she
    since so some sources speaking still such that the their then there these they this those though thus to today
    unlike we what when where which while who with writing yesterday yet your
    """.split()
)

GENERIC_SPEAKERS = set(
    """
    mon tue tues wed thu thur thurs fri capt col lt maj sgt lawmakers legislators opponents regulators supporters
    businessmen commentators officers respondents underwriters undersecretary monday tuesday wednesday thursday
    friday saturday sunday january february march april june july august september october november december
    australian dutch japanese soviet american british french german italian chinese canadian swiss swedish spanish
    mexican brazilian indian korean another asia europe africa
    dollar huh
    agency analysts authorities bank bankers brokers company critics dealers delegates diplomats economists everyone
    executives experts exporters farmers firm government group he i importers industry investors it members
    ministers ministry newspaper nobody observers officials one operators others paper participants people police
    producers report reporters reports residents she shippers someone source sources spokesman spokesperson
    spokeswoman statement that there these they this those traders unions we who witnesses workers you
    """.split()
)

# First words that make a two-word name an organisation or a place rather than a person ("First Federal",
# "Great Western", "West Berlin", "Le Soir").
ORG_FIRST_WORDS = set(
    """
    american british national united general federal royal standard continental pacific atlantic first great
    international deutsche union allied consolidated amalgamated associated global universal le el
    """.split()
)
PLACE_FIRST_WORDS = {"north", "south", "east", "west", "far", "central", "northern", "southern", "eastern", "western"}

_ACRONYM = re.compile(r"^(?:[A-Z]{2,6}|[A-Z](?:\.[A-Z])+\.?|[A-Z][A-Z&-]+[A-Z])$")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zA-Z’'-]+|[A-Z]\.|[A-Z][a-z]*[A-Z][a-zA-Z]*|Mc[A-Z][a-z]+)$")


def name_of(text: str) -> str:
    """A name as stored: single spaces, nothing around it; "" when it has no letter or digit (a stray "’s" or
    "&" is nobody's name)."""
    name = " ".join(text.split())
    return name if any(ch.isalnum() for ch in re.sub(r"[’']s$", "", name)) else ""


def bare(word: str) -> str:
    """A word lowered, without a possessive or trailing punctuation."""
    return word.lower().strip(".,;:").removesuffix("’s").removesuffix("'s")


def is_name_token(word: str) -> bool:
    """A word that can be part of a name: capitalised, an initial, an acronym; not "Houston-based"."""
    return (bool(_NAME_TOKEN.match(word)) and not re.search(r"-[a-z]", word)) or is_acronym(word)


def is_acronym(word: str) -> bool:
    return bool(_ACRONYM.match(word.removesuffix("'s").removesuffix("’s")))


def strip_lead(name: str) -> str:
    """A name without stray leading words ("But Lukman" -> "Lukman", "All GM" -> "GM", "The Bank" -> "Bank")."""
    words = name.split()
    while len(words) > 1 and (words[0].lower() in FUNCTION_WORDS or not words[0][:1].isupper()):
        words.pop(0)
    return " ".join(words)


@lru_cache(maxsize=65536)
def kind_of(name: str) -> str | None:
    """ "org", "place" or "person" for a cleaned name; None where its words alone do not tell. Remembered: a
    long document asks about the same few hundred names many times."""
    words = name.split()
    if not words:
        return None
    lowered = [bare(w) for w in words]
    if " ".join(lowered) in PLACES:
        return "place"
    if any(w in ORG_WORDS for w in lowered) or lowered[-1] in CORPORATE_SUFFIXES:
        return "org"
    if any(is_acronym(w) and w.lower() not in PLACES for w in words) or "&" in words:
        return "org"
    if len(words) >= 3 and any(w in {"and", "of", "for"} for w in lowered[1:-1]):
        return "org"
    if any(w.endswith(("'s", "’s")) for w in words):
        return "org"
    if all(bare(w) in PLACES or w in {"and", "&", "of"} for w in words):
        return "place"
    parts = [p.strip() for p in re.split(r"\band\b|&", name.lower())]
    if len(parts) > 1 and all(p in PLACES for p in parts):
        return "place"
    if any(w.endswith(("bank", "corp", "tech")) and len(w) > 6 for w in lowered):
        return "org"
    if len(words) >= 2 and lowered[0] in ORG_FIRST_WORDS:
        return "org"
    if len(words) >= 2 and lowered[0] in PLACE_FIRST_WORDS:
        return "place"
    if len(words) >= 2 and lowered[0].rstrip(".") in TITLES:
        return "person"
    names = [w for w in words if w not in {"du", "de", "van", "von", "der", "da", "di", "bin", "al", "dos", "del"}]
    if 2 <= len(names) <= 4 and all(is_name_token(w) for w in names):
        return "person"
    return None


def rank_of(title: str) -> str:
    """A title as the role it names: "Gov." -> "governor", "President" -> "president"."""
    plain = bare(title).rstrip(".")
    return RANKS.get(plain, plain)


def is_speaker_name(name: str) -> bool:
    """A name a journalist could print: it has letters, starts with a capital and is not a generic noun."""
    if not name or not re.search(r"[A-Za-z]{2}", name) or not name[0].isupper():
        return False
    words = name.split()
    if words[0].lower() in FUNCTION_WORDS or bare(words[0]) in CORPORATE_SUFFIXES:
        return False
    if len(words) == 1 and (bare(words[0]) in ORG_WORDS or re.fullmatch(r"[A-Z]\.[A-Z]\.?", words[0])):
        return False
    return not (len(words) == 1 and bare(words[0]) in GENERIC_SPEAKERS)
