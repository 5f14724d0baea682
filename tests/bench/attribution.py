"""How well quotes are attributed on real news, measured against hand labels, plus what a Reuters sample yields.

    python tests/bench/attribution.py                  # precision/recall on tests/data/attribution.jsonl
    python tests/bench/attribution.py --errors         # and every wrong or missed attribution, to read
    python tests/bench/attribution.py --reuters 2000   # and the speakers of a 2,000-article Reuters sample
    python tests/bench/attribution.py --mail           # and how the Enron mail folder's speakers are typed and linked
    python tests/bench/attribution.py --bbc            # and how the BBC corpus's bare-word speakers are typed
    python tests/bench/attribution.py --archive        # type bare words by what each whole corpus writes of them

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archive.chunking import split_sentences  # noqa: E402
from archive.cleaning import clean  # noqa: E402
from archive.entities import FUNCTION_WORDS, ORG_WORDS, bare, kind_of  # noqa: E402
from archive.kinds import THIN, WordCue, document_cues, type_speaker  # noqa: E402
from archive.linking import people_named  # noqa: E402
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


@dataclass
class Evidence:
    """What a corpus writes of its name words, as an archive of it keeps them (archive.kinds): each document's
    cues, and a person cue for each person a document names in full (by surname)."""

    cues: dict[str, list[WordCue]] = field(default_factory=dict)
    surnames: dict[str, list[WordCue]] = field(default_factory=dict)

    def add(self, doc_id: str, paragraphs: list[str]) -> None:
        for cue in document_cues(doc_id, paragraphs):
            self.cues.setdefault(cue.word, []).append(cue)
        for person in people_named(doc_id, paragraphs):
            self.surnames.setdefault(person.surname, []).append(WordCue(doc_id, person.surname, "person", person.words))

    def kind(self, doc_id: str, quote: Quote | None) -> str | None:
        """The kind the archive gives a quote's bare-word speaker its document types on thin evidence (no
        near-duplicates or links here: the labelled documents are read one by one)."""
        if quote is None or quote.speaker is None or " " in quote.speaker or not quote.method:
            return None
        if quote.method.split("/")[-1] not in THIN:
            return None
        word = quote.speaker
        found = type_speaker(doc_id, word, self.cues.get(word, []), set(), self.surnames.get(word, []))
        return found.kind if found else None


def corpus_documents(data: Path, corpus: str) -> Iterator[tuple[str, list[str]]]:
    """(doc_id, cleaned paragraphs) of every document of one corpus, with the labels' ids."""
    if corpus == "Reuters":
        for record in read_file(data / "reuters21578" / "reuters21578.jsonl", 512_000_000)[0]:
            yield record.doc_id, list(clean(record).paragraphs)
    elif corpus == "BBC":
        for path in sorted((data / "bbc-news").glob("*/*.txt")):
            for record in read_file(path)[0]:
                yield f"bbc-{path.parent.name}/{path.name}", list(clean(record).paragraphs)
    else:
        for path in sorted((data / "enron-mail").rglob("*.eml")):
            for record in read_file(path)[0][:1]:
                yield f"enron-mail/{path.parent.name}/{path.stem}", list(clean(record).paragraphs)


def corpus_evidence(data: Path, corpus: str) -> Evidence:
    evidence = Evidence()
    for doc_id, paragraphs in corpus_documents(data, corpus):
        evidence.add(doc_id, paragraphs)
    return evidence


def evaluate(labels: list[dict], model: bool = False, evidence: dict[str, Evidence] | None = None) -> Scores:
    """Scores of the rules on labelled passages; with `evidence` (per corpus name, see CORPORA), bare words are
    typed as an archive of that corpus types them (archive.kinds)."""
    scores = Scores()
    for label in labels:
        names = Registry()
        learn_names("\n\n".join(label["context"]), names)
        entities = entity_kinds("\n\n".join(label["context"])) if model else None
        quote = statement_for(label, extract_quotes(label["context"], names, entities))
        corpus = next((c for c, prefix in CORPORA.items() if label["doc_id"].startswith(prefix)), "")
        archive_kind = evidence[corpus].kind(label["doc_id"], quote) if evidence and corpus in evidence else None
        speaker, truth = (quote.speaker if quote else None), label["speakers"]
        scores.labels += 1
        scores.named += truth is not None
        scores.attributed += speaker is not None
        if speaker is not None and truth is not None and same_speaker(speaker, truth):
            scores.correct += 1
            kind = archive_kind or names.kind(speaker)
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


# BBC bare-word speakers that are organisations (companies, clubs, parties, charities), labelled by reading the
# corpus: the words its stories type a person at least once, by their own words (main e03b911)
BBC_ORGANISATIONS = set(
    """
    Airbus Apple Boeing Changyu Datamonitor Ebay Elspa Glaxo Google Halifax Labour Merriam-Webster Microsoft Napster
    Nationwide Nike Nissan Nokia Oxfam Rangers Rover Seagate Shell Siemens Sony Toshiba Wipro
    """.split()
)


