"""Any pile, not only news: one bad document never stops a run, mail reads as paragraphs, long runs talk."""

from __future__ import annotations

import io
import json
import mailbox
import textwrap
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest

import archive.quotes
from archive.cleaning import clean
from archive.documents import IngestReport, Problem
from archive.readers import read_file
from archive.store import Store
from cli import main
from indexer.build import store_path
from indexer.embedder import Embedder
from indexer.ingest import ingest_paths
from indexer.meter import Meter
from indexer.search import SearchRequest, SearchService

MEMO = [
    "Jeff,",
    "The California utilities paid out more than they collected again in March, and the state's purchases of "
    "power on the spot market are now running at about forty million dollars a day.",
    "Our people in Sacramento expect the legislature to vote on the rate increase before the end of the month, "
    "but nobody there will promise that the increase covers what has already been lost.",
    "Steve",
]


def mail(subject: str, body: str, sender: str = "Steven J Kean <steven.kean@enron.com>", msgid: str = "<1@x>"):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jeff.skilling@enron.com"
    message["Subject"] = subject
    message["Date"] = "Tue, 3 Apr 2001 09:15:00 -0700"
    message["Message-ID"] = msgid
    message.set_content(body)
    return message


def wrapped(paragraphs: list[str], width: int = 72, prefix: str = "") -> str:
    return "\n\n".join(textwrap.fill(p, width, initial_indent=prefix, subsequent_indent=prefix) for p in paragraphs)


def passages(path: Path, embedder: Embedder) -> list[str]:
    from archive.chunking import chunk_document

    records, problems = read_file(path)
    assert problems == []
    cleaned = clean(records[0])
    chunks = chunk_document("d", "t", cleaned.paragraphs, embedder.count_tokens, 192, 32, min_words=8)
    return [c.text for c in chunks]


def test_the_same_memo_as_word_text_mail_and_mailbox_gives_the_same_passages(tmp_path, embedder):
    document = docx.Document()
    for paragraph in MEMO:
        document.add_paragraph(paragraph)
    document.save(tmp_path / "memo.docx")
    (tmp_path / "memo.txt").write_text(wrapped(MEMO) + "\n")
    (tmp_path / "memo.eml").write_bytes(mail("California", wrapped(MEMO) + "\n").as_bytes())
    box = mailbox.mbox(tmp_path / "memo.mbox")
    box.add(mail("California", wrapped(MEMO) + "\n"))
    box.close()
    expected = [MEMO[0] + " " + MEMO[1], MEMO[2] + " " + MEMO[3]]
    for name in ("memo.docx", "memo.txt", "memo.eml", "memo.mbox"):
        assert passages(tmp_path / name, embedder) == expected, name


def test_a_reply_keeps_its_quote_marked_and_forwarded_headers_are_boundaries_not_passages(tmp_path):
    body = (
        "Agreed, but we should tell the desk before Friday.\n\n"
        "-----Original Message-----\n"
        "From: \tKean, Steven  \n"
        "Sent:\tTuesday, April 03, 2001 9:15 AM\n"
        "To:\tSkilling, Jeff\n"
        "Subject:\tCalifornia\n\n" + wrapped(MEMO[1:3], prefix="> ") + "\n"
    )
    (tmp_path / "reply.eml").write_bytes(mail("RE: California", body, msgid="<2@x>").as_bytes())
    (record,), _ = read_file(tmp_path / "reply.eml")
    cleaned = clean(record)
    assert cleaned.paragraphs == ("Agreed, but we should tell the desk before Friday.", MEMO[1], MEMO[2])
    assert cleaned.meta["quoted"] == [0, 1, 1]


