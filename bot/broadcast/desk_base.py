"""What every part of the BroadcastDesk shares: its state, and replying in the officer's chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.messages import Button, Inbound, Outbound
from bot.core.ports import PhotoKeeper
from bot.store.repository import Store

if TYPE_CHECKING:
    from bot.broadcast.roster import Roster


class DeskBase:
    """The attributes BroadcastDesk sets up (see its ``__init__``), for its parts to use."""

    store: Store
    roster: Roster
    zone: ZoneInfo
    _wake: Callable[[], Awaitable[None]] | None  # tells the delivery loop to send
    _added: set[str]  # officers added by command, as last read
    _added_at: float  # when they were read (time.monotonic)
    roster_listeners: list[Callable[[str, bool], Awaitable[None]]]
    photos: PhotoKeeper | None  # fetches a draft's photo (the Telegram adapter)

    @staticmethod
    def _say(inbound: Inbound, text: str, buttons: tuple[Button, ...] = ()) -> Outbound:
        return Outbound(inbound.platform, inbound.chat_id, text, buttons)


def actor_of(inbound: Inbound) -> str:
    return f"{inbound.platform}:{inbound.user_id}"
