"""Signing officers in without passwords: one-time links and idle-limited sessions.

An officer asks the bot for a link (``/dangnhap`` in a private chat, or ``python -m bot
login-link`` for the first admin); the link works once, for ten minutes. It opens a
session whose id lives only in an HttpOnly, SameSite=Strict cookie; the store keeps the
id's hash, the officer, the role, the unit and a CSRF token, and forgets a session left
idle. Both live in the key-value table: every process of a deployment shares them, and a
restart signs nobody out.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.ports import KeyValues

LINK_SECONDS = 600  # a sign-in link works this long, once
LINK_PREFIX = "console_link:"
SESSION_PREFIX = "console_session:"
SEEN_EVERY = 60.0  # a session's last use is written at most this often (one write a minute)

# "telegram:123" → ("admin" | "officer", unit), or None for someone who is neither.
Roles = Callable[[str], Awaitable[tuple[str, str] | None]]


@dataclass(frozen=True)
class Session:
    id: str
    actor: str
    role: str  # "admin" | "officer"
    unit: str
    csrf: str


def _key(prefix: str, secret: str) -> str:
    return prefix + hashlib.sha256(secret.encode()).hexdigest()


class SignIn:
    def __init__(self, store: KeyValues, idle_seconds: float, clock=time.time) -> None:
        self.store = store
        self.idle = idle_seconds
        self.clock = clock

    # ---- links ----------------------------------------------------------------------
    async def new_link_token(self, actor: str) -> str:
        token = secrets.token_urlsafe(32)
        value = {"actor": actor, "expires": self.clock() + LINK_SECONDS, "used": False}
        await self.store.kv_set(_key(LINK_PREFIX, token), json.dumps(value))
        return token

    async def redeem(self, token: str) -> tuple[str | None, str]:
        """(the officer, "") for a fresh link, else (None, why: "unknown", "used", "expired").
        Used up atomically: of two tabs opening one link, one signs in."""
        key = _key(LINK_PREFIX, token)
        raw = await self.store.kv_get(key)
        if raw is None:
            return None, "unknown"
        link = json.loads(raw)
        if link["used"]:
            return None, "used"
        if self.clock() > link["expires"]:
            return None, "expired"
        if not await self.store.kv_compare_and_set(key, raw, json.dumps({**link, "used": True})):
            return None, "used"
        return link["actor"], ""

    # ---- sessions -------------------------------------------------------------------
    async def open(self, actor: str, role: str, unit: str) -> Session:
        session = Session(secrets.token_urlsafe(32), actor, role, unit, secrets.token_urlsafe(24))
        value = {"actor": actor, "role": role, "unit": unit, "csrf": session.csrf}
        await self.store.kv_set(
            _key(SESSION_PREFIX, session.id), json.dumps({**value, "seen": self.clock()})
        )
        return session

    async def find(self, session_id: str | None) -> Session | None:
        """The live session of this id; a closed or idle one is no session."""
        if not session_id:
            return None
        key = _key(SESSION_PREFIX, session_id)
        raw = await self.store.kv_get(key)
        if raw is None:
            return None
        data = json.loads(raw)
        now = self.clock()
        if data.get("closed") or now - data["seen"] > self.idle:
            return None
        if now - data["seen"] > SEEN_EVERY:
            await self.store.kv_compare_and_set(key, raw, json.dumps({**data, "seen": now}))
        return Session(session_id, data["actor"], data["role"], data["unit"], data["csrf"])

    async def close(self, session: Session) -> None:
        key = _key(SESSION_PREFIX, session.id)
        raw = await self.store.kv_get(key)
        if raw is not None:
            await self.store.kv_set(key, json.dumps({**json.loads(raw), "closed": True}))


async def print_login_link(settings, actor: str, out) -> int:
    """``python -m bot login-link telegram:<id>``: a link for an officer or admin named in
    the settings or added by command (the first admin has no chat to ask the bot in)."""
    from bot.broadcast.desk import BroadcastDesk
    from bot.broadcast.roster import Roster
    from bot.store.repository import open_store

    roster = Roster.parse(settings.officers, settings.admins)
    base = (
        settings.public_base_url.rstrip("/") or f"http://{settings.http_host}:{settings.http_port}"
    )
    async with open_store(settings.database_url) as store:
        # Who may sign in is the desk's to say, as for the bot's own /dangnhap.
        if await BroadcastDesk(store, roster).role_of(actor) is None:
            refusal = f"{actor} không phải cán bộ hay quản trị (OFFICERS, ADMINS, /themcanbo)."
            print(refusal, file=sys.stderr)
            return 2
        token = await SignIn(store, idle_seconds=0).new_link_token(actor)
        await store.audit(actor, "console_link", {"via": "command line"})
    print(f"{base}/console/dang-nhap?t={token}", file=out)
    return 0
