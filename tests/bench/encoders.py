"""Raw encoder throughput of each encoder backend (torch in float32 and in bfloat16, ONNX, ONNX int8) on the same
BBC paragraphs, and how close each one's vectors are to torch float32's. Prints figures, asserts nothing.

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

from indexer.embedder import Embedder  # noqa: E402

VARIANTS = (("torch", "float32"), ("torch", "bfloat16"), ("onnx", "float32"), ("onnx-int8", "float32"))


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
        for encoder, precision in VARIANTS:
            embedder = Embedder(encoder=encoder, export_dir=Path(models), precision=precision)
            embedder.encode_documents(texts[:64])
            started = time.perf_counter()
            vectors = embedder.encode_documents(texts)
            rate = len(texts) / (time.perf_counter() - started)
            if reference is None:
                reference = vectors
            agreement = np.sum(vectors * reference, axis=1)
            print(
                f"{encoder + ' ' + precision:<18} {rate:7.1f} chunks/s   cosine to torch float32: mean "
                f"{float(np.mean(agreement)):.5f}, lowest {float(np.min(agreement)):.5f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
