"""The store: the source of truth. Documents with their chunks and quotes go in and come out whole, or not at all."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from archive.documents import Chunk, Document
from archive.errors import NotFoundError
from archive.quotes import Quote
from archive.store import Store, marks

SIGNATURE = np.arange(4, dtype=np.uint64)


def document(doc_id: str, *paragraphs: str, meta: dict | None = None) -> Document:
    return Document(
        doc_id,
        f"test:{doc_id}",
        f"Title {doc_id}",
        "2025-02-10",
        "Wire",
        None,
        paragraphs,
        f"hash-{doc_id}-{len(paragraphs)}",
        meta or {},
    )


def chunks(doc: Document) -> list[Chunk]:
    return [Chunk(doc.doc_id, i, i, text, "", doc.title, 3) for i, text in enumerate(doc.paragraphs)]


def put(store: Store, doc: Document, quotes=None) -> list[int]:
    parts = chunks(doc)
    return store.put_document(doc, parts, SIGNATURE, [f"n{doc.doc_id}{i}" for i in range(len(parts))], quotes)


@pytest.fixture
def store(tmp_path) -> Store:
    opened = Store(tmp_path / "archive.sqlite3")
    yield opened
    opened.close()


def test_a_document_comes_back_with_its_paragraphs_chunks_and_meta(store):
    ids = put(store, document("a", "First.", "Second.", meta={"topics": ["coffee", "grain"]}))
    doc = store.document("a")
    assert doc.paragraphs == ("First.", "Second.") and [c.chunk_id for c in doc.chunks] == ids
    assert doc.meta == {"topics": ["coffee", "grain"]} and doc.title == "Title a"


def test_putting_a_document_again_replaces_its_chunks(store):
    put(store, document("a", "One.", "Two.", "Three."))
    put(store, document("a", "Only."))
    assert [c.text for c in store.document("a").chunks] == ["Only."] and store.chunk_count() == 1


def test_a_failure_inside_a_transaction_leaves_the_store_as_it_was(store):
    put(store, document("a", "Kept."))
    before = store.version()
    with pytest.raises(sqlite3.IntegrityError):
        with store.transaction():
            put(store, document("b", "Half."))
            store.db.execute(
                "INSERT INTO chunks(doc_id, position, paragraph, text, context, n_tokens, norm_hash)"
                " VALUES ('nobody', 0, 0, 'x', '', 1, 'h')"
            )
    assert store.doc_ids() == ["a"] and store.version() == before


def test_removing_several_documents_is_all_or_nothing(store):
    put(store, document("a", "A."))
    put(store, document("b", "B."))
    with pytest.raises(NotFoundError, match="'zzz'"):
        store.remove_documents(["a", "zzz"])
    assert store.doc_ids() == ["a", "b"]
    store.remove_documents(["a", "b"])
    assert store.is_empty()


def test_copies_are_grouped_and_a_group_of_one_dissolves(store):
    put(store, document("a", "Same story."))
    put(store, document("b", "Same story."))
    group = store.join_group("b", ["a"])
    assert group == "a" and store.group_members("a") == ["b"]
    store.remove_documents(["b"])
    assert store.group_members("a") == [] and store.document("a").group_id is None


def test_quotes_are_stored_with_their_speaker_evidence_and_method(store):
    quote = Quote(
        text="We will act",
        speaker="Enver Solomon",
        org="Refugee Council",
        kind="direct",
        paragraph=0,
        mention="he",
        evidence="Enver Solomon",
        method="said-after",
    )
    put(store, document("a", "“We will act,” said Enver Solomon."), [(0, quote)])
    found = store.quotes(speakers=["Enver Solomon"])
    assert [(q.text, q.org, q.evidence, q.method) for q in found] == [
        ("We will act", "Refugee Council", "Enver Solomon", "said-after")
    ]


def test_browsing_filters_by_meta_list_members_and_counts_everything(store):
    put(store, document("a", "A.", meta={"topics": ["coffee", "grain"]}))
    put(store, document("b", "B.", meta={"topics": "coffee"}))
    put(store, document("c", "C.", meta={"topics": ["crude"]}))
    rows, total = store.list_documents(meta=(("topics", "coffee"),), sort="id", limit=1)
    assert total == 2 and [r["doc_id"] for r in rows] == ["a"]


def test_source_filters_ignore_case(store):
    put(store, document("a", "A."))
    assert len(store.chunk_ids_matching("WIRE", None, None)) == 1 and store.source_counts() == {"Wire": 1}


def test_marks_make_one_placeholder_per_value():
    assert marks(3) == "?,?,?"


def test_an_older_store_is_upgraded_by_named_migrations_recorded_once(tmp_path):
    from archive.store.base import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    store = Store(path)
    assert store.migrations() == [name for name, _ in MIGRATIONS]
    # make it look like a store from before the migrations: no meta column, no quote evidence, nothing recorded
    store.db.execute("ALTER TABLE quotes DROP COLUMN evidence")
    store.db.execute("ALTER TABLE quotes DROP COLUMN method")
    store.db.execute("DELETE FROM _migrations")
    store.close()
    upgraded = Store(path)
    assert upgraded.migrations() == ["m001_documents_meta", "m002_quote_evidence_and_method"]
    assert {"evidence", "method"} <= {r[1] for r in upgraded.db.execute("PRAGMA table_info(quotes)")}
    upgraded.close()
    assert Store(path).migrations() == upgraded.migrations(), "a migration is applied once"
