"""The bad-file corpus: every file is ingested correctly or reported with its reason; nothing else is lost."""

import os
import shutil
import tracemalloc
from pathlib import Path

import pytest

from archive.store import Store
from indexer.build import store_path
from indexer.ingest import ingest_paths
from indexer.search import SearchRequest, SearchService

BAD_FILES = Path(__file__).parent / "data" / "bad-files"

EXPECTED_SKIPS = {
    "empty.txt": "file is empty",
    "whitespace-only.txt": "file is empty",
    "pixel.png": "unsupported file type .png",
    "png-named-as-text.txt": "binary file (a PNG image)",
    "gzip-named-as-text.txt": "binary file (gzip-compressed data)",
    "invalid-utf8.txt": "not valid UTF-8",
    "scripts-only.html": "no readable text",
    "broken-lines.jsonl:2": "line is not JSON",
    "broken-lines.jsonl:3": "expected a JSON object",
    "broken-lines.jsonl:4": "no text",
    "wrong-shape.json": "no text",
    "list-of-numbers.json[0]": "expected a JSON object",
    "list-of-numbers.json[1]": "expected a JSON object",
    "list-of-numbers.json[2]": "expected a JSON object",
    "truncated.json": "not valid JSON",
    "huge.txt": "over the 2.0 MB limit",
    "one-line.txt": "over the 2.0 MB limit",
}


@pytest.fixture
def corpus(tmp_path, seeds):
    folder = tmp_path / "corpus"
    shutil.copytree(BAD_FILES, folder)
    shutil.copytree(seeds, folder / "seeds")
    with open(folder / "huge.txt", "w") as f:
        paragraph = "The council met again to discuss the harbour wall and its repair costs. " * 10 + "\n\n"
        while f.tell() < 50_000_000:
            f.write(paragraph * 100)
    (folder / "one-line.txt").write_text("word " * 1_000_000)
    (folder / "loop").mkdir()
    (folder / "loop" / "back").symlink_to(folder / "loop")
    locked = folder / "locked.txt"
    locked.write_text("Locked away\n\nA story about a locksmith in Leeds.")
    locked.chmod(0)
    yield folder
    locked.chmod(0o644)


def test_every_bad_file_is_reported_with_its_reason_and_the_good_ones_are_ingested(settings, corpus, embedder):
    embedder.encode_documents(["warm the model up before memory is measured"])
    tracemalloc.start()
    report = ingest_paths(settings, [corpus], embedder=embedder)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    skipped = {str(Path(p.origin).relative_to(corpus)): p.reason for p in report.skipped}
    loops = [origin for origin, reason in skipped.items() if "symlink loop" in reason]
    assert loops == ["loop/back"]
    for name, reason in EXPECTED_SKIPS.items():
        assert reason in skipped.get(name, ""), f"{name}: {skipped.get(name)!r}"
    readable_by_root = os.geteuid() == 0
    if readable_by_root:
        assert "locked" in report.added
    else:
        assert "permission denied" in skipped["locked.txt"]

    assert {
        "windows-1252",
        "utf16-bom",
        "deeply-nested",
        "jl-1",
        "jl-4",
        "seeds/000_ac5b891913291307",
        "seeds/001_b1430c0bef034883",
        "seeds/002_f99659502e8c69ca",
    } <= set(report.added)
    assert len(report.added) + len(skipped) - len(loops) == 8 + len(EXPECTED_SKIPS) + readable_by_root
    assert peak < 40_000_000, f"ingest held {peak / 1e6:.0f} MB of Python objects at its peak"

    store = Store(store_path(settings))
    assert store.document("windows-1252").paragraphs == ("A coffee now costs €5 – “outrageous”, said Zoë Müller.",)
    assert store.document("windows-1252").title == "Café prices in São Paulo"
    assert "Dún Laoghaire" in store.document("utf16-bom").paragraphs[0]
    service = SearchService(settings, embedder=embedder)
    assert service.search(SearchRequest("lighthouse Whitby", mode="keyword")).results[0].doc_id == "deeply-nested"
