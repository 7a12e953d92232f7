"""Zalo OA webhook events: their signature, and who and which event each one is."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from bot.channels import zalo_protocol as zp


def signature_of(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex SHA-256 of app_id + raw body + timestamp + OA secret key (Zalo's mac)."""
    digest = hashlib.sha256()
    for part in (app_id.encode(), raw_body, timestamp.encode(), oa_secret_key.encode()):
        digest.update(part)
    return digest.hexdigest()


def signature_matches(header: str, expected_hex: str) -> bool:
    given = header.strip()
    if given.lower().startswith(zp.OA_SIGNATURE_PREFIX):
        given = given[len(zp.OA_SIGNATURE_PREFIX) :]
    return hmac.compare_digest(
        given.strip().lower().encode("utf-8", "replace"), expected_hex.encode()
    )


_USER_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def event_key(event: dict[str, Any]) -> str | None:
    """What identifies an event across Zalo's retries (None: nothing to do with it)."""
    name = str(event.get("event_name", ""))
    if name.startswith(zp.OA_USER_SEND_PREFIX):
        msg_id = _field(event, "message", "msg_id")
        if msg_id:
            return f"msg:{msg_id[:128]}"
        return f"{name}:{sender(event)}:{str(event.get('timestamp'))[:20]}"
    if name in (zp.OA_FOLLOW, zp.OA_UNFOLLOW):
        return f"{name}:{follower(event)}:{str(event.get('timestamp'))[:20]}"
    return None


def sender(event: dict[str, Any]) -> str:
    return _field(event, "sender", "id")


def follower(event: dict[str, Any]) -> str:
    return _field(event, "follower", "id") or sender(event)


def message_id(event: dict[str, Any]) -> str:
    return _field(event, "message", "msg_id")[:128]


def message_text(event: dict[str, Any]) -> str | None:
    message = event.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    return text if isinstance(text, str) else None


def is_user_id(value: str) -> bool:
    """A Zalo user id as Zalo sends them (digits): anything else has no one to answer."""
    return bool(_USER_ID.fullmatch(value))


def _field(event: dict[str, Any], part: str, name: str) -> str:
    """``event[part][name]`` as text; "" when either is missing or of the wrong kind."""
    inner = event.get(part)
    value = inner.get(name) if isinstance(inner, dict) else None
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def person_of(event: dict[str, Any]) -> str:
    name = str(event.get("event_name", ""))
    return follower(event) if name in (zp.OA_FOLLOW, zp.OA_UNFOLLOW) else sender(event)
