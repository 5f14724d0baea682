import json
from pathlib import Path

import pytest

from archive.cleaning import clean, is_boilerplate, is_table_line, is_wire_trailer, split_paragraphs
from archive.documents import RawRecord
from archive.readers import read_file, record_from_mapping

BOILERPLATE = ("Your support helps us", "open image in gallery", "paywalls", "Jordan Pettitt/PA", "![", "](http")


def cleaned_seed(seeds, prefix):
    path = next(seeds.glob(f"{prefix}_*.txt"))
    (record,), _ = read_file(path)
    return clean(record)


def test_seed_000_gets_its_date_from_the_leading_date_line(seeds):
    assert cleaned_seed(seeds, "000").date == "2025-02-10"


def test_no_boilerplate_survives_in_any_seed(seeds):
    for prefix in ("000", "001", "002"):
        text = "\n".join(cleaned_seed(seeds, prefix).paragraphs)
        for phrase in BOILERPLATE:
            assert phrase not in text, (prefix, phrase)


def test_seed_000_keeps_the_story_paragraphs_in_order(seeds):
    paragraphs = cleaned_seed(seeds, "000").paragraphs
    assert paragraphs[0].startswith("Yvette Cooper has doubled down")
    assert any(p.startswith("Enver Solomon, the chief executive") for p in paragraphs)


def test_run_together_quotes_lose_the_stray_full_stop(seeds):
    text = "\n".join(cleaned_seed(seeds, "001").paragraphs)
    assert ".”." not in text and "enforced.” The Refugee Council" in text


def test_captions_credits_and_appeals_are_boilerplate_on_any_site():
    assert is_boilerplate("Open image in gallery Flooded streets in York (John Smith/Getty)")
    assert is_boilerplate("A firefighter at the scene (Jane Doe/Reuters)")
    assert is_boilerplate("Sign up to our free newsletter for your daily briefing")
    assert is_boilerplate(
        "We rely on readers like you. Your donation keeps our independent journalism free of paywalls."
    )
    assert not is_boilerplate("The newspaper said it would introduce a paywall for subscribers next year.")
    assert not is_boilerplate("The minister said the figures were “deeply worrying”.")


def test_headline_line_becomes_the_title_and_markdown_is_stripped():
    text = "# Floods close schools\n\nSchools in **York** closed, [says](https://x.org) council."
    record = RawRecord(origin="x.md", text=text)
    cleaned = clean(record)
    assert cleaned.title == "Floods close schools"
    assert cleaned.paragraphs == ("Schools in York closed, says council.",)


def test_bbc_style_first_line_is_a_headline():
    cleaned = clean(RawRecord(origin="b.txt", text="Ad sales boost profits\n\nQuarterly profits rose.\n\nMore text."))
    assert cleaned.title == "Ad sales boost profits"
    assert cleaned.paragraphs == ("Quarterly profits rose.", "More text.")


def test_hard_wrapped_lines_are_joined_but_paragraph_lines_are_kept():
    wrapped = "This paragraph was wrapped\nat a fixed width by some\nold tool and continues\nhere."
    assert split_paragraphs(wrapped) == [" ".join(wrapped.split())]
    assert split_paragraphs("First paragraph ends.\nSecond one ends.") == ["First paragraph ends.", "Second one ends."]


def test_wire_sign_offs_and_credit_lines_are_not_paragraphs():
    text = (
        "Oil prices rose on Tuesday after the cartel agreed to cut output.\n\n"
        "(Reporting by Jane Doe in London; Editing by John Smith)\n\nREUTER"
    )
    assert clean(RawRecord("wire", text, title="OIL")).paragraphs == (
        "Oil prices rose on Tuesday after the cartel agreed to cut output.",
    )


def test_rows_of_figures_stay_with_the_paragraph_before_them():
    text = (
        "Acme Corp said its results improved on higher sales.\n\nShr 1.45 dlrs vs 1.37 dlrs\n\n"
        "Net 5.4 mln vs 3.2 mln\n\nRevs 100.1 mln vs 90.2 mln\n\nThe company said it expects growth."
    )
    assert clean(RawRecord("wire", text, title="ACME RESULTS")).paragraphs == (
        "Acme Corp said its results improved on higher sales. Shr 1.45 dlrs vs 1.37 dlrs; Net 5.4 mln vs 3.2 mln; "
        "Revs 100.1 mln vs 90.2 mln",
        "The company said it expects growth.",
    )


def test_a_story_that_is_only_a_table_becomes_one_paragraph_with_its_label():
    text = "Year\n\nShr 1.45 dlrs vs 1.37 dlrs\n\nNet 5.4 mln vs 3.2 mln"
    assert clean(RawRecord("wire", text, title="ACME YEAR")).paragraphs == (
        "Year; Shr 1.45 dlrs vs 1.37 dlrs; Net 5.4 mln vs 3.2 mln",
    )


def test_page_numbers_follow_the_paragraphs_that_survive_cleaning():
    text = (
        "Annual report\n\nRevenue grew in every region last year.\n\nPhoto: the head office\n\n"
        "Costs were kept flat by the new plant."
    )
    cleaned = clean(RawRecord("report.pdf", text, meta={"pages": [1, 1, 2, 3]}))
    assert cleaned.title == "Annual report"
    assert cleaned.paragraphs == ("Revenue grew in every region last year.", "Costs were kept flat by the new plant.")
    assert cleaned.meta["pages"] == [1, 3]


def test_no_reuters_paragraph_is_only_a_sign_off_or_a_lone_row_of_figures():
    corpus = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters21578" / "reuters21578.jsonl"
    if not corpus.exists():
        pytest.skip(f"{corpus} is absent (shared Reuters data)")
    lone_rows = 0
    with corpus.open(encoding="utf-8") as lines:
        for number, line in zip(range(500), lines, strict=False):
            paragraphs = clean(record_from_mapping(json.loads(line), str(number))).paragraphs
            assert not any(is_wire_trailer(p) for p in paragraphs), number
            lone_rows += sum(1 for p in paragraphs if is_table_line(p) and "; " not in p and len(paragraphs) > 1)
    assert lone_rows <= 5
