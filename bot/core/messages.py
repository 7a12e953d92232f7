"""What crosses the border between the channel adapters and the core.

Adapters turn platform payloads into these small frozen records and back; the core
never sees a Telegram or Zalo object.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

Content = Literal["text", "unsupported"]

MAX_ID = 128  # characters of an id or key (platforms' are far shorter)
MAX_NAME = 200
MAX_ACTION = 64  # Telegram's callback_data limit, in bytes
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Inbound:
    """A message, button press or command, from any platform: a citizen's, an officer's
    command, or an officer's reply in the officers' group (``reply_to`` set)."""

    platform: str  # "telegram", "zalo_oa", "zalo_bot", "web"
    user_id: str
    chat_id: str
    update_key: str  # what the platform retries with (update_id, msg_id): deduplication
    message_id: str = ""
    text: str | None = None
    display_name: str = ""
    language: str | None = None
    content: Content = "text"
    action: str | None = None  # a pressed button's action ("fb:up:12", "full:12:0", "handoff")
    attachment: str | None = None  # a photo's platform file id (officers' broadcasts)
    reply_to: str | None = None  # in the officers' group: the bot's post this answers


def clean_text(text: str) -> str:
    """No NUL (PostgreSQL refuses it), no lone surrogates (each becomes U+FFFD)."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def well_formed(inbound: Inbound) -> Inbound:
    """``inbound`` as the core may rely on it, whatever an adapter let through: every
    field of its type, storable, and of a sane length (ids and names cut, never refused:
    an answer is owed all the same)."""

    def text(value: object, limit: int | None = None) -> str:
        cleaned = clean_text(value if isinstance(value, str) else str(value))
        return cleaned[:limit] if limit else cleaned

    def optional(value: object, limit: int | None = None) -> str | None:
        return None if value is None else text(value, limit)

    return replace(
        inbound,
        platform=text(inbound.platform, 16),
        user_id=text(inbound.user_id, MAX_ID),
        chat_id=text(inbound.chat_id, MAX_ID),
        update_key=text(inbound.update_key, MAX_ID * 2),
        message_id=text(inbound.message_id, MAX_ID),
        text=optional(inbound.text),
        display_name=text(inbound.display_name or "", MAX_NAME),
        language=optional(inbound.language, 16),
        content=inbound.content if inbound.content in ("text", "unsupported") else "unsupported",
        action=optional(inbound.action, MAX_ACTION),
        attachment=optional(inbound.attachment, 256),
        reply_to=optional(inbound.reply_to, MAX_ID),
    )


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # at most 64 bytes (Telegram's callback_data limit)


@dataclass(frozen=True)
class Outbound:
    """Something to send. ``ticket_id`` marks a post in the operators' group: once sent,
    the adapter reports its message id so that replies to it reach the ticket."""

    platform: str
    chat_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    ticket_id: int | None = None
    person_id: int | None = None  # the citizen it is for (blocked users are marked on 403)
    record_id: int | None = None  # the stored message, so its delivery can be recorded
    attachment: str | None = None  # a photo to send with the text as its caption
    broadcast_id: int | None = None  # an officer's status message of this broadcast


@dataclass(frozen=True)
class SendResult:
    """What a platform did with one message (or one broadcast delivery)."""

    status: Literal["sent", "blocked", "retry", "failed", "skipped"]
    reason: str | None = None
    retry_after: float | None = None  # the platform asked this chat to wait
    message_id: str | None = None


# ---- kept in the store with an update, to answer it again or send its replies ----------
def inbound_data(inbound: Inbound) -> dict[str, Any]:
    return asdict(inbound)


def inbound_from(data: dict[str, Any]) -> Inbound:
    known = {f.name for f in fields(Inbound)}
    return Inbound(**{k: v for k, v in data.items() if k in known})


def outbound_data(outbound: Outbound) -> dict[str, Any]:
    data = asdict(outbound)
    data["buttons"] = [[b.label, b.action] for b in outbound.buttons]
    return data


def outbound_from(data: dict[str, Any]) -> Outbound:
    known = {f.name for f in fields(Outbound)}
    values = {k: v for k, v in data.items() if k in known}
    values["buttons"] = tuple(Button(label, action) for label, action in data.get("buttons", ()))
    return Outbound(**values)
