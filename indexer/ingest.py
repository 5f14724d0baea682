"""The one path from a file on disk to searchable chunks: read, clean, chunk, store, find copies, index.

Each document is stored in its own transaction, so a bad file or a crash never leaves half a document; the
indexes are brought up to the store at the end, in a new generation.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path

from archive.chunking import chunk_document
from archive.cleaning import clean, derive_title
from archive.documents import Document, IngestReport, Problem, RawRecord
from archive.duplicates import CopyFinder, normalized_hash, overlapping_chunks, signature
from archive.errors import BadInputError
from archive.quotes import Registry, extract_quotes, learn_names, place_quotes
from archive.readers import iter_files, read_file
from archive.settings import Settings
from archive.store import Store
from indexer.build import chunker_signature, publish, store_path, write_lock
from indexer.embedder import Embedder

MAX_ID_CHARS = 200
_ID_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class Ingestor:
    """Adds records to the store for one writer session (the write lock is held by the caller)."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.copies = CopyFinder(store.signatures(), settings.duplicate_threshold)
        self.registry = store.registry()

    def add(self, record: RawRecord, report: IngestReport) -> None:
        try:
            self._add(record, report)
        except BadInputError as exc:
            report.skipped.append(Problem(record.origin, exc.message))

    def _add(self, record: RawRecord, report: IngestReport) -> None:
        cleaned = clean(record)
        if not cleaned.paragraphs:
            raise BadInputError("no text left after removing markup and boilerplate")
        doc_id = self._doc_id(record)
        title = cleaned.title or derive_title(cleaned.paragraphs)
        content_hash = hashlib.sha256(json.dumps(
            [title, cleaned.date, cleaned.source, cleaned.url, cleaned.paragraphs], ensure_ascii=False
        ).encode("utf-8")).hexdigest()
        existing = self.store.find(doc_id)
        if existing is not None and existing["content_hash"] == content_hash:
            report.unchanged.append(doc_id)
            return
        doc = Document(doc_id, record.origin, title, cleaned.date, cleaned.source, cleaned.url,
                       cleaned.paragraphs, content_hash)
        chunks = chunk_document(doc_id, title, doc.paragraphs, self.embedder.count_tokens,
                                self.settings.chunk_tokens, self.settings.context_tokens)
        sig = signature(doc.text)
        norms = [normalized_hash(c.text) for c in chunks]
        names = Registry()
        learn_names(record.text, names)
        quotes = place_quotes(extract_quotes(doc.paragraphs, names), chunks)
        self.registry.merge(names)
        ids = self.store.put_document(doc, chunks, sig, norms, quotes, self.registry)
        (report.updated if existing is not None else report.added).append(doc_id)
        self.link_copies(doc_id, sig, list(zip(ids, [c.text for c in chunks], norms, strict=True)), report)

    def link_copies(self, doc_id: str, sig, chunks: list[tuple[int, str, str]], report: IngestReport) -> None:
        """Group the document with its near-duplicates, and mark chunks that repeat elsewhere as copies."""
        self.copies.remove(doc_id)
        found = self.copies.find(doc_id, sig)
        self.copies.add(doc_id, sig)
        pairs: list[tuple[int, int]] = []
        by_hash = {norm: cid for cid, _, norm in chunks}
        for other_id, norm in self.store.chunks_with_hash(list(by_hash), exclude_doc=doc_id):
            pairs.append((by_hash[norm], other_id))
        if found:
            copies = [other for other, _ in found]
            self.store.join_group(doc_id, copies)
            report.duplicates.append((doc_id, copies[0]))
            mine = [(cid, text) for cid, text, _ in chunks]
            for other in copies:
                pairs.extend(overlapping_chunks(mine, self.store.chunk_texts(other)))
        if pairs:
            self.store.add_chunk_copies(pairs)

    def _doc_id(self, record: RawRecord) -> str:
        """The record's own id; for a file, the id it had when last ingested from the same path, else its
        name (made unique with a hash of the path when another file already has that name)."""
        if record.doc_id is not None:
            doc_id = record.doc_id.strip()
            if not doc_id or len(doc_id) > MAX_ID_CHARS or _ID_UNSAFE.search(doc_id):
                raise BadInputError(f"id {record.doc_id[:40]!r} must be 1-{MAX_ID_CHARS} printable characters")
            return doc_id
        known = self.store.doc_id_for_origin(record.origin)
        if known:
            return known
        stem = re.sub(r"[^\w.-]+", "-", Path(record.origin).stem).strip("-") or "document"
        if self.store.find(stem) is None:
            return stem
        return f"{stem}-{hashlib.sha1(record.origin.encode()).hexdigest()[:8]}"


