"""Who a web visitor is: ids the server mints and signs, never ones a client chose.

A visitor's id (32 hex digits, stored with their conversation) travels only inside a
token the server signed with a secret of its own: ``<id>.<signature>`` in the HttpOnly
cookie and in the page's ``X-Visitor`` header (an embedded page may get no cookie). An
id that is unsigned, or signed with another secret, is never adopted: nobody can make a
victim's page use an id the attacker knows. The event stream, whose URL ends up in access
logs, takes the cookie, the header, or a stream token that expires in ten minutes.

The secret is made at the first start and kept in the database, so every process of one
deployment (and every restart) accepts the same tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid

from aiohttp import web

from bot.core.ports import KeyValues

SECRET_KEY = "web_visitor_secret"
COOKIE = "hd_visitor"
COOKIE_MAX_AGE = 365 * 24 * 3600
STREAM_TOKEN_SECONDS = 600
_ID = re.compile(r"[0-9a-f]{32}")
_SIGNATURE = re.compile(r"[0-9a-f]{32}")
_EXPIRES = re.compile(r"[0-9]{1,12}")


class VisitorTokens:
    def __init__(self, secret: str, *, secure_cookie: bool = False) -> None:
        self._key = secret.encode()
        self.secure_cookie = secure_cookie  # the public address is HTTPS

    @classmethod
    async def load(cls, store: KeyValues, *, secure_cookie: bool = False) -> VisitorTokens:
        """The deployment's secret (made once, by whichever process starts first)."""
        await store.kv_compare_and_set(SECRET_KEY, None, secrets.token_hex(32))
        secret = await store.kv_get(SECRET_KEY)
        assert secret, "the visitor secret was just set"
        return cls(secret, secure_cookie=secure_cookie)

    # ---- tokens ---------------------------------------------------------------------------
    @staticmethod
    def new_visitor() -> str:
        return uuid.uuid4().hex

    def token(self, visitor: str) -> str:
        return f"{visitor}.{self._sign(visitor)}"

    def stream_token(self, visitor: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + STREAM_TOKEN_SECONDS)
        return f"{visitor}.{expires}.{self._sign(f'{visitor}.{expires}')}"

    def visitor_of(self, token: str | None) -> str | None:
        """The visitor a token names, if the server signed it."""
        visitor, _, signature = (token or "").partition(".")
        if not (_ID.fullmatch(visitor) and _SIGNATURE.fullmatch(signature)):
            return None
        return visitor if hmac.compare_digest(signature, self._sign(visitor)) else None

    def streamer_of(self, token: str | None, now: float | None = None) -> str | None:
        """The visitor a stream token names, if the server signed it and it has not expired."""
        parts = (token or "").split(".")
        if len(parts) != 3:
            return None
        visitor, expires, signature = parts
        if not (_ID.fullmatch(visitor) and _SIGNATURE.fullmatch(signature)):
            return None
        if not _EXPIRES.fullmatch(expires) or int(expires) < (now or time.time()):
            return None
        good = self._sign(f"{visitor}.{expires}")
        return visitor if hmac.compare_digest(signature, good) else None

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:32]

    # ---- requests -------------------------------------------------------------------------
    def caller(self, request: web.Request) -> str | None:
        """The visitor making ``request``: the page's header first, then the cookie."""
        for token in (request.headers.get("X-Visitor"), request.cookies.get(COOKIE)):
            visitor = self.visitor_of(token)
            if visitor is not None:
                return visitor
        return None

    def remember(self, response: web.StreamResponse, visitor: str) -> None:
        response.set_cookie(
            COOKIE,
            self.token(visitor),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=self.secure_cookie,
            path="/",
        )
