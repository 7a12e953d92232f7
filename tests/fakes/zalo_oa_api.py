"""A fake Zalo Official Account API (Open API v3 + OAuth v4) and webhook sender, for tests.

One aiohttp app on 127.0.0.1 (a free port chosen by the OS) serves both hosts, so
``api_base_url`` and ``oauth_base_url`` are the same ``http://127.0.0.1:<port>``; the client
composes ``{api_base}/v3.0/oa/message/cs`` and ``{oauth_base}/v4/oa/access_token``::

    async with FakeZaloOA() as zalo:
        client = ZaloOAClient(api_base=zalo.api_base_url, oauth_base=zalo.oauth_base_url,
                              access_token=zalo.access_token, refresh_token=zalo.refresh_token)
        status, _, _ = await zalo.deliver_event(webhook_url, zalo.text_event("6142", "xin chào"))
        call = await zalo.wait_for_cs("6142")

What it answers like Zalo does (see shared/design/CHANNELS.md section 1; every answer of the
Open API is HTTP 200 with an envelope ``{"error": <int>, "message": "..."}``, 0 = success):

* ``POST /v3.0/oa/message/cs`` (header ``access_token``, not ``Authorization``): -216 for a
  missing, unknown or expired token; -201 for a missing recipient or a text that is empty or
  over 2000 characters; -230 for a user outside the 7-day window (``mark_outside_window``).
  A message with ``attachment`` (a ``media`` template showing an uploaded image) may have
  no text; an ``attachment_id`` the fake did not hand out is -201;
* ``POST /v3.0/oa/message/promotion``: a ``promotion`` template (banner of an uploaded
  image, header up to 100 characters, text elements up to 1000), whatever the window;
  -32 once ``promotion_quota`` (None: unlimited) is spent;
* limits Zalo does not document [U]: with ``per_second``, messages beyond that many in any
  second answer -32; a user in ``unfollowed`` answers -213;
* ``POST /v2.0/oa/upload/image`` (multipart, field ``file``; jpg/png up to 1 MB, else -201):
  ``data.attachment_id``; the bytes are kept in ``uploads``;
* ``GET /v3.0/oa/user/detail?data={"user_id": ...}``: the profile from ``add_user``;
* ``POST /v4/oa/access_token`` (header ``secret_key`` = App Secret, form-encoded): refresh
  tokens are single-use, each refresh hands out a new access and refresh token; errors carry
  ``error``, ``error_name``, ``error_reason`` and ``error_description``;
* webhook events built by ``text_event`` & co. are signed as Zalo does:
  ``X-ZEvent-Signature: mac=sha256hex(app_id + raw_body + timestamp + oa_secret_key)``.

Scripted trouble: ``fail_next`` answers a Zalo error, an HTTP status (e.g. 500), a delay, or
drops the connection without an answer. Error codes Zalo does not document well are module
constants, so correcting one is a one-line change.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hashlib
import itertools
import json
import secrets
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web
from multidict import CIMultiDict

from tests.fakes.base import LoopbackFake, window_wait

DEFAULT_APP_ID = "2553017658349041120"
DEFAULT_OA_ID = "3662018446282591000"
DEFAULT_APP_SECRET = "FakeAppSecret0123456789"
DEFAULT_OA_SECRET_KEY = "FakeOASecretKey0123456789"

CS_PATH = "/v3.0/oa/message/cs"
USER_DETAIL_PATH = "/v3.0/oa/user/detail"
ACCESS_TOKEN_PATH = "/v4/oa/access_token"
UPLOAD_IMAGE_PATH = "/v2.0/oa/upload/image"
PROMOTION_PATH = "/v3.0/oa/message/promotion"
# Short names accepted wherever a path is (fail_next, calls_to).
PATH_NAMES = {
    "cs": CS_PATH,
    "user_detail": USER_DETAIL_PATH,
    "access_token": ACCESS_TOKEN_PATH,
    "upload_image": UPLOAD_IMAGE_PATH,
    "promotion": PROMOTION_PATH,
}

MAX_TEXT_CHARS = 2000
MAX_PROMOTION_HEADER = 100  # [U]
MAX_PROMOTION_TEXT = 1000  # [U] one text element
MAX_IMAGE_BYTES = 1024 * 1024  # [U] as third-party guides put it
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
EXPIRES_IN = "90000"  # 25 h; Zalo sends it as a string
SIGNATURE_HEADER = "X-ZEvent-Signature"

# Open API envelope errors.
ERR_INVALID_PARAMS = -201
ERR_USER_UNKNOWN = -213  # documented as "user has not followed the OA" [U]
ERR_INVALID_TOKEN = -216
ERR_OUTSIDE_WINDOW = -230
ERR_QUOTA = -32  # [U] the OA's quota of promotion messages is spent
MSG_INVALID_PARAMS = "Parameters are invalid"
MSG_INVALID_TOKEN = "Access token is invalid"
MSG_OUTSIDE_WINDOW = "User has not interacted with the OA in the past 7 days"

# OAuth v4 errors (codes only loosely documented; the shape is what matters to clients).
ERR_OAUTH_INVALID_APP = -14002
ERR_OAUTH_INVALID_SECRET = -14014
ERR_OAUTH_INVALID_GRANT = -14019
ERR_OAUTH_INVALID_REFRESH = -14020
ERR_OAUTH_INVALID_CODE = -14021

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_dumps = functools.partial(json.dumps, ensure_ascii=False)

# deliver_event's default signature: "sign with the fake's own keys".
SIGN_WITH_FAKE_KEYS = "default"


def _new_token(prefix: str) -> str:
    # Zalo tokens are long opaque strings; the prefix only helps reading test failures.
    return f"{prefix}{secrets.token_urlsafe(24)}"


def _now_ms() -> int:
    return int(time.time() * 1000)


def _user_id_by_app(user_id: str) -> str:
    # Zalo gives each user a second id per app; derive a stable 19-digit one.
    digest = hashlib.sha256(f"by_app:{user_id}".encode()).hexdigest()
    return str(int(digest[:15], 16) % 10**19).rjust(19, "7")


# ---------------------------------------------------------------------------------------------
# Webhook events and their signature (module level: usable without a running fake)
# ---------------------------------------------------------------------------------------------

_msg_counter = itertools.count(1)


def _new_msg_id() -> str:
    # Zalo msg_ids are 32-hex-like strings; keep them unique within the process.
    return f"{next(_msg_counter):08x}{secrets.token_hex(12)}"


def sign(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo sends: ``mac=`` + hex SHA-256 of
    ``app_id + raw_body + timestamp + oa_secret_key`` (bytes concatenated)."""
    data = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


