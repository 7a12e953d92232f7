"""Every few seconds: start scheduled broadcasts that are due, and show officers progress.

The officer's status message is edited in place while a broadcast is sent (sent /
failed / blocked / remaining, and an estimate of when it ends), and turned into the
final report when it is done or cancelled. The final report is marked as given only once
the platform took it: a refusal (flood control, a timeout) is tried again after the wait
the platform asked for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from bot.broadcast.controls import control_buttons
from bot.broadcast.desk import BroadcastDesk
from bot.core.dispatcher import Dispatcher
from bot.core.ports import StatusEditor
from bot.store.repository import Store
from bot.strings import broadcast as wording

logger = logging.getLogger(__name__)

TICK = 3.0  # seconds; Telegram allows editing a message about once a second
WATCHED = ("sending", "paused", "done", "cancelled")


class BroadcastClock:
    def __init__(
        self, store: Store, desk: BroadcastDesk, dispatcher: Dispatcher, rates: dict[str, float]
    ):
        self.store = store
        self.desk = desk
        self.dispatcher = dispatcher
        self.rates = rates
        self._shown: dict[int, str] = {}  # the text each status message shows
        self._not_before: dict[int, float] = {}  # monotonic time the platform asked to wait

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a database hiccup: try again at the next tick
                logger.exception("broadcast clock tick failed")
            await asyncio.sleep(TICK)

    async def tick(self, now: datetime | None = None) -> None:
        await self.desk.start_due(now or datetime.now(UTC))
        for broadcast_id, state, _text, _at in (await self.store.broadcasts_in(WATCHED))[:50]:
            if await self.store.kv_get(f"reported:{broadcast_id}"):
                continue
            status = await self.store.broadcast_status(broadcast_id)
            if status is None:
                continue
            platform, chat, message = status
            channel = self.dispatcher.sender(platform)
            if not isinstance(channel, StatusEditor):
                continue
            if self._not_before.get(broadcast_id, 0.0) > time.monotonic():
                continue  # the platform asked to wait
            counts = await self.store.broadcast_progress(broadcast_id)
            final = state in ("done", "cancelled")
            if final:
                text, buttons = wording.final_report(broadcast_id, counts, state), ()
            else:
                left = counts["queued"] + counts["sending"]
                eta = left / self.rates.get("telegram", 25.0) if state == "sending" else None
                text = wording.progress(broadcast_id, counts, eta)
                buttons = control_buttons(broadcast_id, state)
            if self._shown.get(broadcast_id) != text:
                wait = await channel.edit_text(chat, message, text, buttons)
                if wait is not None:  # refused for now: the same text again later
                    self._not_before[broadcast_id] = time.monotonic() + wait
                    continue
                self._shown[broadcast_id] = text
            if final:  # only once the officer can see it
                await self.store.kv_set(f"reported:{broadcast_id}", "1")
                self._shown.pop(broadcast_id, None)
                self._not_before.pop(broadcast_id, None)
