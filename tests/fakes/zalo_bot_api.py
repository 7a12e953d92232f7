"""A fake Zalo Bot Platform API (the Telegram-style one) and webhook sender, for tests.

The server is an aiohttp app on 127.0.0.1 (a free port chosen by the OS). The client posts JSON
to ``{base_url}{token}/{method}``, the same layout as Telegram's::

    async with FakeZaloBot() as zb:
        client = ZaloBotClient(token=zb.token, base_url=zb.base_url)
        zb.push_update(zb.text_update(chat_id="e4ea2c", user_id="e4ea2c", text="xin chào"))
        call = await zb.wait_for_message("e4ea2c")

What it answers like the platform does (see shared/design/CHANNELS.md section 2). Bodies are
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": "..."}``,
sent with HTTP status N (``http_200_errors=True`` sends every error with HTTP 200 instead, in
case the real service does that):

* a wrong token -> 401; an unknown method -> 404;
* ``sendMessage``: ``chat_id`` required, ``text`` 1-2000 characters, else 400;
* ``sendPhoto {chat_id, photo, caption}``: ``photo`` is a URL the platform fetches, as the
  fake does (``fetch_photos``): an answer that is not 200 with an image is 400; the bytes it
  got are in ``photos`` (by URL); ``caption`` 1-2000 characters when given;
* limits the platform does not document [U]: with ``per_second``, sends beyond that many in
  any second answer 429; a chat passed to ``block_chat`` answers 403;
* ``setWebhook``: ``url`` required, ``secret_token`` 8-256 characters, else 400;
* ``getUpdates {timeout}``: a long poll answering ONE update (no ``update_id``/offset: the
  platform documents none) and dropping it from the queue; 408 "Request timeout" when nothing
  came within ``timeout`` seconds (capped by ``max_poll_timeout``); 409 while a webhook is set.

IDs are hex-like strings and ``date`` is epoch milliseconds. ``deliver_webhook`` posts the
webhook form ``{"ok": true, "result": update}`` with ``X-Bot-Api-Secret-Token``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import json
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from multidict import CIMultiDict

from tests.fakes.base import LoopbackFake, window_wait

DEFAULT_TOKEN = "1459232241454765289:FakeZaloBotAccessToken0123456789abcdef"
DEFAULT_BOT_ID = "3f2a9c1b7d4e6f8a0b1c"

MAX_TEXT_CHARS = 2000
MIN_SECRET_CHARS = 8
MAX_SECRET_CHARS = 256
DEFAULT_POLL_TIMEOUT = 30.0  # the platform's documented default
MAX_POLL_TIMEOUT = 30.0
SECRET_HEADER = "X-Bot-Api-Secret-Token"
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_dumps = functools.partial(json.dumps, ensure_ascii=False)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _hex_id() -> str:
    # Zalo Bot ids (users, chats, messages) look like 20 hex digits.
    return secrets.token_hex(10)


class ApiError(Exception):
    """An error answer of the fake API (raised inside method handlers)."""

    def __init__(self, code: int, description: str | None = None):
        description = description or DEFAULT_DESCRIPTIONS.get(code, "Error")
        super().__init__(description)
        self.code = code
        self.description = description

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error_code": self.code, "description": self.description}


@dataclass(eq=False)
class Call:
    """One request the fake received (``params``: the JSON body, or the form/query fields).

    ``status`` (HTTP) and ``response`` (the JSON body sent back) are filled in once answered;
    both are None while a long poll is still waiting.
    """

    method: str
    params: dict[str, Any]
    time: float
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are
    status: int | None = None
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None and self.response.get("ok") is True

    @property
    def result(self) -> Any:
        return None if self.response is None else self.response.get("result")

    @property
    def error_code(self) -> int | None:
        return None if self.response is None else self.response.get("error_code")

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        return value if isinstance(value, str) else None


@dataclass
class _Failure:
    method: str
    code: int
    description: str
    chat_id: str | None
    remaining: int


# ---------------------------------------------------------------------------------------------
# Update builders (module level: usable without a running fake)
# ---------------------------------------------------------------------------------------------


def _message(
    event_name: str,
    chat_id: str,
    user_id: str,
    display_name: str,
    message_id: str | None,
    chat_type: str,
    date_ms: int | None,
    content: dict[str, Any],
) -> dict[str, Any]:
    return {
        "event_name": event_name,
        "message": {
            "from": {"id": str(user_id), "display_name": display_name, "is_bot": False},
            "chat": {"id": str(chat_id), "chat_type": chat_type},
            **content,
            "message_id": message_id or _hex_id(),
            "date": _now_ms() if date_ms is None else date_ms,
        },
    }


def text_update(
    chat_id: str,
    user_id: str,
    text: str,
    display_name: str = "Nguyễn Văn An",
    message_id: str | None = None,
    *,
    chat_type: str = "PRIVATE",
    date_ms: int | None = None,
) -> dict[str, Any]:
    """A ``message.text.received`` update."""
    return _message(
        "message.text.received", chat_id, user_id, display_name, message_id, chat_type, date_ms,
        {"text": text},
    )  # fmt: skip


def image_update(
    chat_id: str,
    user_id: str,
    photo_url: str = "https://photo-stal-1.zdn.vn/fake/photo.jpg",
    caption: str | None = None,
    display_name: str = "Nguyễn Văn An",
    message_id: str | None = None,
    *,
    chat_type: str = "PRIVATE",
    date_ms: int | None = None,
) -> dict[str, Any]:
    """A ``message.image.received`` update (``photo_url`` plus optional ``caption``)."""
    content: dict[str, Any] = {"photo_url": photo_url}
    if caption is not None:
        content["caption"] = caption
    return _message(
        "message.image.received", chat_id, user_id, display_name, message_id, chat_type, date_ms,
        content,
    )  # fmt: skip


def sticker_update(
    chat_id: str,
    user_id: str,
    sticker: str = "0e078a2fb66a5f34067b",
    display_name: str = "Nguyễn Văn An",
    message_id: str | None = None,
    *,
    chat_type: str = "PRIVATE",
    date_ms: int | None = None,
) -> dict[str, Any]:
    """A ``message.sticker.received`` update (``sticker`` id and ``url``)."""
    content = {
        "sticker": sticker,
        "url": f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}",
    }
    return _message(
        "message.sticker.received", chat_id, user_id, display_name, message_id, chat_type,
        date_ms, content,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------------------------


class FakeZaloBot(LoopbackFake[Call]):
    """A fake Zalo Bot Platform API on 127.0.0.1: ``async with FakeZaloBot() as zb``.

    Args:
        token: the bot token the fake accepts (``{bot_id}:{access_token}`` in real life).
        bot_id: the ``id`` getMe answers (a hex-like string).
        account_name: getMe's ``account_name``.
        max_poll_timeout: cap on getUpdates' ``timeout`` (seconds).
        http_200_errors: send error envelopes with HTTP 200 instead of ``error_code``.
        fetch_photos: sendPhoto downloads its ``photo`` URL, as the platform does.
    """

    name = "Zalo Bot"

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: str = DEFAULT_BOT_ID,
        account_name: str = "Bot Hoi Dap",
        max_poll_timeout: float = MAX_POLL_TIMEOUT,
        http_200_errors: bool = False,
        fetch_photos: bool = True,
        per_second: int | None = None,
    ) -> None:
        self.token = token
        self.bot_info: dict[str, Any] = {
            "id": bot_id,
            "account_name": account_name,
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        self.max_poll_timeout = max_poll_timeout
        self.http_200_errors = http_200_errors
        self.fetch_photos = fetch_photos
        self.photos: dict[str, bytes] = {}  # photo URL -> what sendPhoto fetched from it
        # Zalo documents no limit [U]: with ``per_second``, more sends than that in any
        # second answer 429, as Telegram-style APIs do. Chats in ``blocked`` answer 403.
        self.per_second = per_second
        self.blocked: set[str] = set()
        self._sends: deque[float] = deque()

        super().__init__()
        self.webhook: dict[str, Any] = {}  # {"url", "secret_token", "updated_at"} when set
        self._webhook_updated_at = 0
        self._updates: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._updates_changed = asyncio.Event()

        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }

    # --- lifecycle (the rest in LoopbackFake) -----------------------------------------------

    def _routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)

    def _on_close(self) -> None:
        self._wake_pollers()  # pending long polls answer 408 at once

    @staticmethod
    def _describe(call: Call) -> str:
        return f"{call.method}:{call.status}"

    @property
    def base_url(self) -> str:
        """Stands for ``https://bot-api.zaloplatforms.com/bot``; append ``{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def bot_id(self) -> str:
        return self.bot_info["id"]

    # --- recorded calls ------------------------------------------------------------------------

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def sent_texts(self, chat_id: str | None = None) -> list[str]:
        """Texts of the sendMessage calls answered with success (to ``chat_id`` if given)."""
        return [
            c.text
            for c in self.calls
            if c.method == "sendMessage"
            and c.ok
            and c.text is not None
            and (chat_id is None or c.chat_id == str(chat_id))
        ]

    def sent_photos(self, chat_id: str | None = None) -> list[Call]:
        """The sendPhoto calls answered with success (to ``chat_id`` if given)."""
        return [
            c
            for c in self.calls
            if c.method == "sendPhoto" and c.ok and (chat_id is None or c.chat_id == str(chat_id))
        ]

    async def wait_for_message(
        self,
        chat_id: str | None = None,
        timeout: float = 60.0,
        *,
        since: int = 0,
        text_contains: str | None = None,
    ) -> Call:
        """The first successful sendMessage call (to ``chat_id``) from index ``since``."""
        key = None if chat_id is None else str(chat_id)

        def matches(call: Call) -> bool:
            return (
                call.method == "sendMessage"
                and call.ok
                and (key is None or call.chat_id == key)
                and (text_contains is None or text_contains in (call.text or ""))
            )

        return await self.wait_for(matches, timeout, since=since)

    # --- failure injection ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        times: int = 1,
        *,
        chat_id: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"``: any), optionally only those
        to ``chat_id``, answer ``error_code`` (checked after the token, before the method)."""
        description = description or DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        key = None if chat_id is None else str(chat_id)
        self._failures.append(_Failure(method, error_code, description, key, times))

    # --- updates -------------------------------------------------------------------------------

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._updates)

    def push_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue ``update`` for getUpdates (one per poll, oldest first); returns a copy."""
        stored = copy.deepcopy(dict(update))
        self._updates.append(stored)
        self._wake_pollers()
        return copy.deepcopy(stored)

    # The builders need no state; they are offered as methods too, as on FakeTelegram.
    text_update = staticmethod(text_update)
    image_update = staticmethod(image_update)
    sticker_update = staticmethod(sticker_update)

    async def deliver_webhook(
        self,
        url: str,
        update: Mapping[str, Any],
        secret: str | None = None,
        *,
        wrapped: bool = True,
        timeout: float = 10.0,
    ) -> tuple[int, str]:
        """POST ``update`` to the bot's webhook as the platform would: body
        ``{"ok": true, "result": update}`` (``wrapped=False``: the bare update, as some
        community code expects) and header ``X-Bot-Api-Secret-Token: secret`` (none if
        ``secret`` is None). Returns (HTTP status, body text). Loopback URLs only."""
        if urlsplit(url).hostname not in _LOOPBACK_HOSTS:
            raise ValueError(f"the fake only delivers to loopback addresses, not {url}")
        body = {"ok": True, "result": dict(update)} if wrapped else dict(update)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        async with (
            ClientSession(timeout=ClientTimeout(total=timeout)) as session,
            session.post(url, data=_dumps(body).encode(), headers=headers) as response,
        ):
            return response.status, await response.text()

    # --- HTTP ----------------------------------------------------------------------------------

    def _json(self, body: dict[str, Any], status: int) -> web.Response:
        if self.http_200_errors:
            status = 200
        return web.json_response(body, status=status, dumps=_dumps)

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._json(ApiError(404).body(), 404)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        bad_body: ApiError | None = None
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            params, bad_body = {}, exc
        call = Call(method, params, time.time(), CIMultiDict(request.headers))
        self.calls.append(call)
        self._notify_calls()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if bad_body is not None:
                raise bad_body
            self._injected_failure(method, params)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
            body: dict[str, Any] = {"ok": True}
            if result is not None:
                body["result"] = result
            status = 200
        except ApiError as exc:
            body, status = exc.body(), exc.code
        call.status, call.response = status, body
        self._notify_calls()
        return self._json(body, status)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if not request.can_read_body:
            return params
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            params.update({k: str(v) for k, v in form.items()})
            return params
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON request body must be an object")
        params.update(body)
        return params

    def _wake_pollers(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    def _injected_failure(self, method: str, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        for failure in self._failures:
            if failure.method not in ("*", method):
                continue
            if failure.chat_id is not None and failure.chat_id != str(chat):
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise ApiError(failure.code, failure.description)

    # --- methods -------------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_info)

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates while a webhook is active")
        try:
            timeout = float(params.get("timeout", DEFAULT_POLL_TIMEOUT))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: timeout must be a number") from None
        timeout = min(max(timeout, 0.0), self.max_poll_timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.webhook:  # set while this poll was waiting
                raise ApiError(409, "Conflict: can't use getUpdates while a webhook is active")
            if self._updates:
                # No offset exists: an update counts as delivered once handed out.
                return self._updates.pop(0)
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                raise ApiError(408, "Request timeout")
            changed = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _set_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url = str(params.get("url") or "")
        if not url:
            raise ApiError(400, "Bad Request: url is required")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: url is invalid")
        secret = params.get("secret_token")
        if not isinstance(secret, str) or not (MIN_SECRET_CHARS <= len(secret) <= MAX_SECRET_CHARS):
            raise ApiError(
                400,
                f"Bad Request: secret_token must be {MIN_SECRET_CHARS}-{MAX_SECRET_CHARS} characters",
            )
        self._webhook_updated_at = _now_ms()
        self.webhook = {"url": url, "secret_token": secret, "updated_at": self._webhook_updated_at}
        self._wake_pollers()  # a waiting getUpdates ends with 409
        return {"url": url, "updated_at": self._webhook_updated_at}

    def _delete_webhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {}
        self._webhook_updated_at = _now_ms()
        return {"url": "", "updated_at": self._webhook_updated_at}

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "updated_at": self._webhook_updated_at}

    def _check_chat(self, params: dict[str, Any]) -> str:
        chat_id = params.get("chat_id")
        if chat_id is None or str(chat_id).strip() == "":
            raise ApiError(400, "Bad Request: chat_id is required")
        if str(chat_id) in self.blocked:
            raise ApiError(403, "Forbidden: the user has blocked the bot")
        if self.per_second is not None:
            now = time.monotonic()
            if window_wait(self._sends, now, 1.0, self.per_second) > 0:
                raise ApiError(429, "Too Many Requests")
            self._sends.append(now)
        return str(chat_id)

    def block_chat(self, chat_id: str) -> None:
        """Sends to ``chat_id`` answer 403 from now on (the person blocked the bot)."""
        self.blocked.add(str(chat_id))

    def too_many_requests(self) -> list[Call]:
        return [c for c in self.calls if c.status == 429]

    @staticmethod
    def _sent() -> dict[str, Any]:
        return {"message_id": _hex_id(), "date": _now_ms()}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT_CHARS:
            raise ApiError(400, f"Bad Request: text must be 1-{MAX_TEXT_CHARS} characters")
        return self._sent()

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: photo must be an image URL")
        caption = params.get("caption")
        if caption is not None and (
            not isinstance(caption, str) or not 1 <= len(caption) <= MAX_TEXT_CHARS
        ):
            raise ApiError(400, f"Bad Request: caption must be 1-{MAX_TEXT_CHARS} characters")
        if self.fetch_photos:
            self.photos[photo] = await self._fetch(photo)
        return self._sent()

    @staticmethod
    async def _fetch(url: str) -> bytes:
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=5)) as session,
                session.get(url) as response,
            ):
                data = await response.read()
                if response.status != 200 or not response.content_type.startswith("image/"):
                    raise ApiError(400, f"Bad Request: photo URL answered {response.status}")
                return data
        except (ClientError, OSError, TimeoutError) as exc:
            raise ApiError(400, "Bad Request: photo URL is not reachable") from exc

    def _send_sticker(self, params: dict[str, Any]) -> dict[str, Any]:
        self._check_chat(params)
        if not params.get("sticker"):
            raise ApiError(400, "Bad Request: sticker is required")
        return self._sent()

    def _send_chat_action(self, params: dict[str, Any]) -> None:
        # Documented answer is a bare {"ok": true}.
        self._check_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: action is invalid")
        return None
