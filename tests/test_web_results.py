"""What the search page draws beside its results: the histogram's bars, who speaks, meta highlights."""

from archive.documents import StoredQuote
from indexer.facets import FacetValue, facet_fields
from web.results import date_range, histogram, meta_highlights, speakers_by_chunk


def facets(years: dict[str, int], months: dict[str, int]) -> dict[str, list[FacetValue]]:
    return {
        "year": [FacetValue(k, v) for k, v in years.items()],
        "month": [FacetValue(k, v) for k, v in months.items()],
    }


def test_results_within_three_years_get_a_bar_per_month_with_the_empty_months_between():
    drawn = histogram(facets({"2023": 4, "2024": 1}, {"2023-11": 4, "2024-02": 1}))
    assert drawn.unit == "month"
    assert [(bar.value, bar.count, bar.step) for bar in drawn.bars] == [
        ("2023-11", 4, 20),
        ("2023-12", 0, 0),
        ("2024-01", 0, 0),
        ("2024-02", 1, 5),
    ]
    assert (drawn.bars[-1].date_from, drawn.bars[-1].date_to) == ("2024-02-01", "2024-02-29")
    assert drawn.bars[0].label == "Nov 2023"


def test_results_over_more_than_three_years_get_a_bar_per_year():
    drawn = histogram(facets({"2019": 1, "2022": 30}, {"2019-05": 1, "2022-01": 30}))
    assert drawn.unit == "year" and [bar.value for bar in drawn.bars] == ["2019", "2020", "2021", "2022"]
    assert drawn.bars[0].step == 1 and drawn.bars[1].step == 0, "a small count still shows"
    assert date_range("2019") == ("2019-01-01", "2019-12-31")


def test_undated_results_draw_no_histogram():
    assert histogram(facets({}, {})) is None and histogram({}) is None


def test_a_passage_names_each_speaker_once_with_their_organisation():
    def quote(speaker, org, chunk_id):
        return StoredQuote(1, "words", speaker, org, "direct", "d", chunk_id, 0, None, None, ["d"])

    solomon = quote("Enver Solomon", "Refugee Council", 7)
    council = quote("Refugee Council", "Refugee Council", 7)
    found = speakers_by_chunk([solomon, solomon, council, quote("X", None, None)])
    assert found == {7: ["Enver Solomon, Refugee Council", "Refugee Council"]}


def test_meta_highlights_and_facet_fields_leave_out_pages_and_datelines():
    meta = {"topics": ["cocoa"], "pages": [1, 2], "dateline": "SALVADOR, Feb 26", "note": "x" * 80}
    assert meta_highlights(meta) == [("topics", ["cocoa"])]
    rows = [
        {"meta": '{"topics": ["cocoa"], "places": [], "pages": [1], "bad name": ["x"]}'},
        {"meta": '{"places": ["ghana"]}'},
        {"meta": None},
    ]
    assert facet_fields(rows) == ["meta.places", "meta.topics"]
