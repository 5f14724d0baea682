"""The values that travel between the layers: frozen dataclasses, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Original:
    """The bytes a document was read from (a file, an attachment, a mail message, a web archive's page), with
    its media type and the file name it had (for a download)."""

    data: bytes = field(repr=False)
    name: str
    media_type: str


@dataclass(frozen=True)
class RawRecord:
    """One document as a reader found it: text plus whatever metadata the format carried explicitly, and the
    bytes it was read from when the reader had them (`original`)."""

    origin: str
    text: str
    doc_id: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    meta: dict = field(default_factory=dict)
    original: Original | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Problem:
    """Something that could not be ingested, and why. Reported, never fatal to the rest of a run."""

    origin: str
    reason: str


# Meta fields with one value per paragraph (the PDF page it is on, its `>` quote level): read with the paragraphs,
# never shown as fields of their own nor offered as facets.
PARAGRAPH_META = frozenset({"pages", "quoted"})


@dataclass(frozen=True)
class Cleaned:
    """A record's text with boilerplate removed, split into paragraphs, with the metadata found in it."""

    paragraphs: tuple[str, ...]
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    doc_id: str
    origin: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    paragraphs: tuple[str, ...]
    content_hash: str
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Chunk:
    """A piece of one paragraph (a whole paragraph unless it was too long for the model's window).

    `context` is the end of the text just before it, so a quote whose speaker was named in the previous
    paragraph can still be found by the speaker's name.
    """

    doc_id: str
    position: int
    paragraph: int
    text: str
    context: str
    title: str
    n_tokens: int
    chunk_id: int | None = None


def embedding_text(title: str, context: str, text: str, continues_paragraph: bool = False) -> str:
    """What the vector index embeds for a chunk: its title and context give the paragraph its story. A piece that
    continues a paragraph split for length embeds no context: the paragraph's own sentences before it are its story
    (on SciFact, whose abstracts are long single paragraphs, that context is 10% more tokens and its ingest took 310 s
    against 270 s, for no gain: hybrid nDCG@10 test 0.722 with it, 0.728 without). Keyword search keeps every
    context."""
    return "\n".join(part for part in (title, "" if continues_paragraph else context, text) if part)


@dataclass(frozen=True)
class StoredDocument:
    """A document as the store holds it: the document itself, plus what the archive learned about it.

    Its fields (`doc_id`, `title`, `paragraphs`, ...) read through to `document`.
    """

    document: Document
    group_id: str | None
    ingested_at: str
    duplicates: tuple[str, ...] = ()
    chunks: tuple[Chunk, ...] = field(default=())

    def __getattr__(self, name: str) -> Any:
        if name == "document":
            raise AttributeError(name)
        return getattr(self.document, name)


@dataclass(frozen=True)
class ChunkRecord:
    """A stored chunk with the metadata of its document: what a search hit shows and the indexes hold."""

    chunk_id: int
    doc_id: str
    position: int
    paragraph: int
    text: str
    context: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    speakers: str = ""
    orgs: str = ""
    meta: str = ""


@dataclass
class StoredQuote:
    """A quote as stored, with every document that carries the same words from the same speaker."""

    quote_id: int
    text: str
    speaker: str | None
    org: str | None
    kind: str
    doc_id: str
    chunk_id: int | None
    paragraph: int
    date: str | None
    mention: str | None
    sources: list[str]
    evidence: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class StoreStats:
    documents: int
    chunks: int
    embedded: int
    sources: dict[str, int]
    groups: list[list[str]]
    first_date: str | None
    last_date: str | None


class ReportListener(Protocol):
    """Told of each problem as it happens (a long run prints them as it goes, not only at the end)."""

    def problem(self, kind: str, problem: Problem) -> None: ...


@dataclass
class IngestReport:
    """What one ingest run did, for the summary line and the API.

    `still_unreadable`: inputs that failed again, unchanged since an earlier run reported them (not listed again).
    `stopped`: why the run ended early (an interruption or a fault outside any one document), after indexing
    what it had stored."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    still_unreadable: list[Problem] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds_embedding: float = 0.0
    seconds_total: float = 0.0
    stopped: str | None = None
    listener: ReportListener | None = field(default=None, repr=False, compare=False)
    known: Callable[[Problem], bool] | None = field(default=None, repr=False, compare=False)

    def skip(self, problem: Problem) -> None:
        if self.known is not None and self.known(problem):
            self.still_unreadable.append(problem)
            return
        self.skipped.append(problem)
        if self.listener is not None:
            self.listener.problem("skipped", problem)

    def warn(self, problem: Problem) -> None:
        self.warnings.append(problem)
        if self.listener is not None:
            self.listener.problem("warning", problem)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"near-duplicates {len(self.duplicates)}, skipped {len(self.skipped)}, warnings {len(self.warnings)}; "
            f"{self.chunks_embedded} chunks embedded"
            + (
                f"; {len(self.still_unreadable)} inputs still unreadable, unchanged since they were reported"
                if self.still_unreadable
                else ""
            )
        )
