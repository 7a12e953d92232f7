"""Zalo Bot Platform API client: a thin aiohttp wrapper of the few methods the bot uses.

python-telegram-bot cannot parse this API (no update_id, string ids, one update per
getUpdates), so the calls are made here. The token is part of every URL: logs and
errors name the method only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.channels.text import surely_unsent
from bot.channels.zalo_protocol import (
    BOT_BLOCKED_HINTS,
    BOT_ERROR_FORBIDDEN,
    BOT_POLL_NOTHING,
    BOT_POLL_TIMEOUT,
)
from bot.errors import BotError

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 15.0  # seconds for one API call other than a long poll
NO_ANSWER = 0  # ZaloBotError.code when the server did not answer (network, timeout)
NOT_REACHED = -2  # ZaloBotError.code when no connection was made (nothing was sent)
CLIENT_CLOSED = -1  # ZaloBotError.code when the channel has already stopped


class ZaloBotError(BotError):
    """An error answer of the Zalo Bot API, or no answer at all (``code`` NO_ANSWER)."""

    def __init__(self, code: int, description: str, method: str = "") -> None:
        where = f" ({method})" if method else ""
        super().__init__(f"Zalo Bot lỗi {code}{where}: {description}")
        self.code = code
        self.description = description
        self.method = method

    @property
    def transient(self) -> bool:
        """Worth another try: the network, a rate limit or the server failed, not the request."""
        return self.code in (NO_ANSWER, NOT_REACHED) or self.code == 429 or self.code >= 500

    @property
    def maybe_delivered(self) -> bool:
        """No answer came, but the request went out: Zalo may have sent the message."""
        return self.code == NO_ANSWER

    @property
    def blocked(self) -> bool:
        """The person cannot be reached (blocked the bot): marked, never retried."""
        wording = self.description.casefold()
        return self.code == BOT_ERROR_FORBIDDEN or any(h in wording for h in BOT_BLOCKED_HINTS)


class ZaloBotClient:
    """The few Zalo Bot API methods the bot uses: POST JSON, envelope ``{ok, result}``."""

    def __init__(self, token: str, base_url: str) -> None:
        self._url = f"{base_url}{token}/"  # holds the token: never logged
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
            )

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> ZaloBotClient:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe") or {}

    async def get_updates(self, timeout: float = BOT_POLL_TIMEOUT) -> dict[str, Any] | None:
        """One update, or None when nothing arrived within ``timeout`` seconds."""
        try:
            result = await self.call("getUpdates", {"timeout": timeout}, timeout=timeout + 10)
        except ZaloBotError as exc:
            if exc.code in BOT_POLL_NOTHING:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def send_message(self, chat_id: str, text: str) -> str:
        """Plain text (no parse_mode: replies quote documents verbatim); the new message id."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return str(result.get("message_id", "")) if isinstance(result, dict) else ""

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str:
        """A photo Zalo fetches from ``photo_url`` (public), with an optional caption."""
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        return str(result.get("message_id", "")) if isinstance(result, dict) else ""

    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """``result`` of an ``ok`` answer; ZaloBotError otherwise, whatever the HTTP status."""
        if self._session is None:
            raise ZaloBotError(CLIENT_CLOSED, "kênh Zalo Bot đã dừng", method)
        logger.debug("Zalo Bot API %s", method)
        limit = aiohttp.ClientTimeout(total=timeout) if timeout is not None else None
        try:
            async with self._session.post(
                self._url + method, json=dict(params or {}), timeout=limit
            ) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            # aiohttp's messages carry the URL, and so the token: keep only the kind.
            raise ZaloBotError(
                NOT_REACHED if surely_unsent(exc) else NO_ANSWER,
                f"không nhận được trả lời ({type(exc).__name__})",
                method,
            ) from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise _error(method, status, body)


def _error(method: str, status: int, body: object) -> ZaloBotError:
    """The error an answer that is not ``ok`` describes; its body wins over the HTTP status."""
    if not isinstance(body, dict):
        return ZaloBotError(status, f"HTTP {status}, không phải JSON", method)
    code = body.get("error_code")
    description = body.get("description")
    return ZaloBotError(
        code if isinstance(code, int) else status,
        str(description) if description else f"HTTP {status}",
        method,
    )