def _user_event(
    event_name: str,
    user_id: str,
    message: dict[str, Any],
    timestamp_ms: int | None,
    app_id: str,
    oa_id: str,
) -> dict[str, Any]:
    return {
        "event_name": event_name,
        "app_id": app_id,
        "sender": {"id": str(user_id)},
        "recipient": {"id": oa_id},
        "message": message,
        "timestamp": str(_now_ms() if timestamp_ms is None else timestamp_ms),
        "user_id_by_app": _user_id_by_app(str(user_id)),
    }


def text_event(
    user_id: str,
    text: str,
    msg_id: str | None = None,
    timestamp_ms: int | None = None,
    *,
    app_id: str = DEFAULT_APP_ID,
    oa_id: str = DEFAULT_OA_ID,
) -> dict[str, Any]:
    """A ``user_send_text`` event."""
    message = {"text": text, "msg_id": msg_id or _new_msg_id()}
    return _user_event("user_send_text", user_id, message, timestamp_ms, app_id, oa_id)


def image_event(
    user_id: str,
    url: str = "https://photo-stal-1.zdn.vn/fake/image.jpg",
    caption: str | None = None,
    msg_id: str | None = None,
    timestamp_ms: int | None = None,
    *,
    app_id: str = DEFAULT_APP_ID,
    oa_id: str = DEFAULT_OA_ID,
) -> dict[str, Any]:
    """A ``user_send_image`` event (attachment ``{type: image, payload: {url, thumbnail}}``)."""
    message: dict[str, Any] = {
        "msg_id": msg_id or _new_msg_id(),
        "attachments": [{"type": "image", "payload": {"thumbnail": url, "url": url}}],
    }
    if caption is not None:
        message["text"] = caption
    return _user_event("user_send_image", user_id, message, timestamp_ms, app_id, oa_id)


