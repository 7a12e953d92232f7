"""A citizen's update arriving: deduplicated, the person refreshed, the message kept, in
one transaction (instead of four), since this runs for every message the bot receives."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.base import StoreBase
from bot.store.messages import new_message
from bot.store.people import load_person
from bot.store.records import PersonRecord, PlatformId, TicketRecord
from bot.store.tickets import active_ticket_in
from bot.store.updates import UpdatesMixin


@dataclass(frozen=True)
class Arrival:
    person: PersonRecord
    ticket: TicketRecord | None  # the person's active ticket, if any
    message_id: int | None  # the stored inbound message (None for a button press)


class ArrivalsMixin(UpdatesMixin, StoreBase):
    async def record_arrival(
        self,
        platform: str,
        update_key: PlatformId,
        user_id: PlatformId,
        chat_id: PlatformId,
        display_name: str = "",
        language: str | None = None,
        *,
        text: str | None = None,
        kind: str = "question",
        platform_message_id: PlatformId | None = None,
    ) -> Arrival | None:
        """None when this update was already processed (a platform retry); else the
        person, their active ticket and the stored message (when ``text`` is given)."""
        async with self._write() as session:
            claimed = (
                await session.execute(self._claim(platform, update_key))
            ).scalar_one_or_none()
            if claimed is None:
                return None
            upsert = self._upsert_person(platform, user_id, chat_id, display_name, language)
            person_id = (await session.execute(upsert)).scalar_one()
            message_id = None
            if text is not None:
                row = new_message(person_id, "in", text, kind, platform_message_id)
                session.add(row)
                await session.flush()
                message_id = row.id
            return Arrival(
                person=await load_person(session, person_id),
                ticket=await active_ticket_in(session, person_id),
                message_id=message_id,
            )
