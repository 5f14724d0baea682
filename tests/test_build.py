"""Generations: the manifest, the atomic switch, recovery from a dead writer, and the model check."""

import json
import os
import shutil

import numpy as np
import pytest

from archive.chunking import CHUNKER_VERSION
from archive.errors import IndexMismatchError, IndexMissingError
from archive.settings import Settings
from indexer.build import Manifest, current_generation, indexes_dir
from indexer.embedder import Embedder
from indexer.ingest import ingest_paths, rebuild
from indexer.search import SearchRequest, SearchService


def test_manifest_records_model_chunker_and_counts(seed_settings):
    manifest = Manifest.read(current_generation(seed_settings))
    assert manifest.model["name"] == "all-MiniLM-L6-v2"
    assert manifest.model["sha256"] == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    assert manifest.model["dimension"] == 384
    assert manifest.chunker.startswith(f"{CHUNKER_VERSION}/192/32/8/")
    assert manifest.counts["documents"] == 3
    assert manifest.counts["chunks"] == manifest.counts["vectors"] == manifest.counts["keyword_docs"]


def test_a_rebuild_switches_generations_and_keeps_only_the_last_two(settings, seeds, embedder):
    ingest_paths(settings, [seeds], embedder=embedder)
    names = [rebuild(settings, embedder=embedder)["generation"] for _ in range(3)]
    assert current_generation(settings).name == names[-1]
    kept = sorted(p.name for p in indexes_dir(settings).iterdir() if p.is_dir())
    assert kept == names[-2:]


def test_debris_of_a_dead_writer_is_removed_and_the_served_generation_untouched(settings, seeds, embedder):
    ingest_paths(settings, [seeds], embedder=embedder)
    served = current_generation(settings)
    debris = indexes_dir(settings) / ".building-gen-crashed"
    debris.mkdir()
    (debris / "half.faiss").write_bytes(b"partial")
    assert current_generation(settings) == served
    rebuild(settings, embedder=embedder)
    assert not debris.exists()


def test_searching_an_empty_archive_says_how_to_fill_it(settings, embedder):
    service = SearchService(settings, embedder=embedder)
    with pytest.raises(IndexMissingError, match="archive ingest"):
        service.search(SearchRequest("riots"))


def test_an_index_built_with_one_model_refuses_another(seed_settings, tmp_path, embedder):
    other = tmp_path / "other-model"
    shutil.copytree(
        embedder.identity.path, other, copy_function=os.link, ignore=shutil.ignore_patterns("model.safetensors")
    )
    data = embedder.identity.path + "/model.safetensors"
    with open(data, "rb") as src, open(other / "model.safetensors", "wb") as dst:
        shutil.copyfileobj(src, dst)
        dst.write(b"\0")
    settings = Settings.from_env({}, data_dir=seed_settings.data_dir, model=str(other))
    with pytest.raises(IndexMismatchError, match="run `archive rebuild`"):
        SearchService(settings, embedder=Embedder(str(other)))


def test_a_model_that_is_not_on_this_machine_is_a_clear_error():
    from archive.errors import ArchiveError

    with pytest.raises(ArchiveError, match="nothing is downloaded"):
        Embedder("sentence-transformers/some-remote-model")


def test_manifest_is_plain_json_next_to_the_index(seed_settings):
    folder = current_generation(seed_settings)
    assert json.loads((folder / "manifest.json").read_text())["generation"] == folder.name
    assert (folder / "vectors.faiss").is_file() and (folder / "keyword").is_dir()


def test_auto_switches_to_an_ivf_index_past_the_threshold_with_the_same_answers(settings, seeds, embedder):
    from dataclasses import replace

    ingest_paths(settings, [seeds], embedder=embedder)
    flat = Manifest.read(current_generation(settings))
    request = SearchRequest("what did the Refugee Council say about riots", mode="semantic")
    expected = [(h.chunk_id, h.score) for h in SearchService(settings, embedder).search(request).results]
    ivf_settings = replace(settings, vector_index_threshold=10)
    rebuild(ivf_settings, embedder=embedder)
    manifest = Manifest.read(current_generation(ivf_settings))
    assert (flat.vector_index, manifest.vector_index) == ("flat", "ivf")
    assert manifest.counts["vectors"] == flat.counts["vectors"] and manifest.counts["vector_lists"] >= 1
    found = [(h.chunk_id, h.score) for h in SearchService(ivf_settings, embedder).search(request).results]
    assert [cid for cid, _ in found] == [cid for cid, _ in expected]
    assert [s for _, s in found] == pytest.approx([s for _, s in expected], abs=1e-4)


def test_an_unknown_vector_index_kind_says_which_are_accepted():
    from archive.errors import SettingsError
    from archive.settings import Settings

    with pytest.raises(SettingsError, match="ARCHIVE_VECTOR_INDEX='hnsw' is not one of auto, flat, ivf"):
        Settings.from_env({"ARCHIVE_VECTOR_INDEX": "hnsw"})


def test_query_vectors_are_cached_per_embedder_and_not_when_the_cache_is_off(embedder):
    first = embedder.encode_query("a question asked twice")
    assert embedder.encode_query("a question asked twice") is first
    uncached = Embedder(query_cache_size=0)
    again = uncached.encode_query("a question asked twice")
    assert again is not uncached.encode_query("a question asked twice")
    assert np.allclose(again, first, atol=1e-6)


def test_a_new_paragraph_embeds_its_context_and_a_piece_of_a_split_paragraph_does_not(settings, embedder, tmp_path):
    from archive.store import Store
    from indexer.build import store_path

    sentence = "The council debated the harbour budget for the coming year at length. "
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "budget.txt").write_text(
        "Harbour budget\n\nThe mayor spoke first about the ferry timetable.\n\n" + sentence * 30 + "\n"
    )
    ingest_paths(settings, [folder], embedder=embedder)
    store = Store(store_path(settings))
    try:
        rows = sorted(store.iter_index_rows(), key=lambda item: item[0].position)
    finally:
        store.close()
    assert len(rows) >= 3 and rows[1][0].paragraph == rows[2][0].paragraph  # the long paragraph was split
    for (row, blob), continues in ((rows[1], False), (rows[2], True)):
        assert row.context  # keyword search has every context
        stored = np.frombuffer(blob, dtype=np.float32)
        with_context, without = embedder.encode_documents(
            [f"{row.title}\n{row.context}\n{row.text}", f"{row.title}\n{row.text}"]
        )
        expected, other = (without, with_context) if continues else (with_context, without)
        assert float(stored @ expected) > 0.999 > float(stored @ other)
