"""Raw encoder throughput of each encoder backend on the same BBC paragraphs. Prints figures, asserts nothing.

.venv/bin/python tests/bench/encoders.py --bbc ../shared/data/bbc-news --sample 1500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from indexer.embedder import ENCODERS, Embedder  # noqa: E402


def paragraphs(bbc: Path, count: int) -> list[str]:
    found = []
    for path in sorted(bbc.rglob("*.txt")):
        lines = path.read_text(errors="replace").split("\n")
        title = lines[0].strip()
        found.extend(f"{title}\n{p.strip()}" for p in "\n".join(lines[1:]).split("\n\n") if p.strip())
        if len(found) >= count:
            break
    return found[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bbc", type=Path, default=ROOT.parent / "shared" / "data" / "bbc-news")
    parser.add_argument("--sample", type=int, default=1500)
    args = parser.parse_args()
    texts = paragraphs(args.bbc, args.sample)
    reference = None
    with tempfile.TemporaryDirectory() as models:
        for encoder in ENCODERS:
            embedder = Embedder(encoder=encoder, export_dir=Path(models))
            embedder.encode_documents(texts[:64])
            started = time.perf_counter()
            vectors = embedder.encode_documents(texts)
            rate = len(texts) / (time.perf_counter() - started)
            if reference is None:
                reference = vectors
            agreement = float(np.mean(np.sum(vectors * reference, axis=1)))
            print(f"{encoder:<10} {rate:7.1f} chunks/s   mean cosine to torch {agreement:.5f}", flush=True)


if __name__ == "__main__":
    main()
