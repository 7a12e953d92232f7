"""People: who wrote to the bot, on which platform, subscription and block state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.records import PersonRecord, PlatformId
from bot.store.base import StoreBase, as_id
from bot.store.columns import utcnow
from bot.store.errors import StoreError
from bot.store.models import Person


class PeopleMixin(StoreBase):
    async def upsert_person(
        self,
        platform: str,
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str = "",
        language: str | None = None,
    ) -> PersonRecord:
        """Create the person or refresh their chat id (and name/language when given)."""
        statement = self._upsert_person(platform, user_id, chat_id, display_name, language)
        async with self._write() as session:
            person_id = (await session.execute(statement)).scalar_one()
            return await load_person(session, person_id)

    def _upsert_person(
        self,
        platform: str,
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str,
        language: str | None,
    ) -> Any:
        now = utcnow()
        insert = self._insert(Person).values(
            platform=platform,
            user_id=as_id(user_id),
            chat_id=as_id(chat_id),
            display_name=display_name,
            language=language,
            subscribed=False,
            blocked=False,
            created_at=now,
            updated_at=now,
        )
        changes = {"chat_id": insert.excluded.chat_id, "updated_at": now}
        if display_name:
            changes["display_name"] = insert.excluded.display_name
        if language is not None:
            changes["language"] = insert.excluded.language
        return insert.on_conflict_do_update(
            index_elements=[Person.platform, Person.user_id], set_=changes
        ).returning(Person.id)

    async def get_person(self, person_id: int) -> PersonRecord | None:
        async with self._read() as session:
            row = await session.get(Person, person_id)
            return None if row is None else person_record(row)

    async def find_person(self, platform: str, user_id: PlatformId) -> PersonRecord | None:
        query = select(Person).where(Person.platform == platform, Person.user_id == as_id(user_id))
        async with self._read() as session:
            row = (await session.scalars(query)).one_or_none()
            return None if row is None else person_record(row)

    async def set_blocked(self, person_id: int, blocked: bool) -> PersonRecord:
        """Mark that the person blocked (or unblocked) the bot; the time is kept while blocked."""
        statement = (
            update(Person)
            .where(Person.id == person_id, Person.blocked != blocked)
            .values(blocked=blocked, blocked_at=utcnow() if blocked else None)
        )
        async with self._write() as session:
            await session.execute(statement)
            return await load_person(session, person_id)

    async def set_subscribed(self, person_id: int, subscribed: bool) -> PersonRecord:
        """Subscribe (recording the consent time) or unsubscribe (clearing it)."""
        statement = (
            update(Person)
            .where(Person.id == person_id, Person.subscribed != subscribed)
            .values(subscribed=subscribed, subscribed_at=utcnow() if subscribed else None)
        )
        async with self._write() as session:
            await session.execute(statement)
            return await load_person(session, person_id)

    async def set_preferences(
        self, person_id: int, topics: list[str] | None, area: str | None
    ) -> None:
        """Which broadcast topics (None: all) and which xã/phường a subscriber chose."""
        statement = update(Person).where(Person.id == person_id).values(topics=topics, area=area)
        async with self._write() as session:
            await session.execute(statement)


async def load_person(session: AsyncSession, person_id: int) -> PersonRecord:
    row = await session.get(Person, person_id, populate_existing=True)
    if row is None:
        raise StoreError(f"No person with id {person_id}")
    return person_record(row)


def person_record(row: Person) -> PersonRecord:
    return PersonRecord(
        id=row.id,
        platform=row.platform,
        user_id=row.user_id,
        chat_id=row.chat_id,
        display_name=row.display_name,
        language=row.language,
        subscribed=row.subscribed,
        subscribed_at=row.subscribed_at,
        blocked=row.blocked,
        blocked_at=row.blocked_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        topics=tuple(row.topics) if row.topics is not None else None,
        area=row.area,
    )
