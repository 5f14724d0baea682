from email.message import EmailMessage
from pathlib import Path

import docx
import pytest

from archive.errors import BadInputError
from archive.formats.headers import display_name, subject_key
from archive.readers import iter_records, read_file

ENRON = Path(__file__).resolve().parents[2] / "shared" / "data" / "enron-mail"


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
        "names": {"ana@example.org": "Ana Ruiz"},
        "message_id": "<m1@example.org>",
        "sent_at": "2024-03-05T10:00:00+00:00",
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
    assert (notes.title, notes.date, notes.source) == (
        "notes.txt",
        "Tue, 05 Mar 2024 10:00:00 +0000",
        "ana@example.org",
    )
    assert records[0].meta["attachments"] == ["report.docx", "notes.txt", "photo.png"]
    assert records[0].meta["unreadable_attachments"] == [
        {"name": "photo.png", "reason": "attachment type .png is not supported; it was skipped"}
    ]
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


def test_cc_and_bcc_are_kept_with_every_display_name(tmp_path):
    mail = message("Budget", "The figures are attached below.\n", sender='"Ruiz, Ana" <Ana@Example.org>')
    mail["Cc"] = "Bo Lee <bo@example.org>, carl@example.org"
    mail["Bcc"] = "Dee Oak <DEE@example.org>"
    path = tmp_path / "budget.eml"
    path.write_bytes(mail.as_bytes())
    (record,), _ = read_file(path)
    assert record.meta["from"] == "ana@example.org"
    assert record.meta["cc"] == ["bo@example.org", "carl@example.org"]
    assert record.meta["bcc"] == ["dee@example.org"]
    assert record.meta["names"] == {
        "ana@example.org": "Ana Ruiz",
        "bo@example.org": "Bo Lee",
        "dee@example.org": "Dee Oak",
    }
    assert record.meta["author"] == "Ana Ruiz"


ENRON_HEADERS = """Message-ID: <1.1075855430696.JavaMail.evans@thyme>
Date: Thu, 30 Aug 2001 13:49:49 -0700 (PDT)
From: john.shelk@enron.com
To: j..kean@enron.com, richard.shapiro@enron.com
Subject: Draft Legislative Plan On RTOs
Cc: chris.long@enron.com, vkaminski@aol.com
Mime-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Bcc: chris.long@enron.com, vkaminski@aol.com
X-From: Shelk, John </O=ENRON/OU=NA/CN=RECIPIENTS/CN=JSHELK>
X-To: Kean, Steven J. </O=ENRON/OU=NA/CN=RECIPIENTS/CN=Skean>, Shapiro, Richard </O=ENRON/OU=NA/CN=RECIPIENTS/CN=Rs>
X-cc: Chris Long, 'vkaminski@aol.com'
X-bcc: Chris Long
X-Folder: \\Steven_Kean_Jan2002\\Kean, Steven J.\\federal legislation

Attached is a draft of the plan for the weeks after Labor Day.
"""


def test_export_headers_name_the_addresses_by_position_and_only_when_the_counts_match(tmp_path):
    path = tmp_path / "plan.eml"
    path.write_text(ENRON_HEADERS)
    (record,), _ = read_file(path)
    assert record.meta["names"] == {
        "john.shelk@enron.com": "John Shelk",
        "j..kean@enron.com": "Steven J. Kean",
        "richard.shapiro@enron.com": "Richard Shapiro",
        "chris.long@enron.com": "Chris Long",
    }
    assert record.meta["cc"] == record.meta["bcc"] == ["chris.long@enron.com", "vkaminski@aol.com"]
    assert record.meta["author"] == "John Shelk"


def test_names_are_cleaned_of_routing_and_turned_round():
    assert display_name("Lay, Kenneth </O=ENRON/OU=NA/CN=RECIPIENTS/CN=KLAY>") == "Kenneth Lay"
    assert display_name("Jeff Dasovich/NA/Enron@Enron") == "Jeff Dasovich"
    assert display_name("Davidtaylorsf@aol.com@ENRON") is None
    assert display_name("'\"Frank A. Wolak\" <wolak@zia.stanford.edu>@ENRON'") == "Frank A. Wolak"


def test_thread_headers_are_kept_and_subjects_lose_reply_prefixes(tmp_path):
    mail = message("Re: FW: Leak at the plant", "Thanks, we will look.\n", message_id="<m2@example.org>")
    mail["In-Reply-To"] = "<m1@example.org>"
    mail["References"] = "<m0@example.org> <m1@example.org>"
    path = tmp_path / "reply.eml"
    path.write_bytes(mail.as_bytes())
    (record,), _ = read_file(path)
    assert record.meta["in_reply_to"] == "<m1@example.org>"
    assert record.meta["references"] == ["<m0@example.org>", "<m1@example.org>"]
    assert subject_key(record.title) == subject_key("RE[2]: [desk] Leak at the  plant") == "leak at the plant"


@pytest.mark.skipif(not ENRON.is_dir(), reason="needs ../shared/data/enron-mail")
def test_a_real_enron_message_keeps_cc_bcc_and_names():
    (record,), _ = read_file(ENRON / "harris-s" / "176919.eml")
    assert record.meta["cc"][:2] == ["chris.long@enron.com", "pat.shortridge@enron.com"]
    assert len(record.meta["cc"]) == len(record.meta["bcc"]) == 6
    assert record.meta["names"]["chris.long@enron.com"] == "Chris Long"
    assert record.meta["names"]["john.shelk@enron.com"] == "John Shelk"
