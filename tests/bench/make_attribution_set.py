"""Build tests/data/attribution.jsonl (Reuters, BBC) and attribution_mail.jsonl (Enron mail) from the hand labels.

The labels (tests/bench/attribution_labels.json) were written by hand: for each sampled passage, an anchor (words of
the statement), the true speaker as the document names it at its fullest (other names the same document uses for
that speaker are listed after it) or null where nobody is named ("traders said"), and the speaker's kind. This
script adds each label's context: the labelled paragraph, the two before it, the lead, and earlier paragraphs that
name the speaker (in a mail, the last six: a news digest forwarded as hard-wrapped lines names its people hundreds
of times), so the test can run without the shared data. Mail labels (attribution_mail_labels.json) are statements
in forwarded news and memos of the Enron mail folder, labelled by reading them, doc ids `enron-mail/<box>/<file>`.

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
MAIL_OUT = HERE.parent / "data" / "attribution_mail.jsonl"


def paragraphs_of(data: Path, doc_ids: set[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    records, _ = read_file(data / "reuters21578" / "reuters21578.jsonl", 512_000_000)
    for record in records:
        if record.doc_id in doc_ids:
            found[record.doc_id] = clean(record).paragraphs
    for doc_id in doc_ids:
        if doc_id.startswith("enron-mail/"):
            (record, *_), _ = read_file(data / f"{doc_id}.eml")
            found[doc_id] = clean(record).paragraphs
        if doc_id.startswith("bbc-"):
            (record,), _ = read_file(data / "bbc-news" / doc_id.removeprefix("bbc-"))
            found[doc_id] = clean(record).paragraphs
    return found


def main(data: Path) -> None:
    for source, out_path in (("attribution_labels.json", OUT), ("attribution_mail_labels.json", MAIL_OUT)):
        write_contexts(data, json.loads((HERE / source).read_text()), out_path)


def write_contexts(data: Path, labels: list[dict], out_path: Path) -> None:
    docs = paragraphs_of(data, {label["doc_id"] for label in labels})
    with out_path.open("w") as out:
        for label in labels:
            paragraphs = docs[label["doc_id"]]
            target = next(i for i, p in enumerate(paragraphs) if label["anchor"] in p)
            words = {w for name in label["speakers"] or [] for w in name.split() if len(w) > 3}
            naming = [i for i, p in enumerate(paragraphs[:target]) if any(w in p for w in words)]
            if label["doc_id"].startswith("enron-mail/"):
                naming = naming[-6:]
            keep = sorted({0, target - 2, target - 1, target} | set(naming) - {-1, -2})
            context = [paragraphs[i] for i in keep]
            out.write(
                json.dumps({**label, "paragraph": keep.index(target), "context": context}, ensure_ascii=False) + "\n"
            )
    print(f"{len(labels)} labels -> {out_path}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
