"""A citizen deletes their personal data: asked, confirmed, done (Nghị định 13/2023/NĐ-CP).

"xóa dữ liệu" (or /xoadulieu, "delete my data") gets a question saying exactly what
goes, with "Xóa" / "Không" buttons, and typed "có" / "không" where there are none (Zalo).
The question itself is the pending state, as a suggestion is: it counts while it is the
bot's last word to the person and younger than ``confirm_within``. Confirmed, the store
erases the person in one transaction; the officers' chat learns which tickets closed,
and nothing the citizen said.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.conversation.handoff import Handoff
from bot.conversation.saying import say
from bot.core.commands import typed_yes_no
from bot.core.messages import Outbound
from bot.core.ports import CitizenStore
from bot.core.records import MessageRecord, PersonRecord
from bot.strings import privacy

CONFIRM_WITHIN = timedelta(minutes=10)
LOOK_BACK = 20  # the person's latest messages searched for the bot's last word


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Erasure:
    def __init__(
        self,
        store: CitizenStore,
        handoff: Handoff,
        *,
        confirm_within: timedelta = CONFIRM_WITHIN,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.store = store
        self.handoff = handoff
        self.confirm_within = confirm_within
        self.clock = clock

    @property
    def minutes(self) -> int:
        return round(self.confirm_within.total_seconds() / 60)

    async def ask(self, person: PersonRecord, *, english: bool) -> list[Outbound]:
        """The question: what will be deleted, and how to confirm."""
        kind = privacy.ASK_KIND_EN if english else privacy.ASK_KIND
        text = privacy.erase_question(self.minutes, english)
        buttons = privacy.erase_buttons(english)
        return [await say(self.store, person, text, kind, buttons=buttons)]

    async def typed(self, person: PersonRecord, text: str) -> list[Outbound] | None:
        """A typed "có" / "không" answering a pending question; None when it is not one
        (then "có" means whatever it meant before, e.g. accepting an officer)."""
        choice = typed_yes_no(text)
        if choice is None:
            return None
        question = await self.pending(person)
        if question is None:
            return None
        english = question.kind == privacy.ASK_KIND_EN
        return await (self._erase(person, english) if choice else self._keep(person, english))

    async def pressed(self, person: PersonRecord, args: tuple[str, ...]) -> list[Outbound]:
        """``del:yes`` / ``del:no`` (``:en`` for English). Late, repeated or stray presses
        get a polite word, never an error."""
        choice = args[0] if args else ""
        question = await self.pending(person)
        english = question.kind == privacy.ASK_KIND_EN if question else "en" in args[1:]
        if choice == "no":
            return await self._keep(person, english)
        if choice != "yes" or question is None:
            text = privacy.nothing_to_confirm(self.minutes, english)
            return [await say(self.store, person, text, "notice")]
        return await self._erase(person, english)

    async def pending(self, person: PersonRecord) -> MessageRecord | None:
        """The question, while it is the bot's last word to the person and still fresh."""
        recent = await self.store.recent_messages(person.id, LOOK_BACK)
        last_out = next((m for m in reversed(recent) if m.direction == "out"), None)
        if last_out is None or last_out.kind not in privacy.ASK_KINDS:
            return None
        asked = last_out.created_at
        if asked.tzinfo is None:
            asked = asked.replace(tzinfo=UTC)
        return last_out if self.clock() - asked < self.confirm_within else None

    async def _erase(self, person: PersonRecord, english: bool) -> list[Outbound]:
        erased = await self.store.erase_person(person.id)
        text = privacy.erased(erased.messages, english)
        if erased.person_deleted:  # nobody left to keep it for: sent, not stored
            reply = Outbound(person.platform, person.chat_id, text)
        else:  # the only message left: what a reloaded web page shows
            reply = await say(self.store, person, text, privacy.ERASED_KIND)
        notes = [
            note
            for ticket_id in erased.closed_ticket_ids
            for note in self.handoff.to_officers(privacy.ticket_erased_note(ticket_id))
        ]
        return [reply, *notes]

    async def _keep(self, person: PersonRecord, english: bool) -> list[Outbound]:
        return [await say(self.store, person, privacy.erase_cancelled(english), "notice")]
