"""What officers do in a private chat with the bot: compose, schedule, follow, report.

``/thongbao`` starts a short dialogue: the text (and an optional photo) → the audience,
with the number of recipients → now or at a time (Asia/Ho_Chi_Minh) → a preview exactly
as citizens will see it → confirm. ``/lichgui`` lists scheduled and running broadcasts
with buttons to pause, resume or cancel; ``/baocao`` shows the month per unit against the
plan's target of 10 a month. Admins add and remove officers (``/themcanbo``,
``/xoacanbo``). Every action, and every refused attempt, goes to the audit log. The
dialogue's state is kept in the database, so a restart does not lose it.

The desk routes; its parts do the work: compose.py (the dialogue), controls.py (listing,
pause/resume/cancel, starting due broadcasts), roster.py (who is an officer),
monthly.py (the report) and keep_answer.py (``/luu`` in the officers' group: a ticket's
reply saved as a draft officer answer).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from bot.broadcast.compose import ComposeMixin
from bot.broadcast.controls import ControlsMixin
from bot.broadcast.desk_base import actor_of
from bot.broadcast.keep_answer import KeepAnswerMixin
from bot.broadcast.monthly import MonthlyReportMixin
from bot.broadcast.roster import OFFICERS_REFRESH, Roster, RosterMixin
from bot.core.commands import action_of, command_in
from bot.core.messages import Inbound, Outbound
from bot.core.ports import PhotoKeeper
from bot.store.repository import Store
from bot.strings import broadcast as wording
from bot.strings import console as console_words

logger = logging.getLogger(__name__)

COMMANDS = {"thongbao", "lichgui", "baocao", "themcanbo", "xoacanbo", "huy", "dangnhap"}


class BroadcastDesk(ComposeMixin, ControlsMixin, KeepAnswerMixin, RosterMixin, MonthlyReportMixin):
    def __init__(
        self,
        store: Store,
        roster: Roster,
        timezone: str = "Asia/Ho_Chi_Minh",
        wake: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.roster = roster
        self.zone = ZoneInfo(timezone)
        self._wake = wake  # tells the delivery loop there is something to send
        # Officers added by command, refreshed now and then: citizens' messages (the hot
        # path) then cost no database read to tell they are not an officer's dialogue.
        self._added: set[str] = set()
        self._added_at = -OFFICERS_REFRESH
        # Told (actor, is now an officer) after /themcanbo or /xoacanbo: e.g. menus.
        self.roster_listeners: list[Callable[[str, bool], Awaitable[None]]] = []
        self.photos: PhotoKeeper | None = None  # set by the app when Telegram is configured
        # "telegram:123" → the message with a one-time link to the web console (set by
        # the app), or None when no public address is configured to put in a link.
        self.console_link: Callable[[str], Awaitable[str | None]] | None = None
        self.console_url = ""  # the console's address, for links in the officers' group
        self.officer_answers = None  # the officers' answers' workflow (/luu), set by the app

    async def wants(self, inbound: Inbound) -> bool:
        """An officer command, an officer button, or the next step of an open dialogue."""
        if inbound.action and action_of(inbound.action).name == "o":
            return True
        command = command_in(inbound.text)
        if command is not None and command.name in COMMANDS:
            return True
        actor = actor_of(inbound)
        return await self._may_be_officer(actor) and await self._dialog(actor) is not None

    # ---- everything an officer sends ---------------------------------------------------
    async def handle(self, inbound: Inbound) -> list[Outbound]:
        actor = actor_of(inbound)
        unit = await self.unit_of(actor)
        if unit is None:
            await self.store.audit(actor, "refused", {"text": (inbound.text or "")[:200]})
            return [self._say(inbound, wording.NOT_AN_OFFICER)]
        # Perhaps added in another process: their next message may continue a dialogue.
        self._added.add(actor)
        if inbound.action:
            return await self._button(inbound, actor, unit, action_of(inbound.action).rest)
        command = command_in(inbound.text)
        if command is not None and command.name in COMMANDS:
            name, argument = command.name, command.argument
            if name == "thongbao":
                await self._save(actor, {"step": "text"})
                await self.store.audit(actor, "compose")
                return [self._say(inbound, wording.ASK_TEXT)]
            if name == "huy":
                await self._clear(actor)
                return [self._say(inbound, wording.DIALOG_CANCELLED)]
            if name == "lichgui":
                return await self._schedule_list(inbound, actor)
            if name == "dangnhap":
                return [self._say(inbound, await self._console_link(inbound, actor))]
            if name == "baocao":
                return [self._say(inbound, await self.month_text(argument.strip() or None))]
            return await self._roster_change(inbound, actor, name, argument)
        return await self._dialog_step(inbound, actor)

    async def _button(self, inbound: Inbound, actor: str, unit: str, action: str) -> list[Outbound]:
        dialog = await self._dialog(actor) or {}
        if action.startswith(("pause:", "resume:", "cancel:")):
            return await self._control(inbound, actor, action)
        return await self._compose_button(inbound, actor, unit, action, dialog)

    async def _console_link(self, inbound: Inbound, actor: str) -> str:
        """A sign-in link, only in a private chat (a group would share it)."""
        if inbound.chat_id != inbound.user_id:
            return console_words.PRIVATE_ONLY
        message = await self.console_link(actor) if self.console_link else None
        if message is None:
            return console_words.NO_PUBLIC_URL
        await self.store.audit(actor, "console_link")
        return message
