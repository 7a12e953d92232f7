"""Every few seconds: start scheduled broadcasts that are due, and show officers progress.

The officer's status message is edited in place while a broadcast is sent (sent /
failed / blocked / remaining, and an estimate of when it ends), and turned into the
final report when it is done or cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from bot.broadcast.controls import control_buttons
from bot.broadcast.desk import BroadcastDesk
from bot.core.dispatcher import Dispatcher
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
        self._shown: dict[int, str] = {}

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
            if channel is None or not hasattr(channel, "edit_text"):
                continue
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
                await channel.edit_text(chat, message, text, buttons)  # type: ignore[attr-defined]
                self._shown[broadcast_id] = text
            if final:
                await self.store.kv_set(f"reported:{broadcast_id}", "1")
