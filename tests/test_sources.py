"""How much of the archive a source or date filter allows: the estimate that chooses how a filtered semantic
search runs (the neighbours filtered, or the allowed ids listed)."""

import pytest

from indexer.sources import Sources

# 400 documents over 2004 (a leap year, 366 days): 300 from Reuters (two spellings), 100 from the BBC
ARCHIVE = Sources(
    names={"reuters": "Reuters", "bbc": "BBC"},
    documents={"reuters": 300, "bbc": 100},
    total=400,
    first="2004-01-01",
    last="2004-12-31",
)


@pytest.mark.parametrize(
    ("source", "date_from", "date_to", "share"),
    [
        (None, None, None, 1.0),
        ("REUTERS", None, None, 0.75),
        ("bbc", None, None, 0.25),
        ("Daily Planet", None, None, 0.0),
        (None, "2004-01-01", "2004-01-01", 1 / 366),
        (None, "2004-07-01", None, 184 / 366),
        (None, None, "2003-12-31", 0.0),
        (None, "2000-01-01", "2010-12-31", 1.0),
        ("bbc", "2004-01-01", "2004-01-31", 0.25 * 31 / 366),
    ],
)
def test_a_filter_allows_the_source_share_times_the_share_of_the_time_span(source, date_from, date_to, share):
    assert ARCHIVE.share(source, date_from, date_to) == pytest.approx(share)


def test_an_archive_without_dates_counts_a_date_filter_as_allowing_everything():
    undated = Sources(documents={"bbc": 5}, total=10)
    assert undated.share(None, "2004-01-01", "2004-01-02") == 1.0
    assert undated.share("BBC", "2004-01-01", None) == 0.5