def ingest_paths(
    settings: Settings, paths: list[Path], embedder: Embedder | None = None, progress: bool = False
) -> IngestReport:
    """Ingest files and folders (recursively). Bad files are reported in the result and skipped."""

    def records(ingestor: Ingestor, report: IngestReport) -> Iterable[RawRecord]:
        items = list(iter_files(paths))
        if progress:
            from tqdm import tqdm

            items = tqdm(items, unit="file", desc="reading")
        for item in items:
            if isinstance(item, Problem):
                report.skipped.append(item)
                continue
            try:
                found, problems = read_file(item, settings.max_document_bytes)
            except BadInputError as exc:
                report.skipped.append(Problem(str(item), exc.message.removeprefix(f"{item}: ")))
                continue
            report.skipped.extend(problems)
            yield from found

    return _ingest(settings, records, embedder, progress)


def ingest_records(
    settings: Settings, raw: list[RawRecord], embedder: Embedder | None = None
) -> IngestReport:
    """Ingest records that did not come from files (the write API)."""
    return _ingest(settings, lambda ingestor, report: raw, embedder, False)


def _ingest(settings, records, embedder, progress) -> IngestReport:
    started = time.perf_counter()
    embedder = embedder or Embedder.from_settings(settings)
    report = IngestReport()
    with write_lock(settings):
        store = Store(store_path(settings))
        try:
            rechunk_if_needed(store, embedder, settings)
            ingestor = Ingestor(store, embedder, settings)
            for record in records(ingestor, report):
                ingestor.add(record, report)
            encoding_before = embedder.seconds_encoding
            _, report.chunks_embedded = publish(store, embedder, settings, progress=progress)
            report.seconds_embedding = embedder.seconds_encoding - encoding_before
        finally:
            store.close()
    report.seconds_total = time.perf_counter() - started
    return report


def rechunk_if_needed(store: Store, embedder: Embedder, settings: Settings, force: bool = False) -> int:
    """Chunk every stored document again when the chunking rules, sizes or tokenizer changed."""
    wanted = chunker_signature(settings, embedder)
    if not force and store.get_meta("chunker") in (None, wanted):
        store.set_meta("chunker", wanted)
        return 0
    ingestor = Ingestor(store, embedder, settings)
    count = 0
    for doc_id in store.doc_ids():
        doc = store.document(doc_id)
        chunks = chunk_document(doc_id, doc.title, doc.paragraphs, embedder.count_tokens,
                                settings.chunk_tokens, settings.context_tokens)
        sig = signature("\n\n".join(doc.paragraphs))
        norms = [normalized_hash(c.text) for c in chunks]
        stored = Document(doc_id, doc.origin, doc.title, doc.date, doc.source, doc.url, doc.paragraphs,
                          doc.content_hash)
        names = Registry()
        learn_names("\n\n".join(doc.paragraphs), names)
        quotes = place_quotes(extract_quotes(doc.paragraphs, names), chunks)
        ingestor.registry.merge(names)
        ids = store.put_document(stored, chunks, sig, norms, quotes, ingestor.registry)
        ingestor.link_copies(doc_id, sig, list(zip(ids, [c.text for c in chunks], norms, strict=True)),
                              IngestReport())
        count += 1
    store.set_meta("chunker", wanted)
    return count


def rebuild(settings: Settings, embedder: Embedder | None = None, reembed: bool = False,
            progress: bool = False) -> dict:
    """Fresh indexes from the store in a new generation (re-chunked if the chunker changed)."""
    embedder = embedder or Embedder.from_settings(settings)
    with write_lock(settings):
        store = Store(store_path(settings))
        try:
            rechunked = rechunk_if_needed(store, embedder, settings)
            if reembed:
                store.prepare_embeddings("")
            manifest, embedded = publish(store, embedder, settings, full=True, progress=progress)
        finally:
            store.close()
    return {"generation": manifest.generation, "rechunked": rechunked, "embedded": embedded, **manifest.counts}


def remove_documents(settings: Settings, doc_ids: list[str], embedder: Embedder | None = None) -> list[str]:
    """Remove documents from the store and both indexes. Unknown ids raise NotFoundError before any change."""
    embedder = embedder or Embedder.from_settings(settings)
    with write_lock(settings):
        store = Store(store_path(settings))
        try:
            for doc_id in doc_ids:
                if store.find(doc_id) is None:
                    store.document(doc_id)
            for doc_id in doc_ids:
                store.remove_document(doc_id)
            publish(store, embedder, settings)
        finally:
            store.close()
    return doc_ids
