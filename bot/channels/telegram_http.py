"""python-telegram-bot's HTTP transport on aiohttp instead of httpx.

The bot already runs on aiohttp; its client is several times cheaper per request than
httpx, and every answer is a request. PTB still builds the calls and parses the replies:
this class only moves bytes (as PTB's own HTTPXRequest does, form-encoded or multipart).
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue  # PTB's documented hook types
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.text import surely_unsent

DEFAULT_TIMEOUTS = {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 1.0}


class NotSent(NetworkError):
    """No connection was made: the call can be made again without repeating anything."""


class MaybeSent(TimedOut):
    """The call went out but no answer came: Telegram may have done it (a message sent)."""


MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    def __init__(self, pool_size: int = 64, read_timeout: float = 5.0) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        params = request_data.json_parameters if request_data else {}
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else DEFAULT_TIMEOUTS["write"])
        connect = _given(connect_timeout, DEFAULT_TIMEOUTS["connect"])
        # aiohttp has no separate read/write budgets: the whole call gets their sum.
        total = None if read is None else read + (write or 0) + (connect or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect)
        body: aiohttp.FormData | dict[str, str] | None = params
        if files:
            form = aiohttp.FormData()
            for name, value in params.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            if surely_unsent(exc):
                raise NotSent(f"aiohttp: {type(exc).__name__}") from exc
            if isinstance(exc, TimeoutError):
                raise MaybeSent("Timed out") from exc
            raise MaybeSent(f"aiohttp: {type(exc).__name__}") from exc


def _given(value: object, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE when the caller did not choose a timeout."""
    return default if isinstance(value, DefaultValue) else value  # type: ignore[return-value]
