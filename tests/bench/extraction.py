"""Article-body extraction quality on the ScrapingHub benchmark: F1, precision, recall and the worst pages.

    .venv/bin/python tests/bench/extraction.py ../shared/data/article-extraction            # ours
    .venv/bin/python tests/bench/extraction.py ../shared/data/article-extraction --trafilatura

The metric is the benchmark's own (see ../shared/data/PROVENANCE.md): tokens are `\\w+` matches, each body becomes
a multiset of 4-token shingles, TP/FP/FN are overlaps of the multisets; precision and recall are averaged over pages
and F1 is taken from the two averages. "Ours" is what ingest stores: the HTML reader, then cleaning.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive.cleaning import clean  # noqa: E402
from archive.errors import BadInputError  # noqa: E402
from archive.formats.html import read_html  # noqa: E402

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(len(tokens) - n + 1, 1)) if tokens)


def page_scores(expected: str, found: str) -> tuple[float, float]:
    """(precision, recall) of one page; an empty side scores as the benchmark does (1 when both are empty)."""
    want, got = shingles(expected), shingles(found)
    tp = sum((want & got).values())
    fp = sum(got.values()) - tp
    fn = sum(want.values()) - tp
    precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def ours(html: str, url: str) -> str:
    try:
        record = read_html(html, url, url=url)
    except BadInputError:
        return ""
    cleaned = clean(record)
    return "\n".join(cleaned.paragraphs)


def trafilatura_alone(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def evaluate(folder: Path, extract: Callable[[str, str], str]) -> tuple[float, float, float, list[tuple]]:
    truth = json.loads((folder / "ground-truth.json").read_text())
    rows = []
    for key, item in sorted(truth.items()):
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        precision, recall = page_scores(item["articleBody"], extract(html, item["url"]))
        rows.append((key, item["url"], precision, recall))
    p = sum(r[2] for r in rows) / len(rows)
    r = sum(r[3] for r in rows) / len(rows)
    return 2 * p * r / (p + r), p, r, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the article-extraction folder (ground-truth.json, html/)")
    parser.add_argument("--trafilatura", action="store_true", help="score trafilatura.extract() alone instead")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst pages to list")
    args = parser.parse_args()
    if not (args.folder / "ground-truth.json").exists():
        sys.exit(f"{args.folder}/ground-truth.json not found: give the article-extraction folder")
    name = "trafilatura alone" if args.trafilatura else "ours (reader + cleaning)"
    f1, p, r, rows = evaluate(args.folder, trafilatura_alone if args.trafilatura else ours)
    print(f"{name}: F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}  ({len(rows)} pages)")
    print("worst pages (F1 of the page, precision, recall, url):")
    for _key, url, pp, rr in sorted(rows, key=lambda x: 2 * x[2] * x[3] / (x[2] + x[3] or 1))[: args.worst]:
        print(f"  {2 * pp * rr / (pp + rr or 1):.3f}  p {pp:.3f}  r {rr:.3f}  {url}")


if __name__ == "__main__":
    main()
