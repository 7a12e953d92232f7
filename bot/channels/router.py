"""Sends each outbound message through the adapter of its platform.

An officer on Telegram answers a citizen on Zalo, and a failed delivery to Zalo is
reported in the Telegram group: the conversation service only says *what* to send
*where*, the router finds the adapter that can.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from aiohttp import web

from bot.conversation.messages import Outbound
from bot.conversation.service import ConversationService

logger = logging.getLogger(__name__)


class Channel(Protocol):
    """What every platform adapter offers the rest of the bot."""

    platform: str

    def routes(self) -> list[web.RouteDef]:
        """Webhook routes on the project's HTTP server (may be empty)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stop taking updates and finish (or persist) what is in flight."""
        ...

    async def send(self, outbound: Outbound) -> None:
        """Send one message; report success or failure back through the router."""
        ...


class Router:
    def __init__(self, service: ConversationService) -> None:
        self.service = service
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> None:
        self._channels[channel.platform] = channel

    @property
    def channels(self) -> list[Channel]:
        return list(self._channels.values())

    def channel(self, platform: str) -> Channel | None:
        return self._channels.get(platform)

    async def deliver(self, outbounds: Iterable[Outbound]) -> None:
        for outbound in outbounds:
            channel = self._channels.get(outbound.platform)
            if channel is None:
                await self.failed(outbound, f"kênh {outbound.platform} chưa được cấu hình")
                continue
            await channel.send(outbound)

    async def sent(self, outbound: Outbound, platform_message_id: str) -> None:
        await self.service.delivered(outbound, platform_message_id)

    async def failed(self, outbound: Outbound, reason: str, *, blocked: bool = False) -> None:
        """A send failed for good: record it and tell the officers when a ticket is involved."""
        logger.warning(
            "message to %s chat %s not delivered: %s", outbound.platform, outbound.chat_id, reason
        )
        notes = await self.service.undeliverable(outbound, reason, blocked)
        # A note about a failed note is not sent again: that could loop.
        for note in notes:
            channel = self._channels.get(note.platform)
            if channel is not None and (note.platform, note.chat_id) != (
                outbound.platform,
                outbound.chat_id,
            ):
                await channel.send(note)
