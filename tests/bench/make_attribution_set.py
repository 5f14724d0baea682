"""Build tests/data/attribution.jsonl from the hand labels and the shared Reuters and BBC data.

The labels (tests/bench/attribution_labels.json) were written by hand: for each sampled passage, an anchor (words of
the statement), the true speaker as the document names it at its fullest (other names the same document uses for
that speaker are listed after it) or null where nobody is named ("traders said"), and the speaker's kind. This
script adds each label's context: the labelled paragraph, the two before it, the lead, and earlier paragraphs that
name the speaker, so the test can run without the shared data.

    python tests/bench/make_attribution_set.py /work/shared/data
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from archive.cleaning import clean
from archive.readers import read_file

HERE = Path(__file__).parent
OUT = HERE.parent / "data" / "attribution.jsonl"


def paragraphs_of(data: Path, doc_ids: set[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    records, _ = read_file(data / "reuters21578" / "reuters21578.jsonl", 512_000_000)
    for record in records:
        if record.doc_id in doc_ids:
            found[record.doc_id] = clean(record).paragraphs
    for doc_id in doc_ids:
        if doc_id.startswith("bbc-"):
            (record,), _ = read_file(data / "bbc-news" / doc_id.removeprefix("bbc-"))
            found[doc_id] = clean(record).paragraphs
    return found


def main(data: Path) -> None:
    labels = json.loads((HERE / "attribution_labels.json").read_text())
    docs = paragraphs_of(data, {label["doc_id"] for label in labels})
    with OUT.open("w") as out:
        for label in labels:
            paragraphs = docs[label["doc_id"]]
            target = next(i for i, p in enumerate(paragraphs) if label["anchor"] in p)
            words = {w for name in label["speakers"] or [] for w in name.split() if len(w) > 3}
            keep = sorted(
                {0, target - 2, target - 1, target}
                | {i for i, p in enumerate(paragraphs[:target]) if any(w in p for w in words)} - {-1, -2}
            )
            context = [paragraphs[i] for i in keep]
            out.write(
                json.dumps({**label, "paragraph": keep.index(target), "context": context}, ensure_ascii=False) + "\n"
            )
    print(f"{len(labels)} labels -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
