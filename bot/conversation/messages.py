"""What crosses the border between the channel adapters and the conversation core.

Adapters turn platform payloads into these small frozen records and back; the core
never sees a Telegram or Zalo object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Content = Literal["text", "unsupported"]


@dataclass(frozen=True)
class Inbound:
    """A citizen's message, button press or command, from any platform."""

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


@dataclass(frozen=True)
class OperatorReply:
    """An officer's message in the operators' group, in reply to one of the bot's posts."""

    platform: str
    chat_id: str
    message_id: str
    reply_to_message_id: str
    officer_id: str
    officer_name: str
    text: str


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
