"""One real answer engine (real index, real embedding model) shared by the whole session."""

from __future__ import annotations

import pytest

from bot.documents.loader import discover, load_document
from tests.answering.support import KNOWLEDGE_DIR


@pytest.fixture(scope="session")
def knowledge_texts() -> dict[str, str]:
    """Each document's body as read from knowledge/ now, independently of the index's copy."""
    documents = [load_document(path) for path in discover(KNOWLEDGE_DIR)]
    return {d.meta.id: d.text for d in documents}
