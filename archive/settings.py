"""Every setting of the archive in one place: its default, its environment variable and its help text.

`Settings.from_env()` is the only code that reads the environment; the CLI overrides fields from its flags.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from archive.errors import SettingsError

ENV_PREFIX = "ARCHIVE_"


def _setting(
    default: Any, help: str, choices: tuple[str, ...] = (), minimum: float | None = None, maximum: float | None = None
) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices, "minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(
        Path("archive-data"),
        "Folder holding the store (archive.sqlite3), the index generations and the write lock.",
    )
    model: str = _setting(
        "bundled:all-MiniLM-L6-v2",
        "Embedding model: the bundled one, or the path of a local sentence-transformers folder. Nothing is "
        "downloaded. An index built with one model refuses to be searched with another (run `archive "
        "rebuild`).",
    )
    encoder: str = _setting(
        "torch",
        "How chunks and queries are encoded: `torch`, `onnx` (the model exported locally to ONNX under "
        "`DATA_DIR/models/`, same vectors) or `onnx-int8` (dynamically quantized; different vectors, so an index "
        "built with it answers only to it). Needs `onnxruntime` and `onnx` (installed by `make install`).",
        choices=("torch", "onnx", "onnx-int8"),
    )
    precision: str = _setting(
        "auto",
        "Arithmetic of the torch encoder: `auto` (bfloat16 where the processor computes it natively, AVX-512 BF16 "
        "or AMX: about twice as fast, vectors within 0.5% of float32; float32 elsewhere), `float32` or `bfloat16`. "
        "Vectors of either precision answer to the same index.",
        choices=("auto", "float32", "bfloat16"),
    )
    embed_batch: int = _setting(
        2048,
        "Chunks handed to the encoder at once and saved together; larger batches pad less, so ingest is faster.",
        minimum=1,
    )
    chunk_tokens: int = _setting(
        192,
        "Most word pieces (model tokenizer) in one chunk's own text; longer paragraphs split on sentences.",
        minimum=1,
    )
    context_tokens: int = _setting(32, "Word pieces of the previous paragraph kept as a chunk's context.")
    min_passage_words: int = _setting(
        8,
        "Fewest words in a passage of its own: shorter paragraphs (a salutation, a sign-off, a lone line) join a "
        "neighbour.",
        minimum=1,
    )
    vector_encoding: str = _setting(
        "float16",
        "How the FAISS flat index stores vectors: `float16` (half the memory, faster scan) or `float32`. "
        "Changing it rebuilds the vector index on the next write.",
        choices=("float16", "float32"),
    )
    vector_index: str = _setting(
        "auto",
        "FAISS index kind: `flat` (exact, cost grows with every vector), `ivf` (clustered, approximate, "
        "scores exact on the stored vectors) or `auto` (flat below `vector_index_threshold` chunks, ivf from there).",
        choices=("auto", "flat", "ivf"),
    )
    vector_index_threshold: int = _setting(
        200_000, "Chunks from which `vector_index = auto` builds an IVF index instead of a flat one."
    )
    ivf_nprobe: int = _setting(
        128, "IVF clusters scanned per query (of about 4·√N); more finds more of the exact top hits, more slowly."
    )
    ivf_widen_far: int = _setting(
        8,
        "Times more IVF clusters a far query scans: one less near to its nearest cluster than 99% of the archive's "
        "passages (off-domain; its neighbours are spread out). 1 = never widen.",
        minimum=1,
    )
    exact_filter_fraction: float = _setting(
        0.05,
        "A filtered semantic search whose filter allows less than this share of the vectors searches the allowed "
        "ids only (exact); a broader source or date filter is first applied to the unfiltered nearest neighbours, "
        "and otherwise scans proportionally more IVF clusters.",
    )
    cluster: str = _setting(
        "",
        "Dask scheduler address (e.g. `tcp://10.0.0.5:8786`) that ingest hands embedding to; empty = encode "
        "in this process. Needs the `cluster` extra: `pip install '.[cluster]'`.",
    )
    feedback_passages: int = _setting(
        2,
        "Pseudo-relevance feedback: the best N passages of a first pass (fused in hybrid mode) add their "
        "weightiest terms to the keyword query (RM3; they reweigh its matches, never add any) and move the "
        "semantic query towards them (Rocchio, re-scoring the first pass's candidates); 0 = off. Measured in "
        "docs/relevance.md.",
    )
    feedback_terms: int = _setting(20, "Terms that feedback adds to the keyword query.")
    feedback_query_weight: float = _setting(
        0.8, "Share of the keyword score the query's own words keep under feedback (RM3 lambda).", maximum=1.0
    )
    feedback_weight: float = _setting(0.4, "How far feedback moves the semantic query (Rocchio beta).")
    candidates: int = _setting(100, "Hits taken from each list before rank fusion.", minimum=1)
    fusion: str = _setting(
        "rrf",
        "How hybrid mode merges the lists: `rrf` (reciprocal rank fusion) or `convex` (min-max normalized "
        "scores, weighted).",
        choices=("rrf", "convex"),
    )
    rrf_k: int = _setting(
        30, "The k constant of reciprocal rank fusion (30 measured a little better than the usual 60).", minimum=1
    )
    document_weight: float = _setting(
        0.3,
        "Weight of the whole document's BM25 score in a passage's keyword score (each scaled by the best of its "
        "list), so a passage of a story that matches as a whole ranks higher; 0: passages scored alone.",
        minimum=0.0,
    )
    keyword_weight: float = _setting(1.0, "Weight of the keyword list in hybrid fusion.")
    semantic_weight: float = _setting(1.0, "Weight of the semantic list in hybrid fusion.")
    reranker: str = _setting(
        "",
        "Path of a local sentence-transformers cross-encoder folder that re-reads the first `rerank_depth` "
        "passages of each ranking with the query and reorders them (empty: off). Nothing is downloaded; the "
        "indexes do not depend on it.",
    )
    rerank_depth: int = _setting(
        30,
        "Passages the reranker re-reads per search, at most `candidates`. Its cost grows with this: a MiniLM-L6 "
        "cross-encoder on 2 cores, bfloat16, adds about 140 ms at 10 and 350 ms at 30 to a 5 ms search.",
        minimum=1,
        maximum=500,
    )
    title_boost: float = _setting(
        0.0,
        "Extra keyword weight of a title match; the title is always searched as part of each passage's and "
        "document's text (0: no extra weight, measured best).",
    )
    context_boost: float = _setting(
        0.25,
        "Keyword weight of a match in the context (the previous paragraph): a paragraph that answers for "
        "a speaker or subject named just before it still matches; 0 leaves the context out of keyword search.",
    )
    duplicate_threshold: float = _setting(
        0.5, "Estimated Jaccard similarity (word 5-grams) above which two documents are copies."
    )
    link_window_days: int = _setting(
        60,
        'A speaker a document names only by role, title and surname, surname or first name ("the Home Secretary", '
        '"Cooper") is linked to the one person other documents dated within this many days of it name so; two '
        "such people in the window: no link. Changing it recomputes every link on the next ingest.",
        minimum=0,
        maximum=3650,
    )
    host: str = _setting("127.0.0.1", "Address `archive serve` listens on.")
    port: int = _setting(5000, "Port `archive serve` listens on.", minimum=1)
    threads: int = _setting(8, "Worker threads of the WSGI server.", minimum=1)
    max_query_chars: int = _setting(1000, "Longest query accepted; longer ones are refused with a message.", minimum=1)
    reload_seconds: float = _setting(2.0, "How often a running server checks for a new index generation.")
    api_token: str = _setting(
        "", "Token that enables the write API (`POST`/`DELETE /api/documents`); empty leaves it off."
    )
    max_upload_bytes: int = _setting(20_000_000, "Largest request body the server accepts (413 above it).", minimum=1)
    max_document_bytes: int = _setting(
        2_000_000,
        "Largest single document (a text/HTML file or one JSON record); larger ones are reported and skipped.",
        minimum=1,
    )
    keep_originals: bool = _setting(
        True,
        "Keep the bytes each document was read from (file, attachment, mail message, web archive page) under "
        "`DATA_DIR/originals/`, one copy of identical bytes, for `/api/documents/<id>/original` and PDF page images.",
    )
    rate_limit: str = _setting(
        "",
        "Per-client limit on `/api/` requests, e.g. `120/minute` (flask-limiter syntax, kept in memory per "
        "server process); over it the API answers 429 in the error shape. Empty: no limit.",
    )

    def __post_init__(self) -> None:
        """Refuse values the archive cannot use, naming the variable and what it accepts."""
        for f in fields(self):
            value = getattr(self, f.name)
            choices, minimum = f.metadata.get("choices"), f.metadata.get("minimum")
            if choices and value not in choices:
                raise SettingsError(f"{ENV_PREFIX}{f.name.upper()}={value!r} is not one of {', '.join(choices)}")
            if isinstance(value, int | float) and not isinstance(value, bool):
                low = minimum if minimum is not None else 0
                if value < low:
                    raise SettingsError(f"{ENV_PREFIX}{f.name.upper()}={value!r} must be at least {low}")
                high = f.metadata.get("maximum")
                if high is not None and value > high:
                    raise SettingsError(f"{ENV_PREFIX}{f.name.upper()}={value!r} must be at most {high}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
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
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {type(default).__name__}") from exc


def settings_table() -> str:
    """The README's settings table, made from the dataclass so the two cannot drift apart."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for _, env, default, help_text in Settings.describe():
        shown = f"`{default}`" if default != "" else "(empty)"
        lines.append(f"| `{env}` | {shown} | {help_text} |")
    return "\n".join(lines)
