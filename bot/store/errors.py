"""The storage subsystem's error (a subclass of the project's one error root)."""

import errno

from bot.errors import BotError


class StoreError(BotError):
    """A storage operation cannot be done: unknown row, invalid ticket transition, bad value."""


# A database server gone or a disk full (not: a file name too long, a path not found).
_UNREACHABLE_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.ENOSPC,
        errno.EPIPE,
    }
)


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (down, stalled, pool empty,
    disk full) rather than that something was wrong with the request."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: BaseException | None = exc
    while seen is not None:  # a StoreError carries the driver's error as its cause
        if isinstance(seen, (TimeoutError, ConnectionError, PoolTimeout, OperationalError)):
            return True
        if isinstance(seen, InterfaceError) or (
            isinstance(seen, OSError) and seen.errno in _UNREACHABLE_ERRNOS
        ):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        seen = seen.__cause__
    return False
