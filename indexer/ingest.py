"""The one path from a record to searchable chunks: clean, identify, chunk, store, find copies, index.

Files and folders (the CLI), JSON bodies and uploads (the write API) and re-chunking all go through
`Ingestor.add` / `Ingestor.store`; ids are made by the rules in `archive.ids`. Each document is stored with
everything derived from it in one transaction, so a bad file or a crash never leaves half a document; the
indexes are brought up to the store at the end, in a new generation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from archive.chunking import chunk_document
from archive.cleaning import clean, derive_title
from archive.dates import DateError, parse_date
from archive.documents import Document, IngestReport, Problem, RawRecord
from archive.duplicates import CopyFinder, normalized_hash, overlapping_chunks, signature, substantial
from archive.errors import BadInputError
from archive.ids import content_id, disambiguated, explicit_id, path_name
from archive.linking import link_speakers
from archive.quotes import Registry, extract_quotes, learn_names, place_quotes
from archive.readers import is_collection, iter_files, iter_records
from archive.settings import Settings
from archive.store import Store
from archive.store.originals import keep_original
from archive.store.threads import link_threads
from indexer.build import chunker_signature, publish, store_path, write_lock
from indexer.embedder import Embedder
from indexer.meter import Meter


def own_text(document: Document) -> str:
    """A document's text without the paragraphs it quotes with `>` (a reply's copy of the message it answers):
    what makes it a near-duplicate of another. Its quoted passages are still marked copies one by one."""
    quoted = document.meta.get("quoted")
    if not isinstance(quoted, list) or len(quoted) != len(document.paragraphs) or all(quoted):
        return document.text
    return "\n\n".join(p for p, level in zip(document.paragraphs, quoted, strict=True) if not level)


def fault(origin: str, stage: str, exc: BaseException) -> Problem:
    """A document that failed for a reason that is not the input's fault: named with the stage, so the report
    says where, and the run goes on without it."""
    return Problem(
        origin,
        f"failed at the {stage} stage ({type(exc).__name__}: {exc}); skipped and nothing of it kept. "
        "This is a fault of the archive, not of the file: please report it with the file",
    )


@dataclass(frozen=True)
class Incoming:
    """A record on its way in, with how it is identified when it has no id of its own.

    `name` is the id a file's path suggests (see `archive.ids`); None means: identify it by its content.
    `label` starts a content id (an upload's file name, a collection file's name); the title is used otherwise.
    `strict_dates`: an unreadable date is an error (the write API) instead of a warning (files).
    """

    record: RawRecord
    name: str | None = None
    label: str | None = None
    strict_dates: bool = False


@dataclass(frozen=True)
class Preview:
    """What `ingest --dry-run` shows for one document: what would be stored, and whether it is new."""

    origin: str
    action: str
    document: Document
    warnings: tuple[str, ...] = ()


class Ingestor:
    """Adds records to the store for one writer session (see `writer`)."""

    def __init__(self, store: Store, settings: Settings, embedder: Embedder | None = None):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.copies = CopyFinder(store.signatures(), settings.duplicate_threshold)
        self.registry = store.registry(typed=False)
        self.stage = "clean"

    def add(self, incoming: Incoming, report: IngestReport) -> None:
        """Store one record, or report why not. Never raises for a fault in one document: whatever stage fails
        (clean, chunk, quotes, copies, store), the document is reported with its origin and that stage, nothing
        of it is kept, and the run goes on."""
        origin = incoming.record.origin
        self.stage = "clean"
        try:
            action, document, warnings = self.prepare(incoming)
        except BadInputError as exc:
            report.skip(Problem(exc.origin or origin, exc.reason))
            return
        except Exception as exc:
            report.skip(fault(origin, self.stage, exc))
            return
        for warning in warnings:
            report.warn(Problem(origin, warning))
        if action == "unchanged":
            report.unchanged.append(document.doc_id)
            return
        try:
            self.store_document(document, report, incoming.record.text)
        except Exception as exc:
            self._forget(document.doc_id)
            report.skip(fault(origin, self.stage, exc))
            return
        try:
            keep_original(self.store, self.settings, document.doc_id, incoming.record.original)
        except Exception as exc:
            report.warn(Problem(origin, f"original not kept ({type(exc).__name__}: {exc}); the document is stored"))
        (report.updated if action == "updated" else report.added).append(document.doc_id)

    def _forget(self, doc_id: str) -> None:
        """After a failed store (rolled back), what this session holds in memory is brought back to the store."""
        self.copies.remove(doc_id)
        signature_of = dict(self.store.signatures()).get(doc_id)
        if signature_of is not None:
            self.copies.add(doc_id, signature_of)
        self.registry = self.store.registry(typed=False)

    def prepare(self, incoming: Incoming) -> tuple[str, Document, list[str]]:
        """The document a record becomes, its id, and what storing it would do: added, updated or unchanged."""
        record = incoming.record
        cleaned = clean(record)
        if not cleaned.paragraphs:
            raise BadInputError(record.origin, "no text left after removing markup and boilerplate")
        warnings: list[str] = []
        date = None
        if cleaned.date:
            try:
                date = parse_date(cleaned.date)
            except DateError as exc:
                if incoming.strict_dates:
                    raise BadInputError(record.origin, f"field 'date': {exc}") from exc
                warnings.append(f"date not stored: {exc}")
        title = cleaned.title or derive_title(cleaned.paragraphs)
        content_hash = hashlib.sha256(
            json.dumps(
                [title, date, cleaned.source, cleaned.url, cleaned.paragraphs]
                + ([cleaned.meta] if cleaned.meta else []),
                ensure_ascii=False,
                sort_keys=True,
            ).encode("utf-8")
        ).hexdigest()
        doc_id, action = self._identify(incoming, title, content_hash)
        document = Document(
            doc_id,
            record.origin,
            title,
            date,
            cleaned.source,
            cleaned.url,
            cleaned.paragraphs,
            content_hash,
            cleaned.meta,
        )
        return action, document, warnings

    def _identify(self, incoming: Incoming, title: str, content_hash: str) -> tuple[str, str]:
        record = incoming.record
        known = self.store.doc_id_for_origin(record.origin) if incoming.name is not None else None
        if record.doc_id is not None:
            doc_id = explicit_id(record.doc_id, record.origin)
        elif known is not None:
            doc_id = known
        else:
            same = self.store.doc_id_for_content(content_hash)
            if same is not None:
                return same, "unchanged"
            if incoming.name is not None:
                doc_id = incoming.name
                if self.store.find(doc_id) is not None:
                    doc_id = disambiguated(doc_id, record.origin)
            else:
                doc_id = content_id(incoming.label or title, content_hash)
        existing = self.store.find(doc_id)
        if existing is None:
            return doc_id, "added"
        return doc_id, "unchanged" if existing["content_hash"] == content_hash else "updated"

    def store_document(self, document: Document, report: IngestReport, text: str | None = None) -> None:
        """Chunk a document and store it with its quotes and copy links, all in one transaction.

        Speakers are resolved from this document alone (`text`, its raw text with captions, teaches the names
        and roles), so what one story says never renames a speaker of another, whatever the ingest order."""
        if self.embedder is None:
            raise RuntimeError("storing documents needs the embedder's tokenizer; open the Ingestor with one")
        settings = self.settings
        self.stage = "chunk"
        chunks = chunk_document(
            document.doc_id,
            document.title,
            document.paragraphs,
            self.embedder.count_tokens,
            settings.chunk_tokens,
            settings.context_tokens,
            settings.min_passage_words,
        )
        self.stage = "copies"
        sig = signature(own_text(document))
        norms = [normalized_hash(c.text) for c in chunks]
        self.stage = "quotes"
        names = Registry()
        learn_names(text if text is not None else document.text, names)
        quotes = place_quotes(extract_quotes(document.paragraphs, names), chunks)
        self.registry.merge(names)
        self.stage = "store"
        with self.store.transaction():
            ids = self.store.put_document(document, chunks, sig, norms, quotes, self.registry)
            self.stage = "copies"
            self._link_copies(
                document.doc_id, sig, list(zip(ids, [c.text for c in chunks], norms, strict=True)), report
            )

    def _link_copies(self, doc_id: str, sig, chunks: list[tuple[int, str, str]], report: IngestReport) -> None:
        """Group the document with its near-duplicates, and mark chunks that repeat elsewhere as copies."""
        self.copies.remove(doc_id)
        found = self.copies.find(doc_id, sig)
        self.copies.add(doc_id, sig)
        pairs: list[tuple[int, int]] = []
        by_hash = {norm: cid for cid, text, norm in chunks if substantial(text)}
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


@contextmanager
def writer(settings: Settings, embedder: Embedder, rechunk: bool = True) -> Iterator[Store]:
    """One writer session: the write lock, the store (re-chunked first if the chunker changed), then close."""
    with write_lock(settings):
        store = Store(store_path(settings))
        try:
            if rechunk:
                rechunk_if_needed(store, embedder, settings)
            yield store
        finally:
            store.close()


def read_paths(
    paths: list[Path],
    settings: Settings,
    report: IngestReport,
    source: str | None = None,
    progress: bool = False,
    meter: Meter | None = None,
) -> Iterator[Incoming]:
    """Records from files and folders (recursively), each with the id its path suggests; problems go to the
    report as they are met. `source` is given to records that name none; `meter` counts files as they are read."""
    for root in paths:
        base = root if root.is_dir() else root.parent
        items: Iterable[Path | Problem] = list(iter_files([root]))
        if meter is not None:
            meter.files_total += sum(1 for item in items if not isinstance(item, Problem))
        if progress:
            from tqdm import tqdm

            items = tqdm(items, unit="file", desc=f"reading {root}")
        for item in items:
            if isinstance(item, Problem):
                report.skip(item)
                continue
            name = path_name(item, base)
            for record in _records_of(item.resolve(), settings, report, progress):
                if source and not record.source:
                    record = replace(record, source=source)
                if is_collection(record.origin):
                    yield Incoming(record, label=Path(name).name)
                else:
                    yield Incoming(record, name=name)
            if meter is not None:
                meter.files_done += 1


def _records_of(path: Path, settings: Settings, report: IngestReport, progress: bool) -> Iterator[RawRecord]:
    """One file's records as they are read (a large mailbox or web archive streams); a file that cannot be read
    at all, or stops being readable, is reported. A fault in a reader ends that file only, and is reported as one."""
    found = iter_records(path, settings.max_document_bytes, progress=progress)
    while True:
        try:
            item = next(found)
        except StopIteration:
            return
        except BadInputError as exc:
            report.skip(Problem(exc.origin, exc.reason))
            return
        except Exception as exc:
            report.skip(fault(str(path), "read", exc))
            return
        if isinstance(item, Problem):
            report.skip(item)
        else:
            yield item


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    embedder: Embedder | None = None,
    progress: bool = False,
    source: str | None = None,
    report: IngestReport | None = None,
    meter: Meter | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively). Bad files are reported in the result and skipped; a file that
    fails again unchanged since an earlier run reported it goes to `still_unreadable` instead."""
    report = report if report is not None else IngestReport()
    found = read_paths(paths, settings, report, source, progress, meter)
    return ingest(settings, found, embedder, progress, report, meter, remember_problems=True)


