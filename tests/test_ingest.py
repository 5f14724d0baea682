import json
import shutil

import pytest

from archive.documents import RawRecord
from archive.errors import NotFoundError, WriterBusyError
from archive.store import Store
from indexer.build import store_path, write_lock
from indexer.ingest import ingest_paths, ingest_records, rebuild, remove_documents
from indexer.search import SearchRequest, SearchService


def hits(service, query, mode="keyword"):
    service.refresh(force=True)
    return service.search(SearchRequest(query, mode=mode, k=20)).results


def test_seed_ingest_adds_three_documents_and_groups_the_copies(seed_settings):
    store = Store(store_path(seed_settings))
    stats = store.stats()
    assert stats.documents == 3
    assert stats.groups == [["000_ac5b891913291307", "001_b1430c0bef034883"]]
    assert stats.chunks == stats.embedded > 3


def test_no_chunk_holds_boilerplate(seed_settings):
    store = Store(store_path(seed_settings))
    texts = [row.text + row.context for row, _ in store.iter_index_rows()]
    for phrase in ("Your support helps us", "open image in gallery", "paywalls"):
        assert not any(phrase in t for t in texts)


def test_reingesting_unchanged_files_embeds_nothing(settings, seeds, embedder):
    first = ingest_paths(settings, [seeds], embedder=embedder)
    before = embedder.documents_encoded
    again = ingest_paths(settings, [seeds], embedder=embedder)
    assert len(first.added) == 3 and first.chunks_embedded > 0
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.added == again.updated == [] and again.chunks_embedded == 0
    assert embedder.documents_encoded == before


def test_a_changed_document_replaces_its_old_text_in_both_indexes(settings, tmp_path, embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text("Zebras escaped\n\nThe zebras escaped from the zoo in Paddington.")
    ingest_paths(settings, [folder], embedder=embedder)
    service = SearchService(settings, embedder=embedder)
    assert hits(service, "Paddington")
    story.write_text("Zebras returned\n\nThe zebras were returned to the zoo by keepers in Camden.")
    report = ingest_paths(settings, [folder], embedder=embedder)
    assert report.updated == ["story"] and report.chunks_embedded == 1
    assert hits(service, "Paddington") == []
    assert [h.doc_id for h in hits(service, "Camden")] == ["story"]


def test_bad_files_are_reported_and_skipped_while_the_rest_is_ingested(settings, tmp_path, seeds, embedder):
    folder = tmp_path / "mixed"
    shutil.copytree(seeds, folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "latin.txt").write_bytes(b"caf\x81\x8d")
    good = json.dumps({"_id": "j1", "text": "A working line about tides."})
    (folder / "lines.jsonl").write_text(good + "\nnot json\n")
    report = ingest_paths(settings, [folder], embedder=embedder)
    skipped = {p.origin.rsplit("/", 1)[-1]: p.reason for p in report.skipped}
    assert set(skipped) == {"empty.txt", "binary.txt", "latin.txt", "lines.jsonl:2"}
    assert "empty" in skipped["empty.txt"] and "PNG" in skipped["binary.txt"]
    assert sorted(report.added) == ["000_ac5b891913291307", "001_b1430c0bef034883", "002_f99659502e8c69ca", "j1"]


def test_records_keep_their_own_ids_and_metadata(settings, embedder):
    ingest_records(
        settings,
        [
            RawRecord(
                "api",
                "Tide tables were printed.",
                doc_id="r-1",
                title="Tides",
                date="3 March 2024",
                source="Coast News",
            )
        ],
        embedder=embedder,
    )
    doc = Store(store_path(settings)).document("r-1")
    assert (doc.title, doc.date, doc.source) == ("Tides", "2024-03-03", "Coast News")


def test_remove_takes_a_document_out_of_the_store_and_both_indexes(settings, seeds, embedder):
    ingest_paths(settings, [seeds], embedder=embedder)
    service = SearchService(settings, embedder=embedder)
    assert any(h.doc_id.startswith("002") for h in hits(service, "Scottish Greens", "hybrid"))
    remove_documents(settings, ["002_f99659502e8c69ca"], embedder=embedder)
    assert not any(h.doc_id.startswith("002") for h in hits(service, "Scottish Greens", "hybrid"))
    with pytest.raises(NotFoundError, match="no document with id 'nope'"):
        remove_documents(settings, ["nope"], embedder=embedder)


def test_rebuild_makes_a_new_generation_from_the_store(settings, seeds, embedder):
    ingest_paths(settings, [seeds], embedder=embedder)
    before = embedder.documents_encoded
    result = rebuild(settings, embedder=embedder)
    assert result["documents"] == 3 and result["chunks"] == result["vectors"] == result["keyword_docs"]
    assert result["embedded"] == 0 and embedder.documents_encoded == before


def test_a_second_writer_fails_at_once_with_a_clear_message(settings, seeds, embedder):
    with write_lock(settings):
        with pytest.raises(WriterBusyError, match="another ingest, rebuild or remove is running"):
            ingest_paths(settings, [seeds], embedder=embedder)


def test_a_story_filed_again_under_another_id_reuses_its_vectors(settings, embedder):
    story = {
        "title": "Ferry strike",
        "text": (
            "Ferry crews walked out at dawn over pay and the new rotas that the company brought in last month.\n\n"
            "Thousands of travellers were stranded at Dover until the evening, and the port asked drivers to stay away."
        ),
    }
    first = ingest_records(settings, [RawRecord("a", doc_id="wire-1", **story)], embedder=embedder)
    again = ingest_records(settings, [RawRecord("b", doc_id="paper-7", **story)], embedder=embedder)
    assert first.chunks_embedded == 2 and again.added == ["paper-7"] and again.chunks_embedded == 0
    assert again.duplicates == [("paper-7", "wire-1")]


def test_extra_fields_are_stored_as_meta_and_a_changed_field_updates_the_document(settings, embedder, tmp_path):
    line = {
        "id": "wire-1",
        "title": "COCOA",
        "text": "Showers continued in the Bahia cocoa zone this week.",
        "topics": ["cocoa"],
        "places": ["brazil"],
    }
    path = tmp_path / "wire.jsonl"
    path.write_text(json.dumps(line))
    assert ingest_paths(settings, [path], embedder=embedder).added == ["wire-1"]
    assert Store(store_path(settings)).document("wire-1").meta == {"topics": ["cocoa"], "places": ["brazil"]}
    path.write_text(json.dumps({**line, "places": ["brazil", "usa"]}))
    assert ingest_paths(settings, [path], embedder=embedder).updated == ["wire-1"]


def test_a_store_made_before_meta_existed_gains_the_column(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "old.sqlite")
    db.execute(
        "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, origin TEXT NOT NULL, title TEXT NOT NULL,"
        " date TEXT, source TEXT, url TEXT, text TEXT NOT NULL, content_hash TEXT NOT NULL,"
        " minhash BLOB NOT NULL, group_id TEXT, ingested_at TEXT NOT NULL)"
    )
    db.execute("INSERT INTO documents VALUES ('a', 'a.txt', 'A', NULL, NULL, NULL, 'Text.', 'h', x'00', NULL, 'now')")
    db.commit()
    db.close()
    assert Store(tmp_path / "old.sqlite").document("a").meta == {}
