"""Whatever text arrives, cleaning, reflowing and chunking never raise and never invent words."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.chunking import chunk_document
from archive.cleaning import clean
from archive.documents import RawRecord
from archive.reflow import mark_headers, reflow, text_wrap_width

# Text built from the pieces real mail and news are made of, plus anything unicode at all.
PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "> ",
        ">> ",
        "> > ",
        "-----Original Message-----",
        "From: Kean, Steven",
        "Sent: Tuesday",
        "To: ",
        "Subject: RE:",
        "cc:",
        "---------------------- Forwarded by X on 05/07/2001 07:26 AM",
        "05/03/2001 05:44 AM",
        "“",
        "”",
        '"',
        "'",
        "‘",
        "said",
        "Mr.",
        "Dave,",
        "Thanks,",
        "- ",
        "1. ",
        "\t",
        "    ",
        "=20",
        "-----",
        "Shr 1.45 dlrs vs 1.37 dlrs",
        "REUTER",
        "date 2025-02-10",
        "# ",
        "![x](y)",
    ]
)
WORDS = st.text(min_size=0, max_size=12)
TEXT = st.lists(st.one_of(PIECES, WORDS, st.text(max_size=80)), max_size=60).map(" ".join)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def words_of(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@FUZZ
@given(TEXT)
def test_reflow_never_raises_and_never_invents_words(text):
    paragraphs = reflow(mark_headers(text), text_wrap_width(text))
    for paragraph in paragraphs:
        assert paragraph.text and "\n" not in paragraph.text and paragraph.quoted >= 0
        assert words_of(paragraph.text) <= words_of(text)


@FUZZ
@given(TEXT, st.one_of(st.none(), st.text(max_size=40)))
def test_cleaning_any_text_never_raises(text, title):
    cleaned = clean(RawRecord("fuzz.txt", text, title=title))
    assert all(p and p == p.strip() for p in cleaned.paragraphs)
    quoted = cleaned.meta.get("quoted")
    assert quoted is None or len(quoted) == len(cleaned.paragraphs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(WORDS, TEXT), max_size=12), st.integers(min_value=1, max_value=20))
def test_chunking_keeps_every_word_in_order_whatever_the_paragraphs(embedder, paragraphs, min_words):
    paragraphs = [" ".join(p.split()) for p in paragraphs if p.split()]
    chunks = chunk_document("d", "t", paragraphs, embedder.count_tokens, 64, 16, min_words=min_words)
    assert " ".join(c.text for c in chunks).split() == " ".join(paragraphs).split()
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert all(0 <= c.paragraph < max(1, len(paragraphs)) for c in chunks)
