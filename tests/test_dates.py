import pytest

from archive.dates import DateError, parse_date


@pytest.mark.parametrize(
    "written, iso",
    [
        ("2025-02-10", "2025-02-10"),
        ("2025-02-10T08:00:00Z", "2025-02-10"),
        ("10 February 2025", "2025-02-10"),
        ("February 10, 2025", "2025-02-10"),
        ("2 Mar 1987", "1987-03-02"),
        ("Mon, 10 Feb 2025 08:00:00 +0000", "2025-02-10"),
        ("1987/03/02", "1987-03-02"),
        ("25/02/1987", "1987-02-25"),
        ("02/25/1987", "1987-02-25"),
    ],
)
def test_dates_in_the_forms_news_sources_use_are_read_as_iso(written, iso):
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    "written, why",
    [
        ("yesterday", "not a date"),
        ("2025-02-30", "not a real date"),
        ("03/02/1987", "ambiguous"),
        ("", "empty"),
    ],
)
def test_dates_that_would_need_a_guess_are_refused_with_the_accepted_forms(written, why):
    with pytest.raises(DateError) as raised:
        parse_date(written)
    assert why in str(raised.value) and "ISO 8601" in str(raised.value) and "2 March 1987" in str(raised.value)
