"""The scale benchmark (`make bench-scale`) writes its sets straight into a store, so it must keep up with the
store's schema: a set made from the seed archive is copies of its passages and documents, and it is published and
searched like any archive."""

import importlib.util
import sqlite3
from pathlib import Path

import numpy as np

from archive.settings import Settings
from archive.store import Store
from indexer.build import publish, store_path
from indexer.search import SearchRequest, SearchService

SCALE = Path(__file__).parent / "bench" / "scale.py"


def load_scale_bench():
    spec = importlib.util.spec_from_file_location("scale_bench", SCALE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_scale_set_is_copies_of_the_base_and_is_searched_like_any_archive(seed_settings, embedder, tmp_path):
    scale = load_scale_bench()
    rows, vectors = scale.base_rows(seed_settings.data_dir)
    size = 2 * len(rows) + 1
    folder = tmp_path / "set"

    scale.make_store(seed_settings.data_dir, folder, len(rows), 0.01, rows, vectors)
    made = scale.make_store(seed_settings.data_dir, folder, size, 0.01, rows, vectors)  # an earlier set is replaced

    assert made["copies"] == 3
    settings = Settings.from_env({}, data_dir=folder)
    store = Store(store_path(settings))
    publish(store, embedder, settings, full=True)
    base = Store(store_path(seed_settings))
    base_stats, stats = base.stats(), store.stats()
    originals = {doc_id: base.document(doc_id) for doc_id in {row[1] for row in rows}}
    copies = {doc_id: store.document(f"{doc_id}~1") for doc_id in originals}
    base.close()
    store.close()
    assert stats.chunks == stats.embedded == size
    assert stats.documents > 2 * base_stats.documents
    assert len(stats.sources) == 4  # the synthetic desks
    assert np.load(folder / "exact-ids.npy").shape == (size,)
    hits = SearchService(settings, embedder=embedder).search(SearchRequest("riots", k=10)).results
    assert hits and {hit.doc_id.split("~")[0] for hit in hits} <= set(originals)
    for doc_id, original in originals.items():
        assert (copies[doc_id].text, copies[doc_id].meta) == (original.text, original.meta)
    columns = "paragraph, kind, text, speaker, org, mention, evidence, method"
    quotes = [
        sqlite3.connect(path)
        .execute(f"SELECT {columns} FROM quotes WHERE doc_id LIKE ? ORDER BY quote_id", (like,))
        .fetchall()
        for path, like in ((store_path(seed_settings), "%"), (store_path(settings), "%~1"))
    ]
    assert quotes[0] and any(row[-2] for row in quotes[0])  # the seeds' quotes carry their evidence
    assert quotes[1] == quotes[0]
