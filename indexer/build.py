"""Index generations: built beside the serving one, switched atomically, old ones cleaned up.

Layout under the data dir:
    archive.sqlite3            the store (source of truth)
    write.lock                 held by the one writer (ingest, rebuild, remove)
    indexes/CURRENT            name of the generation being served (replaced atomically)
    indexes/<generation>/      keyword/ (tantivy), vectors.faiss (FAISS), manifest.json

A new generation starts as a hard-linked copy of the current one (tantivy segment files are never modified in
place), takes the chunks added to and removed from the store since, and only then becomes CURRENT. A writer
killed at any moment leaves CURRENT pointing at a complete generation; the next writer removes the debris.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from archive.chunking import CHUNKER_VERSION
from archive.documents import ChunkRecord, IngestReport, Problem, embedding_text
from archive.errors import ArchiveError, IndexMismatchError, IndexMissingError, WriterBusyError
from archive.settings import Settings
from archive.store import Store
from indexer.document_index import SCHEMA_VERSION as DOCUMENT_SCHEMA
from indexer.document_index import DocumentIndex, DocumentRow
from indexer.embedder import Embedder
from indexer.keyword import SCHEMA_VERSION as KEYWORD_SCHEMA
from indexer.keyword import KeywordIndex
from indexer.vectors import VectorIndex, clusters_for

SCHEMA_VERSION = f"{KEYWORD_SCHEMA}+{DOCUMENT_SCHEMA}"
KEEP_GENERATIONS = 2


def store_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "archive.sqlite3"


def indexes_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "indexes"


def chunker_signature(settings: Settings, embedder: Embedder) -> str:
    return (
        f"{CHUNKER_VERSION}/{settings.chunk_tokens}/{settings.context_tokens}/{settings.min_passage_words}/"
        f"{embedder.identity.key}"
    )


@contextmanager
def write_lock(settings: Settings):
    """One writer at a time; a second fails at once. The OS releases the lock if the writer dies."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    path = Path(settings.data_dir) / "write.lock"
    lock = FileLock(str(path), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise WriterBusyError(
            f"another ingest, rebuild or remove is running on {settings.data_dir} (it holds {path}); "
            "wait for it to finish and try again"
        ) from exc
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class Manifest:
    generation: str
    created: str
    model: dict
    chunker: str
    keyword_schema: str
    store_version: int
    counts: dict
    vector_encoding: str = "float32"
    vector_index: str = "flat"

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        return cls(**json.loads((folder / "manifest.json").read_text()))

    def write(self, folder: Path) -> None:
        _write_atomic(folder / "manifest.json", json.dumps(self.__dict__, indent=2))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def current_generation(settings: Settings) -> Path | None:
    pointer = indexes_dir(settings) / "CURRENT"
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    folder = indexes_dir(settings) / name
    return folder if (folder / "manifest.json").is_file() else None


def check_compatible(manifest: Manifest, embedder: Embedder) -> None:
    """An index answers only to the model that built it."""
    if (manifest.model.get("sha256"), manifest.model.get("variant", "")) != (
        embedder.identity.sha256,
        embedder.identity.variant,
    ):
        raise IndexMismatchError(
            f"the index was built with model {manifest.model.get('name')} (sha256 "
            f"{str(manifest.model.get('sha256'))[:12]}…{' ' + manifest.model.get('variant', '')}) but this process "
            f"uses {embedder.identity.name} (sha256 {embedder.identity.sha256[:12]}…{' ' + embedder.identity.variant}):"
            " run `archive rebuild` to index with this model, or set ARCHIVE_MODEL (and ARCHIVE_ENCODER) back to "
            "the ones the index was built with"
        )
    if manifest.keyword_schema != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index uses keyword schema {manifest.keyword_schema}, this version needs {SCHEMA_VERSION}: "
            "run `archive rebuild`"
        )


def missing_index(settings: Settings) -> IndexMissingError:
    """The error for an archive with no published index, saying how to make one."""
    return IndexMissingError(
        f"no index in {settings.data_dir}: run `archive ingest seeds/` (or `archive rebuild` if the store "
        "already holds documents)"
    )


