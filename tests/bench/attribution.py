"""How well quotes are attributed on real news, measured against hand labels, plus what a Reuters sample yields.

    python tests/bench/attribution.py                  # precision/recall on tests/data/attribution.jsonl
    python tests/bench/attribution.py --errors         # and every wrong or missed attribution, to read
    python tests/bench/attribution.py --reuters 2000   # and the speakers of a 2,000-article Reuters sample
    python tests/bench/attribution.py --mail           # and how the Enron mail folder's speakers are typed and linked

Labels are in sets: "development" (the passages the rules were tuned on), "held-out" (labelled after the rules
were written, then used to fix what they showed) and "held-out-2" (labelled last and never tuned on); the mail
labels (tests/data/attribution_mail.jsonl: forwarded news and memos in the Enron mail, labelled by reading them,
never tuned on) are reported per corpus next to Reuters and BBC.

Attribution precision: of the labelled statements given a speaker, the share given the true one (as the document
names it at its fullest; the label lists other names the same document uses for that speaker). Recall: of the
statements whose speaker is named, the share attributed to the true one. Typing: of the speakers attributed
correctly, how many are typed person or organisation, against the labels.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archive.chunking import split_sentences  # noqa: E402
from archive.cleaning import clean  # noqa: E402
from archive.entities import FUNCTION_WORDS, ORG_WORDS, bare, kind_of  # noqa: E402
from archive.ner import entity_kinds  # noqa: E402
from archive.quotes import Quote, Registry, extract_quotes, learn_names, plain_text  # noqa: E402
from archive.readers import read_file  # noqa: E402

LABELS = Path(__file__).resolve().parents[1] / "data" / "attribution.jsonl"
MAIL_LABELS = LABELS.with_name("attribution_mail.jsonl")
CORPORA = {"Reuters": "reuters21578-", "BBC": "bbc-", "Enron mail": "enron-mail/"}


@dataclass
class Scores:
    labels: int = 0
    named: int = 0
    attributed: int = 0
    correct: int = 0
    typed: dict[str, int] = field(default_factory=dict)  # kind given -> count, among correct attributions
    typed_right: dict[str, int] = field(default_factory=dict)  # kind given and true -> count
    truly: dict[str, int] = field(default_factory=dict)  # true kind -> count, among correct attributions
    errors: list[tuple] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.attributed if self.attributed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.named if self.named else 1.0

    def kind_precision(self, kind: str) -> float:
        return self.typed_right.get(kind, 0) / self.typed[kind] if self.typed.get(kind) else 1.0

    def kind_recall(self, kind: str) -> float:
        return self.typed_right.get(kind, 0) / self.truly[kind] if self.truly.get(kind) else 1.0


def load_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def statement_for(label: dict, quotes: list[Quote]) -> Quote | None:
    """The extracted quote or statement a label is about: in its paragraph, holding the anchor or inside the
    anchor's sentence."""
    paragraph = label["context"][label["paragraph"]]
    mine = [q for q in quotes if q.paragraph == label["paragraph"]]
    holding = [q for q in mine if label["anchor"] in q.text]
    if holding:
        return holding[0]
    sentence = next((s for s in split_sentences(paragraph) if label["anchor"] in s), paragraph)
    inside = [q for q in mine if q.text and (q.text[:60] in sentence or q.text[-40:] in sentence)]
    return inside[0] if inside else None


def same_speaker(name: str | None, names: list[str]) -> bool:
    def norm(n: str) -> str:
        return " ".join(n.lower().replace(".", "").removeprefix("the ").split())

    return name is not None and norm(name) in {norm(n) for n in names}


def evaluate(labels: list[dict], model: bool = False) -> Scores:
    scores = Scores()
    for label in labels:
        names = Registry()
        learn_names("\n\n".join(label["context"]), names)
        entities = entity_kinds("\n\n".join(label["context"])) if model else None
        quote = statement_for(label, extract_quotes(label["context"], names, entities))
        speaker, truth = (quote.speaker if quote else None), label["speakers"]
        scores.labels += 1
        scores.named += truth is not None
        scores.attributed += speaker is not None
        if speaker is not None and truth is not None and same_speaker(speaker, truth):
            scores.correct += 1
            kind = names.kind(speaker)
            scores.typed[kind] = scores.typed.get(kind, 0) + 1
            scores.truly[label["kind"]] = scores.truly.get(label["kind"], 0) + 1
            if kind == label["kind"]:
                scores.typed_right[kind] = scores.typed_right.get(kind, 0) + 1
        elif truth is not None or speaker is not None:
            scores.errors.append(
                (
                    label["doc_id"],
                    label["anchor"],
                    truth,
                    speaker,
                    quote.evidence if quote else None,
                    quote.method if quote else None,
                )
            )
    return scores


