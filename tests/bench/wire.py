"""How many paragraphs of wire copy are only a sign-off (`REUTER`) or a row of figures, before and after cleaning.

.venv/bin/python tests/bench/wire.py ../shared/data/reuters21578/reuters21578.jsonl --sample 2000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive.cleaning import clean, is_table_line, is_wire_trailer  # noqa: E402
from archive.readers import record_from_mapping  # noqa: E402


def count(paragraphs: list[str]) -> tuple[int, int, int]:
    """(paragraphs, sign-off or credit lines, rows of figures standing alone)"""
    return (len(paragraphs), sum(map(is_wire_trailer, paragraphs)), sum(map(is_table_line, paragraphs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--sample", type=int, default=2000, help="the first N articles")
    args = parser.parse_args()
    before, after = [0, 0, 0], [0, 0, 0]
    with args.jsonl.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= args.sample:
                break
            record = record_from_mapping(json.loads(line), f"{args.jsonl}:{number + 1}")
            raw = [" ".join(p.split()) for p in record.text.split("\n\n") if p.strip()]
            before = [a + b for a, b in zip(before, count(raw), strict=True)]
            after = [a + b for a, b in zip(after, count(list(clean(record).paragraphs)), strict=True)]
    for name, (total, trailers, tables) in (("before cleaning", before), ("after cleaning", after)):
        print(f"{name}: {total} paragraphs, {trailers} sign-off/credit only, {tables} rows of figures alone")


if __name__ == "__main__":
    main()
