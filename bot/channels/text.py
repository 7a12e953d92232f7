"""Sending text to a platform: long replies cut at sentence ends, and whether a failed send
may have arrived (so that it is not sent twice)."""

from __future__ import annotations

import re
from collections.abc import Callable

import aiohttp

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…”])\s+|\n")


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Pieces of ``text`` whose ``measure`` (e.g. the HTML-escaped length) stays within
    ``limit``: cut after a sentence or a line when one is in the last two thirds of the
    window, else at a space, else anywhere."""
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        window = rest[:limit]
        while measure(window) > limit:
            window = window[: len(window) * 9 // 10]
        cuts = [m.end() for m in _SENTENCE_BREAK.finditer(window) if m.end() > len(window) // 3]
        space = window.rfind(" ")
        cut = cuts[-1] if cuts else (space if space > len(window) // 3 else len(window))
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def surely_unsent(exc: BaseException) -> bool:
    """Whether a failed HTTP call never reached the platform, so sending again cannot
    repeat a message: the connection was never made. A timeout or a disconnect after the
    request went out may hide a message the platform took — an answer is not sent again
    then, or a slow platform would give a citizen the same answer twice."""
    return isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError))