def sample_report(path: Path, size: int, model: bool = False) -> dict:
    """Speakers of a Reuters sample: how many of each kind, and how many look wrong by construction."""
    records, _ = read_file(path, 512_000_000)
    random.Random(14).shuffle(records)
    speakers: dict[str, str] = {}
    absent = statements = 0
    seconds = 0.0
    for record in records[:size]:
        paragraphs = clean(record).paragraphs
        started = time.perf_counter()
        names = Registry()
        learn_names(record.text, names)
        quotes = extract_quotes(paragraphs, names, entity_kinds(record.text) if model else None)
        seconds += time.perf_counter() - started
        text = plain_text("\n\n".join(paragraphs))
        for quote in quotes:
            if quote.speaker is not None:
                statements += 1
                speakers[quote.speaker] = names.kind(quote.speaker)
                absent += quote.speaker not in text
    persons = [n for n, k in speakers.items() if k == "person"]
    return {
        "documents": size,
        "ms per document (learn_names + extract_quotes" + (" + the model)" if model else ")"): round(
            1000 * seconds / size, 2
        ),
        "attributed statements": statements,
        "speakers": len(speakers),
        "persons": len(persons),
        "organisations": sum(1 for k in speakers.values() if k == "org"),
        "places": sum(1 for k in speakers.values() if k == "place"),
        "persons with organisation words": sorted(
            n for n in persons if any(bare(w) in ORG_WORDS for w in n.split()) or kind_of(n) == "org"
        ),
        "names starting with a function word": sorted(n for n in speakers if n.split()[0].lower() in FUNCTION_WORDS),
        "statements whose speaker does not occur in their document": absent,
        "speakers named Reagan": sorted(n for n in speakers if "Reagan" in n),
        "speakers named England": sorted(n for n in speakers if "England" in n),
    }


def mail_report(folder: Path, names: tuple[str, ...] = ("Davis", "Gray Davis", "Dynegy", "Dynegy Inc")) -> dict:
    """The Enron folder's speakers, read mail by mail as ingest reads them (statements of each name, typed person or
    organisation by its own mail), then as an archive stores them (no vectors): distinct statements per speaker
    and kind, as /api/speakers counts them after linking, and the links by rule."""
    import tempfile

    from archive.linking import link_speakers
    from archive.settings import Settings
    from indexer.embedder import Embedder
    from indexer.ingest import Ingestor, IngestReport, read_paths, writer

    per_mail: dict[str, int] = {}
    for path in sorted(folder.rglob("*.eml")):
        for record in read_file(path)[0]:
            found = Registry()
            learn_names(record.text, found)
            for quote in extract_quotes(clean(record).paragraphs, found):
                if quote.speaker in names:
                    key = f"{quote.speaker} typed {found.kind(quote.speaker)}"
                    per_mail[key] = per_mail.get(key, 0) + 1
    report: dict = {f"statements, mail by mail: {k}": v for k, v in sorted(per_mail.items())}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, data_dir=Path(tmp))
        embedder = Embedder()
        with writer(settings, embedder) as store:
            ingestor = Ingestor(store, settings, embedder)
            for item in read_paths([folder], settings, IngestReport()):
                ingestor.add(item, IngestReport())
            link_speakers(store, settings.link_window_days)
            for name, kind, count in store.speaker_counts():
                if name in names:
                    report[f"distinct statements in the archive: {name} ({kind})"] = count
            links = store.speaker_links()
            for method in sorted({link.method for link in links}):
                report[f"links: {method}"] = sum(link.method == method for link in links)
            report["single words linked, and to whom"] = "; ".join(
                sorted(f"{link.written} -> {link.person}" for link in links if " " not in link.written)
            )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=int, default=0, help="also report on a sample of this many articles")
    parser.add_argument("--data", default="/work/shared/data", help="the shared data folder")
    parser.add_argument("--errors", action="store_true", help="print every wrong or missed attribution")
    parser.add_argument("--model", action="store_true", help="type single names with the trained model (archive.ner)")
    parser.add_argument(
        "--mail", action="store_true", help="also report how the Enron mail folder's speakers are typed"
    )
    args = parser.parse_args()
    scores = evaluate(load_labels(), args.model)
    print(f"labelled statements: {scores.labels} ({scores.named} with a named speaker) from {LABELS.name}")
    print(
        f"attribution: precision {scores.precision:.3f}, recall {scores.recall:.3f} "
        f"({scores.correct} right of {scores.attributed} attributed)"
    )
    for kind in ("person", "org"):
        print(f"typing {kind}: precision {scores.kind_precision(kind):.3f}, recall {scores.kind_recall(kind):.3f}")
    for part in sorted({label.get("set", "development") for label in load_labels()}):
        subset = evaluate([label for label in load_labels() if label.get("set", "development") == part], args.model)
        print(f"  {part}: {subset.labels} statements, precision {subset.precision:.3f}, recall {subset.recall:.3f}")
    everything = load_labels() + load_labels(MAIL_LABELS)
    for corpus, prefix in CORPORA.items():
        part = evaluate([label for label in everything if label["doc_id"].startswith(prefix)], args.model)
        typing = ", ".join(
            f"{kind} {part.kind_precision(kind):.3f}/{part.kind_recall(kind):.3f}" for kind in ("person", "org")
        )
        print(
            f"{corpus}: {part.labels} statements ({part.named} named), precision {part.precision:.3f}, recall"
            f" {part.recall:.3f}; typing P/R {typing}"
        )
    if args.errors:
        for error in scores.errors + evaluate(load_labels(MAIL_LABELS), args.model).errors:
            print("  ", error)
    reports = []
    if args.reuters:
        reports.append(sample_report(Path(args.data) / "reuters21578" / "reuters21578.jsonl", args.reuters, args.model))
    if args.mail:
        reports.append(mail_report(Path(args.data) / "enron-mail"))
    for report in reports:
        for key, value in report.items():
            print(f"{key}: {f'{len(value)} {value[:12]}' if isinstance(value, list) else value}")


if __name__ == "__main__":
    main()
