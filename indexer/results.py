"""What a search returns: passages (Hit), one page of results (SearchResponse), the archive's figures
(ArchiveStats) and similar passages (Passage). Plain dataclasses with the JSON shape the API and the CLI print.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.documents import ChunkRecord
from indexer.facets import FacetValue


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    doc_id: str
    chunk_id: int
    position: int
    paragraph: int
    title: str
    source: str | None
    date: str | None
    url: str | None
    text: str
    context: str
    snippet: str
    ranks: dict[str, int | None]
    duplicates: list[str]
    page: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The hit as the API and `archive search --json` show it (the context stays internal)."""
        data = asdict(self)
        data.pop("context")
        return data


@dataclass(frozen=True)
class SearchResponse:
    """One page of results. `total` is exact when `total_relation` is "eq" (keyword mode: every match counted)
    and a lower bound when it is "gte" (semantic and hybrid rank without a fixed end), as in Elasticsearch.
    `counted` names the set the total, the facets and the date histogram all count (`indexer.present.COUNTED`)."""

    query: str
    mode: str
    total: int
    took_ms: float
    results: list[Any]
    offset: int = 0
    k: int = 10
    notices: list[str] = field(default_factory=list)
    total_relation: str = "eq"
    group: str = "passage"
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    counted: str = "matches"

    def to_json(self) -> dict[str, Any]:
        """The response in the API's shape (also printed by `archive search --json`)."""
        data = {
            "query": self.query,
            "mode": self.mode,
            "group": self.group,
            "total": self.total,
            "total_relation": self.total_relation,
            "counted": self.counted,
            "offset": self.offset,
            "k": self.k,
            "took_ms": self.took_ms,
            "notices": self.notices,
            "results": [hit.to_json() for hit in self.results],
        }
        if self.facets:
            data["facets"] = {name: [asdict(value) for value in values] for name, values in self.facets.items()}
        return data


@dataclass(frozen=True)
class ArchiveStats:
    """The figures of `archive stats` and /api/stats."""

    documents: int
    chunks: int
    indexed_chunks: int
    embedded: int
    sources: dict[str, int]
    duplicate_groups: list[list[str]]
    quotes: int
    speakers: int
    first_date: str | None
    last_date: str | None
    generation: str | None
    model: dict | None
    chunker: str | None


@dataclass(frozen=True)
class Passage:
    """A chunk similar to another one, for the document page's "similar passages"."""

    chunk_id: int
    doc_id: str
    paragraph: int
    title: str
    text: str
    score: float


def hit_of(rank, score, record: ChunkRecord, ranks, duplicates, snippet, page: int | None = None) -> Hit:
    return Hit(
        rank=rank,
        score=round(float(score), 6),
        doc_id=record.doc_id,
        chunk_id=record.chunk_id,
        position=record.position,
        paragraph=record.paragraph,
        title=record.title,
        source=record.source,
        date=record.date,
        url=record.url,
        text=record.text,
        context=record.context,
        snippet=snippet,
        ranks=ranks,
        duplicates=duplicates,
        page=page,
    )
