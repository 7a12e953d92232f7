"""The platform adapters (the web chat's is in ``bot.web``): each parses its platform's
updates into ``Inbound`` for the dispatcher and implements ``send``; nothing else."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.core.ports import Sender


class Channel(Sender, Protocol):
    """What every platform adapter offers the app: the Sender port, and a lifecycle."""

    def routes(self) -> list[web.RouteDef]:
        """Webhook routes on the project's HTTP server (may be empty)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stop taking updates and finish (or persist) what is in flight."""
        ...
