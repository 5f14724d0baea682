from archive.cleaning import clean, is_boilerplate, split_paragraphs
from archive.documents import RawRecord
from archive.readers import read_file

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


