"""What comes in from outside, read once at the edge: bounded, well-formed, storable.

Every HTTP body the bot accepts (web API, Telegram, Zalo OA, Zalo Bot webhooks) is read
here: no more than its limit however it is sent (a chunked body has no length to check
first), decoded as UTF-8 JSON no deeper than ``MAX_DEPTH``, and every string in it made
storable — no NUL (PostgreSQL refuses it in text), no lone surrogates (no database or
encoder takes them; ``"\\ud800"`` is valid JSON), each surrogate becoming U+FFFD. A body
that fails any of this is the sender's fault: a 4xx, or for a platform's webhook an
acknowledged, skipped event — never a 500.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from bot.core.messages import clean_text

MAX_DEPTH = 32  # platforms' events nest a few levels; nobody needs thirty


class Malformed(ValueError):
    """A body that is not the JSON it should be."""


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request's body; ``web.HTTPRequestEntityTooLarge`` past ``limit`` bytes,
    ``Malformed`` when it cannot be read (a broken gzip stream, a cut connection)."""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    body = bytearray()
    try:
        while chunk := await request.content.readany():
            body += chunk
            if len(body) > limit:
                raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body))
    except web.HTTPException:
        raise
    except Exception as exc:  # aiohttp's payload errors are not one family
        raise Malformed(f"unreadable body ({type(exc).__name__})") from None
    return bytes(body)


def parse_json(raw: bytes) -> Any:
    """The JSON in ``raw`` with every string storable; ``Malformed`` otherwise."""
    try:
        value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise Malformed("not UTF-8 JSON") from None
    return storable(value)


def storable(value: Any, depth: int = 0) -> Any:
    """``value`` with its strings (keys too) cleaned; ``Malformed`` past ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise Malformed("nested too deep")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v, depth + 1) for v in value]
    return value


def _no_constant(name: str) -> float:
    raise Malformed(f"{name} is not JSON")  # Python reads NaN and Infinity; databases do not


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400
        raise Malformed("a number out of range")
    return number
