"""Open the index and the model the way every entry point needs them."""

from __future__ import annotations

import logging
import os
import warnings

from bot.answering.engine import AnswerEngine
from bot.answering.officer_vectors import VectorCache
from bot.config import Settings
from bot.errors import SearchIndexError
from bot.retrieval.index import SearchIndex
from bot.retrieval.index_build import knowledge_changes

logger = logging.getLogger(__name__)


ONEDNN_KERNELS = 64


def quiet_model_libraries() -> None:
    """Offline by design: no hub calls, no progress bars, no load reports on the console."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # oneDNN keeps compiled kernels (with their buffers) per input shape, 1,024 by default:
    # questions of every length grew the engine by hundreds of MB. 64 keeps the speed.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_KERNELS))
    warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass


def load_engine(settings: Settings, warn=logger.warning) -> AnswerEngine:
    """Load the index, refuse a model mismatch, warn when knowledge/ changed since the build."""
    quiet_model_libraries()
    from bot.retrieval.embedder import Embedder

    index = SearchIndex.load(settings.index_dir)
    built_with = index.manifest["model"]
    if built_with["name"] != settings.embedding_model:
        raise SearchIndexError(
            f"Chỉ mục được lập bằng mô hình '{built_with['name']}', nhưng cấu hình đang dùng "
            f"'{settings.embedding_model}'. Hãy chạy lại `python scripts/build_index.py`."
        )
    embedder = Embedder(
        settings.embedding_model,
        settings.models_dir,
        settings.torch_threads,
        bf16_queries=settings.embed_bf16,
    )
    if embedder.fingerprint != built_with["fingerprint"]:
        raise SearchIndexError(
            f"Mô hình '{embedder.name}' hiện có (dấu vân tay {embedder.fingerprint[:12]}) khác mô hình "
            f"đã lập chỉ mục ({built_with['fingerprint'][:12]}). Hãy chạy lại `python scripts/build_index.py`."
        )
    changes = knowledge_changes(settings.knowledge_dir, index.manifest)
    if changes:
        warn(
            "Thư mục tài liệu đã thay đổi kể từ lần lập chỉ mục (%s); câu trả lời vẫn dựa trên chỉ mục cũ. "
            "Hãy chạy `python scripts/build_index.py`.",
            "; ".join(changes),
        )
    engine = AnswerEngine(index, embedder)
    engine.vector_cache = officer_vector_cache(settings, index)
    return engine


def officer_vector_cache(settings: Settings, index: SearchIndex) -> VectorCache:
    """Approved officer answers' vectors on disk, beside the database (see officer_vectors)."""
    return VectorCache(
        settings.data_dir / "officer_vectors", index.manifest["model"]["fingerprint"]
    )
