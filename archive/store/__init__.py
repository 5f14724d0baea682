"""The document store: one SQLite file, the source of truth for documents, chunks, copies and quotes.

Indexes are derived from it and can always be rebuilt from it. Writes come from one writer at a time (the
write lock lives in indexer.build); any number of reader threads each get their own connection. The tables are
in `archive/schema.sql`; the methods are grouped by what they hold, one module each.
"""

from __future__ import annotations

from archive.store.base import marks
from archive.store.chunks import ChunksMixin
from archive.store.copies import CopiesMixin
from archive.store.documents import DocumentsMixin
from archive.store.problems import ProblemsMixin
from archive.store.quotes import QuotesMixin

__all__ = ["Store", "marks"]


class Store(DocumentsMixin, ChunksMixin, CopiesMixin, QuotesMixin, ProblemsMixin):
    """Open with `Store(path)`; every part shares one connection per thread and one transaction at a time."""
