"""Zalo OA webhook events: their signature, and who and which event each one is."""

from __future__ import annotations

import hashlib
import hmac
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
    return hmac.compare_digest(given.strip().lower().encode(), expected_hex.encode())


def event_key(event: dict[str, Any]) -> str | None:
    """What identifies an event across Zalo's retries (None: nothing to do with it)."""
    name = str(event.get("event_name", ""))
    if name.startswith(zp.OA_USER_SEND_PREFIX):
        msg_id = (event.get("message") or {}).get("msg_id")
        return f"msg:{msg_id}" if msg_id else f"{name}:{sender(event)}:{event.get('timestamp')}"
    if name in (zp.OA_FOLLOW, zp.OA_UNFOLLOW):
        return f"{name}:{follower(event)}:{event.get('timestamp')}"
    return None


def sender(event: dict[str, Any]) -> str:
    return str((event.get("sender") or {}).get("id", ""))


def follower(event: dict[str, Any]) -> str:
    return str((event.get("follower") or {}).get("id", "") or sender(event))


def person_of(event: dict[str, Any]) -> str:
    name = str(event.get("event_name", ""))
    return follower(event) if name in (zp.OA_FOLLOW, zp.OA_UNFOLLOW) else sender(event)
