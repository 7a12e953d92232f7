"""The one reader of commands ("/thongbao", "/start@bot") and button actions ("fb:up:12").

A button's action is a name and its colon-separated arguments (at most 64 bytes, as
Telegram allows). Everything that reads a command or an action reads it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
# Ids in actions are database ids: ASCII digits, and no more than the database's integer
# columns hold (PostgreSQL's INTEGER is 32 bits).
_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class Command:
    name: str  # lower case, without the slash or the bot's @name
    argument: str  # the rest of the message, stripped


def command_in(text: str | None) -> Command | None:
    """The command a message is, if it is one."""
    match = _COMMAND.match((text or "").strip())
    if match is None:
        return None
    return Command(match.group(1).lower(), (match.group(2) or "").strip())


@dataclass(frozen=True)
class Action:
    name: str  # "fb", "sg", "full", "topic", "o" (officers), …
    rest: str  # everything after the first colon, as pressed ("up:12")

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(self.rest.split(":")) if self.rest else ()

    def number(self, position: int) -> int | None:
        """The argument at ``position`` as a number (None if missing, not ASCII digits, or
        longer than any id can be)."""
        args = self.args
        if position >= len(args):
            return None
        return as_number(args[position])


def as_number(text: str) -> int | None:
    if not _NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_NUMBER else None


def action_of(raw: str) -> Action:
    name, _, rest = raw.partition(":")
    return Action(name, rest)
