"""An optional faster encoder: the same model exported locally to ONNX (optionally int8-quantized) and run by
onnxruntime. Nothing is downloaded: the export reads the local model folder and writes next to the archive.

Mean pooling and L2 normalization as in the model's sentence-transformers pipeline; batches sorted by length.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from archive.errors import ArchiveError


def export(model_dir: Path, target: Path, quantize: bool) -> Path:
    """model.onnx (and model-int8.onnx) for the model in `model_dir`, exported once into `target`."""
    onnx_path = target / "model.onnx"
    int8_path = target / "model-int8-per-channel.onnx"
    wanted = int8_path if quantize else onnx_path
    if wanted.is_file():
        return wanted
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as exc:
        raise ArchiveError("the ONNX encoder needs torch and transformers to export the model once") from exc
    target.mkdir(parents=True, exist_ok=True)
    if not onnx_path.is_file():
        model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        sample = tokenizer(["an example sentence to trace the graph"], return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        batch, tokens = torch.export.Dim("batch", max=4096), torch.export.Dim("tokens", max=512)
        shapes = {name: {0: batch, 1: tokens} for name in names}
        tmp = onnx_path.with_suffix(".tmp")

        class Encoder(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        with torch.no_grad():
            torch.onnx.export(
                Encoder(model).eval(),
                tuple(sample[n] for n in names),
                str(tmp),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_shapes=shapes,
                opset_version=18,
                dynamo=True,
                external_data=False,
            )
        tmp.replace(onnx_path)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = int8_path.with_suffix(".tmp")
        quantize_dynamic(str(onnx_path), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        tmp.replace(int8_path)
    return wanted


class OnnxEncoder:
    def __init__(self, model_dir: Path, export_dir: Path, quantize: bool, max_tokens: int = 256, threads: int = 0):
        try:
            import onnxruntime
        except ImportError as exc:
            raise ArchiveError("ARCHIVE_ENCODER=onnx needs onnxruntime: pip install onnxruntime") from exc
        from transformers import AutoTokenizer

        path = export(Path(model_dir), Path(export_dir), quantize)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.max_tokens = max_tokens

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), 0), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            encoded = self.tokenizer(
                batch, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="np"
            )
            feed = {k: v.astype(np.int64) for k, v in encoded.items() if k in self.inputs}
            hidden = self.session.run(["last_hidden_state"], feed)[0]
            mask = encoded["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            parts.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        if parts:
            out = np.vstack(parts).astype(np.float32)
        result = np.empty_like(out)
        result[order] = out
        return result
