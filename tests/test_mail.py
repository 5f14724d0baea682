from email.message import EmailMessage

import docx
import pytest

from archive.errors import BadInputError
from archive.readers import iter_records, read_file


def message(
    subject: str,
    body: str,
    sender: str = "Ana Ruiz <ana@example.org>",
    message_id: str = "<m1@example.org>",
    html: str | None = None,
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "desk@example.com"
    mail["Subject"] = subject
    mail["Date"] = "Tue, 05 Mar 2024 10:00:00 +0000"
    mail["Message-ID"] = message_id
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    return mail


def test_an_email_is_a_document_with_subject_date_and_sender(tmp_path):
    path = tmp_path / "tip.eml"
    path.write_bytes(message("Leak at the plant", "Workers saw a leak at the plant on Monday.\n").as_bytes())
    (record,), problems = read_file(path)
    assert problems == []
    assert (record.title, record.date, record.source) == (
        "Leak at the plant",
        "Tue, 05 Mar 2024 10:00:00 +0000",
        "ana@example.org",
    )
    assert record.text == "Workers saw a leak at the plant on Monday."
    assert record.meta == {
        "author": "Ana Ruiz",
        "from": "ana@example.org",
        "to": ["desk@example.com"],
        "message_id": "<m1@example.org>",
    }


def test_attachments_in_supported_formats_are_documents_linked_to_their_mail(tmp_path):
    mail = message("Inspection report", "The report is attached.\n")
    report = docx.Document()
    report.add_paragraph("Inspectors found corrosion in three of the ten tanks.")
    report.save(tmp_path / "report.docx")
    mail.add_attachment(
        (tmp_path / "report.docx").read_bytes(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="report.docx",
    )
    mail.add_attachment("Call the plant manager on Tuesday.", filename="notes.txt")
    mail.add_attachment(b"\x89PNG\r\n", maintype="image", subtype="png", filename="photo.png")
    path = tmp_path / "inspection.eml"
    path.write_bytes(mail.as_bytes())
    records, problems = read_file(path)
    assert [r.origin for r in records] == [
        str(path),
        f"{path}#attachment-1-report.docx",
        f"{path}#attachment-2-notes.txt",
    ]
    report_record, notes = records[1:]
    assert report_record.text == "Inspectors found corrosion in three of the ten tanks."
    assert report_record.meta["attachment_of"] == notes.meta["attachment_of"] == "<m1@example.org>"
    assert (notes.title, notes.date) == ("notes.txt", "Tue, 05 Mar 2024 10:00:00 +0000")
    assert records[0].meta["attachments"] == ["report.docx", "notes.txt", "photo.png"]
    assert [(p.origin, p.reason) for p in problems] == [
        (f"{path}#attachment-3-photo.png", "attachment type .png is not supported; it was skipped")
    ]


def test_an_html_only_email_is_read_through_the_html_reader(tmp_path):
    mail = EmailMessage()
    mail["Subject"] = "Newsletter"
    mail.set_content("<html><body><p>The mayor resigned on Friday after the vote.</p></body></html>", subtype="html")
    path = tmp_path / "news.eml"
    path.write_bytes(mail.as_bytes())
    (record,), _ = read_file(path)
    assert record.text == "The mayor resigned on Friday after the vote."


def test_an_mbox_is_streamed_message_by_message(tmp_path):
    path = tmp_path / "desk.mbox"
    with path.open("wb") as out:
        for number in range(3):
            out.write(b"From ana@example.org Tue Mar  5 10:00:00 2024\n")
            body = f"Story number {number}.\n\nFrom the wire desk.\n"
            out.write(
                message(f"Story {number}", body, message_id=f"<s{number}@x>")
                .as_bytes()
                .replace(b"\nFrom the", b"\n>From the")
                + b"\n"
            )
    items = list(iter_records(path))
    assert [r.title for r in items] == ["Story 0", "Story 1", "Story 2"]
    assert [r.origin for r in items][1] == f"{path}#message-2"
    assert items[2].text == "Story number 2.\n\nFrom the wire desk."


def test_a_file_that_is_not_a_mailbox_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "notes.mbox"
    path.write_bytes(b"just some notes\n")
    with pytest.raises(BadInputError, match="no messages found"):
        read_file(path)


def test_a_large_mailbox_is_read_in_bounded_memory(tmp_path):
    import tracemalloc

    path = tmp_path / "big.mbox"
    body = ("The harbour board met again to discuss the pier and its budget for the coming year. " * 12 + "\n\n") * 10
    with path.open("w") as out:
        for number in range(1000):
            out.write(
                f"From a@example.org Tue Mar  5 10:00:00 2024\nFrom: a@example.org\nSubject: Story {number}\n"
                f"Message-ID: <{number}@example.org>\n\n{body}\n"
            )
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_records(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 1000
    assert peak < 3_000_000
