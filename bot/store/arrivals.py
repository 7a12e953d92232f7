"""A citizen's update arriving: its row claimed, the person refreshed and the message kept,
in one transaction (instead of four), since this runs for every message the bot receives."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import update

from bot.core.records import Arrival, PlatformId, UpdateRecord
from bot.store.base import StoreBase
from bot.store.messages import new_message
from bot.store.models import Person, ProcessedUpdate
from bot.store.people import load_person
from bot.store.tickets import active_ticket_in
from bot.store.updates import UpdatesMixin


class ArrivalsMixin(UpdatesMixin, StoreBase):
    async def record_arrival(
        self,
        platform: str,
        update_key: PlatformId,
        owner: str,
        inbound: dict[str, Any],
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str = "",
        language: str | None = None,
        *,
        text: str | None = None,
        kind: str = "question",
        platform_message_id: PlatformId | None = None,
    ) -> Arrival:
        """The update claimed for ``owner``; when it is new, the person (unblocked: they
        wrote) and the message (when ``text`` is given) are stored with it."""
        async with self._write(urgent=True) as session:
            claim, fresh = await self._claim_in(session, platform, update_key, owner, inbound)
            if not fresh:
                return Arrival(claim, fresh=False)
            upsert = self._upsert_person(platform, user_id, chat_id, display_name, language)
            person_id = (await session.execute(upsert)).scalar_one()
            person = await load_person(session, person_id)
            if person.blocked:  # they wrote again, so they unblocked the bot
                await session.execute(
                    update(Person)
                    .where(Person.id == person_id)
                    .values(blocked=False, blocked_at=None)
                )
                person = await load_person(session, person_id)
            message_id = None
            if text is not None:
                row = new_message(person_id, "in", text, kind, platform_message_id)
                session.add(row)
                await session.flush()
                message_id = row.id
            await session.execute(
                update(ProcessedUpdate)
                .where(ProcessedUpdate.id == claim.id)
                .values(person_id=person_id, message_id=message_id)
            )
            claim = replace(claim, person_id=person_id, message_id=message_id)
            return Arrival(
                update=claim,
                fresh=True,
                person=person,
                ticket=await active_ticket_in(session, person_id),
                message_id=message_id,
            )

    async def resume_arrival(self, claim: UpdateRecord) -> Arrival:
        """An arrival a crashed process stored but did not answer, as it was then."""
        async with self._read() as session:
            if claim.person_id is None:
                return Arrival(claim, fresh=False)
            return Arrival(
                update=claim,
                fresh=False,
                person=await load_person(session, claim.person_id),
                ticket=await active_ticket_in(session, claim.person_id),
                message_id=claim.message_id,
            )
