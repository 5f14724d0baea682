import docx
import pytest

from archive.errors import BadInputError
from archive.readers import read_file


def test_a_word_file_is_read_with_its_title_author_paragraphs_and_table_rows(tmp_path):
    document = docx.Document()
    document.core_properties.author = "Maria Lopez"
    document.add_paragraph("Flood defences to be raised", style="Title")
    document.add_paragraph("The river authority will raise the flood wall by one metre.")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Town", "Cost"), ("Riverside", "12 million")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Work begins in May.")
    path = tmp_path / "floods.docx"
    document.save(path)
    (record,), problems = read_file(path)
    assert problems == []
    assert record.title == "Flood defences to be raised"
    assert record.meta == {"author": "Maria Lopez"}
    assert record.text.split("\n\n") == [
        "The river authority will raise the flood wall by one metre.",
        "Town | Cost",
        "Riverside | 12 million",
        "Work begins in May.",
    ]


def test_a_file_named_docx_that_is_not_one_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BadInputError, match=r"not a readable Word \(.docx\) file"):
        read_file(path)
