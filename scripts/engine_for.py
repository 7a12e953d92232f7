"""The engine the evaluation scripts use: the configured index, or one built for a folder."""

from __future__ import annotations

from pathlib import Path

from bot.answering.engine import AnswerEngine


def engine_for(knowledge: Path | None = None) -> AnswerEngine:
    """``knowledge``: a folder of documents to index in memory (the shipped index is untouched)."""
    from bot.answering.loading import load_engine, quiet_model_libraries
    from bot.config import Settings

    settings = Settings()
    if knowledge is None:
        return load_engine(settings)
    quiet_model_libraries()
    from bot.retrieval.embedder import Embedder
    from bot.retrieval.index_build import build_index

    embedder = Embedder(
        settings.embedding_model,
        settings.models_dir,
        settings.torch_threads,
        bf16_queries=settings.embed_bf16,
    )
    return AnswerEngine(build_index(knowledge, embedder, lambda *_: None), embedder)
