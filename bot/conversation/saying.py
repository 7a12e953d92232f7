"""Saying something to a citizen: the message is stored first, then handed out to send."""

from __future__ import annotations

from bot.core.messages import Button, Outbound
from bot.core.ports import ConversationStore
from bot.core.records import PersonRecord
from bot.strings import answers as replies
from bot.strings import conversation as texts


async def say(
    store: ConversationStore,
    person: PersonRecord,
    text: str,
    kind: str,
    *,
    buttons: tuple[Button, ...] = (),
    ticket_id: int | None = None,
) -> Outbound:
    record = await store.add_message(person.id, "out", text, kind, ticket_id=ticket_id)
    return Outbound(
        person.platform,
        person.chat_id,
        text,
        buttons,
        ticket_id=ticket_id,
        person_id=person.id,
        record_id=record.id,
    )


def start_buttons() -> tuple[Button, ...]:
    """The starter questions, under a greeting."""
    return texts.start_buttons(replies.EXAMPLES_VI)
