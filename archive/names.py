"""The people, organisations and places a document or the archive names, split by job.

`Names` stores them (full names with the roles and organisations they were named with); `ChangeLog` tracks which
were added or changed since they were last saved; `SpeakerLookup` answers a user's "who is this speaker?" for
search and the speaker pages. `Registry` is the archive's (or one document's) set of names, holding the three.
Which full name a surname or role means *inside one document* is the attribution rules' job (archive.quote_rules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.entities import HONORIFICS, TITLES, bare, kind_of, name_of

_WORDS = re.compile(r"[\w’'-]+")
Row = tuple[str, str, list[str], list[str]]


def normal_role(role: str) -> str:
    """A role as stored: lower case, no article or possessive ("the Home Secretary" -> "home secretary")."""
    return " ".join(w for w in role.lower().replace("’s", "").split() if w not in {"the", "a", "an"})


class FullNames:
    """The full names among some names, indexed by last word and (three-word names not opening with an initial) by
    middle word."""

    def __init__(self, size: tuple[int, int], names: list[str]):
        self.size, self.names = size, names
        self.by_last: dict[str, list[str]] = {}
        self.by_middle: dict[str, list[str]] = {}
        for name in names:
            words = name.split()
            self.by_last.setdefault(bare(words[-1]), []).append(name)
            if len(words) == 3 and not re.fullmatch(r"[A-Z]\.", words[0]):  # "V. John White" is no "John"
                self.by_middle.setdefault(words[1], []).append(name)


class ChangeLog:
    """Names added or changed since the last save."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def note(self, name: str) -> None:
        self.names.add(name)

    def take(self, names: Names) -> list[Row]:
        """(name, kind, roles, orgs) of every name noted, to be saved, and forget them; a name met both as a person
        and as an organisation is an organisation, whatever order documents came in."""
        changed = []
        for name in sorted(self.names):
            entry = names.people.get(name, {"roles": [], "orgs": []})
            changed.append((name, names.kind(name), entry["roles"], entry["orgs"]))
        self.names.clear()
        return changed


@dataclass
class Names:
    """People, organisations and places, each stored once as `name_of` writes it (a blank name never is)."""

    people: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    changes: ChangeLog = field(default_factory=ChangeLog, repr=False, compare=False)
    _full: FullNames | None = field(default=None, repr=False, compare=False)

    def add_person(self, name: str, role: str | None = None, org: str | None = None) -> None:
        name = name_of(re.sub(r"[’']s$", "", name))
        if not name:
            return
        if name not in self.people:
            self.changes.note(name)
        entry = self.people.setdefault(name, {"roles": [], "orgs": []})
        for key, value in (("roles", role), ("orgs", org)):
            if value and value not in entry[key]:
                entry[key] = sorted([*entry[key], value])
                self.changes.note(name)

    def add_org(self, name: str) -> None:
        name = name_of(name)
        if name and name not in self.orgs:
            self.orgs.add(name)
            self.changes.note(name)

    def add_place(self, name: str) -> None:
        name = name_of(name)
        if name and name not in self.places:
            self.places.add(name)
            self.changes.note(name)

    def kind(self, name: str) -> str:
        """A name's kind; one named both ways is an organisation (the evidence for that is stronger)."""
        return "org" if name in self.orgs else "place" if name in self.places else "person"

    def merge(self, other: Names) -> None:
        """Add other names (one document's) to these."""
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

    def full_names(self) -> list[str]:
        """People named in full (not by title and surname), in the order first met."""
        return list(self.indexed_full_names().names)

    def indexed_full_names(self) -> FullNames:
        """The full names, indexed. Names are only ever added, so this is kept until the number of people or
        organisations changes (a long mail asks for it for every sentence)."""
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
            self._full = FullNames(size, full)
        return self._full

    def org_of(self, name: str) -> str | None:
        orgs = self.people.get(name, {}).get("orgs", [])
        return orgs[0] if orgs else None


