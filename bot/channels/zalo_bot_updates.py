"""Zalo Bot updates (webhook events and polled updates alike) parsed into Inbound."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.channels.zalo_protocol import BOT_EVENT_PREFIX, BOT_PRIVATE_CHAT, BOT_TEXT_EVENT
from bot.core.messages import Inbound

logger = logging.getLogger(__name__)

PLATFORM = "zalo_bot"


def unwrap(data: Mapping[str, Any]) -> dict[str, Any]:
    """The update itself: webhooks wrap it as ``{"ok", "result"}``, some senders do not."""
    result = data.get("result")
    if "event_name" not in data and isinstance(result, dict):
        return dict(result)
    return dict(data)


def from_webhook(data: object) -> tuple[dict[str, Any], Inbound | None]:
    """A webhook body's update (to keep) and its Inbound; ValueError when malformed."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    update = unwrap(data)
    return update, parse_update(update)


def parse_update(update: Mapping[str, Any]) -> Inbound | None:
    """The citizen's message in an (unwrapped) update; None for what the bot ignores.

    Raises ValueError, KeyError or TypeError when a message lacks its sender or chat.
    """
    event = update.get("event_name")
    message = update.get("message")
    if not isinstance(event, str) or not event.startswith(BOT_EVENT_PREFIX):
        logger.info("Zalo Bot event %r ignored", event)
        return None
    if not isinstance(message, dict):
        raise ValueError("event without a message")
    sender, chat = message.get("from"), message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        raise ValueError("message without its sender or chat")
    if sender.get("is_bot") is True:
        logger.info("Zalo Bot message from another bot ignored")
        return None
    chat_type = str(chat.get("chat_type") or BOT_PRIVATE_CHAT)
    if chat_type.upper() != BOT_PRIVATE_CHAT:
        logger.info("Zalo Bot message in a %s chat ignored", chat_type)
        return None
    user_id, chat_id = _id(sender.get("id")), _id(chat.get("id"))
    message_id = _id(message.get("message_id"), required=False)
    text = message.get("text")
    is_text = event == BOT_TEXT_EVENT and isinstance(text, str)
    return Inbound(
        platform=PLATFORM,
        user_id=user_id,
        chat_id=chat_id,
        # No update_id exists; a retried event carries the same message id.
        update_key=message_id or f"{chat_id}:{message.get('date', '')}",
        message_id=message_id,
        text=text if is_text else None,
        display_name=str(sender.get("display_name") or ""),
        content="text" if is_text else "unsupported",
    )


def sender_of(update: Mapping[str, Any]) -> str:
    """Whose turn an inbox event waits for (events were validated before they were kept)."""
    return str(update["message"]["from"]["id"])


def _id(value: object, *, required: bool = True) -> str:
    """An id as Zalo sends them (a string or a number, short); ValueError otherwise."""
    if value is None or value == "":
        if required:
            raise ValueError("an id is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("an id of the wrong kind")
    text = str(value)
    if len(text) > 64:
        raise ValueError("an id too long")
    return text
