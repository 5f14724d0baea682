import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.errors import BadInputError
from archive.readers import read_file


def text_pdf(pages: list[list], title: str = "", author: str = "") -> bytes:
    """A PDF with a real text layer: each page's lines set in Helvetica, a blank line between paragraphs; a line
    given as (text, size) is set in that size, the others in 11 points."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = (
            "BT /F1 11 Tf 72 720 Td 14 TL "
            + " ".join(
                (f"/F1 {line[1]} Tf " if isinstance(line, tuple) else "/F1 11 Tf ")
                + f"({(line[0] if isinstance(line, tuple) else line).replace('(', '[').replace(')', ']')}) Tj T*"
                for line in lines
            )
            + " ET"
        )
        objects.append(f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R"
            " /Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    objects.append(f"<< /Title ({title}) /Author ({author}) /CreationDate (D:20240305120000Z) >>")
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


def scanned_pdf(path, lines: list[str]) -> None:
    """A PDF that is only a picture of text, as a scanner makes it: no text layer at all."""
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for i, line in enumerate(lines):
        draw.text((120, 160 + i * 70), line, fill=0, font=font)
    image.save(path, "PDF", resolution=200)


def test_a_pdf_with_text_is_one_document_with_the_page_of_each_paragraph(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(
        text_pdf(
            [
                [
                    "The harbour authority approved the new pier on Monday.",
                    "",
                    "Work starts in spring and will take two years.",
                ],
                ["The budget is 40 million euros, paid by the port.", "", "Local fishermen welcomed the decision."],
            ],
            title="Harbour report",
            author="Port Office",
        )
    )
    (record,), problems = read_file(path)
    assert problems == []
    assert record.title == "Harbour report"
    assert record.date == "2024-03-05"
    assert record.text.split("\n\n") == [
        "The harbour authority approved the new pier on Monday.",
        "Work starts in spring and will take two years.",
        "The budget is 40 million euros, paid by the port.",
        "Local fishermen welcomed the decision.",
    ]
    assert record.meta == {"pages": [1, 1, 2, 2], "author": "Port Office"}


@pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Tesseract OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)
def test_a_scanned_pdf_is_read_by_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    scanned_pdf(
        path,
        ["The council voted to close the old", "library on Friday evening.", "", "Readers will move to the new hall."],
    )
    (record,), _ = read_file(path)
    words = record.text.lower().split()
    assert {"council", "voted", "library", "friday", "readers", "hall."} <= set(words)
    assert set(record.meta["pages"]) == {1}


def test_a_damaged_pdf_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(BadInputError, match="not a readable PDF"):
        read_file(path)


def test_a_search_hit_in_a_pdf_says_which_page_it_is_on(settings, embedder, tmp_path):
    from indexer.ingest import ingest_paths
    from indexer.search import SearchRequest, SearchService

    path = tmp_path / "minutes.pdf"
    path.write_bytes(
        text_pdf(
            [
                ["The board met on Monday to discuss the annual budget."],
                ["Members agreed to buy two electric ferries for the lake crossing."],
            ]
        )
    )
    report = ingest_paths(settings, [path], embedder=embedder)
    assert report.added == ["minutes"], report.skipped
    service = SearchService(settings, embedder=embedder)
    (hit, *_) = service.search(SearchRequest("electric ferries", mode="keyword")).results
    assert (hit.doc_id, hit.page) == ("minutes", 2)
    assert service.document("minutes").meta["pages"] == [1, 2]


BODY = [
    "The inspectors examined every support of the harbour pier in March and found corrosion in three.",
    "",
    "Repairs are planned for the summer and will close the pier for six weeks.",
]


def test_the_title_is_the_largest_text_on_the_first_page_not_stale_metadata_or_a_table_header(tmp_path):
    path = tmp_path / "inspection.pdf"
    path.write_bytes(
        text_pdf(
            [[("DOCUMENT NO. 4471", 9), "", ("Harbour Pier Inspection", 22), ("Report 2024", 22), "", *BODY]],
            title="Microsoft Word - draft3.doc",
        )
    )
    (record,), _ = read_file(path)
    assert record.title == "Harbour Pier Inspection Report 2024"


def test_without_larger_text_stale_metadata_and_a_table_header_are_not_titles(tmp_path):
    path = tmp_path / "table.pdf"
    path.write_bytes(text_pdf([["Notice Date 06/22/2015 Amount", "", *BODY]], title="Microsoft Word - draft3.doc"))
    (record,), _ = read_file(path)
    assert record.title is None
    path.write_bytes(text_pdf([["Notice Date 06/22/2015 Amount", "", *BODY]], title="Pier repairs 2024"))
    (record,), _ = read_file(path)
    assert record.title == "Pier repairs 2024"
