"""Processed platform updates: webhooks are retried, each update is handled once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete

from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.models import ProcessedUpdate
from bot.store.records import PlatformId


class UpdatesMixin(StoreBase):
    async def claim_update(self, platform: str, update_key: PlatformId) -> bool:
        """True the first time (platform, update_key) is claimed, False ever after.

        Safe under concurrency: the unique constraint decides, ``ON CONFLICT DO NOTHING``.
        """
        async with self._write() as session:
            return (
                await session.execute(self._claim(platform, update_key))
            ).scalar_one_or_none() is not None

    def _claim(self, platform: str, update_key: PlatformId) -> Any:
        return (
            self._insert(ProcessedUpdate)
            .values(platform=platform, update_key=as_id(update_key), processed_at=utcnow())
            .on_conflict_do_nothing(
                index_elements=[ProcessedUpdate.platform, ProcessedUpdate.update_key]
            )
            .returning(ProcessedUpdate.id)
        )

    async def forget_updates(self, before: datetime) -> int:
        """Drop dedup keys processed before ``before`` (platforms stop retrying); the count."""
        statement = delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
        async with self._write() as session:
            result = await session.execute(statement.execution_options(synchronize_session=False))
            return int(getattr(result, "rowcount", 0) or 0)