def publish(
    store: Store,
    embedder: Embedder,
    settings: Settings,
    full: bool = False,
    progress: bool = False,
    failed: IngestReport | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[Manifest, int]:
    """Bring the indexes up to the store in a new generation and switch to it. Caller holds the write lock.

    Returns the manifest and the number of chunks embedded (only chunks without a stored embedding). A document
    whose chunks cannot be embedded or indexed is removed from the store and reported in `failed` (the store and
    the index never disagree); without `failed`, such a fault is raised.
    """
    root = indexes_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    _remove_debris(root)
    faults: dict[str, str] = {}
    embedded = embed_missing(
        store, embedder, progress, settings.embed_batch, settings, faults if failed is not None else None, on_batch
    )
    if faults and failed is not None:
        _drop_failed(store, faults, "embed", failed)
    previous = current_generation(settings)
    kind = vector_kind(settings, store.chunk_count())
    if previous is not None and not full:
        try:
            check_compatible(Manifest.read(previous), embedder)
        except IndexMismatchError:
            previous = None
        else:
            if Manifest.read(previous).vector_encoding != settings.vector_encoding:
                previous = None
            elif (
                Manifest.read(previous).store_version == store.version()
                and embedded == 0
                and Manifest.read(previous).vector_index == kind
            ):
                return Manifest.read(previous), 0

    name = datetime.now(timezone.utc).strftime("gen-%Y%m%dT%H%M%S%fZ")
    building = root / f".building-{name}"
    if previous is not None and not full:
        shutil.copytree(
            previous / "keyword", building / "keyword", copy_function=os.link, ignore=shutil.ignore_patterns("*.lock")
        )
        keyword = KeywordIndex(building / "keyword")
        # widen_far 1: a build never searches, so it need not learn which queries are far
        vectors = VectorIndex.load(previous / "vectors.faiss", settings.ivf_nprobe, widen_far=1)
        indexed = vectors.ids()
        if _must_rebuild(vectors, kind, settings):
            vectors = _new_vectors(kind, settings, embedder.dimension)
    else:
        building.mkdir(parents=True)
        keyword = KeywordIndex(building / "keyword", create=True)
        vectors = _new_vectors(kind, settings, embedder.dimension)
        indexed = np.zeros(0, dtype=np.int64)

    version = store.version()
    wanted = set()
    new_rows, new_ids, new_vectors = [], [], []
    keyword_set = set(indexed.tolist())
    vector_set = set(vectors.ids().tolist())
    if previous is not None and not full:
        # chunks of documents whose meta changed in place (a thread found later) are indexed again with it
        stale = set(store.chunk_ids_of(sorted(_restamped(store, previous))).tolist()) & keyword_set
        keyword.delete(sorted(stale))
        keyword_set -= stale
    for row, blob in store.iter_index_rows():
        wanted.add(row.chunk_id)
        if row.chunk_id not in keyword_set:
            new_rows.append(row)
        if row.chunk_id not in vector_set:
            if blob is None:
                raise IndexMismatchError(f"chunk {row.chunk_id} has no stored vector: run `archive rebuild`")
            new_ids.append(row.chunk_id)
            new_vectors.append(np.frombuffer(blob, dtype=np.float32))
    removed = np.array(sorted(keyword_set - wanted), dtype=np.int64)
    keyword.delete(removed.tolist())
    vectors.delete(np.array(sorted(vector_set - wanted), dtype=np.int64))
    bad = _add_keyword_rows(keyword, new_rows, isolate=failed is not None)
    if bad and failed is not None:
        dropped = set(store.chunk_ids_of(list(bad)).tolist())
        keyword.delete(sorted(dropped))
        wanted -= dropped
        keep = [i for i, cid in enumerate(new_ids) if cid not in dropped]
        new_ids, new_vectors = [new_ids[i] for i in keep], [new_vectors[i] for i in keep]
        new_rows = [r for r in new_rows if r.chunk_id not in dropped]
        _drop_failed(store, bad, "index", failed)
        version = store.version()
    if new_ids:
        vectors.add(np.array(new_ids, dtype=np.int64), np.vstack(new_vectors))
    del new_vectors
    keyword.commit()
    vectors.save(building / "vectors.faiss")
    documents = _update_documents(store, building, previous if not full else None)
    stats = store.stats()
    manifest = Manifest(
        generation=name,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        model={
            "name": embedder.identity.name,
            "sha256": embedder.identity.sha256,
            "variant": embedder.identity.variant,
            "encoder": embedder.encoder,
            "dimension": embedder.dimension,
        },
        chunker=chunker_signature(settings, embedder),
        keyword_schema=SCHEMA_VERSION,
        store_version=version,
        vector_encoding=settings.vector_encoding,
        vector_index=vectors.kind,
        counts={
            "documents": stats.documents,
            "chunks": len(wanted),
            "vectors": len(vectors),
            "keyword_docs": keyword.num_docs,
            "added": len(new_rows),
            "removed": int(len(removed)),
            "document_index": documents,
            "vector_lists": vectors.lists,
        },
    )
    manifest.write(building)
    os.replace(building, root / name)
    _fsync_dir(root)
    _write_atomic(root / "CURRENT", name + "\n")
    _fsync_dir(root)
    _cleanup(root, keep=name)
    return manifest, embedded


def _add_keyword_rows(keyword: KeywordIndex, rows: list[ChunkRecord], isolate: bool) -> dict[str, str]:
    """Add rows to the keyword index. When `isolate` and the batch fails, the rows are added one by one and the
    documents whose rows fail are returned with the reason (their other rows are taken out again by the caller)."""
    try:
        keyword.add(rows)
        return {}
    except Exception:
        if not isolate:
            raise
    keyword.delete([r.chunk_id for r in rows])
    bad: dict[str, str] = {}
    for row in rows:
        if row.doc_id in bad:
            continue
        try:
            keyword.add([row])
        except Exception as exc:
            bad[row.doc_id] = f"{type(exc).__name__}: {exc}"
    return bad


def _drop_failed(store: Store, faults: dict[str, str], stage: str, report: IngestReport) -> None:
    """Documents that failed at embedding or indexing: removed from the store, reported as skipped."""
    for doc_id, reason in sorted(faults.items()):
        row = store.find(doc_id)
        origin = row["origin"] if row is not None else doc_id
        report.skip(
            Problem(
                origin,
                f"failed at the {stage} stage ({reason}); skipped and nothing of it kept. This is a fault of the "
                "archive, not of the file: please report it with the file",
            )
        )
        for kept in (report.added, report.updated):
            if doc_id in kept:
                kept.remove(doc_id)
    store.remove_documents([d for d in faults if store.find(d) is not None])


def _restamped(store: Store, previous: Path) -> set[str]:
    """Documents the previous generation indexed whose stamp (content, storing time, meta) has changed since."""
    try:
        before = json.loads((previous / "documents.json").read_text())
    except (OSError, ValueError):
        return set()
    stamps = store.document_stamps()
    return {doc_id for doc_id, stamp in before.items() if doc_id in stamps and stamps[doc_id] != stamp}


def _update_documents(store: Store, building: Path, previous: Path | None) -> int:
    """Bring the document-level index up to the store: documents stored again since the previous generation
    are replaced, removed ones deleted (their stamps are kept beside the index). Returns its size."""
    stamps_file = "documents.json"
    if previous is not None and (previous / "documents").is_dir() and (previous / stamps_file).is_file():
        shutil.copytree(
            previous / "documents",
            building / "documents",
            copy_function=os.link,
            ignore=shutil.ignore_patterns("*.lock"),
        )
        documents = DocumentIndex(building / "documents")
        before = json.loads((previous / stamps_file).read_text())
    else:
        documents = DocumentIndex(building / "documents", create=True)
        before = {}
    stamps = store.document_stamps()
    documents.delete([doc_id for doc_id, stamp in before.items() if stamps.get(doc_id) != stamp])
    documents.add(document_rows(store, [doc_id for doc_id, stamp in stamps.items() if before.get(doc_id) != stamp]))
    documents.commit()
    _write_atomic(building / stamps_file, json.dumps(stamps))
    return documents.num_docs


def document_rows(store: Store, doc_ids: list[str]) -> Iterator[DocumentRow]:
    for row in store.document_rows(doc_ids):
        yield DocumentRow(
            doc_id=row["doc_id"],
            title=row["title"],
            text=row["text"],
            source=row["source"],
            date=row["date"],
            speakers=tuple(sorted(filter(None, (row["speakers"] or "").split(",")))),
            meta=json.loads(row["meta"]) if "meta" in row.keys() and row["meta"] else {},
        )


def vector_kind(settings: Settings, chunks: int) -> str:
    """The FAISS index kind the settings ask for at this many chunks."""
    if settings.vector_index == "auto":
        return "ivf" if chunks >= settings.vector_index_threshold else "flat"
    return settings.vector_index  # `Settings` checked it is one of the kinds, once


def _new_vectors(kind: str, settings: Settings, dimension: int) -> VectorIndex:
    return VectorIndex.create(dimension, kind, settings.vector_encoding, nprobe=settings.ivf_nprobe)


def _must_rebuild(vectors: VectorIndex, kind: str, settings: Settings) -> bool:
    """A new vector index (filled from the stored vectors) when the kind changed or an IVF index has outgrown
    its clusters (about 4x the vectors it was clustered for: lists twice as long, queries twice as slow)."""
    outgrown = vectors.kind == "ivf" and clusters_for(len(vectors)) > 2 * vectors.lists
    return vectors.kind != kind or outgrown


def embed_missing(
    store: Store,
    embedder: Embedder,
    progress: bool = False,
    batch: int = 2048,
    settings: Settings | None = None,
    faults: dict[str, str] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Embed the chunks that have no stored vector yet; vectors are saved in the store as they are made.

    A chunk whose embedded text (`embedding_text`) is the same as a stored chunk's reuses that vector, so a
    story filed again under another id costs no encoding. Large batches let the encoder sort texts by length over
    more of them (less padding). With `settings.cluster` set, the batches are encoded by that Dask cluster's
    workers and saved here in order (`indexer.cluster`). Returns the number of chunks actually encoded.
    """
    store.prepare_embeddings(embedder.identity.key)
    rows = store.chunks_without_embedding()
    if not rows:
        return 0
    continuing = store.paragraph_continuations([r.chunk_id for r in rows])

    def embedded(r: ChunkRecord) -> str:
        return embedding_text(r.title, r.context, r.text, r.chunk_id in continuing)

    keys = {r.chunk_id: hashlib.sha1(embedded(r).encode("utf-8")).hexdigest() for r in rows}
    cached = store.cached_embeddings(sorted(set(keys.values())))
    reused = [r for r in rows if keys[r.chunk_id] in cached]
    if reused:
        ids = [r.chunk_id for r in reused]
        vectors = np.vstack([np.frombuffer(cached[keys[cid]], dtype=np.float32) for cid in ids])
        store.set_embeddings(ids, [keys[cid] for cid in ids], vectors)
    rows = [r for r in rows if keys[r.chunk_id] not in cached]
    if not rows:
        return 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(rows), unit="chunk", desc="embedding")
    parts = [rows[start : start + batch] for start in range(0, len(rows), batch)]
    texts = ([embedded(r) for r in part] for part in parts)
    if settings is not None and settings.cluster:
        encoded = _encode_on_cluster(settings, embedder, texts)
    elif faults is not None:
        pairs = zip(parts, texts, strict=True)
        encoded = (_encode_isolated(embedder, part, part_texts, faults) for part, part_texts in pairs)
    else:
        encoded = (embedder.encode_documents(part_texts) for part_texts in texts)
    done = 0
    for part, vectors in zip(parts, encoded, strict=True):
        store.set_embeddings([r.chunk_id for r in part], [keys[r.chunk_id] for r in part], vectors)
        done += len(part)
        if bar is not None:
            bar.update(len(part))
        if on_batch is not None:
            on_batch(done, len(rows))
    if bar is not None:
        bar.close()
    return len(rows)


def _encode_isolated(
    embedder: Embedder, part: list[ChunkRecord], texts: list[str], faults: dict[str, str]
) -> np.ndarray:
    """A batch encoded; if it fails, chunk by chunk, with the documents of failing chunks put in `faults` (their
    rows get a zero vector here and the documents are removed before anything is indexed)."""
    try:
        return embedder.encode_documents(texts)
    except Exception:
        return _encode_one_by_one(embedder, part, texts, faults)


def _encode_one_by_one(
    embedder: Embedder, part: list[ChunkRecord], texts: list[str], faults: dict[str, str]
) -> np.ndarray:
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for i, (row, text) in enumerate(zip(part, texts, strict=True)):
        try:
            vectors[i] = embedder.encode_documents([text])[0]
        except Exception as exc:
            faults.setdefault(row.doc_id, f"{type(exc).__name__}: {exc}")
    return vectors


def _encode_on_cluster(settings: Settings, embedder: Embedder, texts: Iterable[list[str]]) -> Iterator[np.ndarray]:
    try:
        from indexer.cluster import encode_on_cluster
    except ImportError as exc:
        raise ArchiveError(
            "encoding on a cluster needs Dask distributed: pip install '.[cluster]' (make install includes it)"
        ) from exc
    return encode_on_cluster(settings.cluster, settings, embedder.identity.key, texts)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_debris(root: Path) -> None:
    """Half-built generations left by a writer that died."""
    for leftover in root.glob(".building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for tmp in root.glob("*.tmp"):
        tmp.unlink(missing_ok=True)


def _cleanup(root: Path, keep: str) -> None:
    generations = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("gen-"))
    old = [p for p in generations if p.name != keep][: max(0, len(generations) - KEEP_GENERATIONS)]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