def sticker_event(
    user_id: str,
    sticker_id: str = "bfe458bf64fa8da4d4eb",
    msg_id: str | None = None,
    timestamp_ms: int | None = None,
    *,
    app_id: str = DEFAULT_APP_ID,
    oa_id: str = DEFAULT_OA_ID,
) -> dict[str, Any]:
    """A ``user_send_sticker`` event (attachment ``{type: sticker, payload: {id, url}}``)."""
    url = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker_id}"
    message = {
        "msg_id": msg_id or _new_msg_id(),
        "attachments": [{"type": "sticker", "payload": {"id": sticker_id, "url": url}}],
    }
    return _user_event("user_send_sticker", user_id, message, timestamp_ms, app_id, oa_id)


def _follow(
    event_name: str,
    user_id: str,
    source: str,
    timestamp_ms: int | None,
    app_id: str,
    oa_id: str,
) -> dict[str, Any]:
    return {
        "event_name": event_name,
        "app_id": app_id,
        "oa_id": oa_id,
        "follower": {"id": str(user_id)},
        "source": source,
        "timestamp": str(_now_ms() if timestamp_ms is None else timestamp_ms),
        "user_id_by_app": _user_id_by_app(str(user_id)),
    }


def follow_event(
    user_id: str,
    source: str = "oa_profile",
    timestamp_ms: int | None = None,
    *,
    app_id: str = DEFAULT_APP_ID,
    oa_id: str = DEFAULT_OA_ID,
) -> dict[str, Any]:
    """A ``follow`` event (``follower.id`` is the user)."""
    return _follow("follow", user_id, source, timestamp_ms, app_id, oa_id)


def unfollow_event(
    user_id: str,
    source: str = "oa_profile",
    timestamp_ms: int | None = None,
    *,
    app_id: str = DEFAULT_APP_ID,
    oa_id: str = DEFAULT_OA_ID,
) -> dict[str, Any]:
    """An ``unfollow`` event (``follower.id`` is the user)."""
    return _follow("unfollow", user_id, source, timestamp_ms, app_id, oa_id)


# ---------------------------------------------------------------------------------------------
# Recorded calls and scripted failures
# ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Call:
    """One request the fake received.

    ``name`` is ``"cs"``, ``"user_detail"``, ``"access_token"``, ``"upload_image"`` or the raw
    path for unknown routes; ``params`` is the JSON body (cs), the decoded ``data`` query
    (user_detail), the form fields (access_token) or, for an upload, the file part's
    ``{"file": {"filename", "content_type", "size", "sha256"}}``. ``status`` and ``response`` are filled in once answered
    (``response`` stays None for a dropped connection).
    """

    name: str
    path: str
    http_method: str
    headers: CIMultiDict[str]  # case-insensitive, as HTTP headers are
    params: dict[str, Any]
    time: float
    status: int | None = None
    response: dict[str, Any] | None = None
    dropped: bool = False

    @property
    def error(self) -> int | None:
        """The envelope's ``error`` (0 on success), None without a JSON answer."""
        if self.response is None:
            return None
        value = self.response.get("error")
        return value if isinstance(value, int) else None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error == 0

    @property
    def user_id(self) -> str | None:
        """The addressed user: ``recipient.user_id`` (cs) or ``user_id`` (user_detail)."""
        recipient = self.params.get("recipient")
        if isinstance(recipient, dict) and recipient.get("user_id") is not None:
            return str(recipient["user_id"])
        if self.params.get("user_id") is not None:
            return str(self.params["user_id"])
        return None

    @property
    def text(self) -> str | None:
        message = self.params.get("message")
        if isinstance(message, dict) and isinstance(message.get("text"), str):
            return message["text"]
        return None

    @property
    def attachment_id(self) -> str | None:
        """The image a cs message shows (a media template), None for plain text."""
        message = self.params.get("message")
        attachment = message.get("attachment") if isinstance(message, dict) else None
        if not isinstance(attachment, dict):
            return None
        elements = (attachment.get("payload") or {}).get("elements") or [{}]
        return elements[0].get("attachment_id")


@dataclass
class _Failure:
    path: str
    error: int | None
    message: str
    http_status: int
    drop: bool
    delay: float
    remaining: int
    extra: dict[str, Any] = field(default_factory=dict)


class _Answer(Exception):
    """Raised inside handlers to answer with ``body`` at HTTP ``status`` right away."""

    def __init__(self, body: dict[str, Any], status: int = 200):
        super().__init__(body.get("message") or body.get("error_name"))
        self.body = body
        self.status = status


def _zalo_error(code: int, message: str) -> _Answer:
    return _Answer({"error": code, "message": message})


