"""``secrets_kv``: small texts under a key (tokens that get refreshed), with compare-and-set."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.store.base import StoreBase
from bot.store.columns import utcnow
from bot.store.models import SecretKV


class KeyValueMixin(StoreBase):
    async def kv_get(self, key: str) -> str | None:
        async with self._read() as session:
            return (
                await session.scalars(select(SecretKV.value).where(SecretKV.key == key))
            ).one_or_none()

    async def kv_set(self, key: str, value: str) -> None:
        now = utcnow()
        insert = self._insert(SecretKV).values(key=key, value=value, updated_at=now)
        statement = insert.on_conflict_do_update(
            index_elements=[SecretKV.key], set_={"value": insert.excluded.value, "updated_at": now}
        )
        async with self._write() as session:
            await session.execute(statement)

    async def kv_compare_and_set(self, key: str, expected: str | None, new: str) -> bool:
        """Set ``key`` to ``new`` only if it now holds ``expected`` (None: only if absent).

        Atomic across processes; True when this call made the change.
        """
        now = utcnow()
        if expected is None:
            statement = (
                self._insert(SecretKV)
                .values(key=key, value=new, updated_at=now)
                .on_conflict_do_nothing(index_elements=[SecretKV.key])
                .returning(SecretKV.key)
            )
        else:
            statement = (
                update(SecretKV)
                .where(SecretKV.key == key, SecretKV.value == expected)
                .values(value=new, updated_at=now)
                .returning(SecretKV.key)
                .execution_options(synchronize_session=False)
            )
        async with self._write() as session:
            return (await session.execute(statement)).scalar_one_or_none() is not None
