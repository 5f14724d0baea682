"""Figures for a pile of real mail (issue 23): passages, copies, headers, and (with --ingest) a real ingest.

    python tests/bench/mail_pile.py ../shared/data/enron-mail            # read, clean, chunk: passage figures
    python tests/bench/mail_pile.py ../shared/data/enron-mail --ingest D # also ingest into D (a new folder), time it,
                                                                         # and measure search on it

Prints: messages read and turned into documents, problems, e-mail passages (count, share under 8 words, median
words), messages with a Cc and the share whose Cc is kept in meta, and the near-duplicate pairs the copy finder
makes among the e-mails with the share of word 5-grams each pair really shares (the issue's floor is 20 %).
With --ingest, also: for the 20 addresses in most messages' From/To/Cc headers, the share of those messages a quoted
address search finds; and for queries with a sender or a half-year, the year facet's sum in hybrid mode against
keyword mode (the issue's floor is 90 %).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archive.chunking import chunk_document  # noqa: E402
from archive.documents import IngestReport  # noqa: E402
from archive.duplicates import CopyFinder, shingles, signature  # noqa: E402
from archive.settings import Settings  # noqa: E402
from archive.store import Store  # noqa: E402
from indexer.embedder import Embedder  # noqa: E402
from indexer.ingest import Ingestor, read_paths  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ingest", type=Path, default=None, help="also ingest the folder into this new data dir")
    args = parser.parse_args()
    settings = Settings.from_env(data_dir=args.ingest or Path("/nonexistent-archive"))
    embedder = Embedder.from_settings(settings)
    report = IngestReport()
    ingestor = Ingestor(Store(Path(":memory:")), settings, embedder)
    files = sorted(p for p in args.folder.rglob("*.eml"))
    documents, problems, words, cc_total, cc_kept = [], 0, [], 0, 0
    started = time.perf_counter()
    for item in read_paths([args.folder], settings, report):
        try:
            _, document, _ = ingestor.prepare(item)
        except Exception as exc:  # the figure counts what a run would skip, whatever the reason
            problems += 1
            print(f"problem {item.record.origin}: {exc}", file=sys.stderr)
            continue
        documents.append(document)
        chunks = chunk_document(
            document.doc_id,
            document.title,
            document.paragraphs,
            embedder.count_tokens,
            settings.chunk_tokens,
            settings.context_tokens,
            *([settings.min_passage_words] if hasattr(settings, "min_passage_words") else []),
        )
        words.extend(len(c.text.split()) for c in chunks)
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if str(message.get("cc", "")).strip():
            cc_total += 1
    by_origin = {d.origin: d for d in documents}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        document = by_origin.get(str(path.resolve()))
        if str(message.get("cc", "")).strip() and document is not None and document.meta.get("cc"):
            cc_kept += 1
    seconds = time.perf_counter() - started
    short = sum(1 for n in words if n < 8)
    print(f"files {len(files)}; documents {len(documents)}; skipped {len(report.skipped) + problems}")
    print(
        f"passages {len(words)}; under 8 words {short} ({100 * short / max(1, len(words)):.1f} %); "
        f"median {statistics.median(words) if words else 0} words; mean {statistics.mean(words) if words else 0:.1f}"
    )
    print(f"messages with a Cc {cc_total}; Cc kept {cc_kept} ({100 * cc_kept / max(1, cc_total):.1f} %)")
    finder = CopyFinder([], settings.duplicate_threshold)
    sets = {d.doc_id: shingles(d.text) for d in documents}
    pairs = []
    for document in documents:
        sig = signature(document.text)
        for other, _ in finder.find(document.doc_id, sig):
            union = sets[document.doc_id] | sets[other]
            pairs.append((len(sets[document.doc_id] & sets[other]) / max(1, len(union)), document.doc_id, other))
        finder.add(document.doc_id, sig)
    thin = [p for p in pairs if p[0] < 0.2]
    print(f"near-duplicate pairs {len(pairs)}; sharing under 20 % of their 5-grams {len(thin)}")
    for share, a, b in thin[:10]:
        print(f"  {share:.2f} {a} ~ {b}")
    print(f"read, cleaned and chunked in {seconds:.1f}s")
    if args.ingest is not None:
        from indexer.ingest import ingest_paths

        started = time.perf_counter()
        result = ingest_paths(settings, [args.folder], embedder)
        print(f"ingest: {result.summary()} in {time.perf_counter() - started:.1f}s")
        search_figures(settings, embedder, files)


def search_figures(settings: Settings, embedder: Embedder, files: list[Path]) -> None:
    from collections import Counter
    from email.utils import getaddresses

    from indexer.search import SearchRequest, SearchService

    service = SearchService(settings, embedder=embedder)
    holders: dict[str, set[str]] = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        values = [str(v) for key in ("from", "to", "cc") for v in message.get_all(key, [])]
        for _, address in getaddresses(values):
            if address:
                holders.setdefault(address.lower(), set()).add(str(path.resolve()))
    origin_of: dict[str, str] = {}
    found_total = wanted_total = 0
    for address, _ in Counter({a: len(o) for a, o in holders.items()}).most_common(20):
        wanted = holders[address]
        response = service.export(SearchRequest(f'"{address}"', mode="keyword", group="document"))
        shown = {doc_id for a in response.results for doc_id in (a.doc_id, *a.duplicates)}  # copies folded in count
        got = {origin_of.setdefault(d, service.document(d).document.origin) for d in shown}
        found = len(wanted & got)
        found_total += found
        wanted_total += len(wanted)
        print(f'  "{address}": in {len(wanted)} messages, found {found} ({100 * found / len(wanted):.0f} %)')
    share = 100 * found_total / max(1, wanted_total)
    print(f"quoted address search finds {found_total} of {wanted_total} ({share:.1f} %)")
    queries = [
        ("California power prices", {}),
        ("meeting schedule", {"date_from": "2001-01-01", "date_to": "2001-06-30"}),
        ("gas pipeline", {"date_from": "2001-01-01", "date_to": "2001-06-30"}),
        ("Enron stock", {}),
        ("regulatory filing FERC", {"date_from": "2000-01-01", "date_to": "2000-12-31"}),
    ]
    for query, filters in queries:
        sums = {}
        for mode in ("keyword", "hybrid"):
            response = service.search(SearchRequest(query, mode=mode, group="document", facets=("year",), **filters))
            sums[mode] = (sum(v.count for v in response.facets.get("year", [])), response.total)
        ratio = sums["hybrid"][0] / max(1, sums["keyword"][0])
        print(
            f"  {query!r} {filters}: year facet keyword {sums['keyword'][0]} (total {sums['keyword'][1]}), "
            f"hybrid {sums['hybrid'][0]} (total {sums['hybrid'][1]}): {100 * ratio:.0f} %"
        )


if __name__ == "__main__":
    main()
