"""Following broadcasts: ``/lichgui`` lists the scheduled and running ones with buttons to
pause, resume or cancel them; scheduled ones are started when their time comes."""

from __future__ import annotations

from datetime import datetime

from bot.broadcast.desk_base import DeskBase
from bot.core.commands import as_number
from bot.core.messages import Button, Inbound, Outbound
from bot.strings import broadcast as wording

# Which states each control acts on, and the state it leaves the broadcast in.
ALLOWED = {
    "pause": ("sending",),
    "resume": ("paused",),
    "cancel": ("scheduled", "sending", "paused"),
}
RESULTS = {"pause": "paused", "resume": "sending", "cancel": "cancelled"}


class ControlsMixin(DeskBase):
    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come: queued for sending."""
        started = []
        for broadcast_id in await self.store.due_scheduled(now):
            await self.store.enqueue_broadcast(broadcast_id)
            started.append(broadcast_id)
        if started and self._wake is not None:
            await self._wake()
        return started

    async def _schedule_list(self, inbound: Inbound, actor: str) -> list[Outbound]:
        rows = await self.store.broadcasts_in(("scheduled", "sending", "paused"))
        if not rows:
            return [self._say(inbound, wording.NOTHING_SCHEDULED)]
        out = []
        for broadcast_id, state, text, at in rows[:10]:
            buttons = control_buttons(broadcast_id, state)
            out.append(
                self._say(
                    inbound, wording.listing(broadcast_id, state, text, at, self.zone), buttons
                )
            )
        return out

    async def _control(self, inbound: Inbound, actor: str, action: str) -> list[Outbound]:
        verb, _, raw = action.partition(":")
        number = as_number(raw)
        if number is None:
            return []
        broadcast = await self.store.get_broadcast(number)
        if broadcast is None:
            return [self._say(inbound, wording.NO_SUCH_BROADCAST)]
        new_state = await self.control(actor, verb, broadcast.id)
        if new_state is None:
            return [self._say(inbound, wording.cannot(verb, broadcast.state))]
        return [self._say(inbound, wording.controlled(broadcast.id, new_state))]

    async def control(
        self, actor: str, verb: str, broadcast_id: int, *, action: str | None = None
    ) -> str | None:
        """Pause, resume or cancel a broadcast, from the chat or the web console: its new
        state (audited as ``action``, the verb by default; the sender woken to resume),
        or None when its state does not allow ``verb`` now. Of two clicks, one acts."""
        new_state = RESULTS[verb]
        if not await self.store.change_broadcast_state(broadcast_id, ALLOWED[verb], new_state):
            return None
        await self.store.audit(actor, action or verb, {"id": broadcast_id})
        if verb == "resume" and self._wake is not None:
            await self._wake()
        return new_state


def control_buttons(broadcast_id: int, state: str) -> tuple[Button, ...]:
    cancel = Button(wording.CANCEL, f"o:cancel:{broadcast_id}")
    if state == "sending":
        return (Button(wording.PAUSE, f"o:pause:{broadcast_id}"), cancel)
    if state == "paused":
        return (Button(wording.RESUME, f"o:resume:{broadcast_id}"), cancel)
    return (cancel,)
