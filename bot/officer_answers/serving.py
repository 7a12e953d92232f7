"""One-shot commands (``python -m bot ask``, ``chat``) answer as the running bot does:
with the approved officer answers of its database, when there is one."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.officer_answers import OfficerAnswerServing
from bot.errors import BotError

logger = logging.getLogger(__name__)


async def serve_from_store(database_url: str, engine: OfficerAnswerServing) -> int:
    """How many approved officer answers the engine now serves (0 without a database)."""
    from bot.store.repository import open_store

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return 0  # no bot has run here: nothing approved, and no file to create
    try:
        async with open_store(database_url) as store:
            served = await store.served_officer_answers(await store.served_officer_answer_keys())
    except BotError as exc:
        logger.warning("officer answers not loaded: %s", exc)
        return 0
    await engine.serve_officer_answers(served)
    return len(served)
