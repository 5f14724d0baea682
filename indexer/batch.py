"""Batch search: many queries in, every query's hits out, with a count per query (what Datashare calls batch
search). The same for `archive search --batch FILE` and `POST /api/batch`.

A batch is either one query a line (blank lines and lines starting with `#` are skipped), or a CSV file whose
header has a `query` column; its other columns are per-query settings and filters (`mode`, `k`, `source`,
`date_from`, `date_to`, `speaker`, `org`, `group`, `sort`, `meta.<field>`), an empty cell leaving the default.
Each query runs exactly as a single search with the same arguments would, so a batch gives the same hits.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

from archive.errors import ArchiveError, InvalidRequestError
from indexer.request import SearchRequest
from indexer.results import SearchResponse
from indexer.search import SearchService

MAX_BATCH_QUERIES = 1000
COLUMNS = ("query", "mode", "k", "source", "date_from", "date_to", "speaker", "org", "group", "sort")
FIELDS = (
    "query_number",
    "query",
    "query_total",
    "query_total_relation",
    "error",
    "rank",
    "doc_id",
    "title",
    "source",
    "date",
    "url",
    "score",
    "chunk_id",
    "paragraph",
    "page",
    "text",
)
FORMATS = ("csv", "jsonl", "json")


@dataclass(frozen=True)
class BatchQuery:
    number: int
    request: SearchRequest


@dataclass(frozen=True)
class BatchResult:
    query: BatchQuery
    response: SearchResponse | None
    error: str | None = None

    @property
    def count(self) -> int:
        return self.response.total if self.response else 0

    def summary(self) -> str:
        """`number <tab> count <tab> query`, and the error if the query was refused: the CLI's overview."""
        line = f"{self.query.number}\t{self.count}\t{self.query.request.query}"
        return f"{line}\terror: {self.error}" if self.error else line

    def to_json(self) -> dict[str, Any]:
        response = self.response
        return {
            "number": self.query.number,
            "query": self.query.request.query,
            "total": response.total if response else 0,
            "total_relation": response.total_relation if response else "eq",
            "error": self.error,
            "results": [hit.to_json() for hit in response.results] if response else [],
        }


def read_batch(text: str, defaults: SearchRequest) -> list[BatchQuery]:
    """The queries of a batch (see the module's docstring), each a SearchRequest starting from `defaults`."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidRequestError("the batch holds no queries: give one query a line, or a CSV with a query column")
    header = next(csv.reader([lines[0]]))
    names = [name.strip().lower() for name in header]
    if "query" in names and (len(names) > 1 or lines[0].strip().lower() == "query"):
        queries = _from_csv(text, defaults)
    else:
        queries = [
            BatchQuery(number, replace(defaults, query=line.strip()))
            for number, line in enumerate((ln for ln in lines if not ln.lstrip().startswith("#")), start=1)
        ]
    if len(queries) > MAX_BATCH_QUERIES:
        raise InvalidRequestError(f"the batch holds {len(queries)} queries; at most {MAX_BATCH_QUERIES} at a time")
    return queries


def _from_csv(text: str, defaults: SearchRequest) -> list[BatchQuery]:
    reader = csv.DictReader(io.StringIO(text))
    return queries_from_rows(list(reader), defaults)


def queries_from_rows(rows: list[dict], defaults: SearchRequest) -> list[BatchQuery]:
    """Queries from rows of named cells (a CSV's rows, or the objects of a JSON batch)."""
    fields = {str(name or "").strip() for row in rows for name in row}
    unknown = sorted(name for name in fields if name.lower() not in COLUMNS and not name.startswith("meta."))
    if unknown:
        raise InvalidRequestError(
            f"unknown batch column(s) {', '.join(map(repr, unknown))}: use {', '.join(COLUMNS)} or meta.<field>"
        )
    queries = []
    for number, row in enumerate(rows, start=1):
        cells = {
            str(k).strip(): str(v).strip()
            for k, v in row.items()
            if k is not None and isinstance(v, str | int | float) and not isinstance(v, bool)
        }
        values = {k.lower(): v for k, v in cells.items() if v and not k.startswith("meta.")}
        meta = tuple((k.removeprefix("meta."), v) for k, v in cells.items() if k.startswith("meta.") and v)
        changes: dict[str, Any] = {
            name: values[name]
            for name in ("mode", "source", "date_from", "date_to", "speaker", "org", "group", "sort")
            if name in values
        }
        request = replace(defaults, query=values.get("query", ""), meta=defaults.meta + meta, **changes)
        if "k" in values:
            try:
                request = replace(request, k=int(values["k"]))
            except ValueError as exc:
                raise InvalidRequestError(f"row {number}: k must be a whole number, got {values['k']!r}") from exc
        queries.append(BatchQuery(number, request))
    if len(queries) > MAX_BATCH_QUERIES:
        raise InvalidRequestError(f"the batch holds {len(queries)} queries; at most {MAX_BATCH_QUERIES} at a time")
    return queries


def run_batch(service: SearchService, queries: Iterable[BatchQuery]) -> Iterator[BatchResult]:
    """Each query's response, in order; a query the archive refuses (a bad date, an empty line in a CSV) gives
    its error instead of stopping the batch."""
    for query in queries:
        try:
            yield BatchResult(query, service.search(query.request))
        except InvalidRequestError as exc:
            yield BatchResult(query, None, exc.message)
        except ArchiveError:
            raise


def batch_rows(result: BatchResult) -> Iterator[dict[str, Any]]:
    """One row per hit (a passage, or an article's best passage), each with its query's number, text and count;
    a query without hits gives one row with its count (0) or its error, so every query is listed."""
    response = result.response
    common = {
        "query_number": result.query.number,
        "query": result.query.request.query,
        "query_total": response.total if response else 0,
        "query_total_relation": response.total_relation if response else "eq",
        "error": result.error or "",
    }
    hits = response.results if response else []
    if not hits:
        yield common
        return
    for hit in hits:
        data = hit.to_json()
        passage = (data.get("passages") or [{}])[0]
        yield {
            **common,
            **{key: data.get(key) for key in ("rank", "doc_id", "title", "source", "date", "url", "score")},
            "chunk_id": data.get("chunk_id", passage.get("chunk_id")),
            "paragraph": data.get("paragraph", passage.get("paragraph")),
            "page": data.get("page", passage.get("page")),
            "text": data.get("text", passage.get("text")),
        }


def write_batch(results: Iterable[BatchResult], form: str, out: IO[str]) -> list[BatchResult]:
    """Write every query's hits to `out` as CSV (header row), JSON lines (one hit a line) or one JSON document
    (`{"queries": [...]}`); returns the results, for a summary of the counts."""
    if form not in FORMATS:
        raise InvalidRequestError.about("format", f"must be one of {', '.join(FORMATS)}, got {form!r}")
    done = []
    writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore") if form == "csv" else None
    if writer is not None:
        writer.writeheader()
    for result in results:
        done.append(result)
        if form == "json":
            continue
        for row in batch_rows(result):
            if writer is not None:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if form == "json":
        json.dump({"queries": [r.to_json() for r in done]}, out, ensure_ascii=False)
    return done