def ingest_records(settings: Settings, records: Iterable[RawRecord], embedder: Embedder | None = None) -> IngestReport:
    """Ingest records that did not come from files (ids: their own, else by content; see `archive.ids`)."""
    return ingest(settings, (Incoming(record) for record in records), embedder)


def ingest(
    settings: Settings,
    incoming: Iterable[Incoming],
    embedder: Embedder | None = None,
    progress: bool = False,
    report: IngestReport | None = None,
    meter: Meter | None = None,
    remember_problems: bool = False,
) -> IngestReport:
    """Store every record in one writer session, then publish a new index generation.

    Whatever ends the loop early (Ctrl-C, a fault outside any one document), what was stored is indexed before
    the exception goes on (`report.stopped` says why), so the store and the served index agree."""
    started = time.perf_counter()
    embedder = embedder or Embedder.from_settings(settings)
    report = report if report is not None else IngestReport()
    with writer(settings, embedder) as store:
        ingestor = Ingestor(store, settings, embedder)
        if remember_problems:
            report.known = functools.partial(_known_problem, store)
        try:
            for item in incoming:
                ingestor.add(item, report)
                if meter is not None:
                    meter.tick(report)
        except BaseException as exc:
            report.stopped = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise
        finally:
            report.known = None
            try:
                link_threads(store)  # e-mail threads and attachments (archive/store/threads.py)
            except Exception as exc:
                report.warn(Problem(str(settings.data_dir), f"e-mail threads not linked this run ({exc})"))
            try:
                link_speakers(store, settings.link_window_days)  # speakers named by role or surname, linked
            except Exception as exc:
                report.warn(Problem(str(settings.data_dir), f"speakers not linked across documents this run ({exc})"))
            encoding_before = embedder.seconds_encoding
            on_batch = meter.embedding if meter is not None else None
            _, report.chunks_embedded = publish(
                store, embedder, settings, progress=progress, failed=report, on_batch=on_batch
            )
            report.seconds_embedding = embedder.seconds_encoding - encoding_before
            report.seconds_total = time.perf_counter() - started
    return report