class SpeakerLookup:
    """Which quoted speakers a user's words mean: a full name, a surname, a role or an organisation."""

    def __init__(self, names: Names, quoted: set[str]):
        self.names, self.quoted = names, quoted
        self._grams: dict[str, list[str]] | None = None

    def resolve(self, name: str) -> list[str]:
        """Every known speaker a user's name could mean: full name, surname, role ("the home secretary") or
        organisation, case-insensitively."""
        people = self.names.people
        wanted = " ".join(name.lower().replace("’", "'").split())
        wanted = re.sub(r"^(the|mr|mrs|ms|miss|dr|sir) ", "", wanted)
        found = [n for n in people if n.lower() == wanted or (" " in n and n.split()[-1].lower() == wanted)]
        others = self.names.orgs | self.names.places
        found += [o for o in others if o.lower() == wanted or o.lower().removeprefix("the ") == wanted]
        found += [n for n, e in people.items() if normal_role(wanted) in e["roles"]]
        return sorted(set(found))

    def mentioned_in(self, text: str) -> list[str]:
        """Speakers a query names: a full name, an unambiguous surname, or an organisation. Only speakers who
        were actually quoted count, looked up by the query's word n-grams."""
        words = _WORDS.findall(text.lower().replace("’s", "").replace("'s", ""))
        grams = {" ".join(words[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(words) - n + 1)}
        lookup = self._lookup()
        return sorted({name for gram in grams for name in lookup.get(gram, ())})

    def _lookup(self) -> dict[str, list[str]]:
        if self._grams is None:
            surnames: dict[str, list[str]] = {}
            for name in self.names.people:
                if " " in name and name in self.quoted:
                    surnames.setdefault(name.split()[-1].lower(), []).append(name)
            lookup: dict[str, list[str]] = {}
            for name in self.quoted:
                lookup.setdefault(name.lower(), []).append(name)
                if name in self.names.orgs and name.lower().startswith("the "):
                    lookup.setdefault(name.lower()[4:], []).append(name)
            for surname, names in surnames.items():
                # "Mr Farage" and "Nigel Farage" are one person; "Yvette Cooper" and "Andrew Cooper" are not
                firsts = {name.split()[0].lower().rstrip(".") for name in names}
                given, titles = firsts - HONORIFICS, firsts & HONORIFICS
                if len(given) <= 1 and len(titles) <= 1 and surname not in lookup:
                    lookup[surname] = names
            self._grams = lookup
        return self._grams


@dataclass
class Registry(Names):
    """People and organisations named, and which of them were quoted.

    Filled per document while quotes are extracted (attribution only ever looks at one document's names), then
    merged into the archive's registry, which answers "who is this speaker?" for search and the speaker pages.
    Merging is a union of sorted lists, so the archive's registry does not depend on ingest order either."""

    quoted: set[str] = field(default_factory=set)
    _lookup: SpeakerLookup | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_rows(cls, rows: Iterable[Row], quoted: Iterable[str]) -> Registry:
        """A registry from stored (name, kind, roles, orgs) rows and the names that were quoted."""
        registry = cls()
        for stored, kind, roles, orgs in rows:
            name = name_of(stored)
            if not name:
                continue
            if kind == "org":
                registry.orgs.add(name)
            elif kind == "place":
                registry.places.add(name)
            else:
                registry.people[name] = {"roles": list(roles), "orgs": list(orgs)}
        registry.quoted = set(quoted)
        return registry

    def take_changes(self) -> list[Row]:
        """(name, kind, roles, orgs) of every name added or changed since the last call, to be saved."""
        return self.changes.take(self)

    def merge(self, other: Names) -> None:
        super().merge(other)
        if isinstance(other, Registry):
            self.quoted |= other.quoted
        self._lookup = None

    def lookup(self) -> SpeakerLookup:
        if self._lookup is None:
            self._lookup = SpeakerLookup(self, self.quoted)
        return self._lookup

    def resolve(self, name: str) -> list[str]:
        return self.lookup().resolve(name)

    def mentioned_in(self, text: str) -> list[str]:
        return self.lookup().mentioned_in(text)