def _oauth_error(code: int, name: str, reason: str) -> _Answer:
    return _Answer(
        {
            "error_name": name,
            "error_reason": reason,
            "ref_doc": "https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new",
            "error_description": f"{name}: {reason}",
            "error": code,
        }
    )


# ---------------------------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------------------------


class FakeZaloOA(LoopbackFake[Call]):
    """A fake Zalo OA Open API + OAuth server on 127.0.0.1: ``async with FakeZaloOA() as z``.

    Args:
        app_id, app_secret: the Zalo app (``secret_key`` header of the token endpoint).
        oa_id: the OA (``recipient.id`` of user events).
        oa_secret_key: the OA Secret Key that signs webhooks.
        access_token, refresh_token: the tokens valid at start (random if not given).
    """

    name = "Zalo OA"

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = DEFAULT_APP_SECRET,
        oa_id: str = DEFAULT_OA_ID,
        oa_secret_key: str = DEFAULT_OA_SECRET_KEY,
        access_token: str | None = None,
        refresh_token: str | None = None,
        per_second: int | None = None,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_id = oa_id
        self.oa_secret_key = oa_secret_key
        self.access_token = access_token or _new_token("fake-at-")
        self.refresh_token = refresh_token or _new_token("fake-rt-")

        super().__init__()
        self.users: dict[str, dict[str, Any]] = {}
        self.outside_window: set[str] = set()
        self.refresh_count = 0
        self.uploads: dict[str, bytes] = {}  # attachment_id -> the uploaded image
        self.promotion_quota: int | None = None  # promotion messages left (None: no limit)
        # No limit is documented [U]: with ``per_second``, more messages than that in any
        # second answer -32 ("Request exceeds limit"). ``unfollowed`` users answer -213.
        self.per_second = per_second
        self.unfollowed: set[str] = set()
        self._sends: deque[float] = deque()
        # Every refresh token ever valid, oldest first (the current one last).
        self.issued_refresh_tokens: list[str] = [self.refresh_token]
        self.issued_access_tokens: list[str] = [self.access_token]
        self._valid_access: set[str] = {self.access_token}
        self._auth_codes: dict[str, str | None] = {}  # code -> expected code_verifier
        self._failures: list[_Failure] = []

    # --- lifecycle (the rest in LoopbackFake) -----------------------------------------------

    def _routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle)

    @staticmethod
    def _describe(call: Call) -> str:
        return f"{call.name}:{call.error}"

    @property
    def api_base_url(self) -> str:
        """Stands for ``https://openapi.zalo.me``."""
        return self.url

    @property
    def oauth_base_url(self) -> str:
        """Stands for ``https://oauth.zaloapp.com``."""
        return self.url

    # --- state ---------------------------------------------------------------------------------

    def bot_settings(self) -> dict[str, str]:
        """The bot's Zalo OA settings (``Settings`` field names) pointing at this fake."""
        return {
            "zalo_oa_app_id": self.app_id,
            "zalo_oa_secret_key": self.oa_secret_key,
            "zalo_oa_app_secret": self.app_secret,
            "zalo_oa_access_token": self.access_token,
            "zalo_oa_refresh_token": self.refresh_token,
            "zalo_oa_api_base_url": self.api_base_url,
            "zalo_oauth_base_url": self.oauth_base_url,
        }

    def add_user(self, user_id: str, display_name: str = "Người dùng", **extra: Any) -> None:
        """Make ``user_id`` known to user/detail (``extra`` overrides profile fields)."""
        user_id = str(user_id)
        self.users[user_id] = {
            "user_id": user_id,
            "user_id_by_app": _user_id_by_app(user_id),
            "display_name": display_name,
            "user_alias": "",
            "is_sensitive": False,
            "user_is_follower": True,
            "avatar": f"https://s240-ava-talk.zadn.vn/fake/{user_id}.jpg",
            **extra,
        }

    def mark_outside_window(self, user_id: str) -> None:
        """cs messages to ``user_id`` answer -230 until ``mark_inside_window``."""
        self.outside_window.add(str(user_id))

    def mark_inside_window(self, user_id: str) -> None:
        self.outside_window.discard(str(user_id))

    def expire_access_token(self, token: str | None = None) -> None:
        """Make ``token`` (default: the current access token) invalid: calls with it get -216.
        Only a refresh brings a valid one back."""
        self._valid_access.discard(token or self.access_token)

    def expire_refresh_token(self) -> None:
        """Make the current refresh token invalid (as after its 3 months): refreshing then
        answers -14020 and only a new authorization (``issue_auth_code``) helps."""
        self.refresh_token = ""

    def issue_auth_code(self, code_verifier: str | None = None) -> str:
        """An OAuth authorization code (single use) for ``grant_type=authorization_code``;
        with ``code_verifier`` the exchange must send the same one (PKCE)."""
        code = _new_token("fake-code-")
        self._auth_codes[code] = code_verifier
        return code

    # --- recorded calls ------------------------------------------------------------------------

    def calls_to(self, path_or_name: str, *, ok_only: bool = False) -> list[Call]:
        path = PATH_NAMES.get(path_or_name, path_or_name)
        return [c for c in self.calls if c.path == path and (c.ok or not ok_only)]

    def media_messages(self, user_id: str | None = None) -> list[Call]:
        """The cs messages showing an uploaded image, answered with success."""
        return [
            c
            for c in self.calls
            if c.name == "cs"
            and c.ok
            and c.attachment_id is not None
            and (user_id is None or c.user_id == str(user_id))
        ]

    def sent_texts(self, user_id: str | None = None) -> list[str]:
        """Texts of the cs messages answered with success (to ``user_id`` if given)."""
        return [
            c.text
            for c in self.calls
            if c.name == "cs"
            and c.ok
            and c.text is not None
            and (user_id is None or c.user_id == str(user_id))
        ]

    async def wait_for_cs(
        self,
        user_id: str | None = None,
        timeout: float = 60.0,
        *,
        since: int = 0,
        ok_only: bool = True,
        text_contains: str | None = None,
    ) -> Call:
        """The first answered cs call (successful unless ``ok_only=False``) to ``user_id``."""

        def matches(call: Call) -> bool:
            return (
                call.name == "cs"
                and (call.status is not None or call.dropped)
                and (call.ok or not ok_only)
                and (user_id is None or call.user_id == str(user_id))
                and (text_contains is None or text_contains in (call.text or ""))
            )

        return await self.wait_for(matches, timeout, since=since)

    # --- failure injection ---------------------------------------------------------------------

    def fail_next(
        self,
        path_or_name: str,
        error: int | None = -32,
        message: str = "Request exceeds limit",
        *,
        times: int = 1,
        http_status: int = 200,
        drop: bool = False,
        delay: float = 0.0,
        **extra: Any,
    ) -> None:
        """Make the next ``times`` calls to ``path_or_name`` (``"cs"``, ``"access_token"``,
        ``"user_detail"``, a path, or ``"*"``) fail before any other check:

        * by default with the Zalo envelope ``{"error": error, "message": message, **extra}``
          (HTTP 200; the default -32 "rate limit" code is a guess); for the token endpoint
          the OAuth shape (``error_name``, ``error_reason``, ...) instead;
        * ``http_status=500`` (or any non-200): that status, with the envelope as body, or an
          empty body when ``error`` is None;
        * ``drop=True``: the connection is closed without any answer;
        * ``delay``: seconds to wait first (for client timeout tests).
        """
        path = PATH_NAMES.get(path_or_name, path_or_name)
        self._failures.append(
            _Failure(path, error, message, http_status, drop, delay, times, dict(extra))
        )

    # --- webhook events ------------------------------------------------------------------------

    def text_event(
        self,
        user_id: str,
        text: str,
        msg_id: str | None = None,
        timestamp_ms: int | None = None,
    ) -> dict[str, Any]:
        return text_event(user_id, text, msg_id, timestamp_ms, app_id=self.app_id, oa_id=self.oa_id)

    def image_event(
        self,
        user_id: str,
        url: str = "https://photo-stal-1.zdn.vn/fake/image.jpg",
        caption: str | None = None,
        msg_id: str | None = None,
        timestamp_ms: int | None = None,
    ) -> dict[str, Any]:
        return image_event(
            user_id, url, caption, msg_id, timestamp_ms, app_id=self.app_id, oa_id=self.oa_id
        )

    def sticker_event(
        self,
        user_id: str,
        sticker_id: str = "bfe458bf64fa8da4d4eb",
        msg_id: str | None = None,
        timestamp_ms: int | None = None,
    ) -> dict[str, Any]:
        return sticker_event(
            user_id, sticker_id, msg_id, timestamp_ms, app_id=self.app_id, oa_id=self.oa_id
        )

    def follow_event(self, user_id: str, source: str = "oa_profile") -> dict[str, Any]:
        return follow_event(user_id, source, app_id=self.app_id, oa_id=self.oa_id)

    def unfollow_event(self, user_id: str, source: str = "oa_profile") -> dict[str, Any]:
        return unfollow_event(user_id, source, app_id=self.app_id, oa_id=self.oa_id)

    def sign(self, raw_body: bytes, event: Mapping[str, Any] | None = None) -> str:
        """The signature of ``raw_body`` with this fake's OA secret key; ``app_id`` and
        ``timestamp`` come from ``event`` (default: ``raw_body`` parsed)."""
        if event is None:
            event = json.loads(raw_body)
        app_id = str(event.get("app_id") or self.app_id)
        return sign(app_id, raw_body, str(event.get("timestamp", "")), self.oa_secret_key)

    async def deliver_event(
        self,
        url: str,
        event: Mapping[str, Any] | bytes,
        *,
        signature: str | None = SIGN_WITH_FAKE_KEYS,
        session: ClientSession | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str, float]:
        """POST ``event`` to the bot's webhook as Zalo would; returns (status, body text,
        elapsed seconds). The body is serialized once and those exact bytes are signed.

        ``signature``: ``"default"`` (omitted) -> signed with this fake's keys; None -> no signature header;
        a string -> sent as is (for wrong-signature tests). ``event`` may be raw bytes (e.g.
        a tampered body). Loopback URLs only."""
        if urlsplit(url).hostname not in _LOOPBACK_HOSTS:
            raise ValueError(f"the fake only delivers to loopback addresses, not {url}")
        raw = event if isinstance(event, bytes) else _dumps(dict(event)).encode()
        send_headers = {"Content-Type": "application/json"}
        if signature == SIGN_WITH_FAKE_KEYS:
            send_headers[SIGNATURE_HEADER] = self.sign(raw)
        elif signature is not None:
            send_headers[SIGNATURE_HEADER] = signature
        send_headers.update(headers or {})
        client = session or ClientSession(timeout=ClientTimeout(total=timeout))
        try:
            started = time.perf_counter()
            async with client.post(url, data=raw, headers=send_headers) as response:
                text = await response.text()
                return response.status, text, time.perf_counter() - started
        finally:
            if session is None:  # only close a session we opened
                await client.close()

    # --- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        name = next((n for n, p in PATH_NAMES.items() if p == path), path)
        call = Call(
            name=name,
            path=path,
            http_method=request.method,
            headers=CIMultiDict(request.headers),
            params={},
            time=time.time(),
        )
        self.calls.append(call)
        self._notify_calls()
        try:
            call.params = await self._read_params(request, name)
            failure = self._take_failure(path)
            if failure is not None:
                if failure.delay:
                    await asyncio.sleep(failure.delay)
                if failure.drop:
                    call.dropped = True
                    self._notify_calls()
                    self._drop(request)
                    return web.Response()  # never reaches the client
                body = self._failure_body(failure, name)
                raise _Answer(body, failure.http_status)
            if name == "cs" and request.method == "POST":
                result = self._cs(request, call.params)
            elif name == "user_detail" and request.method == "GET":
                result = self._user_detail(request, call.params)
            elif name == "access_token" and request.method == "POST":
                result = self._access_token(request, call.params)
            elif name == "promotion" and request.method == "POST":
                result = self._promotion(request, call.params)
            elif name == "upload_image" and request.method == "POST":
                result = self._upload_image(request, call.params)
            else:
                raise _Answer({"error": 404, "message": "Not Found"}, 404)
            body, status = result, 200
        except _Answer as answer:
            body, status = answer.body, answer.status
        call.status, call.response = status, body
        self._notify_calls()
        if not body:
            return web.Response(status=status)
        return web.json_response(body, status=status, dumps=_dumps)

    @staticmethod
    def _drop(request: web.Request) -> None:
        # Closing the transport mid-request: the client sees ServerDisconnectedError.
        if request.transport is not None:
            request.transport.close()

    async def _read_params(self, request: web.Request, name: str) -> dict[str, Any]:
        if name == "user_detail":
            try:
                data = json.loads(request.query.get("data", ""))
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}
        if not request.can_read_body:
            return {}
        if request.content_type == "application/x-www-form-urlencoded":
            form = await request.post()
            return {k: str(v) for k, v in form.items()}
        if request.content_type == "multipart/form-data":
            params: dict[str, Any] = {}
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    params[key] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "data": data,
                    }
                else:
                    params[key] = str(value)
            return params
        try:
            body = await request.json()
        except ValueError:
            return {"_raw": await request.text()}
        return body if isinstance(body, dict) else {"_raw": body}

    def _take_failure(self, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.path in ("*", path):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    @staticmethod
    def _failure_body(failure: _Failure, name: str) -> dict[str, Any]:
        if failure.error is None:
            return {}
        body: dict[str, Any] = {"error": failure.error, "message": failure.message}
        if name == "access_token":
            body = {
                "error_name": failure.message,
                "error_reason": failure.message,
                "error_description": failure.message,
                "error": failure.error,
            }
        body.update(failure.extra)
        return body

    def _check_access_token(self, request: web.Request) -> None:
        token = request.headers.get("access_token")
        if not token or token not in self._valid_access:
            raise _zalo_error(ERR_INVALID_TOKEN, MSG_INVALID_TOKEN)

    def _cs(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_access_token(request)
        recipient = params.get("recipient")
        message = params.get("message")
        if not isinstance(recipient, dict) or not isinstance(message, dict):
            raise _zalo_error(ERR_INVALID_PARAMS, MSG_INVALID_PARAMS)
        user_id = recipient.get("user_id")
        if user_id is None or str(user_id).strip() == "":
            raise _zalo_error(ERR_INVALID_PARAMS, "User id is invalid")
        user_id = str(user_id)
        text = message.get("text")
        if "attachment" in message:
            self._check_media(message["attachment"])
        elif not isinstance(text, str) or not text.strip():
            raise _zalo_error(ERR_INVALID_PARAMS, "Message text is empty")
        if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
            raise _zalo_error(
                ERR_INVALID_PARAMS, f"Message text exceeds {MAX_TEXT_CHARS} characters"
            )
        self._check_reachable(user_id)
        if user_id in self.outside_window:
            raise _zalo_error(ERR_OUTSIDE_WINDOW, MSG_OUTSIDE_WINDOW)
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": secrets.token_hex(16), "user_id": user_id},
        }

    def _promotion(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_access_token(request)
        recipient, message = params.get("recipient"), params.get("message")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        attachment = message.get("attachment") if isinstance(message, dict) else None
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        elements = payload.get("elements") if isinstance(payload, dict) else None
        if (
            not user_id
            or not isinstance(elements, list)
            or attachment.get("type") != "template"
            or payload.get("template_type") != "promotion"
        ):
            raise _zalo_error(ERR_INVALID_PARAMS, MSG_INVALID_PARAMS)
        for element in elements:
            kind = element.get("type") if isinstance(element, dict) else None
            content = element.get("content", "") if isinstance(element, dict) else ""
            if kind == "banner" and element.get("attachment_id") not in self.uploads:
                raise _zalo_error(ERR_INVALID_PARAMS, "attachment_id is invalid")
            if kind == "header" and not 0 < len(content) <= MAX_PROMOTION_HEADER:
                raise _zalo_error(ERR_INVALID_PARAMS, "Header is invalid")
            if kind == "text" and not 0 < len(content) <= MAX_PROMOTION_TEXT:
                raise _zalo_error(ERR_INVALID_PARAMS, "Text is invalid")
            if kind not in {"banner", "header", "text"}:
                raise _zalo_error(ERR_INVALID_PARAMS, "Element is invalid")
        self._check_reachable(str(user_id))
        if self.promotion_quota is not None:
            if self.promotion_quota <= 0:
                raise _zalo_error(ERR_QUOTA, "Out of promotion quota")
            self.promotion_quota -= 1
        return {
            "error": 0,
            "message": "Success",
            "data": {"message_id": secrets.token_hex(16), "user_id": str(user_id)},
        }

    def promotions(self, user_id: str | None = None) -> list[list[dict[str, Any]]]:
        """The elements of each promotion message answered with success."""
        return [
            c.params["message"]["attachment"]["payload"]["elements"]
            for c in self.calls
            if c.name == "promotion"
            and c.ok
            and (user_id is None or str(c.params["recipient"]["user_id"]) == str(user_id))
        ]

    def _check_reachable(self, user_id: str) -> None:
        """A follower who left (-213); too many messages in the last second (-32)."""
        if user_id in self.unfollowed:
            raise _zalo_error(ERR_USER_UNKNOWN, "User has not followed the OA")
        if self.per_second is not None:
            now = time.monotonic()
            if window_wait(self._sends, now, 1.0, self.per_second) > 0:
                raise _zalo_error(ERR_QUOTA, "Request exceeds limit")
            self._sends.append(now)

    def over_limit(self) -> list[Call]:
        return [c for c in self.calls if c.error == ERR_QUOTA]

    def _check_media(self, attachment: Any) -> None:
        """A ``media`` template showing one image uploaded here."""
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        elements = payload.get("elements") if isinstance(payload, dict) else None
        if (
            attachment.get("type") != "template"
            or payload.get("template_type") != "media"
            or not isinstance(elements, list)
            or len(elements) != 1
            or not isinstance(elements[0], dict)
            or elements[0].get("media_type") != "image"
        ):
            raise _zalo_error(ERR_INVALID_PARAMS, "Attachment is invalid")
        if elements[0].get("attachment_id") not in self.uploads:
            raise _zalo_error(ERR_INVALID_PARAMS, "attachment_id is invalid")

    def _upload_image(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_access_token(request)
        file = params.get("file")
        if not isinstance(file, dict):
            raise _zalo_error(ERR_INVALID_PARAMS, "File is missing")
        if file["content_type"] not in IMAGE_TYPES:
            raise _zalo_error(ERR_INVALID_PARAMS, "File type is not supported")
        if file["size"] > MAX_IMAGE_BYTES:
            raise _zalo_error(ERR_INVALID_PARAMS, "File size exceeds 1MB")
        attachment_id = _new_token("fake-img-")
        self.uploads[attachment_id] = file.pop("data")  # the call keeps the facts only
        return {"error": 0, "message": "Success", "data": {"attachment_id": attachment_id}}

    def _user_detail(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        self._check_access_token(request)
        user_id = params.get("user_id")
        if user_id is None:
            raise _zalo_error(ERR_INVALID_PARAMS, MSG_INVALID_PARAMS)
        user = self.users.get(str(user_id))
        if user is None:
            raise _zalo_error(ERR_USER_UNKNOWN, "User has not followed OA")
        return {"error": 0, "message": "Success", "data": copy.deepcopy(user)}

    def _access_token(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        if request.headers.get("secret_key") != self.app_secret:
            raise _oauth_error(
                ERR_OAUTH_INVALID_SECRET, "Invalid secret key", "The secret_key header is wrong"
            )
        if params.get("app_id") != self.app_id:
            raise _oauth_error(ERR_OAUTH_INVALID_APP, "Invalid app id", "app_id is not valid")
        grant = params.get("grant_type")
        if grant == "refresh_token":
            token = params.get("refresh_token")
            if not token or token != self.refresh_token:
                raise _oauth_error(
                    ERR_OAUTH_INVALID_REFRESH,
                    "Invalid refresh token",
                    "Refresh token is invalid, expired or already used",
                )
        elif grant == "authorization_code":
            code = params.get("code") or ""
            if code not in self._auth_codes:
                raise _oauth_error(
                    ERR_OAUTH_INVALID_CODE, "Invalid authorization code", "code is not valid"
                )
            expected = self._auth_codes.pop(code)  # single use, like the refresh token
            if expected is not None and params.get("code_verifier") != expected:
                raise _oauth_error(
                    ERR_OAUTH_INVALID_CODE, "Invalid code verifier", "code_verifier mismatch"
                )
        else:
            raise _oauth_error(
                ERR_OAUTH_INVALID_GRANT, "Invalid grant type", f"unsupported grant_type {grant!r}"
            )
        return self._rotate_tokens(refreshed=grant == "refresh_token")

    def _rotate_tokens(self, *, refreshed: bool) -> dict[str, Any]:
        # The old refresh token dies at once (single use); the old access token stays valid
        # until expire_access_token(), as a real one would until its lifetime ends.
        self.access_token = _new_token("fake-at-")
        self.refresh_token = _new_token("fake-rt-")
        self._valid_access.add(self.access_token)
        self.issued_access_tokens.append(self.access_token)
        self.issued_refresh_tokens.append(self.refresh_token)
        if refreshed:
            self.refresh_count += 1
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": EXPIRES_IN,
        }
