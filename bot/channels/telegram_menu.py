"""Telegram's command menu: citizens see their commands, officers also see theirs.

The menu is what the "/" button shows. Officers' commands are set per private chat
(``BotCommandScopeChat``), so a citizen never sees ``/thongbao``; when an admin adds or
removes an officer, that person's menu changes with them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.strings import broadcast as wording
from bot.strings import conversation as texts

logger = logging.getLogger(__name__)

PLATFORM = "telegram"
CITIZEN_COMMANDS = tuple(BotCommand(*c) for c in texts.CITIZEN_COMMANDS)
OFFICER_COMMANDS = tuple(BotCommand(*c) for c in wording.OFFICER_COMMANDS)
ADMIN_COMMANDS = tuple(BotCommand(*c) for c in wording.ADMIN_COMMANDS)


def telegram_users(actors: Iterable[str]) -> list[str]:
    """The Telegram user ids among ``platform:user`` actors."""
    users = []
    for actor in actors:
        platform, _, user = actor.partition(":")
        if platform == PLATFORM and user.lstrip("-").isdigit():
            users.append(user)
    return users


class CommandMenus:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def publish(self, officers: Iterable[str], admins: Iterable[str]) -> None:
        """Everyone's menu, then each officer's and admin's own (private chat id = user id)."""
        admin_ids = set(telegram_users(admins))
        await self._set(CITIZEN_COMMANDS, None)
        for user in sorted(set(telegram_users(officers)) | admin_ids):
            await self.show_officer(user, admin=user in admin_ids)

    async def show_officer(self, user: str, *, admin: bool = False) -> None:
        commands = CITIZEN_COMMANDS + OFFICER_COMMANDS + (ADMIN_COMMANDS if admin else ())
        await self._set(commands, user)

    async def hide_officer(self, user: str) -> None:
        try:
            await self.bot.delete_my_commands(scope=BotCommandScopeChat(int(user)))
        except TelegramError as exc:  # a menu is a convenience: never stop the bot for it
            logger.warning("could not reset the command menu of %s: %s", user, exc)

    async def _set(self, commands: tuple[BotCommand, ...], user: str | None) -> None:
        scope = BotCommandScopeDefault() if user is None else BotCommandScopeChat(int(user))
        try:
            await self.bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:
            logger.warning("could not set the command menu (%s): %s", user or "everyone", exc)
