"""Articles, not only paragraphs: search results grouped by document, each with its best passages.

In hybrid and semantic mode a document stands where its best passage stands in the fused passage ranking, and
documents that match the query only as a whole (the document-level BM25 list over title + whole text) follow; in
keyword mode the document-level list ranks them. Near-duplicate copies of a shown article fold into its
`duplicates`. The passage lists stay what answers the question: each article shows its best 1-3 passages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.documents import PARAGRAPH_META
from indexer.candidates import Candidate
from indexer.facets import parse_meta

MAX_PASSAGES = 3


@dataclass(frozen=True)
class ArticlePassage:
    chunk_id: int
    paragraph: int
    text: str
    snippet: str
    ranks: dict[str, int | None]
    page: int | None = None


@dataclass(frozen=True)
class Article:
    rank: int
    doc_id: str
    title: str
    source: str | None
    date: str | None
    url: str | None
    score: float
    meta: dict[str, Any]
    duplicates: list[str]
    passages: list[ArticlePassage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def passages_by_document(collapsed: list[Candidate], chunk_docs: dict[int, str]) -> dict[str, list[Candidate]]:
    """The fused passages of each document, best first; documents in the order of their best passage."""
    grouped: dict[str, list[Candidate]] = {}
    for item in collapsed:
        doc_id = chunk_docs.get(item.chunk_id)
        if doc_id is not None:
            grouped.setdefault(doc_id, []).append(item)
    return grouped


def fold_copies(
    ranking: list[tuple[str, float]], groups: dict[str, str | None], derived: frozenset[str] | set[str] = frozenset()
) -> list[tuple[str, float, list[str]]]:
    """Show one article per near-duplicate group, at the place of its best-ranked member, with the others in its
    `duplicates`. The article shown is the first standalone member: an attachment or excerpt (`derived`) stands
    for its group only when no standalone copy is in the ranking, so a public report is not shown as sent by the
    e-mail that carried a copy of it (each copy keeps its own sender and date)."""
    members: dict[str, list[tuple[str, float]]] = {}
    for doc_id, score in ranking:
        members.setdefault(groups.get(doc_id) or f"doc:{doc_id}", []).append((doc_id, score))
    result: list[tuple[str, float, list[str]]] = []
    for found in members.values():
        shown = next((doc_id for doc_id, _ in found if doc_id not in derived), found[0][0])
        result.append((shown, found[0][1], [doc_id for doc_id, _ in found if doc_id != shown]))
    return result


def meta_of(row: Any) -> dict[str, Any]:
    """A stored document's meta as shown with a result (page numbers left out)."""
    return {key: value for key, value in parse_meta(row["meta"]).items() if key not in PARAGRAPH_META}
