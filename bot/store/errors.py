"""The storage subsystem's error (a subclass of the project's one error root)."""

from bot.errors import BotError


class StoreError(BotError):
    """A storage operation cannot be done: unknown row, invalid ticket transition, bad value."""