def test_a_lotus_notes_forward_loses_its_header_block(tmp_path):
    body = (
        "Please read the note below before the call.\n\n"
        "---------------------- Forwarded by Phillip K Allen/HOU/ECT on 05/07/2001 07:26 AM "
        "---------------------------\n\n\n"
        "James D Steffes@ENRON\n05/03/2001 05:44 AM\n"
        "To:\tPhillip K Allen/HOU/ECT@ECT, Steve Walton/HOU/ECT@ECT, Rebec\n"
        "ca W Cantrell/HOU/ECT@ECT, Mary Hain/HOU/ECT@ECT\ncc:\t \n\nSubject:\tRe: Western Wholesale Activities\n\n"
        + wrapped([MEMO[1]])
        + "\n"
    )
    cleaned = clean(read_file_text(tmp_path, body))
    assert cleaned.paragraphs == ("Please read the note below before the call.", MEMO[1])


def read_file_text(tmp_path: Path, body: str):
    (tmp_path / "fwd.eml").write_bytes(mail("FW: Western", body, msgid="<3@x>").as_bytes())
    (record,), _ = read_file(tmp_path / "fwd.eml")
    return record


def test_text_with_one_paragraph_a_line_is_not_joined(tmp_path):
    lines = [
        "The council met on Monday to discuss the budget for the coming year.",
        "Residents asked about the closure of the library on the high street.",
        "The mayor said no decision had been taken and that the consultation would run until June, when a "
        "report will be published with the responses and the council's answer to each of them.",
        "A second meeting is planned for the autumn.",
    ]
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(lines) + "\n")
    (record,), _ = read_file(path)
    assert clean(record).paragraphs == tuple(lines)


