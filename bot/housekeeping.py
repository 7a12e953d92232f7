"""The hourly clean-up: tables that would only grow, and the retention period.

Dedup keys and handled webhook events are kept two days (platforms stop retrying long
before), the photos of abandoned drafts a week, and conversations ``RETENTION_DAYS``
(Nghị định 13/2023/NĐ-CP: personal data no longer than needed; 0 keeps them).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core import background

if TYPE_CHECKING:
    from bot.store.repository import Store

logger = logging.getLogger(__name__)

KEEP_DEDUP_KEYS = timedelta(days=2)  # platforms stop retrying long before
KEEP_DRAFT_PHOTOS = timedelta(days=7)  # a photo no broadcast used by then was abandoned
HOUSEKEEPING_EVERY = 3600.0  # seconds
RETENTION_BATCH = 5000  # messages per transaction: no writer waits long behind one


async def housekeeping(store: Store, retention_days: int) -> None:
    """Forever, once an hour (the first pass at once)."""
    while True:
        await tidy(store, retention_days)
        await asyncio.sleep(HOUSEKEEPING_EVERY)


async def tidy(store: Store, retention_days: int) -> None:
    """One pass; a failure is logged and left to the next pass."""
    now = datetime.now(UTC)
    try:
        before = now - KEEP_DEDUP_KEYS
        await store.forget_updates(before)
        await store.inbox_forget(before)
        await store.forget_unused_photos(now - KEEP_DRAFT_PHOTOS)
    except Exception:  # a busy or unreachable database: try again next time
        if background.cancelling():
            raise
        logger.exception("housekeeping failed")
    if retention_days <= 0:
        return
    try:
        cutoff = now - timedelta(days=retention_days)
        expired = await store.erase_messages_before(cutoff, RETENTION_BATCH)
        if expired.messages or expired.tickets_cleared:
            logger.info(
                "retention (%d days): deleted %d messages, %d votes; wiped %d tickets' text",
                retention_days,
                expired.messages,
                expired.feedback,
                expired.tickets_cleared,
            )
    except Exception:
        if background.cancelling():
            raise
        logger.exception("deleting messages past the retention period failed")
