"""One real answer engine (real index, real embedding model) shared by the whole session."""

from __future__ import annotations

import pytest

from bot.answering.engine import AnswerEngine
from bot.answering.loading import load_engine
from bot.documents.loader import discover, load_document
from tests.answering.support import KNOWLEDGE_DIR, repo_settings


@pytest.fixture(scope="session")
def engine() -> AnswerEngine:
    loaded = load_engine(repo_settings())
    yield loaded
    loaded.close()


@pytest.fixture(scope="session")
def knowledge_texts() -> dict[str, str]:
    """Each document's body as read from knowledge/ now, independently of the index's copy."""
    documents = [load_document(path) for path in discover(KNOWLEDGE_DIR)]
    return {d.meta.id: d.text for d in documents}