@pytest.fixture
def pile(tmp_path, seeds) -> Path:
    folder = tmp_path / "pile"
    folder.mkdir()
    for seed in sorted(seeds.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "memo.eml").write_bytes(mail("California", wrapped(MEMO) + "\n").as_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    return folder


def test_a_fault_in_one_document_skips_that_document_names_it_and_the_stage_and_the_run_goes_on(
    pile, settings, embedder, monkeypatch
):
    real = archive.quotes.extract_quotes

    def failing(paragraphs, names):
        if any("Sacramento" in p for p in paragraphs):
            raise IndexError("list index out of range")
        return real(paragraphs, names)

    monkeypatch.setattr("indexer.ingest.extract_quotes", failing)
    report = ingest_paths(settings, [pile], embedder=embedder)
    faults = [p for p in report.skipped if p.origin.endswith("memo.eml")]
    assert len(faults) == 1
    assert "failed at the quotes stage (IndexError: list index out of range)" in faults[0].reason
    assert len(report.added) == 3
    store = Store(store_path(settings))
    assert store.doc_id_for_origin(str((pile / "memo.eml").resolve())) is None
    store.close()
    hits = SearchService(settings, embedder=embedder).search(SearchRequest("Refugee Council", mode="keyword"))
    assert hits.total > 0


def test_an_interrupted_run_indexes_what_it_stored_before_it_stopped(pile, settings, embedder, monkeypatch):
    from indexer import ingest as ingest_module

    real_add = ingest_module.Ingestor.add
    calls = {"n": 0}

    def add_then_interrupt(self, incoming, report):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real_add(self, incoming, report)

    monkeypatch.setattr(ingest_module.Ingestor, "add", add_then_interrupt)
    report = IngestReport()
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(settings, [pile], embedder=embedder, report=report)
    assert report.stopped == "KeyboardInterrupt" and len(report.added) == 2
    service = SearchService(settings, embedder=embedder)
    assert service.stats().documents == 2
    assert service.stats().chunks == service.generation.manifest.counts["chunks"]


def test_a_document_that_cannot_be_embedded_is_reported_and_not_kept(pile, settings, embedder, monkeypatch):
    real = embedder.encode_documents

    def encode(texts):
        if any("Sacramento" in t for t in texts):
            raise RuntimeError("encoder fault")
        return real(texts)

    monkeypatch.setattr(embedder, "encode_documents", encode)
    report = ingest_paths(settings, [pile], embedder=embedder)
    fault = next(p for p in report.skipped if p.origin.endswith("memo.eml"))
    assert "failed at the embed stage (RuntimeError: encoder fault)" in fault.reason
    assert len(report.added) == 3
    service = SearchService(settings, embedder=embedder)
    assert service.stats().documents == 3
    assert service.generation.manifest.counts["vectors"] == service.stats().chunks


def test_cli_exit_statuses_and_an_unchanged_unreadable_file_said_once(runner, pile, settings):
    args = ["ingest", str(pile), "--data-dir", str(settings.data_dir)]
    first = runner.invoke(main, args)
    assert first.exit_code == 3, first.output
    assert "skipped " + str((pile / "broken.pdf").resolve()) in first.output
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "skipped" not in again.output.replace("skipped 0", "")
    assert "1 inputs still unreadable, unchanged since they were reported" in again.output
    (pile / "broken.pdf").write_bytes(b"%PDF-1.4 still not a pdf, but another file now")
    changed = runner.invoke(main, args)
    assert changed.exit_code == 3 and "broken.pdf" in changed.output


def test_a_long_run_off_a_terminal_prints_progress_lines_and_problems_as_they_happen():
    now = {"t": 0.0}
    stream = io.StringIO()
    meter = Meter(stream=stream, interval=30, lines=True, clock=lambda: now["t"])
    report = IngestReport(listener=meter)
    meter.files_total = 10
    report.skip(Problem("a/broken.pdf", "not a readable PDF"))
    assert stream.getvalue() == "skipped a/broken.pdf: not a readable PDF\n"
    report.added.extend(["d1", "d2"])
    meter.files_done = 2
    now["t"] = 10
    meter.tick(report)
    assert stream.getvalue().count("\n") == 1
    now["t"] = 31
    meter.tick(report)
    line = stream.getvalue().splitlines()[-1]
    assert "2 of 10 files, 3 documents read: 2 stored, 0 unchanged, 1 skipped" in line
    assert "about 2 min left for reading" in line
    now["t"] = 70
    meter.embedding(500, 2000)
    assert stream.getvalue().splitlines()[-1].endswith("500 of 2,000 new chunks embedded")


def test_dry_run_counts_a_message_repeated_in_a_mailbox_as_unchanged(runner, tmp_path, settings):
    box = mailbox.mbox(tmp_path / "box.mbox")
    box.add(mail("California", wrapped(MEMO) + "\n"))
    box.add(mail("California", wrapped(MEMO) + "\n"))
    box.add(mail("Other", wrapped(MEMO[1:]) + "\n", msgid="<9@x>"))
    box.close()
    result = runner.invoke(
        main, ["ingest", "--dry-run", "--json", str(tmp_path / "box.mbox"), "--data-dir", str(settings.data_dir)]
    )
    assert result.exit_code == 0, result.output
    actions = [json.loads(line)["action"] for line in result.output.splitlines()]
    assert actions == ["added", "unchanged", "added"]


def test_a_reply_is_not_a_copy_of_the_message_it_quotes_and_its_quote_is_not_a_hit_again(tmp_path, settings, embedder):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "memo.eml").write_bytes(mail("California", wrapped(MEMO[1:3]) + "\n").as_bytes())
    own = "We should brief the desk on this before Friday's call with the governor's office."
    reply = mail("RE: California", own + "\n\n" + wrapped(MEMO[1:3], width=70, prefix="> ") + "\n", msgid="<2@x>")
    (folder / "reply.eml").write_bytes(reply.as_bytes())
    report = ingest_paths(settings, [folder], embedder=embedder)
    assert report.duplicates == []
    service = SearchService(settings, embedder=embedder)
    hits = service.search(SearchRequest("forty million dollars a day on the spot market", mode="keyword")).results
    assert [h.doc_id for h in hits] == ["memo"]
    articles = service.search(SearchRequest("brief the desk", mode="keyword", group="document")).results
    assert [a.doc_id for a in articles] == ["reply"]
