"""A multipart form read part by part: its text fields, each up to a bound, and one file
streamed up to its own limit (not through aiohttp's 1 MB form reader). Used by the
broadcast form's photo and the officer answers' import."""

from __future__ import annotations

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

CHUNK = 64 * 1024


class BadForm(Exception):
    """A body that is no form this page sends (a broken upload, a field far too long)."""


async def read_multipart(
    request: web.Request, file_field: str, file_limit: int, field_limit: int
) -> tuple[dict[str, str], bytes | None]:
    """The text fields, and the file of ``file_field``: b"" when none was chosen, None
    when it is over ``file_limit`` (the rest is read and dropped, so the browser gets the
    answer). Raises BadForm."""
    fields: dict[str, str] = {}
    data: bytes | None = b""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise BadForm("a nested multipart")
            if part.name == file_field and part.filename is not None:
                data = await _read(part, file_limit)
            elif part.name:
                value = await _read(part, field_limit)
                if value is None:
                    raise BadForm(f"field {part.name} is too long")
                fields[part.name] = value.decode("utf-8", errors="replace")
            else:
                await part.release()
    except (HttpProcessingError, ValueError, AssertionError, RuntimeError) as exc:  # broken
        raise BadForm(str(exc)) from exc
    return fields, data


async def _read(part: BodyPartReader, limit: int) -> bytes | None:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            await part.release()
            return None
    return bytes(data)