def _known_problem(store: Store, problem: Problem) -> bool:
    """Whether an earlier run reported this problem with its file as it is now; a new one is remembered."""
    fingerprint = _fingerprint(problem.origin)
    if fingerprint is None:
        return False
    if store.known_problem(problem.origin, fingerprint) == problem.reason:
        return True
    store.remember_problem(problem.origin, fingerprint, problem.reason)
    return False


def _fingerprint(origin: str) -> str | None:
    """Size and modification time of the file an origin names (`path`, `path#message-3`), or None."""
    try:
        stat = Path(origin.split("#", 1)[0]).stat()
    except (OSError, ValueError):
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def preview_paths(settings: Settings, paths: list[Path], source: str | None = None) -> Iterator[Preview | Problem]:
    """What ingesting these paths would store, document by document, and every problem; writes nothing."""
    path = store_path(settings)
    store = Store(path) if path.exists() else Store(Path(":memory:"))
    try:
        ingestor = Ingestor(store, settings)
        report = IngestReport()
        earlier: tuple[set[str], set[str]] = (set(), set())
        for item in read_paths(paths, settings, report, source):
            yield from report.skipped
            report.skipped.clear()
            try:
                action, document, warnings = ingestor.prepare(item)
            except BadInputError as exc:
                yield Problem(exc.origin or item.record.origin, exc.reason)
                continue
            except Exception as exc:
                yield fault(item.record.origin, "clean", exc)
                continue
            action = _as_after(action, document, earlier)
            yield Preview(item.record.origin, action, document, tuple(warnings))
        yield from report.skipped
    finally:
        store.close()