def bare_word_report(store, organisations: set[str] = BBC_ORGANISATIONS) -> dict:
    """Statements whose speaker is one bare word ("Microsoft", "Davis"), by kind as their own documents type them
    (before archive.kinds) and as the archive does (a link to a person, or the archive's typing), and the words whose
    kind the archive changed, with their statements."""
    rows = store.db.execute(
        "SELECT q.speaker, q.org, k.kind, l.person, n.kind FROM quotes q"
        " LEFT JOIN speaker_links l ON l.doc_id = q.doc_id AND l.written = q.speaker"
        " LEFT JOIN speaker_kinds k ON k.doc_id = q.doc_id AND k.written = q.speaker"
        " LEFT JOIN names n ON n.name = q.speaker WHERE q.speaker IS NOT NULL AND instr(q.speaker, ' ') = 0"
    ).fetchall()
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    changed: dict[str, int] = {}
    persons: dict[str, int] = {}
    labelled: dict[str, int] = {}
    for speaker, org, archive_kind, person, stored in rows:
        own = "org" if org == speaker else "place" if stored == "place" else "person"
        now = "person (linked)" if person else archive_kind or own
        before[own] = before.get(own, 0) + 1
        after[now] = after.get(now, 0) + 1
        if speaker in organisations:
            key = f"statements of labelled organisations: {own} by their own document, {now} by the archive"
            labelled[key] = labelled.get(key, 0) + 1
        if now == "person":
            persons[speaker] = persons.get(speaker, 0) + 1
        if now.split()[0] != own:
            key = f"{speaker} {own}->{now}"
            changed[key] = changed.get(key, 0) + 1
    return {
        "bare-word statements, typed by their own document": dict(sorted(before.items())),
        "bare-word statements, typed by the archive": dict(sorted(after.items())),
        "bare-word statements the archive typed otherwise": sum(changed.values()),
        "  of which, word and change (statements)": "; ".join(
            f"{k} ({v})" for k, v in sorted(changed.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        **dict(sorted(labelled.items())),
        "bare words the archive leaves a person, not linked (statements)": "; ".join(
            f"{k} ({v})" for k, v in sorted(persons.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    }


def archive_report(folder: Path, names: tuple[str, ...] = ()) -> dict:
    """A folder ingested as an archive (no vectors): distinct statements of `names` per kind, as /api/speakers counts
    them after linking, the links by rule, every single word linked, and the bare-word statements' kinds."""
    import tempfile

    from archive.linking import link_speakers
    from archive.settings import Settings
    from indexer.embedder import Embedder
    from indexer.ingest import Ingestor, IngestReport, read_paths, writer

    report: dict = {}
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
            report |= bare_word_report(store)
    return report


def mail_report(folder: Path, names: tuple[str, ...] = ("Davis", "Gray Davis", "Dynegy", "Dynegy Inc")) -> dict:
    """The Enron folder's speakers, read mail by mail as ingest reads them (statements of each name, typed person or
    organisation by its own mail), then as an archive stores them (see archive_report)."""
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
    return report | archive_report(folder, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuters", type=int, default=0, help="also report on a sample of this many articles")
    parser.add_argument("--data", default="/work/shared/data", help="the shared data folder")
    parser.add_argument("--errors", action="store_true", help="print every wrong or missed attribution")
    parser.add_argument("--model", action="store_true", help="type single names with the trained model (archive.ner)")
    parser.add_argument(
        "--mail", action="store_true", help="also report how the Enron mail folder's speakers are typed"
    )
    parser.add_argument(
        "--bbc", action="store_true", help="also ingest the BBC corpus and report how its bare-word speakers are typed"
    )
    parser.add_argument(
        "--archive",
        action="store_true",
        help="type bare words by what each whole corpus writes of them (archive.kinds), as an archive of it would",
    )
    args = parser.parse_args()
    data = Path(args.data)
    evidence = {corpus: corpus_evidence(data, corpus) for corpus in CORPORA} if args.archive else None
    scores = evaluate(load_labels(), args.model, evidence)
    print(f"labelled statements: {scores.labels} ({scores.named} with a named speaker) from {LABELS.name}")
    print(
        f"attribution: precision {scores.precision:.3f}, recall {scores.recall:.3f} "
        f"({scores.correct} right of {scores.attributed} attributed)"
    )
    for kind in ("person", "org"):
        print(f"typing {kind}: precision {scores.kind_precision(kind):.3f}, recall {scores.kind_recall(kind):.3f}")
    for part in sorted({label.get("set", "development") for label in load_labels()}):
        subset = evaluate(
            [label for label in load_labels() if label.get("set", "development") == part], args.model, evidence
        )
        print(f"  {part}: {subset.labels} statements, precision {subset.precision:.3f}, recall {subset.recall:.3f}")
    everything = load_labels() + load_labels(MAIL_LABELS)
    for corpus, prefix in CORPORA.items():
        part = evaluate([label for label in everything if label["doc_id"].startswith(prefix)], args.model, evidence)
        typing = ", ".join(
            f"{kind} {part.kind_precision(kind):.3f}/{part.kind_recall(kind):.3f}" for kind in ("person", "org")
        )
        print(
            f"{corpus}: {part.labels} statements ({part.named} named), precision {part.precision:.3f}, recall"
            f" {part.recall:.3f}; typing P/R {typing}"
        )
    if args.errors:
        for error in scores.errors + evaluate(load_labels(MAIL_LABELS), args.model, evidence).errors:
            print("  ", error)
    reports = []
    if args.reuters:
        reports.append(sample_report(Path(args.data) / "reuters21578" / "reuters21578.jsonl", args.reuters, args.model))
    if args.mail:
        reports.append(mail_report(Path(args.data) / "enron-mail"))
    if args.bbc:
        reports.append(archive_report(Path(args.data) / "bbc-news", ("Microsoft", "Nintendo", "Sony", "Apple")))
    for report in reports:
        for key, value in report.items():
            print(f"{key}: {f'{len(value)} {value[:12]}' if isinstance(value, list) else value}")


if __name__ == "__main__":
    main()
