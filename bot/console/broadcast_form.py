"""The console's compose form, read and checked: the photo is streamed with a size limit
(not through aiohttp's 1 MB form reader), the text must fit what Telegram takes (it
does not split a broadcast), the audience and time are the chat dialogue's own."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.broadcast.compose import area_audience, local_time, topic_audience
from bot.broadcast.media import MAX_PHOTO_BYTES
from bot.console.pages import posted
from bot.console.uploads import read_multipart
from bot.strings import console_broadcasts as words

MAX_FIELD = 64 * 1024  # bytes of one text field: the text itself is at most 4096 characters
MAX_TEXT = 4096  # Telegram: one message, in UTF-16 units (what its limit counts)
MAX_CAPTION = 1024  # Telegram: a photo's caption
MAX_AREA = 100


@dataclass
class Submitted:
    fields: dict[str, str] = field(default_factory=dict)
    photo: bytes | None = None  # the file chosen, None when none was
    too_big: bool = False  # a file was chosen but is over MAX_PHOTO_BYTES


async def read_form(request: web.Request) -> Submitted:
    """The fields and the photo. A multipart body is read part by part; the photo is
    kept up to MAX_PHOTO_BYTES (the rest is read and dropped, so the browser gets the
    answer). Raises uploads.BadForm, or aiohttp's 413 for an urlencoded body over 1 MB."""
    if request.content_type != "multipart/form-data":
        form = await posted(request)
        return Submitted({k: v for k, v in form.items() if isinstance(v, str)})
    fields, data = await read_multipart(request, "photo", MAX_PHOTO_BYTES, MAX_FIELD)
    # An empty file: none was chosen.
    return Submitted(fields, photo=data or None, too_big=data is None)


def clean_text(raw: str) -> str:
    """The text as typed (a browser sends CRLF line ends), composed (NFC), trimmed."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()


def text_problem(text: str, photo: bool) -> str | None:
    if not text and not photo:
        return words.EMPTY_TEXT
    limit = MAX_CAPTION if photo else MAX_TEXT
    length = len(text.encode("utf-16-le")) // 2
    return words.too_long(length, limit, photo) if length > limit else None


def audience_of(choice: str, area: str) -> tuple[dict | None, str | None]:
    """The audience chosen (as the chat dialogue's buttons give it), or why not."""
    if choice == "area":
        name = " ".join(area.split())[:MAX_AREA]
        return (area_audience(name), None) if name else (None, words.NO_AREA)
    audience = topic_audience(choice)
    return audience, None if audience is not None else words.BAD_AUDIENCE


def time_of(later: bool, raw: str, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """None for now; else the time (the form's 2025-11-26T20:00, or 20:00 26/11 as in the
    chat), in Hà Nội time, which must be in the future."""
    if not later:
        return None, None
    raw = raw.strip()[:40]
    when = _form_time(raw, zone) or local_time(raw, zone)
    if when is None:
        return None, words.BAD_TIME
    if when <= datetime.now(zone):
        return None, words.PAST_TIME
    return when, None


def _form_time(raw: str, zone: ZoneInfo) -> datetime | None:
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return when.replace(tzinfo=zone) if when.tzinfo is None else when