def _as_after(action: str, document: Document, earlier: tuple[set[str], set[str]]) -> str:
    """What storing a previewed document would do after the documents previewed before it in the same run were
    stored: the same content again is unchanged (a message repeated in a mailbox), the same id with other content
    an update. `earlier` holds the ids and the content hashes previewed so far."""
    ids, hashes = earlier
    if document.content_hash in hashes:
        action = "unchanged"
    elif action == "added" and document.doc_id in ids:
        action = "updated"
    ids.add(document.doc_id)
    hashes.add(document.content_hash)
    return action


def rechunk_if_needed(store: Store, embedder: Embedder, settings: Settings, force: bool = False) -> int:
    """Chunk every stored document again when the chunking rules, sizes or tokenizer changed."""
    wanted = chunker_signature(settings, embedder)
    if not force and store.get_meta("chunker") in (None, wanted):
        store.set_meta("chunker", wanted)
        return 0
    ingestor = Ingestor(store, settings, embedder)
    doc_ids = store.doc_ids()
    for doc_id in doc_ids:
        ingestor.store_document(store.document(doc_id).document, IngestReport())
    store.set_meta("chunker", wanted)
    return len(doc_ids)


def rebuild(
    settings: Settings, embedder: Embedder | None = None, reembed: bool = False, progress: bool = False
) -> dict:
    """Fresh indexes from the store in a new generation (re-chunked if the chunker changed)."""
    embedder = embedder or Embedder.from_settings(settings)
    with writer(settings, embedder, rechunk=False) as store:
        rechunked = rechunk_if_needed(store, embedder, settings)
        link_threads(store)  # re-chunked documents are looked at again (archive/store/threads.py)
        if reembed:
            store.prepare_embeddings("")
        manifest, embedded = publish(store, embedder, settings, full=True, progress=progress)
    return {"generation": manifest.generation, "rechunked": rechunked, "embedded": embedded, **manifest.counts}


def remove_documents(
    settings: Settings, doc_ids: list[str], embedder: Embedder | None = None, ignore_missing: bool = False
) -> list[str]:
    """Remove documents from the store and both indexes: all of them, or (an unknown id) none.

    With `ignore_missing`, unknown ids are left out instead; returns the ids actually removed.
    """
    embedder = embedder or Embedder.from_settings(settings)
    with writer(settings, embedder) as store:
        if ignore_missing:
            doc_ids = [doc_id for doc_id in doc_ids if store.find(doc_id) is not None]
        if doc_ids:
            store.remove_documents(doc_ids)
            link_speakers(store, settings.link_window_days)  # links that rested on the removed documents, redone
        publish(store, embedder, settings)
    return doc_ids
