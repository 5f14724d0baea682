"""Originals: the bytes each document was read from, kept once per distinct bytes, downloadable with their media
type and a safe name; PDF pages as images, rendered once."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest
from click.testing import CliRunner
from test_pdf import text_pdf

from cli import main
from indexer.ingest import ingest_paths
from indexer.search import SearchService
from web import create_app

PAGES = [
    [("Harbour Pier Inspection", 20), "", "The inspectors found corrosion in three of the ten pier supports."],
    ["Repairs will close the pier for six weeks in the summer, the harbour board said."],
]


@pytest.fixture
def pile(tmp_path):
    """A PDF, the same PDF attached to an e-mail under an unsafe name, and a text file."""
    folder = tmp_path / "pile"
    folder.mkdir()
    pdf = text_pdf(PAGES)
    (folder / "inspection.pdf").write_bytes(pdf)
    mail = EmailMessage()
    mail["From"] = "Ana Ruiz <ana@example.org>"
    mail["To"] = "desk@example.com"
    mail["Subject"] = "Inspection report"
    mail["Date"] = "Tue, 05 Mar 2024 10:00:00 +0000"
    mail["Message-ID"] = "<r1@example.org>"
    mail.set_content("The inspection report is attached; the pier closes in summer.\n")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename='../"pier" report.pdf')
    (folder / "tip.eml").write_bytes(mail.as_bytes())
    (folder / "notes.txt").write_text("Call the harbour master about the pier on Tuesday morning.\n")
    return folder


class Client:
    """The test client, closing each response (a file is served from disk) once its body is read."""

    def __init__(self, settings, embedder):
        app = create_app(settings, SearchService(settings, embedder=embedder), {"TESTING": True})
        self.client = app.test_client()

    def get(self, url):
        response = self.client.get(url)
        response.get_data()
        response.close()
        return response


def client_for(settings, embedder) -> Client:
    return Client(settings, embedder)


def test_each_document_gives_back_the_bytes_it_was_read_from_kept_once(settings, embedder, pile):
    ingest_paths(settings, [pile], embedder=embedder)
    client = client_for(settings, embedder)
    pdf = client.get("/api/documents/inspection/original")
    assert pdf.status_code == 200 and pdf.data == (pile / "inspection.pdf").read_bytes()
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=inspection.pdf"
    mail = client.get("/api/documents/tip/original")
    assert mail.data == (pile / "tip.eml").read_bytes() and mail.mimetype == "message/rfc822"
    (attachment,) = client.get("/api/documents/tip").get_json()["mail"]["attachments"]
    copy = client.get(f"/api/documents/{attachment['doc_id']}/original")
    assert copy.data == pdf.data
    name = copy.headers["Content-Disposition"].removeprefix("attachment; filename=")
    assert name == "tip-attachment-1-pier-report.pdf"
    kept = [p for p in (settings.data_dir / "originals").rglob("*") if p.is_file()]
    assert len(kept) == 3  # the PDF and its attached copy are one file
    assert client.get("/api/documents/notes/original").data == (pile / "notes.txt").read_bytes()
    document = client.get("/api/documents/inspection").get_json()
    assert document["original"]["url"] == "/api/documents/inspection/original"
    assert document["original"]["pages"] == "/api/documents/inspection/pages/{n}.png"
    page = client.get("/documents/inspection").get_data(as_text=True)
    assert 'href="/api/documents/inspection/original"' in page
    assert 'href="/api/documents/inspection/pages/2.png"' in page


def test_a_pdf_page_is_served_as_an_image_and_rendered_once(settings, embedder, pile):
    ingest_paths(settings, [pile], embedder=embedder)
    client = client_for(settings, embedder)
    image = client.get("/api/documents/inspection/pages/2.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    (cached,) = (settings.data_dir / "previews").glob("*-p2.png")
    stamp = cached.stat().st_mtime_ns
    assert client.get("/api/documents/inspection/pages/2.png").data == image.data
    assert cached.stat().st_mtime_ns == stamp
    missing = client.get("/api/documents/inspection/pages/9.png")
    assert missing.status_code == 404 and "pages 1 to 2" in missing.get_json()["error"]["message"]
    not_pdf = client.get("/api/documents/notes/pages/1.png")
    assert not_pdf.status_code == 404 and "not read from a PDF" in not_pdf.get_json()["error"]["message"]


def test_originals_can_be_switched_off_and_their_size_is_in_stats(settings, embedder, pile, tmp_path):
    off = replace(settings, keep_originals=False)
    ingest_paths(off, [pile], embedder=embedder)
    response = client_for(off, embedder).get("/api/documents/inspection/original")
    assert response.status_code == 404 and "ARCHIVE_KEEP_ORIGINALS=0" in response.get_json()["error"]["message"]
    assert not (settings.data_dir / "originals").exists()
    other = replace(settings, data_dir=tmp_path / "kept")
    ingest_paths(other, [pile], embedder=embedder)
    size = sum(len(p.read_bytes()) for p in (pile / "inspection.pdf", pile / "tip.eml", pile / "notes.txt"))
    result = CliRunner().invoke(main, ["--data-dir", str(other.data_dir), "stats"])
    assert f"originals:  3 file(s), {size / 1e6:.1f} MB" in result.output
    result = CliRunner().invoke(main, ["--data-dir", str(other.data_dir), "stats", "--json"])
    assert '"bytes": ' + str(size) in result.output


def test_a_document_stored_again_keeps_its_original_and_a_removed_one_has_none(settings, embedder, pile):
    from archive.store.threads import link_threads
    from indexer.ingest import rechunk_if_needed, remove_documents, writer

    ingest_paths(settings, [pile], embedder=embedder)
    with writer(settings, embedder, rechunk=False) as store:
        rechunk_if_needed(store, embedder, settings, force=True)
        link_threads(store)
    client = client_for(settings, embedder)
    assert client.get("/api/documents/inspection/original").data == (pile / "inspection.pdf").read_bytes()
    assert client.get("/api/documents/tip").get_json()["mail"]["attachments"]
    remove_documents(settings, ["notes"], embedder=embedder)
    gone = client.get("/api/documents/notes/original")
    assert gone.status_code == 404 and "no document with id 'notes'" in gone.get_json()["error"]["message"]
